"""The /register form: a unit's đăng ký thi đua for one campaign — the collective title, the
individuals and their titles, confirm. The choices are the campaigns that call the unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.forms.completions import FormRejected, completes
from bot.forms.engine import LABEL_PREFIX, Screen
from bot.forms.model import Answers, Choice, Field, Form
from bot.services import registrations
from bot.texts import registrations as t
from storage.models import RegistrationCall

NAME = "registration"


async def _campaigns(session: AsyncSession, answers: Answers, context: dict[str, Any]) -> list[Choice]:
    unit_id = context.get("unit_id")
    if unit_id is None:
        return []
    return [Choice(str(c.id), f"#{c.id} {c.title[:80]} (hạn {clock.fmt_date(call.due_on)})")
            for c, call in await registrations.open_for_unit(session, unit_id)]


def _individuals(value: Any, answers: Answers) -> str | None:
    try:
        registrations.parse_individuals(value)
    except registrations.RegistrationError as exc:
        return exc.message
    return None


FORM = Form(
    name=NAME,
    title="đăng ký thi đua",
    intro="Đăng ký thi đua của đơn vị: danh hiệu tập thể và các cá nhân đăng ký.",
    confirm_label="📝 Gửi đăng ký",
    fields=(
        Field("campaign", t.LABEL_CAMPAIGN, t.Q_CAMPAIGN, kind="choice", choices_provider=_campaigns),
        Field("collective_title", t.LABEL_COLLECTIVE, t.Q_COLLECTIVE, min_len=3, max_len=255),
        Field("individuals", t.LABEL_INDIVIDUALS, t.Q_INDIVIDUALS, required=False, max_len=5000, check=_individuals),
    ),
)


@completes(NAME)
async def _submit(session: AsyncSession, member_id: int, screen: Screen) -> str | None:
    answers = screen.answers
    campaign_id = int(answers["campaign"])
    try:
        people = registrations.parse_individuals(answers.get("individuals"))
        row, replaced = await registrations.register(session, member_id, campaign_id, answers["collective_title"],
                                                     people)
    except registrations.RegistrationError as exc:
        raise FormRejected(exc.message) from exc
    due_on = await session.scalar(select(RegistrationCall.due_on).where(RegistrationCall.campaign_id == campaign_id))
    late = due_on is not None and clock.local(row.registered_at).date() > due_on
    return t.saved(campaign_id, row.collective_title, people, replaced, late)


async def start(engine, session: AsyncSession, member_id: int, unit_id: int, campaign_id: int | None) -> Screen | str:  # noqa: ANN001
    open_now = await registrations.open_for_unit(session, unit_id)
    if not open_now:
        return t.NONE_OPEN
    chosen = next((c for c, _ in open_now if c.id == campaign_id), None) if campaign_id else \
        (open_now[0][0] if len(open_now) == 1 else None)
    if campaign_id and chosen is None:
        return t.NOT_CALLED.format(id=campaign_id)
    prefill = {"campaign": str(chosen.id), LABEL_PREFIX + "campaign": f"#{chosen.id} {chosen.title[:80]}"} if chosen else None
    return await engine.open(session, member_id, NAME, prefill=prefill, context={"unit_id": unit_id})
