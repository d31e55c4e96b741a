"""Leadership digests: what each active campaign looks like now, and who gets it when.

The digest is data here (CampaignDigest); bot/texts/digests.py words it and bot/charts.py draws
it. Schedules are rows (DigestSubscription): the tick claims a due one by moving its next_at with
a conditional UPDATE, so a digest goes out once across restarts and processes, and after downtime
a person gets one catch-up digest, not one per missed slot.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.config import DigestSettings, QuietHours
from bot.services import awards, cascade, scope
from bot.services.members import DESTINATION_COLUMNS, destination
from bot.services.nudges import next_allowed
from bot.services.report_periods import PeriodStatus, period_status
from storage.db import insert_ignoring
from storage.models import (
    Campaign, CampaignUnit, DigestSubscription, Member, Nomination, OutboxMessage, Report, ReportPeriod, Unit,
)

FREQUENCIES = ("daily", "weekly", "off")
DIGEST_ROLES = ("leader", "admin")
# A campaign stays in the digest this long after its end (its final report is due after it).
ACTIVE_AFTER_END = timedelta(days=45)
APPROVED_SHOWN = 5
NEXT_DUE_SHOWN = 3


@dataclass
class CampaignDigest:
    campaign: Campaign
    units: int
    acknowledged: int
    current: PeriodStatus | None
    overdue: list[tuple[ReportPeriod, int]]  # earlier periods still missing reports: (period, missing)
    nominations: Counter  # status → count since the last digest
    approved: list[tuple[str, str, str]]  # newly approved: (name, unit, reward form)
    approved_more: int
    next_due: list[ReportPeriod]
    weekly_nominations: list[tuple[date, int]]  # (Monday, nominations first sent that week)
    stages: Counter = field(default_factory=Counter)  # approved ones past the council: stage → count
    children: list = field(default_factory=list)  # cascade.ChildRollup per unit, when units launch to their own


# --- what the digest says --------------------------------------------------------------------


async def active_campaigns(session: AsyncSession, today: date, level: int | None = None) -> list[Campaign]:
    """One office's launched campaigns (`level`: its scope unit, None: the top office's) not
    ended more than ACTIVE_AFTER_END ago, newest first."""
    rows = await session.scalars(
        select(Campaign).where(
            Campaign.launched_at.is_not(None), scope.level_clause(level),
            (Campaign.period_end.is_(None)) | (Campaign.period_end >= today - ACTIVE_AFTER_END),
        ).order_by(Campaign.launched_at.desc(), Campaign.id.desc())
    )
    return list(rows)


def _current(periods: list[ReportPeriod], today: date) -> ReportPeriod | None:
    """The open period due soonest; if every open one is past due, the latest of them."""
    open_ = [p for p in periods if p.opens_on <= today]
    upcoming = [p for p in open_ if p.due_on >= today]
    if upcoming:
        return min(upcoming, key=lambda p: (p.due_on, p.id))
    return max(open_, key=lambda p: (p.due_on, p.id)) if open_ else None


async def _missing_count(session: AsyncSession, period: ReportPeriod) -> int:
    reported = select(Report.unit_id).where(Report.period_id == period.id)
    return await session.scalar(
        select(func.count()).select_from(CampaignUnit)
        .where(CampaignUnit.campaign_id == period.campaign_id, CampaignUnit.unit_id.not_in(reported))
    ) or 0


async def weekly_nominations(session: AsyncSession, campaign_id: int) -> list[tuple[date, int]]:
    """Nominations first sent per week (local Mondays), every week from the first to the last."""
    sent = (await session.scalars(
        select(Nomination.first_submitted_at)
        .where(Nomination.campaign_id == campaign_id, Nomination.first_submitted_at.is_not(None))
    )).all()
    weeks = Counter()
    for moment in sent:
        day = clock.local(moment).date()
        weeks[day - timedelta(days=day.weekday())] += 1
    if not weeks:
        return []
    week, last, out = min(weeks), max(weeks), []
    while week <= last:
        out.append((week, weeks.get(week, 0)))
        week += timedelta(days=7)
    return out


async def campaign_digest(session: AsyncSession, campaign: Campaign, today: date, since: datetime) -> CampaignDigest:
    units, acked = (
        await session.execute(
            select(func.count(CampaignUnit.id), func.count(CampaignUnit.acknowledged_at))
            .where(CampaignUnit.campaign_id == campaign.id)
        )
    ).one()
    periods = list(await session.scalars(
        select(ReportPeriod).where(ReportPeriod.campaign_id == campaign.id, ReportPeriod.confirmed_at.is_not(None))
        .order_by(ReportPeriod.due_on, ReportPeriod.id)
    ))
    current = _current(periods, today)
    overdue = []
    for p in periods:
        if p is not current and p.due_on < today and (current is None or p.due_on < current.due_on):
            missing = await _missing_count(session, p)
            if missing:
                overdue.append((p, missing))
    # What happened to nominations since the last digest: each counted under its status now.
    changed = Counter(dict((await session.execute(
        select(Nomination.status, func.count()).where(
            Nomination.campaign_id == campaign.id, Nomination.updated_at > since, Nomination.status != "draft")
        .group_by(Nomination.status)
    )).all()))
    approved_rows = (await session.execute(
        select(Nomination.full_name, Unit.name, Nomination.reward_form)
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(Nomination.campaign_id == campaign.id, Nomination.status == "approved", Nomination.reviewed_at > since)
        .order_by(Nomination.reviewed_at.desc(), Nomination.id.desc()).limit(APPROVED_SHOWN)
    )).all()
    rolled = await cascade.rollup(session, campaign.id)  # units that launch to their own
    return CampaignDigest(
        campaign=campaign, units=units, acknowledged=acked,
        current=await period_status(session, current) if current else None,
        overdue=overdue, nominations=changed,
        approved=[tuple(r) for r in approved_rows], approved_more=max(0, changed.get("approved", 0) - len(approved_rows)),
        next_due=[p for p in periods if p.due_on >= today][:NEXT_DUE_SHOWN],
        weekly_nominations=await weekly_nominations(session, campaign.id),
        stages=Counter((await awards.stages(session, campaign_id=campaign.id)).values()),
        children=rolled if any(c.child_campaign_id or c.subunits for c in rolled) else [],
    )


async def build(session: AsyncSession, now: datetime, since: datetime, level: int | None = None) -> list[CampaignDigest]:
    """The digest of one office's active campaigns as of `now`, counting changes after `since`."""
    today = clock.local(now).date()
    return [await campaign_digest(session, c, today, since) for c in await active_campaigns(session, today, level)]


