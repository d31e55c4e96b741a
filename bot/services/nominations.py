"""Nominations (đề xuất điển hình): open campaigns, quotas per unit and period, submitting,
withdrawing, resubmitting after a return, the office's review, and who may see what.

Channel-neutral (no telegram import). Functions take a session and plain values and never commit.
Every change of status is a conditional UPDATE (`… WHERE status = 'submitted'`), so two admins
pressing at once, or a button from an old message, change nothing twice; each change is written
to the nomination's history and to the audit log, and the people concerned are told through the
outbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from bot import clock
from bot.texts import nominations as t
from bot.services import audit, cascade, members, outbox, scope
from bot.services.members import destination
from storage.models import (
    Campaign,
    CampaignUnit,
    Member,
    Nomination,
    NominationEvent,
    NominationQuotaOverride,
    StoredFile,
    Unit,
)

KINDS = ("collective", "individual")
COUNTED = ("submitted", "returned", "approved")  # a returned one keeps its place in the quota
SECTORS = (
    ("kt", "Kinh tế"),
    ("vhxh", "Văn hóa – xã hội"),
    ("qpan", "Quốc phòng – an ninh"),
    ("xdd", "Xây dựng Đảng và hệ thống chính trị"),
    ("cchc", "Cải cách hành chính"),
    ("khac", "Lĩnh vực khác"),
)
# The standard reward forms, and which kind each suits; a campaign's own list replaces them.
STANDARD_REWARDS = (
    ("Giấy khen", KINDS),
    ("Bằng khen", KINDS),
    ("Lao động tiên tiến", ("individual",)),
    ("Chiến sĩ thi đua cơ sở", ("individual",)),
    ("Tập thể lao động tiên tiến", ("collective",)),
    ("Tập thể lao động xuất sắc", ("collective",)),
    ("Cờ thi đua", ("collective",)),
)
SUMMARY_MIN, SUMMARY_MAX = 30, 1500
REASON_MIN, REASON_MAX = 5, 1000  # a return's or rejection's reason, as the unit will read it
MAX_EVIDENCE = 5


class NominationError(Exception):
    """Cannot be done; `message` says why, in Vietnamese. reason: not_found | not_yours |
    not_returned | not_withdrawable | already_reviewed | campaign_closed | invalid | quota."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class QuotaExceeded(NominationError):
    def __init__(self, status: QuotaStatus) -> None:
        super().__init__("quota", t.quota_full(status))
        self.status = status


@dataclass(frozen=True)
class Period:
    key: str  # "2026-Q2", "2026-H1", "2026", "campaign"
    label: str  # "quý II/2026"
    next_start: date | None  # when the next period opens; None if the campaign has none


@dataclass(frozen=True)
class QuotaStatus:
    kind: str
    used: int
    limit: int | None  # None: no limit
    period: Period
    campaign_title: str
    unit_name: str  # only when full: it is said only in the refusal

    @property
    def full(self) -> bool:
        return self.limit is not None and self.used >= self.limit


# --- names and answers ---------------------------------------------------------------------------------


def check_name(name: str, kind: str | None) -> str | None:
    """A person's name in full and as typed (no digits, no "Ng. V. A"); a collective's not digits only."""
    name = name.strip()
    if re.fullmatch(r"[\d\s.,/\-]+", name):
        return t.NAME_DIGITS_ONLY
    if kind != "individual":
        return t.NAME_TOO_SHORT if sum(c.isalpha() for c in name) < 3 else None
    if any(c.isdigit() for c in name):
        return t.NAME_HAS_DIGITS
    words = name.split()
    # One letter is an initial, except "Y", the Ê Đê men's name prefix (Y Moan Niê-Kdăm).
    if any(w.endswith(".") for w in words) or any(len(w.strip("-'’")) == 1 and w != "Y" for w in words):
        return t.NAME_ABBREVIATED
    if not all(c.isalpha() or c in " -'’" for c in name):
        return t.NAME_BAD_CHARS
    if len(words) < 2:
        return t.NAME_ONE_WORD
    return None


