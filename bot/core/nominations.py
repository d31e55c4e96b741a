"""Exemplar nominations (đề xuất điển hình): units nominate and follow theirs (nominate,
my_nominations, edit_nomination, withdraw); the office reviews the queue (review, approve,
return_nomination, reject, later) and sets quotas (quota).

A returned or rejected nomination needs a reason: it is asked as a one-field form
(nomination_form.RETURN_NAME / REJECT_NAME), so the pending decision is a draft in the database;
once it is confirmed the next nomination waiting is shown.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.core import form_steps
from bot.core.commands import command
from bot.core.screens import Action
from bot.core.turn import Turn
from bot.forms import Screen, nomination_form
from bot import texts
from bot.services import awards, cascade, nominations
from bot.texts import awards as award_texts
from bot.texts import scopes as st
from bot.services.units import unit_by_code
from bot.texts import nominations as t
from storage.models import Campaign, CampaignUnit, Nomination, Unit

MAX_LISTED_ACTIONS = 10  # actions under the unit's list: the newest ten that can be changed


def _refuse(turn: Turn, text: str) -> None:
    """A short refusal: a pop-up when a button was pressed, a message otherwise."""
    turn.say(text, alert=turn.pressed)


def _number(turn: Turn, name: str) -> int | None:
    """The one argument, a nomination number; otherwise how to type the command."""
    number = turn.number(0)
    if number is None or len(turn.args) != 1:
        _refuse(turn, t.number_usage(turn.channel, name))
        return None
    return number


def _unit_actions(n: Nomination) -> list[Action]:
    if n.status == "returned":
        return [Action(t.EDIT_BUTTON.format(id=n.id), "edit_nomination", (str(n.id),))]
    if n.status == "submitted":
        return [Action(t.WITHDRAW_BUTTON.format(id=n.id), "withdraw", (str(n.id),))]
    return []


# --- officers: nominating -----------------------------------------------------------------------------


@command("nominate")
async def nominate(turn: Turn) -> None:
    """nominate: the form, with the campaign filled in when only one is open to the unit."""
    member = turn.member
    async with turn.db.session() as session:
        screen = await nomination_form.start(turn.engine, session, member.id, member.unit_id)
    if isinstance(screen, str):
        turn.say(screen)
        return
    turn.show(screen)


@command("my_nominations")
async def my_nominations(turn: Turn) -> None:
    """my_nominations [N]: the unit's nominations, or one of them with what can be done to it."""
    if turn.args:
        number = turn.number(0)
        if number is None or len(turn.args) != 1:
            _refuse(turn, t.my_usage(turn.channel))
            return
        await _show_one(turn, number)
        return
    member = turn.member
    async with turn.db.session() as session:
        items = await nominations.for_unit(session, member.unit_id)
        stages = await awards.stages(session, [n.id for n, _ in items if n.status == "approved"])
    if not items:
        turn.say(t.MY_EMPTY)
        return
    rows = [row for n, _ in items[:MAX_LISTED_ACTIONS] if (row := _unit_actions(n))]
    turn.say(t.my_list(items, member.unit_name or "", stages), rows)


async def _show_one(turn: Turn, nomination_id: int) -> None:
    async with turn.db.session() as session:
        try:
            n = await nominations.visible(session, turn.member.id, nomination_id)
        except nominations.NominationError as exc:
            _refuse(turn, exc.message)
            return
        text = await nominations.describe(session, n, with_history=True)
        if stage := (await awards.stages(session, [n.id])).get(n.id):
            text = f"{text}\n{t.STAGE_NAMES[stage]}"
    turn.say(text, [_unit_actions(n)])


