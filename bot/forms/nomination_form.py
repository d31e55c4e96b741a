"""The /nominate form: an exemplar (collective or individual) a unit puts forward, with evidence.

The draft's context holds the officer's unit ("unit_id") and, when a returned nomination is being
fixed, its id ("nomination_id"): the quota guards read them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import vn_format
from bot.texts import nominations as t
from bot.forms.completions import FormRejected, completes
from bot.forms.engine import Screen
from bot.forms.model import Answers, Choice, Field, Form
from bot.services import nominations
from storage.models import Campaign, Nomination

NAME = "nomination"
RETURN_NAME = "nomination_return"
REJECT_NAME = "nomination_reject"

KINDS = (Choice("collective", t.KIND_NAMES["collective"]), Choice("individual", t.KIND_NAMES["individual"]))
SECTORS = tuple(Choice(code, name) for code, name in nominations.SECTORS)
EVIDENCE_TYPES = (".jpg", ".jpeg", ".png", ".pdf", ".docx")


def _individual(answers: Answers) -> bool:
    return answers.get("kind") == "individual"


async def _campaigns(session: AsyncSession, answers: Answers, context: dict[str, Any]) -> list[Choice]:
    unit_id = context.get("unit_id")
    if unit_id is None:
        return []
    return [Choice(str(c.id), t.campaign_choice(c.id, c.title)) for c in await nominations.open_campaigns(session, unit_id)]


async def _campaign_has_room(session: AsyncSession, value: Any, answers: Answers, context: dict[str, Any]) -> str | None:
    campaign = await session.get(Campaign, int(value))
    unit_id = context.get("unit_id")
    if campaign is None or unit_id is None or context.get("nomination_id"):
        return None
    quota = await nominations.quota_statuses(session, campaign, unit_id)
    if quota["collective"].full and quota["individual"].full:
        return t.quota_both_full(quota["collective"], quota["individual"])
    return None


async def _kind_has_room(session: AsyncSession, value: Any, answers: Answers, context: dict[str, Any]) -> str | None:
    """The quota is checked as soon as the kind is known, not only when the form is sent."""
    unit_id = context.get("unit_id")
    campaign = await session.get(Campaign, int(answers.get("campaign") or 0))
    if campaign is None or unit_id is None:
        return None
    nomination_id = context.get("nomination_id")
    period_key = None
    if nomination_id:
        existing = await session.get(Nomination, nomination_id)
        if existing is None or existing.kind == value:
            return None
        period_key = existing.period_key
    status = await nominations.quota_status(session, campaign, unit_id, value, exclude_id=nomination_id,
                                            period_key=period_key)
    return t.quota_full(status) if status.full else None


async def _rewards(session: AsyncSession, answers: Answers, context: dict[str, Any]) -> list[Choice]:
    campaign = await session.get(Campaign, int(answers.get("campaign") or 0))
    return [Choice(v, name) for v, name in nominations.reward_options(campaign, answers.get("kind"))]


def _name(value: Any, answers: Answers) -> str | None:
    return nominations.check_name(str(value), answers.get("kind"))


async def _title_case(session: AsyncSession, value: Any, answers: Answers, context: dict) -> tuple[Answers, str | None]:
    """A person's name typed all in lower case or all in capitals is written in title case, and the
    officer is told (the review shows it, and "sửa" puts it back)."""
    if not _individual(answers):
        return {}, None
    name, changed = vn_format.person_name(str(value))
    if not changed or name == " ".join(str(value).split()):
        return ({"full_name": name}, None) if changed else ({}, None)
    return {"full_name": name}, t.NAME_TITLE_CASED.format(typed=" ".join(str(value).split()), name=name)


def _summary(value: Any, answers: Answers) -> str | None:
    return nominations.check_summary(str(value))


FORM = Form(
    name=NAME,
    title=t.FORM_TITLE,
    intro=t.FORM_INTRO,
    confirm_label=t.CONFIRM_LABEL,
    fields=(
        Field("campaign", t.LABEL_CAMPAIGN, t.Q_CAMPAIGN, kind="choice", choices_provider=_campaigns,
              guard=_campaign_has_room),
        Field("kind", t.LABEL_KIND, t.Q_KIND, kind="choice", choices=KINDS, guard=_kind_has_room),
        Field("full_name", t.LABEL_NAME, t.Q_NAME, min_len=3, max_len=255, check=_name, fills=_title_case),
        Field("position", t.LABEL_POSITION, t.Q_POSITION, min_len=2, max_len=255, when=_individual),
        Field("workplace", t.LABEL_WORKPLACE, t.Q_WORKPLACE, min_len=2, max_len=255, when=_individual),
        Field("sector", t.LABEL_SECTOR, t.Q_SECTOR, kind="choice", choices=SECTORS),
        Field("sector_other", t.LABEL_SECTOR_OTHER, t.Q_SECTOR_OTHER, min_len=3, max_len=64,
              when=lambda a: a.get("sector") == "khac"),
        Field("summary", t.LABEL_SUMMARY, t.Q_SUMMARY, min_len=nominations.SUMMARY_MIN,
              max_len=nominations.SUMMARY_MAX, check=_summary),
        Field("reward_form", t.LABEL_REWARD, t.Q_REWARD, kind="choice", choices_provider=_rewards),
        Field("evidence", t.LABEL_EVIDENCE, t.Q_EVIDENCE, kind="file", required=False, accept=EVIDENCE_TYPES,
              max_files=nominations.MAX_EVIDENCE),  # up to files.max_mb each
    ),
)

# The office's reason for returning or rejecting: a one-field form, so the pending decision lives in
# the database (the draft, with the nomination in its context) and survives a restart.
RETURN_FORM = Form(
    name=RETURN_NAME,
    title=t.RETURN_TITLE,
    confirm_label=t.RETURN_CONFIRM,
    fields=(Field("reason", t.LABEL_REASON, t.REASON_Q, min_len=nominations.REASON_MIN,
                  max_len=nominations.REASON_MAX),),
)
REJECT_FORM = Form(
    name=REJECT_NAME,
    title=t.REJECT_TITLE,
    confirm_label=t.REJECT_CONFIRM,
    fields=(Field("reason", t.LABEL_REASON, t.REASON_Q, min_len=nominations.REASON_MIN,
                  max_len=nominations.REASON_MAX),),
)
FORMS = (FORM, RETURN_FORM, REJECT_FORM)


@completes(NAME)
async def _submit(session: AsyncSession, member_id: int, screen: Screen) -> str | None:
    """Submit the nomination (or resubmit the returned one the form was opened for)."""
    nomination_id = (screen.context or {}).get("nomination_id")
    try:
        if nomination_id:
            nomination = await nominations.resubmit(session, member_id, int(nomination_id), screen.answers)
        else:
            nomination = await nominations.submit(session, member_id, screen.answers)
    except nominations.NominationError as exc:
        raise FormRejected(exc.message) from exc
    return t.submitted(nomination, resubmitted=bool(nomination_id))


@completes(RETURN_NAME, REJECT_NAME)
async def _decide(session: AsyncSession, member_id: int, screen: Screen) -> str | None:
    """The office's return or rejection, with the reason just typed."""
    decision = "return" if screen.form == RETURN_NAME else "reject"
    nomination_id = int(screen.context["nomination_id"])
    try:
        await nominations.review(session, member_id, nomination_id, decision, screen.answers["reason"])
    except nominations.NominationError as exc:
        return exc.message  # reviewed meanwhile: nothing changes, the reason draft goes
    return (t.RETURNED_ADMIN if decision == "return" else t.REJECTED_ADMIN).format(id=nomination_id)


async def start(engine, session: AsyncSession, member_id: int, unit_id: int) -> Screen | str:  # noqa: ANN001 - FormEngine
    """/nominate on any channel: the form (campaign filled in when only one is open to the unit),
    the offer to continue an unfinished draft, or — as text — why nothing can be nominated now."""
    if await engine.draft(session, member_id, NAME) is not None:
        return await engine.open(session, member_id, NAME)  # the engine offers to continue or discard
    open_now = await nominations.open_campaigns(session, unit_id)
    if not open_now:
        return t.NO_OPEN_CAMPAIGN
    prefill = {}
    if len(open_now) == 1:
        campaign = open_now[0]
        quota = await nominations.quota_statuses(session, campaign, unit_id)
        if quota["collective"].full and quota["individual"].full:
            return t.quota_both_full(quota["collective"], quota["individual"])
        prefill = {"campaign": str(campaign.id), "_label:campaign": t.campaign_choice(campaign.id, campaign.title)}
    return await engine.open(session, member_id, NAME, prefill=prefill, context={"unit_id": unit_id})