def check_summary(text: str) -> str | None:
    if sum(c.isalpha() for c in text) < 10:  # emoji, dots or digits only
        return t.SUMMARY_NEEDS_WORDS
    return None


def reward_options(campaign: Campaign | None, kind: str | None) -> list[tuple[str, str]]:
    """(value, name): the campaign's own forms ("c0"…) or the standard ones for the kind ("s0"…)."""
    if campaign is not None and campaign.reward_forms:
        return [(f"c{i}", name) for i, name in enumerate(campaign.reward_forms)]
    return [(f"s{i}", name) for i, (name, kinds) in enumerate(STANDARD_REWARDS) if kind is None or kind in kinds]


def reward_name(campaign: Campaign, value: str) -> str | None:
    try:
        index = int(value[1:])
        if value.startswith("c"):
            return campaign.reward_forms[index]
        if value.startswith("s"):
            return STANDARD_REWARDS[index][0]
    except (ValueError, IndexError):
        pass
    return None


def sector_name(answers: dict[str, Any]) -> str:
    if answers.get("sector") == "khac" and answers.get("sector_other"):
        return str(answers["sector_other"])[:64]
    return dict(SECTORS).get(answers.get("sector"), str(answers.get("sector") or ""))


def _validate(answers: dict[str, Any], campaign: Campaign) -> dict[str, Any]:
    """The confirmed answers as Nomination columns; NominationError('invalid') if any is wrong."""
    kind = answers.get("kind")
    if kind not in KINDS:
        raise NominationError("invalid", t.ANSWER_INVALID)
    name = (answers.get("full_name") or "").strip()
    if (error := check_name(name, kind)) is not None:
        raise NominationError("invalid", error)
    summary = (answers.get("summary") or "").strip()
    if not SUMMARY_MIN <= len(summary) <= SUMMARY_MAX or check_summary(summary):
        raise NominationError("invalid", t.SUMMARY_NEEDS_WORDS)
    reward = reward_name(campaign, str(answers.get("reward_form") or ""))
    files = answers.get("evidence") or []
    if reward is None or len(files) > MAX_EVIDENCE:
        raise NominationError("invalid", t.ANSWER_INVALID)
    individual = kind == "individual"
    return {
        "kind": kind,
        "full_name": name[:255],
        "position": (answers.get("position") or "")[:255] or None if individual else None,
        "workplace": (answers.get("workplace") or "")[:255] or None if individual else None,
        "sector": sector_name(answers),
        "summary": summary,
        "reward_form": reward[:255],
        "evidence_file_ids": [int(f["stored_file_id"]) for f in files],
    }


# --- campaigns and periods ---------------------------------------------------------------------------


def today() -> date:
    return clock.local(clock.now()).date()


async def open_campaigns(session: AsyncSession, unit_id: int, on: date | None = None) -> list[Campaign]:
    """Campaigns launched to the unit that have not ended, newest first."""
    on = on or today()
    rows = await session.scalars(
        select(Campaign)
        .join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
        .where(CampaignUnit.unit_id == unit_id, Campaign.launched_at.is_not(None),
               or_(Campaign.period_end.is_(None), Campaign.period_end >= on))
        .order_by(Campaign.id.desc())
    )
    return list(rows.all())


async def open_campaign(session: AsyncSession, unit_id: int, campaign_id: int) -> Campaign | None:
    return next((c for c in await open_campaigns(session, unit_id) if c.id == campaign_id), None)


