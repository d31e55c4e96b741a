"""The báo cáo tổng hợp of one report period, as a DOCX laid out as Decree 30/2020/NĐ-CP asks.

The clerk fills in the number and signs; everything else comes from the database: how the campaign
was rolled out, who reported on time, late or not at all, the figures they sent, and the
exemplars put forward (submitted or approved).
"""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock, vn_format
from bot.collation import vn_key
from bot.exports.common import cite, figure, nomination_order, unit_order
from storage.models import Campaign, CampaignUnit, Nomination, Report, ReportPeriod, Unit

# --- Decree 30/2020/NĐ-CP, Phụ lục I: font, sizes, page ------------------------------------------
FONT = "Times New Roman"
BODY_PT = 14  # body text 13–14 pt
HEADER_PT = 13  # issuing body and "CỘNG HÒA…" 12–13 pt; "Độc lập…" and the date line 13–14 pt
TABLE_PT = 12
RECIPIENTS_TITLE_PT = 12
RECIPIENTS_PT = 11
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)  # A4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH = Mm(165)  # 210 − 30 − 15
FIRST_LINE_INDENT = Mm(10)
HEADER_WIDTHS = (Mm(65), Mm(100))  # issuing body | national motto
SIGNATURE_WIDTHS = (Mm(85), Mm(80))  # recipients | signer
RULE_WIDTHS = (Mm(25), Mm(58), Mm(40))  # the short lines under the body, the motto, the trích yếu

# --- wording ---------------------------------------------------------------------------------------
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"
NUMBER_LINE = "Số:      /BC-HĐTĐKT"  # the clerk writes the number in when the report is registered
TITLE = "BÁO CÁO"
UNKNOWN_PLACE = "……"
SECTION_ROLLOUT = "I. TÌNH HÌNH TRIỂN KHAI"
SECTION_REPORTS = "II. KẾT QUẢ BÁO CÁO CỦA CÁC ĐƠN VỊ"
SECTION_EXEMPLARS = "III. ĐIỂN HÌNH TIÊN TIẾN ĐƯỢC ĐỀ XUẤT"
SECTION_LATE = "IV. ĐƠN VỊ NỘP TRỄ, CHƯA NỘP"
EXEMPLAR_COLUMNS = (
    ("STT", Mm(12)), ("Tên", Mm(38)), ("Đơn vị", Mm(30)), ("Trích ngang thành tích", Mm(52)),
    ("Hình thức đề nghị", Mm(33)),
)
RECIPIENTS_TITLE = "Nơi nhận:"
RECIPIENTS = ("- Thường trực Hội đồng Thi đua – Khen thưởng;", "- Lãnh đạo UBND;", "- Lưu: VT.")
SIGNER_NOTE = "(Ký, ghi rõ họ tên)"
SIGNING_LINES = 4  # the blank lines left for the signature and the seal
TABLE_STYLE_NAME, TABLE_STYLE_ID = "Bảng – nội dung", "TableText"
# Where the exemplar rows go in word/document.xml, written there after python-docx has saved.
ROWS_MARKER = "thidua:exemplar-rows"

# --- what goes in ------------------------------------------------------------------------------------
NOMINATED = ("submitted", "approved")  # put forward and not turned down or taken back
SUMMARY_CHARS = 400  # a unit's report summary in section II
ACHIEVEMENT_CHARS = 1000  # a trích ngang in the table: generous, but one cell never fills pages
UNITS_LISTED = 200  # section II lists this many summaries, then says how many more
GROUP_ABOVE = 30  # longer lists of late/missing units are grouped by kind of unit
FIGURES = (("exemplars", "điển hình tiên tiến được phát hiện"), ("new_models", "mô hình, cách làm mới"))

# Characters XML 1.0 cannot hold; a pasted text may carry them and lxml would refuse the document.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class _Facts:
    """Everything the document says, read in one go so the rendering needs no session."""

    title: str
    cite: str | None
    place: str | None
    label: str
    due_on: date
    targeted: int
    acknowledged: int
    reports: list[tuple[str, str, str, dict[str, Any], int]]  # name, kind, summary, figures, days late
    missing: list[tuple[str, str]]  # name, kind
    nominations: list[tuple[str, str, str | None, str, str, str, str]]  # unit, kind, name, position…