@command("edit_nomination")
async def edit_nomination(turn: Turn) -> None:
    """edit_nomination N: a returned nomination reopened in the form, prefilled, at its review."""
    nomination_id = _number(turn, "edit_nomination")
    if nomination_id is None:
        return
    member = turn.member
    async with turn.db.session() as session:
        try:
            n = await nominations.visible(session, member.id, nomination_id)
        except nominations.NominationError as exc:
            _refuse(turn, exc.message)
            return
        if n.status != "returned":
            _refuse(turn, t.NOT_RETURNED.format(id=n.id, status=t.STATUS_NAMES[n.status]))
            return
        existing = await turn.engine.draft(session, member.id, nomination_form.NAME)
        if existing is not None and existing.context.get("nomination_id") != n.id:
            _refuse(turn, t.DRAFT_IN_PROGRESS.format(id=n.id))
            return
        campaign = await session.get(Campaign, n.campaign_id)
        prefill = nominations.answers_of(n, campaign, await nominations.evidence(session, n))
        screen = await turn.engine.open(session, member.id, nomination_form.NAME, prefill=prefill, restart=True,
                                        context={"unit_id": n.unit_id, "nomination_id": n.id},
                                        note=t.edit_intro(n, turn.channel), reopened=True)
    turn.show(screen)


@command("withdraw")
async def withdraw(turn: Turn) -> None:
    """withdraw N: the unit takes back a nomination not reviewed yet."""
    nomination_id = _number(turn, "withdraw")
    if nomination_id is None:
        return
    async with turn.db.session() as session:
        try:
            n = await nominations.withdraw(session, turn.member.id, nomination_id)
        except nominations.NominationError as exc:
            _refuse(turn, exc.message)
            return
    turn.say(t.WITHDRAWN.format(id=n.id))


# --- admins: reviewing ---------------------------------------------------------------------------------


async def show_next(turn: Turn) -> None:
    """The next nomination waiting for review: its evidence (photos as photos, other files as
    files), then all its fields with what can be done to it."""
    async with turn.db.session() as session:
        n, waiting = await nominations.next_in_queue(session, turn.member.scope_unit_id)
        if n is None:
            turn.say(t.REVIEW_EMPTY)
            return
        files = await nominations.evidence(session, n)
        text = t.review_item(await nominations.describe(session, n, with_history=True), waiting)
        if earlier := await awards.earlier_awards(session, n):  # "N năm liên tục" is for a person to check
            text = f"{text}\n{award_texts.earlier(earlier)}"
        if n.put_off_at is not None:  # every one not put off is done: round again
            text = f"{t.REVIEW_PUT_OFF_AGAIN}\n\n{text}"
    for i, f in enumerate(files, 1):
        turn.attach(f.id, f.filename, f.mime_type, t.EVIDENCE_CAPTION.format(n=i, total=len(files), id=n.id))
    arg = (str(n.id),)
    turn.say(text, [
        [Action(t.APPROVE_BUTTON, "approve", arg), Action(t.RETURN_BUTTON, "return_nomination", arg),
         Action(t.REJECT_BUTTON, "reject", arg)],
        [Action(t.LATER_BUTTON, "later", arg)] if waiting > 1 else [],
    ])


@command("review")
async def review(turn: Turn) -> None:
    """review: the queue, oldest first."""
    await show_next(turn)


@command("approve")
async def approve(turn: Turn) -> None:
    nomination_id = _number(turn, "approve")
    if nomination_id is None:
        return
    async with turn.db.session() as session:
        try:
            approved = await nominations.review(session, turn.member.id, nomination_id, "approve")
        except nominations.NominationError as exc:
            _refuse(turn, exc.message)
            return
        carries = await session.scalar(select(Campaign.parent_campaign_id).where(Campaign.id == approved.campaign_id))
    # A campaign that carries out a higher level's: the approved one can go up ("đề nghị cấp trên").
    turn.say(t.APPROVED_ADMIN.format(id=nomination_id),
             [[Action(st.FORWARD_BUTTON, "forward", (str(nomination_id),))]] if carries else None)
    await show_next(turn)


async def _ask_reason(turn: Turn, name: str, decision: str) -> None:
    """Return / reject: the reason is asked next, as a form (the pending decision is its draft)."""
    nomination_id = _number(turn, name)
    if nomination_id is None:
        return
    async with turn.db.session() as session:
        n = await session.get(Nomination, nomination_id)
    if n is None:
        _refuse(turn, t.NOT_FOUND.format(id=nomination_id))
        return
    if n.status != "submitted":
        _refuse(turn, t.ALREADY_REVIEWED.format(id=n.id, status=t.STATUS_NAMES[n.status]))
        return
    form = nomination_form.RETURN_NAME if decision == "return" else nomination_form.REJECT_NAME
    question = (t.Q_RETURN_REASON if decision == "return" else t.Q_REJECT_REASON).format(id=n.id)
    await form_steps.open_form(turn, form, context={"nomination_id": n.id}, restart=True, note=question)