def period_of(campaign: Campaign, on: date) -> Period:
    """The quota period `on` falls in, by the campaign's quota_per."""
    y, m = on.year, on.month
    per = campaign.quota_per
    if per == "quarter":
        q = (m - 1) // 3 + 1
        period = Period(f"{y}-Q{q}", f"quý {t.ROMAN[q]}/{y}", date(y, 3 * q + 1, 1) if q < 4 else date(y + 1, 1, 1))
    elif per == "6-months":
        h = 1 if m <= 6 else 2
        label = f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {y}"
        period = Period(f"{y}-H{h}", label, date(y, 7, 1) if h == 1 else date(y + 1, 1, 1))
    elif per == "year":
        period = Period(str(y), f"năm {y}", date(y + 1, 1, 1))
    else:  # "campaign" or no cadence: one quota for the whole campaign
        return Period("campaign", "cả đợt thi đua", None)
    if campaign.period_end is not None and period.next_start is not None and period.next_start > campaign.period_end:
        return Period(period.key, period.label, None)
    return period


async def _limits(session: AsyncSession, campaign: Campaign, unit_id: int, period_key: str) -> tuple[dict[str, int | None], bool]:
    override = await session.scalar(
        select(NominationQuotaOverride).where(
            NominationQuotaOverride.campaign_id == campaign.id, NominationQuotaOverride.unit_id == unit_id,
            NominationQuotaOverride.period_key == period_key)
    )
    limits = {"collective": campaign.quota_collectives, "individual": campaign.quota_individuals}
    if override is not None:
        limits = {"collective": override.collectives, "individual": override.individuals}
    return limits, override is not None


async def quota_statuses(
    session: AsyncSession, campaign: Campaign, unit_id: int, kinds: tuple[str, ...] = KINDS, *,
    period_key: str | None = None, exclude_id: int | None = None,
) -> dict[str, QuotaStatus]:
    """For each of `kinds`: how many the unit has put forward in the current period, and its limit.
    Checked on most steps of /nominate, so: one query for an admin's override, one count for all
    kinds, and the unit's name (said only in a refusal) read only when a quota is full."""
    period = period_of(campaign, today())
    if period_key is not None and period_key != period.key:  # a resubmission stays in its own period
        period = Period(period_key, period_key, None)
    limits, _ = await _limits(session, campaign, unit_id, period.key)
    query = select(Nomination.kind, func.count()).where(
        Nomination.campaign_id == campaign.id, Nomination.unit_id == unit_id, Nomination.kind.in_(kinds),
        Nomination.period_key == period.key, Nomination.status.in_(COUNTED),
    ).group_by(Nomination.kind)
    if exclude_id is not None:
        query = query.where(Nomination.id != exclude_id)
    used = {kind: n for kind, n in (await session.execute(query)).all()}
    statuses = {kind: QuotaStatus(kind, used.get(kind, 0), limits[kind], period, campaign.title, "") for kind in kinds}
    if any(status.full for status in statuses.values()):
        unit = await session.get(Unit, unit_id)
        for kind, status in statuses.items():
            statuses[kind] = replace(status, unit_name=unit.name if unit else "")
    return statuses


async def quota_status(
    session: AsyncSession, campaign: Campaign, unit_id: int, kind: str, *, period_key: str | None = None,
    exclude_id: int | None = None,
) -> QuotaStatus:
    """How many of `kind` the unit has put forward in the current period, and its limit."""
    statuses = await quota_statuses(session, campaign, unit_id, (kind,), period_key=period_key, exclude_id=exclude_id)
    return statuses[kind]


async def quota_overview(session: AsyncSession, campaign: Campaign, unit_id: int) -> tuple[list[QuotaStatus], bool]:
    statuses = list((await quota_statuses(session, campaign, unit_id)).values())
    _, overridden = await _limits(session, campaign, unit_id, statuses[0].period.key)
    return statuses, overridden


