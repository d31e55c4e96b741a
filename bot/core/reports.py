"""Report periods and reports: periods (show, edit a due date, add a one-off, confirm), report (the
form; the nudge's button runs `report N`), status (per period: on time, late, missing), due."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.commands import command
from bot.core.screens import Action
from bot.core.turn import Turn
from bot.forms import report_form
from bot.forms.engine import parse_date
from bot.services import cascade, report_periods, zalo_usage
from bot.texts import reports as t
from bot.texts import scopes as st
from storage.models import Campaign, ReportPeriod


def _confirm_actions(campaign_id: int, periods: list[ReportPeriod]) -> list[list[Action]]:
    if not any(p.confirmed_at is None for p in periods):
        return []
    return [[Action(t.PERIODS_CONFIRM_BUTTON, "confirm_periods", (str(campaign_id),))]]


@command("periods")
async def periods(turn: Turn) -> None:
    """periods N [sửa <n> <ngày> | thêm <ngày> <tên>]: show, edit, add; the confirm action under it."""
    campaign_id = turn.number(0)
    if campaign_id is None:
        turn.say(t.periods_usage(turn.channel))
        return
    rest = turn.args[1:]
    async with turn.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            turn.say(t.CAMPAIGN_NOT_FOUND.format(id=campaign_id))
            return
        items = await report_periods.ensure_proposed(session, campaign, turn.settings)
        if rest:
            error = await _edit(turn, session, campaign, items, rest)
            if error:
                turn.say(error)
                return
            items = await report_periods.periods_of(session, campaign.id)
        if not items:
            turn.say(t.no_periods(turn.channel, campaign.id))
            return
        text = t.periods_list(turn.channel, campaign.id, campaign.title, items)
        actions = _confirm_actions(campaign.id, items)
    turn.say(text, actions)


async def _edit(turn: Turn, session: AsyncSession, campaign: Campaign, items: list[ReportPeriod],
                rest: list[str]) -> str | None:
    """`sửa <n> <ngày>` or `thêm <ngày> <tên kỳ>`; the error to answer, or None when done."""
    verb = rest[0].lower()
    if verb in ("sửa", "sua") and len(rest) == 3 and rest[1].lstrip("#").isdigit():
        # The period by its id (#7), the number every list of periods shows: it does not move
        # when a period is added or a due date changes the order.
        period = report_periods.by_ref(items, rest[1])
        if period is None:
            return t.period_bad_ref(turn.channel, campaign.id, rest[1], items)
        due, error = parse_date(rest[2])
        if error:
            return error
        await report_periods.set_due(session, period, due, turn.settings)
        return None
    if verb in ("thêm", "them") and len(rest) >= 2:
        due, error = parse_date(rest[1])
        if error:
            return error
        label = " ".join(rest[2:]).strip()
        if len(label) < 3:
            return t.one_off_label(turn.channel, campaign.id)
        await report_periods.add_one_off(session, campaign.id, label, due, turn.settings)
        return None
    return t.periods_usage(turn.channel)


@command("confirm_periods")
async def confirm_periods(turn: Turn) -> None:
    """confirm_periods N (✅ Xác nhận các kỳ): confirm the proposed periods and plan their nudges."""
    campaign_id = turn.number(0)
    if campaign_id is None:
        turn.say(t.confirm_periods_usage(turn.channel))
        return
    async with turn.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            turn.say(t.CAMPAIGN_NOT_FOUND.format(id=campaign_id), alert=turn.pressed)
            return
        if not await report_periods.periods_of(session, campaign_id):
            # Never shown: propose them and show them first, rather than confirm periods unseen.
            items = await report_periods.ensure_proposed(session, campaign, turn.settings)
            if not items:
                turn.say(t.no_periods(turn.channel, campaign_id))
                return
            turn.say(t.periods_list(turn.channel, campaign_id, campaign.title, items),
                     _confirm_actions(campaign_id, items))
            return
        count = await report_periods.confirm(session, campaign_id, turn.settings)
    turn.say(t.PERIODS_CONFIRMED.format(n=count) if count else t.PERIODS_ALREADY)


@command("report")
async def report(turn: Turn) -> None:
    """report [N]: the report form (the nudge's button and `báo cáo N` name the period)."""
    member = turn.member
    if member.unit_id is None:
        turn.say(t.REPORT_NOT_OFFICER)
        return
    period_id = turn.number(0)
    if turn.args and period_id is None:
        turn.say(t.report_usage(turn.channel, turn.args[0]))
        return
    async with turn.db.session() as session:
        screen = await report_form.start(turn.engine, session, member.id, member.unit_id, period_id)
    turn.show(screen)


@command("status")
async def status(turn: Turn) -> None:
    """status N: per confirmed period, the units that reported on time, late, or not yet."""
    campaign_id = turn.number(0)
    async with turn.db.session() as session:  # an admin also reads Zalo's monthly usage
        note = await zalo_usage.admin_note(session, turn.settings, turn.member.role)
    if campaign_id is None:
        turn.say(t.status_usage(turn.channel) + note)
        return
    async with turn.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            turn.say(t.CAMPAIGN_NOT_FOUND.format(id=campaign_id))
            return
        rows = await report_periods.campaign_status(session, campaign_id)
        title = campaign.title
        children = await cascade.rollup(session, campaign_id)
    # Units that launch to their own: whether each did, and their units' counts (as /campaign).
    rolled = "\n\n" + st.rollup(children) if any(c.child_campaign_id or c.subunits for c in children) else ""
    if not rows:
        turn.say(t.status_none(turn.channel, campaign_id) + rolled + note)
        return
    turn.say(t.status_text(campaign_id, title, rows, report_periods.today_local()) + rolled + note)


@command("due")
async def due(turn: Turn) -> None:
    """due: the officer's unit's open periods and whether it has reported."""
    member = turn.member
    if member.unit_id is None:
        turn.say(t.REPORT_NOT_OFFICER)
        return
    async with turn.db.session() as session:
        items = await report_periods.open_periods_for_unit(session, member.unit_id)
    if not items:
        turn.say(t.DUE_NONE)
        return
    turn.say(t.due_text(turn.channel, member.unit_name or "", items, report_periods.today_local()))
