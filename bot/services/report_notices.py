"""Who is told what about report periods, besides the deadline nudges (bot.services.nudges): the
officers of the targeted units when a period opens (unless it opens so late that its nudges
have begun); the office (the admins) when reports arrive.

Reports are told in batches: a report waits ARRIVALS_WAIT after it came in (and for the quiet
hours to end), then every report not yet told goes in that notice — up to ARRIVALS_FEW of them as
one message each, more as one message listing the units per period. So a report alone is told
within minutes, and a morning when forty units report at once is one message per admin, not
forty.

A tick step, like the nudges: the period row is claimed with a conditional UPDATE (… WHERE
opened_notice_at IS NULL) before anything is queued, so the notice goes out once across restarts
and processes; messages go through the outbox, out of quiet hours only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.config import Settings
from bot.services import outbox
from bot.collation import vn_key
from bot.services.members import DESTINATION_COLUMNS, destination
from bot.services.nudges import allowed_now, nudge_keyboard, topic
from bot.text_chunks import LIMITS
from bot.texts import reports as t
from storage.models import Campaign, CampaignUnit, Member, Report, ReportPeriod, Unit

OPENED_KIND, RECEIVED_KIND = "report_opened", "report_received"
ARRIVALS_WAIT = timedelta(minutes=10)
ARRIVALS_FEW = 3
CHUNK = 500


@dataclass
class NoticeReport:
    """opened = periods whose opening was announced; reports = reports told to the office;
    messages = outbox rows queued."""

    opened: int = 0
    reports: int = 0
    messages: int = 0
    quiet: bool = False


async def send_due(session: AsyncSession, settings: Settings, now: datetime | None = None) -> NoticeReport:
    """The tick step: the periods that opened, each announced once to its units' officers."""
    now = now or clock.now()
    report = NoticeReport()
    if not allowed_now(now, settings.quiet_hours):  # the same quiet hours and days as the nudges
        report.quiet = True
        return report
    report.messages += await _announce_openings(session, settings, now, report)
    report.messages += await _tell_the_office(session, now, report)
    return report


async def _announce_openings(session: AsyncSession, settings: Settings, now: datetime, report: NoticeReport) -> int:
    today = clock.local(now).date()
    # Within the first nudge's days of the due date the nudges say all an announcement would.
    nudged_from = max(settings.nudges.before_days, default=0)
    due = (await session.scalars(
        select(ReportPeriod).where(ReportPeriod.confirmed_at.is_not(None), ReportPeriod.opened_notice_at.is_(None),
                                   ReportPeriod.opens_on <= today).order_by(ReportPeriod.opens_on, ReportPeriod.id)
    )).all()
    queued = 0
    for period in due:
        claimed = await session.execute(
            update(ReportPeriod).where(and_(ReportPeriod.id == period.id, ReportPeriod.opened_notice_at.is_(None)))
            .values(opened_notice_at=now).execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue  # another process announced it
        if (period.due_on - today).days <= nudged_from:
            continue  # confirmed late (or the bot was down): the nudges speak for it
        report.opened += 1
        queued += await _queue_opening(session, period, today)
    return queued


async def _queue_opening(session: AsyncSession, period: ReportPeriod, today: date) -> int:
    title = await session.scalar(select(Campaign.title).where(Campaign.id == period.campaign_id))
    reported = select(Report.unit_id).where(Report.period_id == period.id)
    rows = (await session.execute(
        select(Member.id, Unit.name, *DESTINATION_COLUMNS)
        .join(Unit, Unit.id == Member.unit_id)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == period.campaign_id, Member.role == "officer", Member.left_at.is_(None),
               Unit.id.not_in(reported))
        .order_by(Member.id)
    )).all()
    messages = []
    for row in rows:
        to = destination(row)
        payload = {"method": "sendMessage",
                   "text": t.period_opened(to["channel"], row.name, period.id, period.label, title, period.due_on, today)}
        if to["channel"] == "telegram":
            payload["reply_markup"] = nudge_keyboard(period.id)
        messages.append({**to, "member_id": row.id, "campaign_id": period.campaign_id,
                         "dedupe_key": f"opened:{period.id}:{row.id}:{period.opens_on.isoformat()}",
                         "topic": topic(period.id, row.id), "payload": payload})
    return await outbox.enqueue_many(session, messages, kind=OPENED_KIND, supersede=True)


