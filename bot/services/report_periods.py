"""Report periods (kỳ báo cáo) of a campaign and the units' reports for them.

Periods are proposed from the campaign's reporting rule with the defaults of config.toml
[reports]; an admin confirms or edits them, and only confirmed periods are owed and nudged.
Dates here are local calendar dates; times are aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.collation import vn_key
from bot.config import ReportSettings, Settings
from bot.services import nudges, outbox
from storage.models import Campaign, CampaignUnit, Member, Report, ReportPeriod, Unit

SUMMARY_MIN = 20
SUMMARY_MAX = 3000


class PeriodError(Exception):
    """A period cannot be used as asked; .code says why (not_found, not_yours, not_open, …)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Proposed:
    kind: str
    label: str
    opens_on: date
    due_on: date


def _safe_date(year: int, month: int, day: int) -> date:
    import calendar

    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def propose(campaign: Campaign, cfg: ReportSettings, today: date) -> list[Proposed]:
    """The periods the campaign's rule implies, from its start (or launch) to its end (or this year's end)."""
    start = campaign.period_start or (clock.local(campaign.launched_at).date() if campaign.launched_at else today)
    end = campaign.period_end or date(start.year, 12, 31)
    opens = timedelta(days=cfg.opens_days_before)
    out: list[Proposed] = []

    def add(kind: str, label: str, due: date) -> None:
        if start <= due <= end + timedelta(days=cfg.final_due_days + 31):
            out.append(Proposed(kind, label, due - opens, due))

    for year in range(start.year, end.year + 1):
        if campaign.reporting_cadence == "6-monthly":
            d, m = cfg.semiannual_due
            add("semiannual", f"Sơ kết 6 tháng đầu năm {year}", _safe_date(year, m, d))
            d, m = cfg.annual_due
            add("annual", f"Tổng kết năm {year}", _safe_date(year, m, d))
        elif campaign.reporting_cadence == "quarterly":
            for q in range(1, 5):
                add("quarterly", f"Quý {q}/{year}", _safe_date(year, q * 3, cfg.quarterly_due_day))
        elif campaign.reporting_cadence == "yearly":
            d, m = cfg.annual_due
            add("yearly", f"Báo cáo năm {year}", _safe_date(year, m, d))
    if campaign.period_end is not None:
        due = campaign.period_end + timedelta(days=cfg.final_due_days)
        out.append(Proposed("final", "Tổng kết đợt thi đua", due - opens, due))
    return sorted(out, key=lambda p: p.due_on)


async def periods_of(session: AsyncSession, campaign_id: int) -> list[ReportPeriod]:
    rows = await session.scalars(
        select(ReportPeriod).where(ReportPeriod.campaign_id == campaign_id).order_by(ReportPeriod.due_on, ReportPeriod.id)
    )
    return list(rows)


async def ensure_proposed(session: AsyncSession, campaign: Campaign, settings: Settings) -> list[ReportPeriod]:
    """The campaign's periods; proposed (not yet confirmed) from its rule the first time."""
    existing = await periods_of(session, campaign.id)
    if existing:
        return existing
    today = clock.local(clock.now()).date()
    proposed = await _before_parent(session, campaign, settings.reports) or propose(campaign, settings.reports, today)
    for p in proposed:
        session.add(ReportPeriod(campaign_id=campaign.id, kind=p.kind, label=p.label, opens_on=p.opens_on, due_on=p.due_on))
    await session.flush()
    return await periods_of(session, campaign.id)


async def _before_parent(session: AsyncSession, campaign: Campaign, cfg: ReportSettings) -> list[Proposed]:
    """An implementing campaign reports on its parent's periods, each due `implementing_lead_days`
    earlier: the xã has its units' reports in hand before its own is due upstairs."""
    if campaign.parent_campaign_id is None:
        return []
    lead, opens = timedelta(days=cfg.implementing_lead_days), timedelta(days=cfg.opens_days_before)
    return [Proposed(p.kind, p.label, p.due_on - lead - opens, p.due_on - lead)
            for p in await periods_of(session, campaign.parent_campaign_id)]


async def targeted_unit_ids(session: AsyncSession, campaign_id: int) -> list[int]:
    rows = await session.scalars(
        select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign_id).order_by(CampaignUnit.unit_id)
    )
    return list(rows)


