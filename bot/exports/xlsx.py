"""A campaign's XLSX workbook: its exemplars, its reports per unit and period, its acknowledgements."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock, report_states
from bot.collation import vn_key
from storage.models import Campaign, CampaignUnit, Member, Nomination, Report, ReportPeriod, Unit

CREATOR = "Thi đua bot"

# Cell styles, by the names Excel shows in its style gallery; None is a plain cell.
HEADER, DATE, DATETIME, WRAPPED = "Tiêu đề cột", "Ngày", "Ngày giờ", "Đoạn văn"
STYLES = {
    HEADER: {"font": Font(bold=True)},
    DATE: {"number_format": "dd/mm/yyyy"},
    DATETIME: {"number_format": "dd/mm/yyyy hh:mm"},
    WRAPPED: {"alignment": Alignment(wrap_text=True, vertical="top")},
}
# What a date takes on screen, for the column widths.
SHOWN_WIDTH = {DATE: len("dd/mm/yyyy"), DATETIME: len("dd/mm/yyyy hh:mm")}
MAX_WIDTH = 60

# Each sheet: its name, then its columns as (header, style).
NOMINATIONS_SHEET = "Điển hình"
NOMINATIONS_COLUMNS = (
    ("STT", None), ("Đơn vị", None), ("Loại", None), ("Họ tên / Tên tập thể", None), ("Chức vụ", None),
    ("Lĩnh vực", None), ("Trích ngang thành tích", WRAPPED), ("Hình thức đề nghị", None),
    ("Trạng thái", None), ("Ngày gửi", DATE),
)
KIND_LABELS = {"collective": "Tập thể", "individual": "Cá nhân"}
STATUS_LABELS = {
    "submitted": "Chờ duyệt", "approved": "Đã duyệt", "returned": "Trả lại",
    "rejected": "Không duyệt", "withdrawn": "Đã rút",
}

REPORTS_SHEET = "Báo cáo"
REPORTS_COLUMNS = (
    ("STT", None), ("Đơn vị", None), ("Loại đơn vị", None), ("Kỳ báo cáo", None), ("Hạn nộp", DATE),
    ("Trạng thái", None), ("Ngày nộp", DATETIME), ("Số ngày trễ", None),
)
ON_TIME, LATE, MISSING, NOT_DUE = "Đúng hạn", "Nộp trễ", "Chưa nộp", "Chưa đến hạn"
STATE_LABELS = {report_states.ON_TIME: ON_TIME, report_states.LATE: LATE, report_states.MISSING: MISSING,
                report_states.UPCOMING: NOT_DUE}

ACKS_SHEET = "Xác nhận"
ACKS_COLUMNS = (
    ("STT", None), ("Mã đơn vị", None), ("Đơn vị", None), ("Loại đơn vị", None), ("Đã xác nhận", None),
    ("Thời điểm xác nhận", DATETIME), ("Người xác nhận", None),
)
YES, NO = "Có", "Chưa"

# Leading characters a spreadsheet may read as a formula (OWASP, "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


async def campaign_xlsx(session: AsyncSession, campaign_id: int) -> bytes:
    """The campaign's workbook as XLSX bytes; raises LookupError if there is no such campaign."""
    title = await session.scalar(select(Campaign.title).where(Campaign.id == campaign_id))
    if title is None:
        raise LookupError(f"campaign #{campaign_id} not found")
    units = (await session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.kind, CampaignUnit.acknowledged_at, Member.full_name)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .outerjoin(Member, Member.id == CampaignUnit.acknowledged_by_member_id)
        .where(CampaignUnit.campaign_id == campaign_id)
    )).all()
    units = sorted(units, key=lambda u: (vn_key(u.name), u.id))  # bot.collation: the same on every database
    sheets = [
        (NOMINATIONS_SHEET, NOMINATIONS_COLUMNS, await _nomination_rows(session, campaign_id)),
        (REPORTS_SHEET, REPORTS_COLUMNS, await _report_rows(session, campaign_id, units)),
        (ACKS_SHEET, ACKS_COLUMNS, [
            (n, code, name, kind, YES if acked_at else NO, _local_naive(acked_at), acked_by)
            for n, (_id, code, name, kind, acked_at, acked_by) in enumerate(units, 1)
        ]),
    ]
    # A province's workbook takes seconds of CPU: build it off the event loop so the bot keeps answering.
    return await asyncio.to_thread(_workbook, title, sheets)