async def _tell_the_office(session: AsyncSession, now: datetime, report: NoticeReport) -> int:
    """Claim every report not yet told once the oldest has waited ARRIVALS_WAIT; queue each
    admin's message(s)."""
    oldest = await session.scalar(select(func.min(Report.submitted_at)).where(Report.office_told_at.is_(None)))
    if oldest is None or oldest > now - ARRIVALS_WAIT:
        return 0
    ids = list(await session.scalars(select(Report.id).where(Report.office_told_at.is_(None), Report.submitted_at <= now)
                                     .order_by(Report.submitted_at, Report.id)))
    won: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        result = await session.execute(
            update(Report).where(Report.id.in_(ids[i:i + CHUNK]), Report.office_told_at.is_(None))
            .values(office_told_at=now).returning(Report.id).execution_options(synchronize_session=False)
        )
        won.update(row[0] for row in result)
    if not won:
        return 0
    report.reports += len(won)
    admins = (await session.execute(
        select(Member.id, Member.scope_unit_id, *DESTINATION_COLUMNS).where(Member.role == "admin", Member.left_at.is_(None))
        .order_by(Member.id)
    )).all()
    if not admins:
        return 0
    everything = await _arrivals(session, sorted(won))
    first = min(won)
    messages = []
    for admin in admins:
        to = destination(admin)
        base = {**to, "member_id": admin.id}
        arrivals = [a for a in everything if a.owner == admin.scope_unit_id]  # their own office's campaigns
        if not arrivals:
            continue
        if len(arrivals) <= ARRIVALS_FEW:
            for a in arrivals:
                text = t.report_received(to["channel"], a.unit_name, a.period.label, a.period.campaign_id, a.title,
                                         a.submitted_at, a.days_late, a.resent, *a.counts)
                messages.append({**base, "campaign_id": a.period.campaign_id,
                                 "dedupe_key": f"received:{a.report_id}:{admin.id}",
                                 "payload": {"method": "sendMessage", "text": text}})
            continue
        text = t.reports_received(to["channel"], _by_period(arrivals), limit=LIMITS[to["channel"]])
        messages.append({**base, "dedupe_key": f"received-many:{first}:{admin.id}",
                         "payload": {"method": "sendMessage", "text": text}})
    return await outbox.enqueue_many(session, messages, kind=RECEIVED_KIND)


@dataclass(frozen=True)
class _Arrival:
    report_id: int
    period: ReportPeriod
    title: str
    unit_id: int
    unit_name: str
    submitted_at: datetime
    days_late: int
    resent: bool  # it replaced an earlier report of the unit's
    counts: tuple[int, int]  # the period's units reported, owed
    owner: int | None = None  # the campaign's office (its admins are told; bot.services.scope)


async def _arrivals(session: AsyncSession, ids: list[int]) -> list[_Arrival]:
    """The claimed reports, one per unit and period (its latest), in order of arrival."""
    rows = []
    for i in range(0, len(ids), CHUNK):
        rows += (await session.execute(
            select(Report.id, Report.unit_id, Report.submitted_at, Report.days_late, Unit.name, ReportPeriod,
                   Campaign.title, Campaign.owner_unit_id)
            .join(Unit, Unit.id == Report.unit_id)
            .join(ReportPeriod, ReportPeriod.id == Report.period_id)
            .join(Campaign, Campaign.id == ReportPeriod.campaign_id)
            .where(Report.id.in_(ids[i:i + CHUNK]))
        )).all()
    latest = {}
    for row in sorted(rows, key=lambda r: (r.submitted_at, r.id)):
        latest[(row.ReportPeriod.id, row.unit_id)] = row
    periods = {period_id for period_id, _ in latest}
    counts = {}
    for period_id in periods:
        period = next(r.ReportPeriod for r in latest.values() if r.ReportPeriod.id == period_id)
        done = await session.scalar(select(func.count()).select_from(Report).where(
            Report.period_id == period_id, Report.replaced_by_id.is_(None))) or 0
        owed = await session.scalar(select(func.count()).select_from(CampaignUnit).where(
            CampaignUnit.campaign_id == period.campaign_id)) or 0
        counts[period_id] = (done, owed)
    resent = set()
    latest_ids = [row.id for row in latest.values()]
    for i in range(0, len(latest_ids), CHUNK):
        resent.update(await session.scalars(select(Report.replaced_by_id).where(
            Report.replaced_by_id.in_(latest_ids[i:i + CHUNK]))))
    return [
        _Arrival(row.id, row.ReportPeriod, row.title, row.unit_id, row.name, row.submitted_at, row.days_late,
                 row.id in resent, counts[row.ReportPeriod.id], row.owner_unit_id)
        for row in sorted(latest.values(), key=lambda r: (r.submitted_at, r.id))
    ]


def _by_period(arrivals: list[_Arrival]) -> list[tuple[str, int, str, list[str], int, int]]:
    """Per period (soonest due first): its label, campaign, the units' names in Vietnamese order, counts."""
    groups: dict[int, list[_Arrival]] = {}
    for a in arrivals:
        groups.setdefault(a.period.id, []).append(a)
    out = []
    for own in sorted(groups.values(), key=lambda g: (g[0].period.due_on, g[0].period.id)):
        p = own[0].period
        names = [a.unit_name for a in sorted(own, key=lambda a: (vn_key(a.unit_name), a.unit_id))]
        out.append((p.label, p.campaign_id, own[0].title, names, *own[0].counts))
    return out