async def confirm(session: AsyncSession, campaign_id: int, settings: Settings) -> int:
    """Confirm every unconfirmed period of the campaign and plan its nudges; returns how many."""
    units = await targeted_unit_ids(session, campaign_id)
    count = 0
    for period in await periods_of(session, campaign_id):
        if period.confirmed_at is None:
            period.confirmed_at = clock.now()
            await nudges.plan(session, period, units, settings)
            count += 1
    return count


async def set_due(session: AsyncSession, period: ReportPeriod, due_on: date, settings: Settings) -> None:
    """Move a period's due date; its opening moves with it, and a confirmed period's unsent nudges
    are planned again.

    A period's opening was made from its due date (reports.opens_days_before before it) or, for a
    one-off, from the day it was added: either way the gap between the two is what the period was
    given, so the gap is kept — a sơ kết moved from 15/06 to 10/07 opens on 10/06, not still on
    16/05; a one-off added on 02/12 for 30/12 and moved to 20/06 next year opens on 23/05, not on
    02/12. A period opening on its due day (a one-off added after it) gets opens_days_before, so
    that putting a mistyped date right leaves the units time to report. Once a unit has reported
    for the period it stays open from where it was: a report never comes before its period's
    opening. A period whose opening was announced and now moves to a later day is announced again
    when it opens (bot.services.report_notices)."""
    gap = period.due_on - period.opens_on
    if gap <= timedelta(0):
        gap = timedelta(days=settings.reports.opens_days_before)
    opens_on = due_on - gap
    if opens_on > period.opens_on and await report_count(session, period.id):
        opens_on = period.opens_on
    period.due_on = due_on
    period.opens_on = min(opens_on, due_on)
    if period.opened_notice_at is not None and period.opens_on > today_local():
        period.opened_notice_at = None
    if period.confirmed_at is not None:
        await nudges.replan(session, period, await targeted_unit_ids(session, period.campaign_id), settings)


async def add_one_off(session: AsyncSession, campaign_id: int, label: str, due_on: date, settings: Settings) -> ReportPeriod:
    """An extra period the admin adds by hand; confirmed (and nudged) at once, open from today."""
    today = clock.local(clock.now()).date()
    period = ReportPeriod(campaign_id=campaign_id, kind="one-off", label=label[:255], opens_on=min(today, due_on),
                          due_on=due_on, confirmed_at=clock.now())
    session.add(period)
    await session.flush()
    await nudges.plan(session, period, await targeted_unit_ids(session, campaign_id), settings)
    return period


async def delete_unconfirmed(session: AsyncSession, period: ReportPeriod) -> None:
    await session.execute(delete(ReportPeriod).where(ReportPeriod.id == period.id))


# --- a unit's periods and reports ---------------------------------------------------------------


def by_ref(periods: list[ReportPeriod], ref: str | None) -> ReportPeriod | None:
    """The period among these whose id is typed ("7" or "#7"), or None: periods are named by id
    everywhere (/periods, /due, /report, the nudges, the DOCX export), never by their place."""
    number = (ref or "").strip().lstrip("#").strip()
    if not number.isdigit():
        return None
    return next((p for p in periods if p.id == int(number)), None)


def today_local() -> date:
    return clock.local(clock.now()).date()


async def check_period_for_unit(session: AsyncSession, period_id: int, unit_id: int) -> ReportPeriod:
    """The period if this unit may report for it now; raises PeriodError otherwise."""
    period = await session.get(ReportPeriod, period_id)
    if period is None or period.confirmed_at is None:
        raise PeriodError("not_found")
    targeted = await session.scalar(
        select(CampaignUnit.id).where(CampaignUnit.campaign_id == period.campaign_id, CampaignUnit.unit_id == unit_id)
    )
    if targeted is None:
        raise PeriodError("not_yours")
    if period.opens_on > today_local():
        raise PeriodError("not_open")
    return period


@dataclass
class UnitPeriod:
    period: ReportPeriod
    campaign_title: str
    report: Report | None

    @property
    def overdue(self) -> bool:
        return self.report is None and self.period.due_on < today_local()


async def open_periods_for_unit(session: AsyncSession, unit_id: int) -> list[UnitPeriod]:
    """Confirmed periods of campaigns the unit is targeted by, open now (overdue ones included)."""
    rows = (
        await session.execute(
            select(ReportPeriod, Campaign.title)
            .join(Campaign, Campaign.id == ReportPeriod.campaign_id)
            .join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
            .where(CampaignUnit.unit_id == unit_id, ReportPeriod.confirmed_at.is_not(None),
                   ReportPeriod.opens_on <= today_local())
            .order_by(ReportPeriod.due_on, ReportPeriod.id)
        )
    ).all()
    out = []
    for period, title in rows:
        out.append(UnitPeriod(period, title, await current_report(session, period.id, unit_id)))
    return out