async def _nomination_rows(session: AsyncSession, campaign_id: int) -> list[tuple]:
    """Every nomination past its draft, by unit name (Vietnamese order) then id."""
    rows = await session.execute(
        select(Unit.name, Nomination.kind, Nomination.full_name, Nomination.position, Nomination.workplace,
               Nomination.sector, Nomination.summary, Nomination.reward_form, Nomination.status,
               Nomination.submitted_at)
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(Nomination.campaign_id == campaign_id, Nomination.status != "draft")
        .order_by(Nomination.id)
    )
    rows = sorted(rows, key=lambda r: vn_key(r[0]))  # stable: by id within a unit
    return [
        (n, unit, KIND_LABELS.get(kind, kind), name, ", ".join(p for p in (position, workplace) if p) or None,
         sector, summary, reward, STATUS_LABELS.get(status, status),
         clock.local(sent).date() if sent else None)
        for n, (unit, kind, name, position, workplace, sector, summary, reward, status, sent) in enumerate(rows, 1)
    ]


async def _report_rows(session: AsyncSession, campaign_id: int, units: Sequence[Any]) -> list[tuple]:
    """One row per confirmed period and targeted unit, period by period, with the unit's current report."""
    periods = (await session.execute(
        select(ReportPeriod.id, ReportPeriod.label, ReportPeriod.due_on)
        .where(ReportPeriod.campaign_id == campaign_id, ReportPeriod.confirmed_at.is_not(None))
        .order_by(ReportPeriod.due_on, ReportPeriod.id)
    )).all()
    # A resubmission replaces the earlier report; only the current one (replaced_by_id NULL) counts.
    reports = {
        (period_id, unit_id): (submitted_at, days_late)
        for period_id, unit_id, submitted_at, days_late in await session.execute(
            select(Report.period_id, Report.unit_id, Report.submitted_at, Report.days_late)
            .join(ReportPeriod, ReportPeriod.id == Report.period_id)
            .where(ReportPeriod.campaign_id == campaign_id, Report.replaced_by_id.is_(None))
        )
    }
    today = clock.local(clock.now()).date()
    rows = []
    for period_id, label, due_on in periods:
        for unit_id, _code, name, kind, *_ack in units:
            submitted_at, days_late = reports.get((period_id, unit_id), (None, None))
            status = STATE_LABELS[report_states.report_state(due_on, days_late if submitted_at is not None else None, today)]
            rows.append((len(rows) + 1, name, kind, label, due_on, status, _local_naive(submitted_at), days_late))
    return rows


def _local_naive(moment: datetime | None) -> datetime | None:
    """The local wall-clock time of an aware moment, without zone: Excel has no time zones."""
    return clock.local(moment).replace(tzinfo=None) if moment is not None else None


def _workbook(title: str, sheets: Sequence[tuple[str, Sequence[tuple[str, str | None]], list[tuple]]]) -> bytes:
    """The workbook's bytes, one sheet per (name, columns, rows)."""
    # Write-only mode streams rows to the file instead of holding ~250,000 cells in memory.
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = CREATOR
    for style, looks in STYLES.items():
        wb.add_named_style(NamedStyle(style, **looks))  # a new one each time: a workbook binds its styles
    for name, columns, rows in sheets:
        _write_sheet(wb, name, columns, rows)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_sheet(wb: Workbook, name: str, columns: Sequence[tuple[str, str | None]], rows: list[tuple]) -> None:
    """A sheet with a bold frozen header, a filter over the data and widths fitted to what it holds."""
    ws = wb.create_sheet(name)
    headers = [header for header, _style in columns]
    styles = [style for _header, style in columns]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, value in enumerate(row):
            if value is not None:
                widths[i] = max(widths[i], SHOWN_WIDTH.get(styles[i]) or len(str(value)))
    # A write-only sheet writes its columns and view with the first row: set them before it.
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(width + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    ws.append([_cell(ws, header, HEADER) for header in headers])
    for row in rows:
        ws.append([_cell(ws, value, style) for value, style in zip(row, styles, strict=True)])


def _cell(ws: Any, value: Any, style: str | None) -> Any:
    """What to append for a value: the value itself when openpyxl stores it as is, else a cell."""
    forced_text = False
    if isinstance(value, str):
        # openpyxl refuses control characters a pasted text may carry; drop them rather than fail.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        # openpyxl would write "=…" as a formula and "#N/A" as an error: a person's text stays text.
        forced_text = value.startswith(FORMULA_PREFIXES) or value in ERROR_CODES
    if (style is None and not forced_text) or value is None:
        return value
    cell = WriteOnlyCell(ws, value)
    if style is not None:
        cell.style = style
    if forced_text:
        cell.data_type = "s"
    return cell
