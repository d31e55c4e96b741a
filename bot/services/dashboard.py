"""The campaign dashboard (web page /web/campaigns/ID): one row per targeted unit — delivered,
acknowledged, nominations by status, the report of each confirmed period — with filters and the
counts of what is shown.

Built from the queries the chat's /campaign, /status and the digests use (campaigns.unit_statuses,
report_periods.period_status, nominations.counts_by_unit): a handful of set-based queries whatever
the number of units, none per unit. Names in Vietnamese order (bot.collation).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import report_states
from bot.collation import vn_key
from bot.services import campaigns, nominations
from bot.services.report_periods import period_status
from storage.models import Campaign, ReportPeriod

# The status filter: what a unit shows (a report state is of the chosen period, or of any shown).
UNACKNOWLEDGED, UNDELIVERED, NO_NOMINATIONS = "unacknowledged", "undelivered", "no_nominations"
REPORT_FILTERS = (report_states.MISSING, report_states.LATE, report_states.ON_TIME, report_states.UPCOMING)
STATUS_FILTERS = (UNACKNOWLEDGED, UNDELIVERED, *REPORT_FILTERS, NO_NOMINATIONS)


@dataclass(frozen=True)
class Filters:
    """What the person picked; anything not offered is ignored (shown as "all")."""

    kind: str | None = None
    status: str | None = None
    period_id: int | None = None

    @classmethod
    def parse(cls, kind: str | None, status: str | None, period: str | None) -> Filters:
        period = (period or "").strip()
        return cls(kind=(kind or "").strip() or None,
                   status=status if status in STATUS_FILTERS else None,
                   period_id=int(period) if period.isdigit() and len(period) < 10 else None)


@dataclass(frozen=True)
class Cell:
    state: str  # report_states: on_time | late | missing | upcoming
    days_late: int | None


@dataclass(slots=True)  # thousands of them per page: not frozen, which costs at every construction
class Row:
    unit_id: int
    code: str
    name: str
    kind: str
    delivered: bool
    unreachable: bool
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    nominations: dict[str, int]  # status → count (drafts left out)
    cells: tuple[Cell, ...]  # one per shown period

    @property
    def nominated(self) -> int:
        return sum(self.nominations.values())


@dataclass
class Summary:
    """Counts over the rows shown."""

    units: int = 0
    delivered: int = 0
    acknowledged: int = 0
    nominations: Counter = field(default_factory=Counter)
    states: list[Counter] = field(default_factory=list)  # per shown period: state → units


@dataclass
class Dashboard:
    campaign: Campaign
    periods: list[ReportPeriod]  # the confirmed ones, by due date
    shown: list[ReportPeriod]  # the chosen one, or all
    kinds: list[str]  # the kinds of unit the campaign went to, in Vietnamese order
    total: int  # units targeted
    rows: list[Row]  # those the filters let through
    summary: Summary
    filters: Filters


def _matches(row: Row, f: Filters) -> bool:
    if f.kind is not None and row.kind != f.kind:
        return False
    if f.status is None:
        return True
    if f.status == UNACKNOWLEDGED:
        return row.acknowledged_at is None
    if f.status == UNDELIVERED:
        return not row.delivered
    if f.status == NO_NOMINATIONS:
        return row.nominated == 0
    return any(cell.state == f.status for cell in row.cells)


def _summary(rows: list[Row], periods: int) -> Summary:
    summary = Summary(units=len(rows), states=[Counter() for _ in range(periods)])
    nominated: dict[str, int] = {}
    for row in rows:
        summary.delivered += row.delivered
        summary.acknowledged += row.acknowledged_at is not None
        for status, n in row.nominations.items():
            nominated[status] = nominated.get(status, 0) + n
        for counter, cell in zip(summary.states, row.cells):
            counter[cell.state] += 1
    summary.nominations.update(nominated)
    return summary


async def confirmed_periods(session: AsyncSession, campaign_id: int) -> list[ReportPeriod]:
    return list(await session.scalars(
        select(ReportPeriod).where(ReportPeriod.campaign_id == campaign_id, ReportPeriod.confirmed_at.is_not(None))
        .order_by(ReportPeriod.due_on, ReportPeriod.id)
    ))


async def campaign_dashboard(session: AsyncSession, campaign_id: int, filters: Filters, today: date) -> Dashboard | None:
    """The campaign's dashboard as of `today` (local); None when there is no such campaign."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    periods = await confirmed_periods(session, campaign_id)
    shown = [p for p in periods if p.id == filters.period_id] or periods
    if len(shown) == len(periods):
        filters = Filters(filters.kind, filters.status, None)  # a period not of this campaign: all of them
    reports = [(p, (await period_status(session, p)).by_unit) for p in shown]  # one query per period
    counts = await nominations.counts_by_unit(session, campaign_id)
    units = await campaigns.unit_statuses(session, campaign_id)
    kinds = sorted({u.kind for u in units}, key=vn_key)
    if filters.kind not in kinds:
        filters = Filters(None, filters.status, filters.period_id)
    rows = []
    cell_of: dict[tuple[date, int | None], Cell] = {}  # a few distinct values, shared by thousands of rows

    def cell(due_on: date, days_late: int | None) -> Cell:
        found = cell_of.get((due_on, days_late))
        if found is None:
            found = cell_of[due_on, days_late] = Cell(report_states.report_state(due_on, days_late, today), days_late)
        return found

    for u in sorted(units, key=lambda u: (vn_key(u.name), u.code)):
        cells = tuple(cell(p.due_on, by_unit.get(u.unit_id)) for p, by_unit in reports)
        row = Row(u.unit_id, u.code, u.name, u.kind, u.delivered, u.unreachable, u.acknowledged_at,
                  u.acknowledged_by, counts.get(u.unit_id, {}), cells)
        if _matches(row, filters):
            rows.append(row)
    return Dashboard(campaign, periods, shown, kinds, len(units), rows, _summary(rows, len(shown)), filters)
