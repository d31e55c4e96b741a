"""Launching a campaign (new_campaign), the units' receipts (ack), the office's view (campaigns,
campaign N) and re-sending to the units that have not acknowledged (resend N)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.core import form_steps
from bot.core.commands import command
from bot.core.screens import Action
from bot.core.turn import Turn
from bot.forms import Screen, campaign_form
from bot.forms.completions import FormRejected
from bot.services import cascade, campaigns, digests, scope
from bot.texts import digests as digest_texts
from bot.texts import scopes as st
from bot.texts import zalo as zt
from bot.texts.commands import cmd
from storage.models import Campaign


@command("new_campaign")
async def new_campaign(turn: Turn) -> None:
    """new_campaign: the launch form (or the offer to continue the unfinished one)."""
    await form_steps.open_form(turn, campaign_form.NAME, context={"scope_unit_id": turn.member.scope_unit_id})


@form_steps.on_complete(campaign_form.NAME)
async def _launch(turn: Turn, session: AsyncSession, screen: Screen) -> str | None:
    try:
        result = await campaigns.launch(session, campaign_form.to_launch(screen.answers), turn.member.id)
    except campaigns.CampaignError as exc:
        raise FormRejected(texts.CAMPAIGN_NO_TARGETS) from exc
    if turn.channel == "telegram":  # a message Telegram edits as the launch goes out
        counts = await campaigns.delivery_counts(session, result.campaign_id)
        campaign = await session.get(Campaign, result.campaign_id)
        turn.effects.append(("progress", result.campaign_id, texts.launch_progress(result.campaign_id, campaign.title,
                                                                                   counts)))
    return texts.launched(result.campaign_id, result.units, result.officers, result.units_without_officers)


@command("ack")
async def ack(turn: Turn) -> None:
    """ack [N]: the unit's receipt of a launch; the first officer's counts."""
    member = turn.member
    campaign_id = turn.number()
    if campaign_id is None:
        if turn.args:
            turn.say(zt.ACK_USAGE.replace("“đã nhận <số>”", cmd(turn.channel, "ack", "<số>")))
            return
        async with turn.db.session() as session:
            pending = await campaigns.unacknowledged_for_unit(session, member.unit_id) if member.unit_id else []
        if not pending:
            turn.say(zt.ACK_NONE)
            return
        if len(pending) > 1:
            lines = "\n".join(f"{c.id}. {texts.short(c.title, 80)}" for c in pending[:20])
            turn.say(zt.ACK_WHICH_ANY.format(n=len(pending), lines=lines),
                     [[Action(f"✅ #{c.id}", "ack", (str(c.id),))] for c in pending[:5]])
            return
        campaign_id = pending[0].id
    async with turn.db.session() as session:
        result = await campaigns.acknowledge(session, campaign_id, member.id)
    turn.say(texts.ack_answer(result, again=texts.ACK_AGAIN_PRESS if turn.pressed else texts.ACK_AGAIN_TYPE),
             alert=turn.pressed)
    if turn.pressed and result.status in ("recorded", "already"):
        turn.pressed_keeps = [[Action(texts.ACK_DONE_BUTTON, "ack", (str(campaign_id),))]]


@command("campaigns")
async def list_campaigns(turn: Turn) -> None:
    """campaigns: every campaign with its acknowledgement count (an officer: their unit's)."""
    if turn.member.role == "officer":
        async with turn.db.session() as session:
            mine = await campaigns.for_unit(session, turn.member.unit_id) if turn.member.unit_id else []
        turn.say(texts.unit_campaigns_list(mine) if mine else texts.UNIT_CAMPAIGNS_EMPTY)
        return
    async with turn.db.session() as session:
        reach = await scope.of(session, turn.member)
        items = await campaigns.summaries(session, reach)
        received = await cascade.received(session, reach)
    answer = texts.campaigns_list(items) if items else texts.CAMPAIGNS_EMPTY
    if received:  # a xã's office: what the level above launched to it, to carry out
        answer += "\n\n" + st.received_list(received, turn.channel)
    turn.say(answer)


@command("campaign")
async def show_campaign(turn: Turn) -> None:
    """campaign N: per unit, delivered / acknowledged / unreachable (an officer: the launch again)."""
    campaign_id = turn.number()
    if campaign_id is None or len(turn.args) != 1:
        turn.say(texts.CAMPAIGN_USAGE)
        return
    if turn.member.role == "officer":
        async with turn.db.session() as session:
            sent = await campaigns.send_again(session, campaign_id, turn.member.id)
        turn.say((texts.CAMPAIGN_SENT_AGAIN if sent else texts.CAMPAIGN_NOT_YOUR_UNIT).format(id=campaign_id))
        return
    async with turn.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            turn.say(texts.CAMPAIGN_NOT_FOUND.format(id=campaign_id))
            return
        statuses = await campaigns.unit_statuses(session, campaign.id)
        undelivered = digest_texts.undelivered_line(
            await digests.undelivered_to_leadership(session, campaign_id=campaign.id))
        children = await cascade.rollup(session, campaign.id)
    actions = []
    if turn.member.role == "admin" and any(s.acknowledged_at is None for s in statuses):
        actions = [[Action(texts.RESEND_BUTTON, "resend", (str(campaign.id),))]]
    detail = texts.campaign_detail(campaign, statuses, undelivered)
    if campaign.parent_campaign_id is not None:
        detail = st.implements_line(campaign.parent_campaign_id) + "\n" + detail
    if any(c.child_campaign_id or c.subunits for c in children):  # units that launch to their own
        detail += "\n\n" + st.rollup(children)
    turn.say(detail, actions)


@command("resend")
async def resend(turn: Turn) -> None:
    """resend N: the launch again, to the units that have not acknowledged."""
    campaign_id = turn.number()
    if campaign_id is None:
        turn.say(texts.RESEND_USAGE)
        return
    try:
        async with turn.db.session() as session:
            units = await campaigns.resend_unacknowledged(session, campaign_id, turn.member.id)
    except campaigns.CampaignError:
        turn.say(texts.CAMPAIGN_NOT_FOUND.format(id=campaign_id))
        return
    if units == 0:
        turn.say(texts.NOTHING_TO_RESEND.format(id=campaign_id))
        return
    turn.say(texts.RESENT.format(id=campaign_id, units=units))
    turn.effects.append("kick")