async def set_quota(
    session: AsyncSession, admin_id: int, campaign: Campaign, unit_id: int, collectives: int, individuals: int,
) -> Period:
    """The admin's quota for one unit in the current period (replaces an earlier one)."""
    period = period_of(campaign, today())
    row = await session.scalar(
        select(NominationQuotaOverride).where(
            NominationQuotaOverride.campaign_id == campaign.id, NominationQuotaOverride.unit_id == unit_id,
            NominationQuotaOverride.period_key == period.key)
    )
    if row is None:
        row = NominationQuotaOverride(campaign_id=campaign.id, unit_id=unit_id, period_key=period.key)
        session.add(row)
    row.collectives, row.individuals = collectives, individuals
    row.set_by_member_id, row.set_at = admin_id, clock.now()
    audit.record(session, "nomination.quota_set", actor=await session.get(Member, admin_id), campaign_id=campaign.id,
                 unit_id=unit_id, period=period.key, collectives=collectives, individuals=individuals)
    return period


# --- who may see what ------------------------------------------------------------------------------


async def _member(session: AsyncSession, member_id: int) -> Member:
    member = await session.get(Member, member_id)
    if member is None or member.left_at is not None:
        raise NominationError("not_found", t.NOT_FOUND.format(id="?"))
    return member


async def visible(session: AsyncSession, member_id: int, nomination_id: int) -> Nomination:
    """The nomination if this person may see it: admins all, officers their unit's."""
    member = await _member(session, member_id)
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None:
        raise NominationError("not_found", t.NOT_FOUND.format(id=nomination_id))
    if member.role == "admin":
        if await scope.nomination(session, await scope.of(session, member), nomination_id) is None:
            raise NominationError("not_yours", t.NOT_YOURS.format(id=nomination_id))
    elif member.role != "officer" or nomination.unit_id != member.unit_id:
        raise NominationError("not_yours", t.NOT_YOURS.format(id=nomination_id))
    return nomination


async def for_unit(session: AsyncSession, unit_id: int) -> list[tuple[Nomination, str]]:
    rows = await session.execute(
        select(Nomination, Campaign.title).join(Campaign, Campaign.id == Nomination.campaign_id)
        .where(Nomination.unit_id == unit_id, Nomination.status != "draft")
        .order_by(Nomination.id.desc())
    )
    return [(n, title) for n, title in rows.all()]


async def history(session: AsyncSession, nomination_id: int) -> list[NominationEvent]:
    rows = await session.scalars(
        select(NominationEvent).where(NominationEvent.nomination_id == nomination_id).order_by(NominationEvent.id)
    )
    return list(rows.all())


async def evidence(session: AsyncSession, nomination: Nomination) -> list[StoredFile]:
    if not nomination.evidence_file_ids:
        return []
    rows = (await session.scalars(select(StoredFile).where(StoredFile.id.in_(nomination.evidence_file_ids)))).all()
    by_id = {f.id: f for f in rows}
    return [by_id[i] for i in nomination.evidence_file_ids if i in by_id]


async def describe(session: AsyncSession, nomination: Nomination, *, with_history: bool = False) -> str:
    campaign = await session.get(Campaign, nomination.campaign_id)
    unit = await session.get(Unit, nomination.unit_id)
    events = await history(session, nomination.id) if with_history else None
    text = t.detail(nomination, campaign.title, unit.name, await evidence(session, nomination), events)
    if with_history and nomination.forwarded_from_id is not None:
        text += "\n\n" + await cascade.lower_review(session, nomination)
    return text



async def evidence_file(session: AsyncSession, member_id: int, nomination_id: int, file_id: int) -> StoredFile:
    """One evidence file, its content loaded, for a person who may see the nomination it belongs to."""
    nomination = await visible(session, member_id, nomination_id)
    stored = None
    if file_id in (nomination.evidence_file_ids or []):
        stored = await session.get(StoredFile, file_id, options=[undefer(StoredFile.content)])
    if stored is None:
        raise NominationError("not_found", t.NOT_FOUND.format(id=nomination_id))
    return stored