@command("return_nomination")
async def return_nomination(turn: Turn) -> None:
    await _ask_reason(turn, "return_nomination", "return")


@command("reject")
async def reject(turn: Turn) -> None:
    await _ask_reason(turn, "reject", "reject")


@form_steps.after_commit(nomination_form.RETURN_NAME, nomination_form.REJECT_NAME)
async def _after_decision(turn: Turn, screen: Screen) -> None:
    await show_next(turn)


@command("later")
async def later(turn: Turn) -> None:
    """later N: N goes to the end of the queue (still waiting), and the next one is shown."""
    nomination_id = _number(turn, "later")
    if nomination_id is None:
        return
    async with turn.db.session() as session:
        waiting = await nominations.put_off(session, nomination_id)
    if not waiting:
        turn.say(t.PUT_OFF_GONE.format(id=nomination_id), alert=turn.pressed)
    await show_next(turn)


# --- admins: quotas ------------------------------------------------------------------------------------


@command("quota")
async def quota(turn: Turn) -> None:
    """quota CAMPAIGN UNIT [COLLECTIVES INDIVIDUALS]: see or set one unit's quota this period."""
    args = turn.args
    campaign_id = turn.number(0)
    if len(args) not in (2, 4) or campaign_id is None:
        turn.say(t.quota_usage(turn.channel))
        return
    code, numbers = args[1], args[2:]
    if numbers and not all(x.isdigit() and 0 <= int(x) <= 50 for x in numbers):
        turn.say(t.QUOTA_BAD_NUMBER)
        return
    async with turn.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            turn.say(t.QUOTA_CAMPAIGN_NOT_FOUND.format(id=campaign_id))
            return
        unit = await unit_by_code(session, code)
        if unit is None:
            turn.say(t.QUOTA_UNIT_NOT_FOUND.format(code=code))
            return
        targeted = await session.scalar(select(CampaignUnit.id).where(
            CampaignUnit.campaign_id == campaign.id, CampaignUnit.unit_id == unit.id))
        if targeted is None:
            turn.say(t.QUOTA_NOT_TARGETED.format(id=campaign.id, code=unit.code))
            return
        head = None
        if numbers:
            collectives, individuals = int(numbers[0]), int(numbers[1])
            period = await nominations.set_quota(session, turn.member.id, campaign, unit.id, collectives, individuals)
            head = t.quota_set(campaign.id, unit.name, collectives, individuals, period.label)
        statuses, overridden = await nominations.quota_overview(session, campaign, unit.id)
    text = t.quota_summary(campaign.id, unit.name, statuses, overridden)
    turn.say(f"{head}\n\n{text}" if head else text)


# --- a lower level's office: putting an approved nomination forward -------------------------------------


@command("forward")
async def forward(turn: Turn) -> None:
    """forward N: the approved nomination goes to the parent campaign's review queue."""
    nomination_id = _number(turn, "forward")
    if nomination_id is None:
        return
    async with turn.db.session() as session:
        try:
            carried, parent = await cascade.forward(session, turn.member.id, nomination_id)
        except cascade.CascadeError as exc:
            turn.say(st.FORWARD_REFUSED[exc.reason].format(id=nomination_id), alert=turn.pressed)
            return
        unit = await session.get(Unit, carried.unit_id)
        await nominations.notify_office(session, carried, st.FORWARD_NOTICE.format(
            unit=unit.name, id=carried.id, name=carried.full_name, form=carried.reward_form, campaign=parent.id))
    turn.say(st.FORWARDED.format(id=nomination_id, new=carried.id, parent=parent.id, title=texts.short(parent.title, 80)))
    turn.effects.append("kick")