async def current_report(session: AsyncSession, period_id: int, unit_id: int) -> Report | None:
    return await session.scalar(
        select(Report).where(Report.period_id == period_id, Report.unit_id == unit_id, Report.replaced_by_id.is_(None))
    )


def days_late(due_on: date, submitted_at: datetime) -> int:
    return max(0, (clock.local(submitted_at).date() - due_on).days)


async def submit_report(
    session: AsyncSession,
    period_id: int,
    unit_id: int,
    member_id: int | None,
    summary: str,
    figures: dict[str, Any] | None = None,
    file_id: int | None = None,
) -> tuple[Report, Report | None]:
    """Store the unit's report; an earlier one is kept and points at the new one. Returns (new, replaced)."""
    period = await check_period_for_unit(session, period_id, unit_id)
    summary = summary.strip()
    if not SUMMARY_MIN <= len(summary) <= SUMMARY_MAX:
        raise PeriodError("bad_summary")
    now = clock.now()
    previous = await current_report(session, period_id, unit_id)
    report = Report(period_id=period_id, unit_id=unit_id, member_id=member_id, summary=summary,
                    figures=dict(figures or {}), file_id=file_id, submitted_at=now,
                    days_late=days_late(period.due_on, now))
    session.add(report)
    await session.flush()
    if previous is not None:
        previous.replaced_by_id = report.id
    # The unit has reported: a nudge still queued for its officers (an outage) is not sent.
    officers = await session.scalars(select(Member.id).where(Member.unit_id == unit_id, Member.role == "officer"))
    await outbox.supersede_older(session, [nudges.topic(period_id, m) for m in officers])
    return report, previous


async def history(session: AsyncSession, period_id: int, unit_id: int) -> list[Report]:
    rows = await session.scalars(
        select(Report).where(Report.period_id == period_id, Report.unit_id == unit_id).order_by(Report.id)
    )
    return list(rows)


# --- status ------------------------------------------------------------------------------------


@dataclass
class PeriodStatus:
    """Each targeted unit of a period: on time, late (with days) or missing; and counts per unit kind."""

    period: ReportPeriod
    on_time: list[str] = field(default_factory=list)
    late: list[tuple[str, int]] = field(default_factory=list)  # (unit name, days late)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (unit name, unit kind)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind → [on time, late, missing]
    by_unit: dict[int, int | None] = field(default_factory=dict)  # unit id → days late, None: no report


async def period_status(session: AsyncSession, period: ReportPeriod) -> PeriodStatus:
    """One query: every targeted unit with its current report (replaced ones do not count), in
    Vietnamese order of names (bot.collation)."""
    current = (
        select(Report.unit_id, Report.days_late)
        .where(Report.period_id == period.id, Report.replaced_by_id.is_(None)).subquery()
    )
    rows = (
        await session.execute(
            select(Unit.id, Unit.name, Unit.kind, current.c.days_late)
            .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
            .outerjoin(current, current.c.unit_id == Unit.id)
            .where(CampaignUnit.campaign_id == period.campaign_id)
        )
    ).all()
    status = PeriodStatus(period)
    for unit_id, name, kind, late in sorted(rows, key=lambda r: (vn_key(r[1]), r[0])):
        status.by_unit[unit_id] = late
        counts = status.by_kind.setdefault(kind, [0, 0, 0])
        if late is None:
            status.missing.append((name, kind))
            counts[2] += 1
        elif late:
            status.late.append((name, late))
            counts[1] += 1
        else:
            status.on_time.append(name)
            counts[0] += 1
    return status


async def campaign_status(session: AsyncSession, campaign_id: int) -> list[PeriodStatus]:
    """Per confirmed period: the units that reported on time, late (with days), and not at all."""
    return [await period_status(session, p) for p in await periods_of(session, campaign_id) if p.confirmed_at is not None]


async def report_count(session: AsyncSession, period_id: int) -> int:
    return await session.scalar(
        select(func.count()).select_from(Report).where(Report.period_id == period_id, Report.replaced_by_id.is_(None))
    ) or 0