@dataclass(frozen=True)
class Undelivered:
    """A message to an admin or a leader that failed for good (outbox status failed)."""

    member_name: str
    role: str
    kind: str
    error: str | None


async def undelivered_to_leadership(
    session: AsyncSession, *, campaign_id: int | None = None, since: datetime | None = None,
) -> list[Undelivered]:
    """Failed messages to active admins and leaders, newest first: of one campaign, or last tried
    after `since` (the digest's window), so that the admins see them instead of nobody."""
    query = (
        select(Member.full_name, Member.role, OutboxMessage.kind, OutboxMessage.error)
        .join(Member, Member.id == OutboxMessage.member_id)
        .where(OutboxMessage.status == "failed", Member.role.in_(DIGEST_ROLES), Member.left_at.is_(None))
        .order_by(OutboxMessage.id.desc())
    )
    if campaign_id is not None:
        query = query.where(OutboxMessage.campaign_id == campaign_id)
    if since is not None:
        query = query.where(func.coalesce(OutboxMessage.claimed_at, OutboxMessage.created_at) >= since)
    return [Undelivered(*row) for row in (await session.execute(query)).all()]


# --- who gets it, when ------------------------------------------------------------------------


def next_slot(after: datetime, frequency: str, cfg: DigestSettings, quiet: QuietHours) -> datetime | None:
    """The first digest moment strictly after `after` (aware UTC) for this frequency; None if off."""
    if frequency == "off":
        return None
    day = clock.local(after).date()
    for _ in range(16):
        moment = datetime.combine(day, cfg.at, clock.LOCAL_TZ)
        wanted = frequency == "daily" or day.weekday() == cfg.weekday
        if wanted and moment > after:
            # A slot in quiet hours or on a quiet day waits for the next allowed moment (the
            # nudges' rule): a daily digest's Sunday becomes Monday's, a weekly one set for
            # Sunday comes on Monday morning.
            return next_allowed(moment.astimezone(UTC), quiet)
        day += timedelta(days=1)
    raise AssertionError("no digest slot in two weeks")  # unreachable with a valid weekday


