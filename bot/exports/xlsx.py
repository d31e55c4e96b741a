"""A campaign's XLSX workbook: its exemplars, its reports per unit and period, its acknowledgements.

xlsxwriter lays each sheet out (formats, widths, frozen header, filter, properties); the data rows,
a province's ~290,000 cells, are then written into its sheets as XML text (_with_rows), as the
DOCX's table rows are: xlsxwriter's own cells cost ~4 µs each, these well under one
(bench/digest.py).
"""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock, report_states
from bot.exports.common import cite, figure, nomination_order, unit_order
from storage.models import (
    Award, AwardDecision, Campaign, CampaignUnit, Member, Nomination, Registration, RegistrationCall, Report,
    ReportPeriod, Unit,
)

# Cell formats (xlsxwriter's properties); None is a plain cell.
HEADER, DATE, DATETIME, WRAPPED, MONEY = "header", "date", "datetime", "wrapped", "money"
ORGANISATION, HEADING, CAMPAIGN, NOTE = "organisation", "heading", "campaign", "note"
STYLES = {
    ORGANISATION: {"bold": True},
    HEADING: {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"},
    CAMPAIGN: {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True},
    NOTE: {"italic": True, "align": "center"},
    HEADER: {"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1},
    DATE: {"num_format": "dd/mm/yyyy"},
    DATETIME: {"num_format": "dd/mm/yyyy hh:mm"},
    WRAPPED: {"text_wrap": True, "valign": "top"},
    MONEY: {"num_format": "#,##0"},  # Excel shows the grouping of the reader's locale: 2.340.000
}
# What a date takes on screen, for the column widths.
SHOWN_WIDTH = {DATE: len("dd/mm/yyyy"), DATETIME: len("dd/mm/yyyy hh:mm")}
MAX_WIDTH = 60

# Above each sheet's header, the rows that say whose file it is and what it lists: the organisation
# (config's organisation.name), the sheet's heading, the campaign, the plan that launched it
# ("Kế hoạch số 45/KH-UBND ngày 20/02/2026") and when the figures were taken; then a blank row.
HEADER_ROW = 6  # 0-based: the header is row 7 as Excel numbers them, the data start on row 8

# Each sheet: its name and heading, then its columns as (header, style).
NOMINATIONS_SHEET = "Điển hình"
NOMINATIONS_HEADING = "DANH SÁCH ĐIỂN HÌNH TIÊN TIẾN ĐƯỢC ĐỀ XUẤT"
NOMINATIONS_COLUMNS = (
    ("STT", None), ("Đơn vị", None), ("Loại", None), ("Họ tên / Tên tập thể", None), ("Chức vụ", None),
    ("Lĩnh vực", None), ("Trích ngang thành tích", WRAPPED), ("Hình thức đề nghị", None),
    ("Trạng thái", None), ("Lý do trả lại / không duyệt", WRAPPED), ("Ngày gửi", DATE),
)
STAGE_LABELS = {"in_review": "Đang xét", "passed": "Đạt (chờ quyết định)", "failed": "Không đạt",
                "awarded": "Đã khen thưởng"}  # approved ones, past the council (bot.services.awards.stages)
REASONED = ("returned", "rejected")  # the statuses whose review reason the sheet shows
KIND_LABELS = {"collective": "Tập thể", "individual": "Cá nhân"}
STATUS_LABELS = {
    "submitted": "Chờ duyệt", "approved": "Đã duyệt", "returned": "Trả lại",
    "rejected": "Không duyệt", "withdrawn": "Đã rút",
}

REPORTS_SHEET = "Báo cáo"
REPORTS_HEADING = "TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ"
# The figures a report may carry, named as the report form asks for them (bot/forms/report_form.py).
REPORT_FIGURES = (("exemplars", "Số điển hình phát hiện"), ("new_models", "Số mô hình mới"))
REPORTS_COLUMNS = (
    ("STT", None), ("Đơn vị", None), ("Loại đơn vị", None), ("Kỳ báo cáo", None), ("Hạn nộp", DATE),
    ("Trạng thái", None), ("Ngày nộp", DATETIME), ("Số ngày trễ", None), ("Tóm tắt kết quả", WRAPPED),
    *((label, None) for _key, label in REPORT_FIGURES),
)
ON_TIME, LATE, MISSING, NOT_DUE = "Đúng hạn", "Nộp trễ", "Chưa nộp", "Chưa đến hạn"
STATE_LABELS = {report_states.ON_TIME: ON_TIME, report_states.LATE: LATE, report_states.MISSING: MISSING,
                report_states.UPCOMING: NOT_DUE}

ACKS_SHEET = "Xác nhận"
ACKS_HEADING = "TÌNH HÌNH XÁC NHẬN TIẾP NHẬN VĂN BẢN PHÁT ĐỘNG"
ACKS_COLUMNS = (
    ("STT", None), ("Mã đơn vị", None), ("Đơn vị", None), ("Loại đơn vị", None), ("Đã xác nhận", None),
    ("Thời điểm xác nhận", DATETIME), ("Người xác nhận", None),
)
YES, NO = "Có", "Chưa"

REGISTER_SHEET = "Đăng ký"  # only when the campaign called its units to register
REGISTER_HEADING = "SỔ ĐĂNG KÝ THI ĐUA"
REGISTER_COLUMNS = (
    ("STT", None), ("Đơn vị", None), ("Danh hiệu tập thể đăng ký", None), ("Cá nhân đăng ký", WRAPPED),
    ("Số cá nhân", None), ("Ngày đăng ký", DATETIME),
)
NOT_REGISTERED = "Chưa đăng ký"

AWARDS_SHEET = "Khen thưởng"  # only once a decision is recorded (bot.services.awards)
AWARDS_HEADING = "DANH SÁCH KHEN THƯỞNG"
AWARDS_COLUMNS = (
    ("STT", None), ("Đơn vị", None), ("Loại", None), ("Họ tên / Tên tập thể", None), ("Hình thức khen thưởng", None),
    ("Số quyết định", None), ("Ngày quyết định", DATE), ("Tiền thưởng (đồng)", MONEY),
)

# Control characters XML 1.0 cannot hold (a pasted text may carry them): dropped from the cells.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Day 0 of Excel's dates (1900 system, past its 29/02/1900 that never was).
_EPOCH = datetime(1899, 12, 30)


async def campaign_xlsx(session: AsyncSession, campaign_id: int, *, organisation: str,
                        stages: dict[int, str] | None = None) -> bytes:
    """The campaign's workbook as XLSX bytes, `organisation` (config's organisation.name) its author
    and the first line of each sheet; `stages` where approved nominations stand since (the council's
    session, the decision: bot.services.awards.stages). Raises LookupError if there is no such campaign."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(f"campaign #{campaign_id} not found")
    # The rows are read through the session's connection (Core): the ORM's row handling cost ~0.1 s
    # for a province's 20,000 nominations and 6,600 reports.
    db = await session.connection()
    now = clock.local(clock.now())
    top = _Top(organisation=" ".join(organisation.split()), campaign=" ".join(campaign.title.split()),
               cite=cite(campaign), taken=f"Số liệu tính đến {now:%H:%M} ngày {clock.fmt_date(now)}")
    units = (await db.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.kind, CampaignUnit.acknowledged_at, Member.full_name)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .outerjoin(Member, Member.id == CampaignUnit.acknowledged_by_member_id)
        .where(CampaignUnit.campaign_id == campaign_id)
    )).all()
    units = sorted(units, key=lambda u: unit_order(u.name, u.id))
    sheets = [
        (NOMINATIONS_SHEET, NOMINATIONS_HEADING, NOMINATIONS_COLUMNS,
         await _nomination_rows(session, campaign_id, stages or {})),
        (REPORTS_SHEET, REPORTS_HEADING, REPORTS_COLUMNS, await _report_rows(session, campaign_id, units)),
        (ACKS_SHEET, ACKS_HEADING, ACKS_COLUMNS, [
            (n, code, name, kind, YES if acked_at else NO, _local_naive(acked_at), acked_by)
            for n, (_id, code, name, kind, acked_at, acked_by) in enumerate(units, 1)
        ]),
    ]
    if registered := await _register_rows(db, campaign_id, units):
        sheets.append((REGISTER_SHEET, REGISTER_HEADING, REGISTER_COLUMNS, registered))
    if awarded := await _award_rows(db, campaign_id):
        sheets.append((AWARDS_SHEET, AWARDS_HEADING, AWARDS_COLUMNS, awarded))
    # A province's workbook takes seconds of CPU: build it off the event loop so the bot keeps answering.
    return await asyncio.to_thread(_workbook, top, sheets)


@dataclass(frozen=True)
class _Top:
    """The rows above every sheet's header."""

    organisation: str
    campaign: str
    cite: str | None
    taken: str


async def _register_rows(db: Any, campaign_id: int, units: Sequence[Any]) -> list[tuple]:
    """Each targeted unit's registration (đăng ký thi đua), or that it has none; nothing when the
    campaign made no call."""
    if (await db.execute(select(RegistrationCall.id).where(RegistrationCall.campaign_id == campaign_id))).first() is None:
        return []
    regs = {r.unit_id: r for r in (await db.execute(
        select(Registration.unit_id, Registration.collective_title, Registration.individuals, Registration.registered_at)
        .where(Registration.campaign_id == campaign_id))).all()}
    rows = []
    for n, unit in enumerate(units, 1):
        reg = regs.get(unit.id)
        if reg is None:
            rows.append((n, unit.name, NOT_REGISTERED, None, None, None))
            continue
        people = "; ".join(f"{p['name']} ({p['title']})" if p.get("title") else p["name"] for p in reg.individuals or [])
        rows.append((n, unit.name, reg.collective_title, people or None, len(reg.individuals or []),
                     _local_naive(reg.registered_at)))
    return rows


async def _award_rows(db: Any, campaign_id: int) -> list[tuple]:
    """The campaign's awards with the reward money computed when the decision was recorded."""
    rows = (await db.execute(
        select(Unit.name, Unit.id, Award.kind, Award.full_name, Award.id, Award.reward_form, AwardDecision.number,
               AwardDecision.signed_on, Award.amount)
        .join(Award, Award.unit_id == Unit.id).join(AwardDecision, AwardDecision.id == Award.decision_id)
        .where(AwardDecision.campaign_id == campaign_id)
    )).all()
    rows = sorted(rows, key=lambda r: nomination_order(r[0], r[1], r[3], r[4]))
    return [(n, unit, KIND_LABELS.get(kind, kind), name, form, number, signed_on, amount)
            for n, (unit, _uid, kind, name, _aid, form, number, signed_on, amount) in enumerate(rows, 1)]


async def _nomination_rows(session: AsyncSession, campaign_id: int, stages: dict[int, str]) -> list[tuple]:
    """Every nomination past its draft, in the DOCX's order (nomination_order): by unit, then name."""
    rows = await (await session.connection()).execute(  # Core rows, as in campaign_xlsx
        select(Unit.name, Nomination.kind, Nomination.full_name, Nomination.position, Nomination.workplace,
               Nomination.sector, Nomination.summary, Nomination.reward_form, Nomination.status,
               Nomination.review_reason, Nomination.submitted_at, Unit.id, Nomination.id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(Nomination.campaign_id == campaign_id, Nomination.status != "draft")
    )
    rows = sorted(rows, key=lambda r: nomination_order(r[0], r[11], r[2], r[12]))
    return [
        (n, unit, KIND_LABELS.get(kind, kind), name, ", ".join(p for p in (position, workplace) if p) or None,
         sector, summary, reward, _status_label(status, stages.get(nid)), reason if status in REASONED else None,
         clock.local(sent).date() if sent else None)
        for n, (unit, kind, name, position, workplace, sector, summary, reward, status, reason, sent, _uid, nid)
        in enumerate(rows, 1)
    ]


def _status_label(status: str, stage: str | None) -> str:
    if status == "approved" and stage in STAGE_LABELS:
        return STAGE_LABELS[stage]
    return STATUS_LABELS.get(status, status)


async def _report_rows(session: AsyncSession, campaign_id: int, units: Sequence[Any]) -> list[tuple]:
    """One row per confirmed period and targeted unit, period by period, with the unit's current report."""
    periods = (await session.execute(
        select(ReportPeriod.id, ReportPeriod.label, ReportPeriod.due_on)
        .where(ReportPeriod.campaign_id == campaign_id, ReportPeriod.confirmed_at.is_not(None))
        .order_by(ReportPeriod.due_on, ReportPeriod.id)
    )).all()
    # A resubmission replaces the earlier report; only the current one (replaced_by_id NULL) counts.
    db = await session.connection()  # Core rows, as in campaign_xlsx
    reports = {
        (period_id, unit_id): (submitted_at, days_late, summary, figures)
        for period_id, unit_id, submitted_at, days_late, summary, figures in await db.execute(
            select(Report.period_id, Report.unit_id, Report.submitted_at, Report.days_late, Report.summary,
                   Report.figures)
            .join(ReportPeriod, ReportPeriod.id == Report.period_id)
            .where(ReportPeriod.campaign_id == campaign_id, Report.replaced_by_id.is_(None))
        )
    }
    today = clock.local(clock.now()).date()
    rows = []
    for period_id, label, due_on in periods:
        for unit_id, _code, name, kind, *_ack in units:
            submitted_at, days_late, summary, figures = reports.get((period_id, unit_id), (None, None, None, None))
            status = STATE_LABELS[report_states.report_state(due_on, days_late if submitted_at is not None else None, today)]
            rows.append((len(rows) + 1, name, kind, label, due_on, status, _local_naive(submitted_at), days_late,
                         summary, *(figure(figures, key) for key, _label in REPORT_FIGURES)))
    return rows


def _local_naive(moment: datetime | None) -> datetime | None:
    """The local wall-clock time of an aware moment, without zone: Excel has no time zones."""
    return clock.local(moment).replace(tzinfo=None) if moment is not None else None


Columns = Sequence[tuple[str, str | None]]


def _workbook(top: _Top, sheets: Sequence[tuple[str, str, Columns, list[tuple]]]) -> bytes:
    """The workbook's bytes, one sheet per (name, heading, columns, rows)."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False})
    # The author is the organisation, as on the DOCX: Excel shows it as the file's author, and as
    # who saved it last (xlsxwriter writes both from it).
    wb.set_properties({"title": top.campaign, "author": top.organisation, "created": clock.now()})
    formats = {style: wb.add_format(looks) for style, looks in STYLES.items()}
    data = [_lay_out(wb, formats, top, *sheet) for sheet in sheets]
    wb.close()
    # A format has its number in styles.xml once xlsxwriter has written something with it.
    xf = {style: f.xf_index or 0 for style, f in formats.items()}
    return _with_rows(out.getvalue(), {
        f"xl/worksheets/sheet{n}.xml": (first, [xf.get(style, 0) for _h, style in columns], rows)
        for n, (first, (_name, _heading, columns, rows)) in enumerate(zip(data, sheets, strict=True), 1)
    })


def _lay_out(wb: Any, formats: dict[str, Any], top: _Top, name: str, heading: str, columns: Columns,
             rows: list[tuple]) -> int:
    """A sheet with its title rows, a bold frozen header, a filter over the data and widths fitted
    to what it holds; returns the (0-based) row its data starts on."""
    ws = wb.add_worksheet(name)
    headers = [header for header, _style in columns]
    styles = [style for _header, style in columns]
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    widths = [_width(header, style, column) for (header, style), column in zip(columns, values, strict=True)]
    for i, (width, style) in enumerate(zip(widths, styles, strict=True)):
        # The column's format is also that of a cell typed into it later (a date shows dd/mm/yyyy).
        ws.set_column(i, i, min(width + 2, MAX_WIDTH), formats[style] if style else None)
    _title_rows(ws, formats, top, heading, [min(w + 2, MAX_WIDTH) for w in widths])
    header_row = HEADER_ROW
    ws.freeze_panes(header_row + 1, 0)
    ws.autofilter(header_row, 0, header_row + len(rows), len(headers) - 1)
    for c, header in enumerate(headers):
        ws.write_string(header_row, c, header, formats[HEADER])
    return header_row + 1


def _width(header: str, style: str | None, values: Sequence[Any]) -> int:
    """The characters a column needs to show its header and its longest value (a date: as shown)."""
    present = [v for v in values if v is not None]
    if not present:
        return len(header)
    return max(len(header), SHOWN_WIDTH.get(style) or max(map(len, map(str, present))))


def _title_rows(ws: Any, formats: dict[str, Any], top: _Top, heading: str, widths: list[int]) -> None:
    """The organisation on the first row, left; the heading, the campaign, the plan and the time the
    figures were taken centred over the table's width (merged cells); row 6 left blank."""
    last = len(widths) - 1
    ws.write_string(0, 0, top.organisation.upper(), formats[ORGANISATION])
    lines = [(1, heading, HEADING), (2, top.campaign, CAMPAIGN), (4, top.taken, NOTE)]
    if top.cite:
        lines.append((3, f"(Theo {top.cite})", NOTE))
    for row, text, style in lines:
        ws.merge_range(row, 0, row, last, text, formats[style])
    # Excel does not grow a merged row to its text: give a long campaign title the lines it needs.
    per_line = max(sum(widths) * 0.9, 1)
    ws.set_row(2, 16 * min(-(-len(top.campaign) // per_line), 8))
    ws.set_row(1, 22)


def _with_rows(xlsx: bytes, data: dict[str, tuple[int, list[int], list[tuple]]]) -> bytes:
    """The saved workbook with each sheet's data rows written in before its </sheetData>, and its
    dimension (the used range) stretched over them. Each value is written by its type: a text is
    always a text, never a formula or an error value whatever it starts with (OWASP's "CSV
    injection"); a date is a number in a date format, as Excel stores dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename not in data:
                target.writestr(item, content)
                continue
            first, xf, rows = data[item.filename]
            before, after = content.split(b"</sheetData>", 1)
            if rows:
                last = f"{xl_col_to_name(len(xf) - 1)}{first + len(rows)}"
                before = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>'.encode(), before, count=1)
            item.compress_type = zipfile.ZIP_DEFLATED
            with target.open(item, "w") as stream:
                stream.write(before)
                for chunk in _rows_xml(first, xf, rows):
                    stream.write(chunk.encode())
                stream.write(b"</sheetData>" + after)
    return out.getvalue()


def _rows_xml(first: int, xf: list[int], rows: list[tuple], batch: int = 500) -> Iterator[str]:
    """The rows as <row> elements, `batch` rows a string; `first` is the 0-based row of the first."""
    letters = [xl_col_to_name(c) for c in range(len(xf))]
    styles = [f' s="{s}"' if s else "" for s in xf]
    # A text as the cell holds it, made once: a unit's name or a status recurs on thousands of rows.
    texts: dict[str, str] = {}
    lines: list[str] = []
    for r, row in enumerate(rows, first + 1):
        cells = []
        for c, value in enumerate(row):
            if value is None:
                continue
            if value.__class__ is str:
                text = texts.get(value)
                if text is None:
                    text = texts[value] = _inline_string(value)
                cells.append(f'<c r="{letters[c]}{r}"{styles[c]} t="inlineStr">{text}</c>')
                continue
            if isinstance(value, datetime):
                value = (value - _EPOCH).total_seconds() / 86400
            elif isinstance(value, date):
                value = (value - _EPOCH.date()).days
            cells.append(f'<c r="{letters[c]}{r}"{styles[c]}><v>{value!r}</v></c>')
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(lines) == batch:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def _inline_string(value: str) -> str:
    """A text as an inline string: escaped, without the control characters XML cannot hold, within
    Excel's 32,767 characters a cell."""
    if not value.isprintable():
        value = _ILLEGAL.sub("", value)
    text = value[:32767].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<is><t xml:space="preserve">{text}</t></is>'
