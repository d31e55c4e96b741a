"""Registration (đăng ký thi đua / giao ước thi đua, issue 16 item 0): an admin calls a campaign's
units to register by a due date; each unit registers the collective title it aims for and the
individuals who register for a title (the /register form); units that have not registered by the
due date are nudged once (the tick); the office reads the register per unit (/registrations, the
XLSX), and a review session marks a candidate who had not registered."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.collation import vn_key
from bot.config import Settings
from bot.services import audit, nudges, outbox
from bot.services.awards import name_key
from bot.services.members import destination
from bot.texts import registrations as t
from storage.models import Campaign, CampaignUnit, Member, Registration, RegistrationCall, Unit

INDIVIDUALS_MAX = 50


class RegistrationError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_individuals(text: str | None) -> list[dict[str, str]]:
    """"Nguyễn Văn An - Lao động tiên tiến" per line (or separated by “;”); a line without a title
    registers the person for the campaign's title left blank. Raises with the line that is wrong."""
    people = []
    for raw in re.split(r"[;\n]+", text or ""):
        line = raw.strip().strip("•-+* ").strip()
        if not line:
            continue
        match = re.match(r"(.+?)\s*(?:\s-\s|[–—:])\s*(.+)", line)
        name, title = (match.group(1).strip(), match.group(2).strip()) if match else (line, "")
        if len(name) < 3 or not re.search(r"[^\W\d_]", name):
            raise RegistrationError(t.BAD_LINE.format(line=line[:60]))
        people.append({"name": " ".join(name.split()), "title": " ".join(title.split())})
    if len(people) > INDIVIDUALS_MAX:
        raise RegistrationError(t.TOO_MANY.format(n=INDIVIDUALS_MAX))
    return people


async def open_call(session: AsyncSession, admin: Member, campaign_id: int, due_on: date) -> int:
    """The call, or its due date moved; the targeted units' officers are told. How many were told."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise RegistrationError(t.CAMPAIGN_NOT_FOUND.format(id=campaign_id))
    if due_on < clock.local(clock.now()).date():
        raise RegistrationError(t.DUE_PAST.format(day=clock.fmt_date(due_on)))
    call = await session.scalar(select(RegistrationCall).where(RegistrationCall.campaign_id == campaign_id))
    if call is None:
        call = RegistrationCall(campaign_id=campaign_id, due_on=due_on, opened_by_member_id=admin.id,
                                opened_at=clock.now())
        session.add(call)
    else:
        call.due_on, call.nudged_at = due_on, None
    await session.flush()
    audit.record(session, "registrations.called", actor=admin, campaign=campaign_id, due=due_on.isoformat())
    officers = await _officers_of(session, campaign_id)
    for m in officers:
        await outbox.enqueue(session, **destination(m), member_id=m.id, kind="registration", campaign_id=campaign_id,
                             dedupe_key=f"registration:{campaign_id}:{due_on.isoformat()}:{m.id}",
                             payload={"method": "sendMessage", "text": t.call_notice(campaign, due_on)})
    return len(officers)


async def _officers_of(session: AsyncSession, campaign_id: int, unit_ids: set[int] | None = None) -> list[Member]:
    query = (select(Member).join(CampaignUnit, CampaignUnit.unit_id == Member.unit_id)
             .where(CampaignUnit.campaign_id == campaign_id, Member.role == "officer", Member.left_at.is_(None))
             .order_by(Member.id))
    if unit_ids is not None:
        query = query.where(Member.unit_id.in_(unit_ids))
    return list((await session.scalars(query)).all())


async def open_for_unit(session: AsyncSession, unit_id: int) -> list[tuple[Campaign, RegistrationCall]]:
    """The campaigns that call this unit to register (late registrations are taken too)."""
    rows = (await session.execute(
        select(Campaign, RegistrationCall).join(RegistrationCall, RegistrationCall.campaign_id == Campaign.id)
        .join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
        .where(CampaignUnit.unit_id == unit_id).order_by(Campaign.id.desc()))).all()
    return [(c, call) for c, call in rows]


async def register(session: AsyncSession, member_id: int, campaign_id: int, collective_title: str,
                   individuals: list[dict[str, str]]) -> tuple[Registration, bool]:
    """The unit's registration, made or replaced; (row, whether it replaced one)."""
    member = await session.get(Member, member_id)
    if member is None or member.unit_id is None:
        raise RegistrationError(t.NOT_OFFICER)
    if not any(c.id == campaign_id for c, _ in await open_for_unit(session, member.unit_id)):
        raise RegistrationError(t.NOT_CALLED.format(id=campaign_id))
    row = await session.scalar(select(Registration).where(Registration.campaign_id == campaign_id,
                                                          Registration.unit_id == member.unit_id))
    replaced = row is not None
    if row is None:
        row = Registration(campaign_id=campaign_id, unit_id=member.unit_id)
        session.add(row)
    row.member_id, row.collective_title, row.individuals = member.id, collective_title, individuals
    row.registered_at = clock.now()
    await session.flush()
    return row, replaced


@dataclass(frozen=True)
class UnitRegister:
    unit_id: int
    unit_name: str
    registration: Registration | None
    late: bool


async def register_of(session: AsyncSession, campaign_id: int) -> tuple[RegistrationCall | None, list[UnitRegister]]:
    """The call and, per targeted unit in Vietnamese order, its registration (or none yet)."""
    call = await session.scalar(select(RegistrationCall).where(RegistrationCall.campaign_id == campaign_id))
    units = (await session.execute(
        select(Unit.id, Unit.name).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign_id))).all()
    regs = {r.unit_id: r for r in (await session.scalars(
        select(Registration).where(Registration.campaign_id == campaign_id))).all()}
    out = []
    for unit_id, name in sorted(units, key=lambda u: (vn_key(u[1]), u[0])):
        reg = regs.get(unit_id)
        late = bool(call and reg and clock.local(reg.registered_at).date() > call.due_on)
        out.append(UnitRegister(unit_id, name, reg, late))
    return call, out


async def registered(session: AsyncSession, campaign_id: int) -> dict[int, set[str]] | None:
    """Per unit, the folded names registered ("" for the collective); None when the campaign made
    no call (nobody is then marked as not registered)."""
    call, rows = await register_of(session, campaign_id)
    if call is None:
        return None
    return {r.unit_id: ({""} | {name_key(p["name"]) for p in r.registration.individuals}) if r.registration else set()
            for r in rows}


async def tick(session: AsyncSession, settings: Settings, now: datetime | None = None) -> int:
    """Past a call's due date, once, the officers of units that have not registered are nudged
    (in the nudges' allowed hours). How many were nudged."""
    now = now or clock.now()
    if not nudges.allowed_now(now, settings.quiet_hours):
        return 0
    today = clock.local(now).date()
    told = 0
    for call in (await session.scalars(select(RegistrationCall).where(
            RegistrationCall.nudged_at.is_(None), RegistrationCall.due_on < today))).all():
        call.nudged_at = now
        _call, rows = await register_of(session, call.campaign_id)
        missing = {r.unit_id for r in rows if r.registration is None}
        campaign = await session.get(Campaign, call.campaign_id)
        for m in await _officers_of(session, call.campaign_id, missing) if missing else []:
            await outbox.enqueue(session, **destination(m), member_id=m.id, kind="registration",
                                 campaign_id=call.campaign_id, dedupe_key=f"registration:{call.id}:late:{m.id}",
                                 payload={"method": "sendMessage", "text": t.overdue_notice(campaign, call.due_on)})
            told += 1
    return told