@dataclass(frozen=True)
class Signer:
    """Who the report is from and who signs it (config's [organisation]); empty parts are left out
    (the superior body) or left for the clerk to write in (the signer's title and name)."""

    organisation: str
    superior: str = ""
    title: str = ""
    name: str = ""


async def period_report_docx(
    session: AsyncSession, campaign_id: int, period_id: int, *, organisation: str | Signer, place: str | None = None
) -> bytes:
    """The period's báo cáo tổng hợp as DOCX bytes; LookupError if the period is not the campaign's."""
    facts = await _gather(session, campaign_id, period_id)
    now = clock.now()
    signer = organisation if isinstance(organisation, Signer) else Signer(organisation)
    # Rendering is pure CPU (~0.3 s for a province's 12,000 exemplars): keep the event loop free.
    return await asyncio.to_thread(
        _render, facts, signer=signer, place=place or facts.place or UNKNOWN_PLACE, now=now
    )


# --- reading ---------------------------------------------------------------------------------------


async def _gather(session: AsyncSession, campaign_id: int, period_id: int) -> _Facts:
    """Read the campaign, the period, its current reports, the missing units and the exemplars."""
    campaign = await session.get(Campaign, campaign_id)
    period = await session.get(ReportPeriod, period_id)
    if campaign is None or period is None or period.campaign_id != campaign.id:
        raise LookupError(f"no period #{period_id} in campaign #{campaign_id}")
    targeted, acknowledged = (await session.execute(
        select(func.count(), func.count(CampaignUnit.acknowledged_at)).where(CampaignUnit.campaign_id == campaign.id)
    )).one()
    current = (Report.period_id == period.id, Report.replaced_by_id.is_(None))
    db = await session.connection()  # Core rows: the ORM's row handling costs more than the query
    reports = (await db.execute(
        select(Unit.name, Unit.kind, Report.summary, Report.figures, Report.days_late, Unit.id)
        .join(Unit, Unit.id == Report.unit_id).where(*current)
    )).all()
    missing = (await db.execute(
        select(Unit.name, Unit.kind, Unit.id).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign.id, Unit.id.not_in(select(Report.unit_id).where(*current)))
    )).all()
    nominations = (await db.execute(
        select(Unit.name, Nomination.kind, Nomination.full_name, Nomination.position, Nomination.summary,
               Nomination.reward_form, Nomination.status, Unit.id, Nomination.id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(Nomination.campaign_id == campaign.id, Nomination.status.in_(NOMINATED))
    )).all()
    # Sorted here, not in SQL (bot.collation): the databases collate Vietnamese differently. The
    # orders are the XLSX's too (bot/exports/common.py): units, then the people within a unit.
    return _Facts(
        title=campaign.title, cite=cite(campaign), place=campaign.place, label=period.label, due_on=period.due_on,
        targeted=targeted, acknowledged=acknowledged,
        reports=[tuple(r[:5]) for r in sorted(reports, key=lambda r: unit_order(r[0], r[5]))],
        missing=[tuple(m[:2]) for m in sorted(missing, key=lambda m: unit_order(m[0], m[2]))],
        nominations=[tuple(n[:7]) for n in sorted(nominations, key=lambda n: nomination_order(n[0], n[7], n[2], n[8]))],
    )


# --- text helpers ----------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    """One line of user text that XML can hold: runs of whitespace become one space."""
    return " ".join(_XML_ILLEGAL.sub(" ", text or "").split())


def _shorten(text: str | None, limit: int) -> str:
    return vn_format.shorten(_clean(text), limit)


def _date_line(place: str, today: date) -> str:
    """'Đồng Nai, ngày 05 tháng 02 năm 2026': Decree 30 pads days below 10 and months 1 and 2."""
    month = f"{today.month:02d}" if today.month <= 2 else str(today.month)
    return f"{place}, ngày {today.day:02d} tháng {month} năm {today.year}"


def _kind_label(kind: str) -> str:
    return kind[:1].upper() + kind[1:]


# --- rendering -------------------------------------------------------------------------------------


def _render(facts: _Facts, *, signer: Signer, place: str, now: datetime) -> bytes:
    """Lay the facts out as the report and return the .docx bytes."""
    today = clock.local(now).date()
    doc = Document()
    _set_up(doc)
    _properties(doc, signer, facts, now)
    org = _clean(signer.organisation).upper()
    _header(doc, _clean(signer.superior).upper(), org, _date_line(_clean(place), today))
    _title(doc, f"Kết quả {_clean(facts.label)} thực hiện {_clean(facts.title)}")
    _rollout(doc, facts)
    _reports(doc, facts, today)
    rows = _exemplars(doc, facts)
    _late_and_missing(doc, facts)
    _body(doc, f"Trên đây là báo cáo kết quả {_clean(facts.label)} thực hiện {_clean(facts.title)}./.")
    _signature(doc, org, signer)
    out = io.BytesIO()
    doc.save(out)
    return _with_rows(out.getvalue(), (_row_xml(values) for values in rows))


def _set_up(doc: DocxDocument) -> None:
    """A4, Decree 30 margins, Times New Roman everywhere (also for Vietnamese as East Asian text)."""
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    _page_numbers(section)

    # The template's defaults name theme fonts (Calibri/Cambria), which Word prefers over a style's
    # plain font name for some scripts; name Times New Roman there too.
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _times(defaults.get_or_add_rFonts())

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _times(normal.element.rPr.get_or_add_rFonts())
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")  # Word's spelling and hyphenation in Vietnamese
    normal.element.rPr.append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(6), 1.0

    cells = doc.styles.add_style(TABLE_STYLE_NAME, WD_STYLE_TYPE.PARAGRAPH)
    cells.style_id = TABLE_STYLE_ID  # the name is Vietnamese, as Word shows it; the id stays ASCII
    cells.base_style = normal
    cells.font.size = Pt(TABLE_PT)
    cells.paragraph_format.space_after = Pt(0)


def _properties(doc: DocxDocument, signer: Signer, facts: _Facts, now: datetime) -> None:
    """The file's properties as Word shows them: the organisation wrote it, now, about the campaign
    (python-docx's template would say 'python-docx', 2013)."""
    props = doc.core_properties
    props.author = props.last_modified_by = _clean(signer.organisation)
    props.title = _clean(f"Báo cáo kết quả {facts.label} thực hiện {facts.title}")[:255]
    props.subject = _clean(facts.title)[:255]
    props.comments = props.keywords = props.category = ""
    props.created = props.modified = now.astimezone(UTC)
    props.revision = 1


def _times(rfonts: Any) -> None:
    """Times New Roman for every script of an rFonts element, theme references dropped."""
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)