def answers_of(nomination: Nomination, campaign: Campaign, files: list[StoredFile]) -> dict[str, Any]:
    """The nomination as form answers, to prefill the form when it is edited after a return."""
    sector_code = next((code for code, name in SECTORS if name == nomination.sector), "khac")
    reward = next((v for v, name in reward_options(campaign, nomination.kind) if name == nomination.reward_form), None)
    answers: dict[str, Any] = {
        "campaign": str(campaign.id),
        "_label:campaign": t.campaign_choice(campaign.id, campaign.title),
        "kind": nomination.kind,
        "full_name": nomination.full_name,
        "position": nomination.position,
        "workplace": nomination.workplace,
        "sector": sector_code,
        "sector_other": nomination.sector if sector_code == "khac" else None,
        "summary": nomination.summary,
        "reward_form": reward,
        "evidence": [{"filename": f.filename, "size": f.size, "mime_type": f.mime_type, "stored_file_id": f.id}
                     for f in files],
    }
    if reward is not None:
        answers["_label:reward_form"] = nomination.reward_form
    if not files:
        answers["evidence"] = None  # answered empty, shown at review
    return answers


# --- changes of status ---------------------------------------------------------------------------------


def _event(session: AsyncSession, nomination: Nomination, actor: Member, action: str, from_status: str | None,
           to_status: str, reason: str | None = None) -> None:
    session.add(NominationEvent(nomination_id=nomination.id, at=clock.now(), actor_member_id=actor.id,
                                action=action, from_status=from_status, to_status=to_status, reason=reason))
    audit.record(session, f"nomination.{action}", actor=actor, nomination_id=nomination.id,
                 campaign_id=nomination.campaign_id, unit_id=nomination.unit_id, status=to_status)