def default_since(now: datetime, frequency: str) -> datetime:
    return now - (timedelta(days=1) if frequency == "daily" else timedelta(days=7))


async def ensure_subscriptions(session: AsyncSession, cfg: DigestSettings, quiet: QuietHours, now: datetime) -> int:
    """Give every active leader and admin without a schedule the default one; returns how many."""
    members = (await session.scalars(
        select(Member.id).outerjoin(DigestSubscription, DigestSubscription.member_id == Member.id)
        .where(Member.role.in_(DIGEST_ROLES), Member.left_at.is_(None), DigestSubscription.id.is_(None))
    )).all()
    # The first slot may be `now` itself (a tick exactly at Monday 07:30 sends that Monday's).
    first = next_slot(now - timedelta(microseconds=1), cfg.default, cfg, quiet)
    if members:  # a person's own /digest_settings may add theirs meanwhile: theirs is kept
        await session.execute(insert_ignoring(session, DigestSubscription, ["member_id"]), [
            {"member_id": m, "frequency": cfg.default, "next_at": first, "updated_at": now} for m in members])
    return len(members)


async def subscription(session: AsyncSession, member_id: int, cfg: DigestSettings, quiet: QuietHours) -> DigestSubscription:
    """The member's digest schedule, made with the default if they have none (once, even when the
    tick's ensure_subscriptions adds it at the same moment)."""
    sub = await session.scalar(select(DigestSubscription).where(DigestSubscription.member_id == member_id))
    if sub is None:
        now = clock.now()
        await session.execute(insert_ignoring(session, DigestSubscription, ["member_id"]).values(
            member_id=member_id, frequency=cfg.default, next_at=next_slot(now, cfg.default, cfg, quiet), updated_at=now))
        sub = await session.scalar(select(DigestSubscription).where(DigestSubscription.member_id == member_id))
    return sub


def upcoming(sub: DigestSubscription, cfg: DigestSettings, quiet: QuietHours) -> datetime | None:
    """The next digest moment to show the person: never one already past (a digest that is due
    goes out at the next tick; the one after it is what they can plan for)."""
    now = clock.now()
    if sub.next_at is None or sub.next_at > now:
        return sub.next_at
    return next_slot(now, sub.frequency, cfg, quiet)


async def set_frequency(session: AsyncSession, member_id: int, frequency: str, cfg: DigestSettings,
                        quiet: QuietHours) -> DigestSubscription:
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {FREQUENCIES}")
    sub = await subscription(session, member_id, cfg, quiet)
    now = clock.now()
    sub.frequency = frequency
    sub.next_at = next_slot(now, frequency, cfg, quiet)
    sub.updated_at = now
    return sub


@dataclass(frozen=True)
class DueDigest:
    member_id: int
    to: dict  # members.destination: channel and chat
    slot: datetime  # the next_at that was claimed: with member_id, what makes the digest unique
    since: datetime
    level: int | None = None  # the office whose campaigns the person reads (their scope unit)


async def claim_due(session: AsyncSession, cfg: DigestSettings, quiet: QuietHours, now: datetime) -> list[DueDigest]:
    """Claim every due digest (move its next_at past now); returns the ones this call won."""
    rows = (await session.execute(
        select(DigestSubscription.id, DigestSubscription.member_id, DigestSubscription.frequency,
               DigestSubscription.next_at, DigestSubscription.last_sent_at, Member.scope_unit_id,
               *DESTINATION_COLUMNS)
        .join(Member, Member.id == DigestSubscription.member_id)
        .where(DigestSubscription.next_at <= now, DigestSubscription.frequency != "off",
               Member.left_at.is_(None), Member.role.in_(DIGEST_ROLES))
        .order_by(DigestSubscription.id)
    )).all()
    won = []
    for row in rows:
        claimed = await session.execute(
            update(DigestSubscription)
            .where(and_(DigestSubscription.id == row.id, DigestSubscription.next_at == row.next_at))
            .values(next_at=next_slot(now, row.frequency, cfg, quiet), last_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            won.append(DueDigest(row.member_id, destination(row), row.next_at,
                                 row.last_sent_at or default_since(now, row.frequency), row.scope_unit_id))
    return won