def _page_numbers(section: Any) -> None:
    """Page numbers centred in the top margin from page 2 on, as Decree 30 asks."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    p._p.append(field)


def _para(
    container: Any, text: str = "", *, bold: bool = False, italic: bool = False, size: int | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None, first: bool = False,
) -> Paragraph:
    """One paragraph of one run; `first` fills a table cell's empty first paragraph instead of adding."""
    p = container.paragraphs[0] if first else container.add_paragraph()
    if align is not None:
        p.alignment = align
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size is not None:
            run.font.size = Pt(size)
    return p


def _body(doc: DocxDocument, text: str) -> Paragraph:
    """A body paragraph: justified, first line indented."""
    p = _para(doc, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    p.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    return p


def _heading(doc: DocxDocument, text: str) -> None:
    """A section heading (I., II.…): bold, kept with what follows it."""
    p = _para(doc, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    p.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.keep_with_next = True


def _rule(container: Any, width: Length, room: Length) -> None:
    """The short solid line Decree 30 draws under the issuing body, the motto and the trích yếu."""
    p = container.add_paragraph()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)  # before spacing/ind, which python-docx inserts in order
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Length((room - width) // 2)
    fmt.space_after, fmt.line_spacing = Pt(6), Pt(2)


def _borderless(doc: DocxDocument, widths: Sequence[Length]) -> tuple[_Cell, ...]:
    """A one-row table without borders (the template's default table style has none)."""
    table = doc.add_table(rows=1, cols=len(widths))
    table.autofit = False
    for column, cell, width in zip(table.columns, table.rows[0].cells, widths):
        column.width = cell.width = width
    return tuple(table.rows[0].cells)


def _header(doc: DocxDocument, superior: str, org: str, date_line: str) -> None:
    """The superior body (upright) over the issuing body (bold), then the blank number, on the left;
    motto, then place and date, on the right."""
    left, right = _borderless(doc, HEADER_WIDTHS)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    if superior:
        _para(left, superior, size=HEADER_PT, align=centre, first=True).paragraph_format.space_after = Pt(0)
    _para(left, org, bold=True, size=HEADER_PT, align=centre, first=not superior)
    _rule(left, RULE_WIDTHS[0], HEADER_WIDTHS[0])
    _para(left, NUMBER_LINE, size=HEADER_PT, align=centre)
    _para(right, MOTTO, bold=True, size=HEADER_PT - 1, align=centre, first=True)
    _para(right, MOTTO_SUB, bold=True, size=HEADER_PT + 1, align=centre)
    _rule(right, RULE_WIDTHS[1], HEADER_WIDTHS[1])
    _para(right, date_line, italic=True, size=HEADER_PT + 1, align=centre)


def _title(doc: DocxDocument, summary: str) -> None:
    """'BÁO CÁO' and the trích yếu under it, centred and bold."""
    p = _para(doc, TITLE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_before = Pt(18)
    p.paragraph_format.space_after = Pt(0)
    _para(doc, summary, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(doc, RULE_WIDTHS[2], TEXT_WIDTH)


def _n(count: int | float) -> str:
    """A count in Vietnamese form: 1.500, not 1500 or 1,500."""
    return vn_format.number(count)


def _of(part: int, whole: int) -> str:
    """'8/12 đơn vị (66,7%)'."""
    return f"{_n(part)}/{_n(whole)} đơn vị ({vn_format.percent(part, whole)})"


def _rollout(doc: DocxDocument, facts: _Facts) -> None:
    """Section I: the launching document, the units it went to, how many acknowledged it."""
    _heading(doc, SECTION_ROLLOUT)
    source = f"Thực hiện {facts.cite} về {_clean(facts.title)}" if facts.cite else f"Thực hiện {_clean(facts.title)}"
    if not facts.targeted:
        _body(doc, f"{source}, văn bản chưa được gửi đến đơn vị nào trên hệ thống.")
        return
    acknowledged = (f"{_of(facts.acknowledged, facts.targeted)} đã xác nhận tiếp nhận trên hệ thống"
                    if facts.acknowledged else "chưa có đơn vị nào xác nhận tiếp nhận trên hệ thống")
    _body(doc, f"{source}, văn bản đã được gửi đến {_n(facts.targeted)} đơn vị; {acknowledged}.")


def _report_counts(facts: _Facts, today: date) -> str:
    """Who sent the period's report, on time or late, and who has not: each count said as a person
    would say it, never '0 đơn vị …'."""
    late = sum(1 for r in facts.reports if r[4] > 0)
    sent = len(facts.reports)
    on_time = sent - late
    what = f"báo cáo {_clean(facts.label)} (hạn nộp ngày {clock.fmt_date(facts.due_on)})"
    if not sent:
        return f"Tính đến ngày {clock.fmt_date(today)}, chưa có đơn vị nào gửi {what}."
    sentences = [f"Tính đến ngày {clock.fmt_date(today)}, có {_of(sent, facts.targeted)} đã gửi {what}."]
    if late and on_time:
        sentences.append(f"Trong đó, {_n(on_time)} đơn vị nộp đúng hạn, {_n(late)} đơn vị nộp trễ hạn.")
    elif late:
        sentences.append(f"Không có đơn vị nộp đúng hạn; cả {_n(late)} đơn vị đều nộp trễ hạn.")
    else:
        sentences.append("Các đơn vị đều nộp đúng hạn. Không có đơn vị nộp trễ hạn.")
    missing = len(facts.missing)
    sentences.append(f"Còn {_n(missing)} đơn vị chưa nộp báo cáo." if missing
                     else "Tất cả các đơn vị đã nộp báo cáo.")
    return " ".join(sentences)


def _reports(doc: DocxDocument, facts: _Facts, today: date) -> None:
    """Section II: on time / late / missing, the figures summed, and each unit's summary."""
    _heading(doc, SECTION_REPORTS)
    _body(doc, _report_counts(facts, today))
    totals = [(sum(figure(r[3], key) or 0 for r in facts.reports), text) for key, text in FIGURES]
    _body(doc, "Tổng hợp số liệu từ báo cáo của các đơn vị: "
          + "; ".join(f"{_n(n)} {t}" if n else f"chưa có {t}" for n, t in totals) + ".")
    if not facts.reports:
        return
    _body(doc, "Tóm tắt kết quả báo cáo của các đơn vị:")
    for name, _kind, summary, _figures, _late in facts.reports[:UNITS_LISTED]:
        _body(doc, f"- {_clean(name)}: {_shorten(summary, SUMMARY_CHARS)}")
    if len(facts.reports) > UNITS_LISTED:
        _body(doc, f"- … và {_n(len(facts.reports) - UNITS_LISTED)} đơn vị khác.")


def _exemplar_counts(nominations: Sequence[tuple]) -> str:
    """'Các đơn vị đã đề xuất 12 điển hình tiên tiến (6 tập thể, 6 cá nhân), trong đó …'."""
    total = len(nominations)
    individuals = sum(1 for n in nominations if n[1] == "individual")
    approved = sum(1 for n in nominations if n[6] == "approved")
    if not individuals:
        kinds = "đều là tập thể"
    elif individuals == total:
        kinds = "đều là cá nhân"
    else:
        kinds = f"{_n(total - individuals)} tập thể, {_n(individuals)} cá nhân"
    if approved == total:
        review = "tất cả đã được xét duyệt"
    elif not approved:
        review = "tất cả đang chờ xét duyệt"
    else:
        review = f"trong đó {_n(approved)} đã được xét duyệt, {_n(total - approved)} đang chờ xét duyệt"
    return f"Các đơn vị đã đề xuất {_n(total)} điển hình tiên tiến ({kinds}), {review}; cụ thể như sau:"


def _exemplars(doc: DocxDocument, facts: _Facts) -> list[tuple[str, ...]]:
    """Section III: the exemplars put forward; returns the table's rows, written in by _with_rows."""
    _heading(doc, SECTION_EXEMPLARS)
    nominations = facts.nominations
    if not nominations:
        _body(doc, "Trong kỳ, chưa có đơn vị nào đề xuất điển hình tiên tiến.")
        return []
    _body(doc, _exemplar_counts(nominations))
    _table_head(doc, [c for c, _w in EXEMPLAR_COLUMNS], [w for _c, w in EXEMPLAR_COLUMNS])
    return [
        (str(i), _clean(name) + (f"\n{_clean(position)}" if kind == "individual" and position else ""),
         _clean(unit), _shorten(summary, ACHIEVEMENT_CHARS), _clean(reward))
        for i, (unit, kind, name, position, summary, reward, _status) in enumerate(nominations, start=1)
    ]


def _table_head(doc: DocxDocument, header: Sequence[str], widths: Sequence[Length]) -> Table:
    """A bordered table holding only its header row, and the marker where its body rows will go."""
    table = doc.add_table(rows=0, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    table._tbl.append(parse_xml(_row_xml(header, twips=[w.twips for w in widths], ns=True)))
    table._tbl.append(etree.Comment(ROWS_MARKER))
    return table


def _row_xml(values: Sequence[str], *, twips: Sequence[int] | None = None, ns: bool = False) -> str:
    """One table row; given widths it is the header: bold, repeated on each page, and it sets the widths.

    The first column and the header are centred; a newline in a value becomes a line break.
    """
    header = twips is not None
    cells = []
    for c, text in enumerate(values):
        # Word lays a fixed-layout table out from its first row's widths; the others need none.
        width = f'<w:tcPr><w:tcW w:w="{twips[c]}" w:type="dxa"/></w:tcPr>' if header else ""
        align = '<w:jc w:val="center"/>' if header or c == 0 else ""
        bold = "<w:rPr><w:b/></w:rPr>" if header else ""
        runs = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n"))
        cells.append(
            f'<w:tc>{width}<w:p><w:pPr><w:pStyle w:val="{TABLE_STYLE_ID}"/>{align}</w:pPr><w:r>{bold}{runs}</w:r></w:p></w:tc>'
        )
    # A row is never split across pages; the header (tblHeader) is repeated at the top of each.
    props = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    return f"<w:tr{' ' + nsdecls('w') if ns else ''}>{props}{''.join(cells)}</w:tr>"


def _with_rows(docx: bytes, rows: Iterator[str]) -> bytes:
    """The saved document with the table rows written in at ROWS_MARKER, streamed into the archive.

    Why not through python-docx: its cell API costs ~0.2 ms a cell (13 s for a province's 12,000
    exemplars), and even rows parsed in as XML keep ~10 KB of libxml2 nodes each (120 MB). Written
    as text they cost a few µs and no memory beyond the row at hand.
    """
    marker = f"<!--{ROWS_MARKER}-->".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename != "word/document.xml" or marker not in data:
                target.writestr(item, data)
                continue
            before, after = data.split(marker, 1)
            item.compress_type = zipfile.ZIP_DEFLATED
            with target.open(item, "w") as stream:
                stream.write(before)
                batch: list[str] = []
                for row in rows:  # 500 rows a write: one compressor call each, not one a row
                    batch.append(row)
                    if len(batch) == 500:
                        stream.write("".join(batch).encode())
                        batch.clear()
                stream.write("".join(batch).encode())
                stream.write(after)
    return out.getvalue()


def _late_and_missing(doc: DocxDocument, facts: _Facts) -> None:
    """Section IV: the late units with their days late, then the units that have not reported."""
    _heading(doc, SECTION_LATE)
    late = [(name, kind, days) for name, kind, _s, _f, days in facts.reports if days > 0]
    _body(doc, f"1. Đơn vị nộp báo cáo trễ hạn: {_n(len(late))} đơn vị." if late else "1. Đơn vị nộp báo cáo trễ hạn: không có.")
    _listing(doc, [(name, kind, f"{name} (trễ {_n(days)} ngày)") for name, kind, days in late])
    missing = facts.missing
    _body(doc, f"2. Đơn vị chưa nộp báo cáo: {_n(len(missing))} đơn vị." if missing else "2. Đơn vị chưa nộp báo cáo: không có.")
    _listing(doc, [(name, kind, name) for name, kind in missing])


def _listing(doc: DocxDocument, entries: Sequence[tuple[str, str, str]]) -> None:
    """One line per unit; past GROUP_ABOVE, one line per kind of unit: 'Xã (12): A, B, C.'"""
    if len(entries) <= GROUP_ABOVE:
        for _name, _kind, text in entries:
            _body(doc, f"- {_clean(text)}")
        return
    groups: dict[str, list[str]] = defaultdict(list)
    for _name, kind, text in entries:
        groups[_clean(kind)].append(_clean(text))
    for kind in sorted(groups, key=vn_key):
        _body(doc, f"- {_kind_label(kind)} ({_n(len(groups[kind]))}): {', '.join(groups[kind])}.")


def _signature(doc: DocxDocument, org: str, signer: Signer) -> None:
    """Recipients on the left, the signer's block on the right, as Decree 30 places them: 'TM.' and
    the body, the signer's title, the space to sign and seal, the signer's name. Without a name in
    config, the clerk's note '(Ký, ghi rõ họ tên)' stands under the title and the space stays blank."""
    left, right = _borderless(doc, SIGNATURE_WIDTHS)
    p = _para(left, RECIPIENTS_TITLE, bold=True, italic=True, size=RECIPIENTS_TITLE_PT, first=True)
    p.paragraph_format.space_after = Pt(0)
    for line in RECIPIENTS:
        _para(left, line, size=RECIPIENTS_PT).paragraph_format.space_after = Pt(0)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(right, f"TM. {org}", bold=True, size=HEADER_PT, align=centre, first=True).paragraph_format.space_after = Pt(0)
    title, name = _clean(signer.title).upper(), _clean(signer.name)
    if title:
        _para(right, title, bold=True, size=HEADER_PT, align=centre).paragraph_format.space_after = Pt(0)
    if not name:
        _para(right, SIGNER_NOTE, italic=True, size=HEADER_PT, align=centre)
    for _ in range(SIGNING_LINES):
        _para(right, align=centre)
    if name:
        _para(right, name, bold=True, size=BODY_PT, align=centre)