async def _move(session: AsyncSession, nomination: Nomination, from_status: str, values: dict[str, Any]) -> bool:
    """UPDATE … WHERE status = from_status: True if this call made the change."""
    won = await session.execute(
        update(Nomination).where(Nomination.id == nomination.id, Nomination.status == from_status)
        .values(updated_at=clock.now(), **values).execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:
        return False
    await session.refresh(nomination)
    return True


async def _lock_unit(session: AsyncSession, campaign_id: int, unit_id: int) -> None:
    """Serialise submissions of one unit to one campaign, so a quota holds when two officers send
    at the same moment (the bot handles a few people's updates at once, and PostgreSQL may have
    several bot processes): the count that follows sees the other's nomination or waits for it."""
    row = (CampaignUnit.campaign_id == campaign_id, CampaignUnit.unit_id == unit_id)
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has one writer, but a transaction becomes one only at its first write: write now.
        await session.execute(update(CampaignUnit).where(*row).values(unit_id=CampaignUnit.unit_id))
    else:
        await session.execute(select(CampaignUnit.id).where(*row).with_for_update())


async def _notify(session: AsyncSession, members: list[Member], text: str, key: str) -> None:
    for m in members:
        await outbox.enqueue(session, **destination(m), member_id=m.id, kind="nomination",
                             dedupe_key=f"{key}:{m.id}", payload={"method": "sendMessage", "text": text})


async def _admins(session: AsyncSession, nomination: Nomination) -> list[Member]:
    """The admins of the office whose campaign it is (bot.services.members.office)."""
    return await members.campaign_office(session, nomination.campaign_id)


async def notify_office(session: AsyncSession, nomination: Nomination, text: str) -> None:
    """Tell the admins of the office whose campaign the nomination is in (once per nomination)."""
    await _notify(session, await _admins(session, nomination), text, f"nom:{nomination.id}:arrived")


async def _officers(session: AsyncSession, unit_id: int) -> list[Member]:
    return list((await session.scalars(
        select(Member).where(Member.role == "officer", Member.unit_id == unit_id, Member.left_at.is_(None))
        .order_by(Member.id))).all())


async def check_quota(session: AsyncSession, campaign: Campaign, unit_id: int, kind: str, *,
                      exclude_id: int | None = None, period_key: str | None = None) -> None:
    status = await quota_status(session, campaign, unit_id, kind, exclude_id=exclude_id, period_key=period_key)
    if status.full:
        raise QuotaExceeded(status)


async def submit(session: AsyncSession, member_id: int, answers: dict[str, Any]) -> Nomination:
    """A new nomination from the confirmed form; quota checked; the office is told."""
    member = await _member(session, member_id)
    campaign = await open_campaign(session, member.unit_id, int(answers.get("campaign") or 0))
    if campaign is None:
        raise NominationError("campaign_closed", t.CAMPAIGN_CLOSED)
    columns = _validate(answers, campaign)
    await _lock_unit(session, campaign.id, member.unit_id)
    period = period_of(campaign, today())
    await check_quota(session, campaign, member.unit_id, columns["kind"])
    now = clock.now()
    nomination = Nomination(campaign_id=campaign.id, unit_id=member.unit_id, period_key=period.key,
                            status="submitted", created_by_member_id=member.id, created_at=now,
                            first_submitted_at=now, submitted_at=now, updated_at=now, **columns)
    session.add(nomination)
    await session.flush()
    _event(session, nomination, member, "submitted", None, "submitted")
    unit = await session.get(Unit, member.unit_id)
    await _notify(session, await _admins(session, nomination), t.admin_new(nomination, unit.name), f"nom:{nomination.id}:submitted")
    return nomination


async def resubmit(session: AsyncSession, member_id: int, nomination_id: int, answers: dict[str, Any]) -> Nomination:
    """A returned nomination, edited, goes back to the queue (in the period it was first counted)."""
    member = await _member(session, member_id)
    nomination = await visible(session, member_id, nomination_id)
    if nomination.status != "returned":
        raise NominationError("not_returned", t.NOT_RETURNED.format(id=nomination.id, status=t.STATUS_NAMES[nomination.status]))
    if str(answers.get("campaign")) != str(nomination.campaign_id):
        raise NominationError("invalid", t.CAMPAIGN_FIXED)
    campaign = await session.get(Campaign, nomination.campaign_id)
    columns = _validate(answers, campaign)
    if columns["kind"] != nomination.kind:  # counted against the other kind now
        await _lock_unit(session, campaign.id, nomination.unit_id)
        await check_quota(session, campaign, nomination.unit_id, columns["kind"], exclude_id=nomination.id,
                          period_key=nomination.period_key)
    resubmitted = {"status": "submitted", "submitted_at": clock.now(), "put_off_at": None, **columns}
    if not await _move(session, nomination, "returned", resubmitted):
        raise NominationError("not_returned", t.NOT_RETURNED.format(id=nomination.id, status="?"))
    _event(session, nomination, member, "resubmitted", "returned", "submitted")
    unit = await session.get(Unit, nomination.unit_id)
    events = len(await history(session, nomination.id))
    await _notify(session, await _admins(session, nomination), t.admin_new(nomination, unit.name, resubmitted=True),
                  f"nom:{nomination.id}:resubmitted:{events}")
    return nomination


async def withdraw(session: AsyncSession, member_id: int, nomination_id: int) -> Nomination:
    """The unit takes back a nomination the office has not reviewed yet."""
    member = await _member(session, member_id)
    nomination = await visible(session, member_id, nomination_id)
    if member.role != "officer" or not await _move(session, nomination, "submitted", {"status": "withdrawn"}):
        raise NominationError("not_withdrawable", t.NOT_WITHDRAWABLE.format(
            id=nomination.id, status=t.STATUS_NAMES[nomination.status]))
    _event(session, nomination, member, "withdrawn", "submitted", "withdrawn")
    return nomination


DECISIONS = {"approve": ("approved", "approved"), "return": ("returned", "returned"), "reject": ("rejected", "rejected")}


async def review(session: AsyncSession, admin_id: int, nomination_id: int, decision: str,
                 reason: str | None = None) -> Nomination:
    """Approve, return (with a reason) or reject (with a reason); the unit's officers are told."""
    admin = await _member(session, admin_id)
    if admin.role != "admin":
        raise NominationError("not_yours", t.NOT_YOURS.format(id=nomination_id))
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None:
        raise NominationError("not_found", t.NOT_FOUND.format(id=nomination_id))
    if await scope.nomination(session, await scope.of(session, admin), nomination_id) is None:
        raise NominationError("not_yours", t.NOT_YOURS.format(id=nomination_id))
    status, action = DECISIONS[decision]
    reason = (reason or "").strip() or None
    if decision != "approve" and reason is None:
        raise NominationError("invalid", t.REASON_Q)
    if reason is not None and not REASON_MIN <= len(reason) <= REASON_MAX:
        raise NominationError("invalid", t.reason_length(len(reason), REASON_MIN, REASON_MAX))
    now = clock.now()
    values = {"status": status, "reviewed_at": now, "reviewed_by_member_id": admin.id, "review_reason": reason}
    if not await _move(session, nomination, "submitted", values):
        raise NominationError("already_reviewed", t.ALREADY_REVIEWED.format(
            id=nomination.id, status=t.STATUS_NAMES[nomination.status]))
    _event(session, nomination, admin, action, "submitted", status, reason)
    campaign = await session.get(Campaign, nomination.campaign_id)
    events = len(await history(session, nomination.id))
    await _notify(session, await _officers(session, nomination.unit_id),
                  t.officer_decision(nomination, campaign.title, status, reason), f"nom:{nomination.id}:{action}:{events}")
    return nomination


async def queue(session: AsyncSession, level: int | None = None) -> list[Nomination]:
    """Nominations waiting for review at one office (`level`: its scope unit, None: the top
    office), its own campaigns' only: oldest (re)submission first, those put off ("⏭ Để sau")
    after all the others, in the order they were put off."""
    rows = await session.scalars(
        select(Nomination).join(Campaign, Campaign.id == Nomination.campaign_id)
        .where(Nomination.status == "submitted", scope.level_clause(level))
        .order_by(Nomination.put_off_at.is_not(None), Nomination.put_off_at, Nomination.submitted_at, Nomination.id)
    )
    return list(rows.all())


async def next_in_queue(session: AsyncSession, level: int | None = None) -> tuple[Nomination | None, int]:
    """The next nomination to review at one office and how many are waiting there in all."""
    waiting = await queue(session, level)
    return (waiting[0] if waiting else None), len(waiting)


async def put_off(session: AsyncSession, nomination_id: int) -> bool:
    """"⏭ Để sau": the nomination goes to the end of the queue, behind those not yet seen; False
    when it is no longer waiting (reviewed meanwhile by another admin, or withdrawn)."""
    n = await session.get(Nomination, nomination_id)
    if n is None or n.status != "submitted":
        return False
    n.put_off_at = clock.now()
    return True


REVIEW_STATUSES = ("submitted", "approved", "returned", "rejected", "withdrawn")  # past the draft


async def counts_by_unit(session: AsyncSession, campaign_id: int) -> dict[int, dict[str, int]]:
    """Per unit of the campaign with any, its nominations past the draft by status: one query,
    one row per unit (a province's 20,000 nominations come back as 3,321 rows)."""
    rows = await session.execute(
        select(Nomination.unit_id,
               *(func.sum(case((Nomination.status == status, 1), else_=0)) for status in REVIEW_STATUSES))
        .where(Nomination.campaign_id == campaign_id, Nomination.status != "draft")
        .group_by(Nomination.unit_id)
    )
    return {unit_id: {status: n for status, n in zip(REVIEW_STATUSES, counts) if n}
            for unit_id, *counts in rows.all()}
