"""The báo cáo tổng hợp of a report period (DOCX): what a clerk checks before forwarding it.

The sample campaign (devkit/sample_campaign.py) has 12 units "Xã số 1", "Phường số 2", "Cơ quan số 3",
"Trường số 4", "Đoàn thể số 5", … in that cycle of kinds; units 1–8 report on the first period, and
every third of them (i % 3 == 2: Cơ quan số 3, 5 days; Xã số 6, 3 days) is late; two thirds (8)
acknowledged; nomination n belongs to unit n % 12 with status STATUSES[n % 5].
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from sqlalchemy import insert, select, update

from bot import clock
from bot.exports.docx_report import Signer, period_report_docx
from devkit.sample_campaign import STATUSES, seed
from storage.models import Campaign, Report

ORGANISATION = "Hội đồng Thi đua – Khen thưởng tỉnh Đồng Nai"
# 18:30 UTC on 19/06 is already 01:30 on 20/06 in Asia/Ho_Chi_Minh: the document shows the 20th.
FROZEN = datetime(2026, 6, 19, 18, 30, tzinfo=UTC)
LABEL = "Sơ kết 6 tháng đầu năm 2026"
TITLE = "Phong trào thi đua “Chuyển đổi số vì nhân dân phục vụ” năm 2026"
HEADINGS = (
    "I. TÌNH HÌNH TRIỂN KHAI",
    "II. KẾT QUẢ BÁO CÁO CỦA CÁC ĐƠN VỊ",
    "III. ĐIỂN HÌNH TIÊN TIẾN ĐƯỢC ĐỀ XUẤT",
    "IV. ĐƠN VỊ NỘP TRỄ, CHƯA NỘP",
)
NOMINATED = sum(1 for n in range(20) if STATUSES[n % len(STATUSES)] in ("submitted", "approved"))


async def _render(db, *, seed_args: dict | None = None, place: str | None = None, before=None, now=FROZEN,
                  organisation=ORGANISATION):
    """Seed a sample campaign, let `before(session, sample)` change it, and read back its first period's report."""
    clock.set_now(now)
    async with db.session() as session:
        sample = await seed(session, **(seed_args or {}))
        if before is not None:
            await before(session, sample)
    async with db.session() as session:
        data = await period_report_docx(
            session, sample.campaign_id, sample.period_ids[0], organisation=organisation, place=place
        )
    return docx.Document(io.BytesIO(data))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _section(doc, heading: str) -> list[str]:
    """The body paragraphs from a section heading to the next one (or to the end)."""
    texts = _texts(doc)
    start = texts.index(heading) + 1
    end = next((i for i in range(start, len(texts)) if texts[i] in HEADINGS), len(texts))
    return texts[start:end]


def _bold(paragraph) -> bool:
    return bool(paragraph.runs) and all(r.bold for r in paragraph.runs if r.text)


def _italic(paragraph) -> bool:
    return bool(paragraph.runs) and all(r.italic for r in paragraph.runs if r.text)


# --- header, title ----------------------------------------------------------------------------------


async def test_left_header_names_the_issuing_body_in_capitals_and_leaves_the_number_blank(db):
    doc = await _render(db)

    left = doc.tables[0].rows[0].cells[0].paragraphs
    assert left[0].text == "HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG TỈNH ĐỒNG NAI"
    assert _bold(left[0])
    number = [p.text for p in left if p.text.startswith("Số:")]
    assert len(number) == 1 and re.fullmatch(r"Số:\s{3,}/BC-HĐTĐKT", number[0])


async def test_right_header_carries_the_national_motto_and_todays_local_date(db):
    doc = await _render(db)

    right = [p for p in doc.tables[0].rows[0].cells[1].paragraphs if p.text]
    assert [p.text for p in right] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Đồng Nai, ngày 20 tháng 6 năm 2026",
    ]
    assert _bold(right[0]) and _bold(right[1])
    assert _italic(right[2]) and not _bold(right[2])


async def test_date_line_takes_the_place_given_and_pads_small_days_and_months_one_and_two(db):
    doc = await _render(db, place="Biên Hòa", now=datetime(2026, 2, 4, 3, 0, tzinfo=UTC))

    assert "Biên Hòa, ngày 04 tháng 02 năm 2026" in doc.tables[0].rows[0].cells[1].text


async def test_date_line_shows_dots_when_the_campaign_has_no_place(db):
    async def no_place(session, sample):
        await session.execute(update(Campaign).where(Campaign.id == sample.campaign_id).values(place=None))

    doc = await _render(db, before=no_place)

    assert "……, ngày 20 tháng 6 năm 2026" in doc.tables[0].rows[0].cells[1].text


async def test_header_and_signature_tables_have_no_borders_and_the_exemplar_table_has(db):
    doc = await _render(db)

    header, exemplars, signature = doc.tables
    for table in (header, signature):
        assert table.style.name == "Normal Table"
        assert table._tbl.tblPr.find(qn("w:tblBorders")) is None
    assert exemplars.style.name == "Table Grid"


async def test_title_is_bao_cao_with_the_period_and_the_campaign_under_it(db):
    doc = await _render(db)

    paragraphs = [p for p in doc.paragraphs if p.text]
    assert paragraphs[0].text == "BÁO CÁO"
    assert paragraphs[1].text == f"Kết quả {LABEL} thực hiện {TITLE}"
    assert all(_bold(p) and p.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER for p in paragraphs[:2])


async def test_sections_follow_in_order_with_bold_headings(db):
    doc = await _render(db)

    headings = [p for p in doc.paragraphs if p.text in HEADINGS]
    assert [p.text for p in headings] == list(HEADINGS)
    assert all(_bold(p) for p in headings)


# --- I and II ---------------------------------------------------------------------------------------


async def test_rollout_cites_the_plan_and_counts_the_units_targeted_and_acknowledged(db):
    doc = await _render(db)

    (text,) = _section(doc, HEADINGS[0])
    assert text.startswith(f"Thực hiện Kế hoạch số 45/KH-UBND ngày 20/02/2026 về {TITLE}")
    assert "gửi đến 12 đơn vị" in text
    assert "8/12 đơn vị (66,7%) đã xác nhận tiếp nhận" in text


async def test_reports_section_counts_on_time_late_and_missing_units_and_sums_their_figures(db):
    doc = await _render(db)

    counts, figures = _section(doc, HEADINGS[1])[:2]
    assert "Tính đến ngày 20/06/2026, có 8/12 đơn vị (66,7%) đã gửi báo cáo" in counts
    assert "hạn nộp ngày 15/06/2026" in counts
    assert "Trong đó, 6 đơn vị nộp đúng hạn, 2 đơn vị nộp trễ hạn. Còn 4 đơn vị chưa nộp báo cáo." in counts
    # exemplars: i % 4 + 1 over i = 0..7 → 20; new models: i % 3 → 7
    assert "20 điển hình tiên tiến được phát hiện" in figures
    assert "7 mô hình, cách làm mới" in figures


async def test_a_resubmitted_report_counts_once_with_its_current_figures(db):
    async def resubmit_first(session, sample):
        old = await session.scalar(select(Report).where(
            Report.period_id == sample.period_ids[0], Report.unit_id == sample.unit_ids[0]))
        new_id = (await session.execute(insert(Report).values(
            period_id=old.period_id, unit_id=old.unit_id, summary="Báo cáo bổ sung: đã phát hiện thêm điển hình.",
            figures={"exemplars": 10, "new_models": 0}, submitted_at=old.submitted_at + timedelta(days=1),
            days_late=0,
        ).returning(Report.id))).scalar_one()
        old.replaced_by_id = new_id

    doc = await _render(db, before=resubmit_first)

    section = _section(doc, HEADINGS[1])
    assert "có 8/12 đơn vị" in section[0]
    assert "29 điển hình tiên tiến được phát hiện" in section[1]  # 20 − 1 + 10
    assert "- Xã số 1: Báo cáo bổ sung: đã phát hiện thêm điển hình." in section
    assert not any(t.startswith("- Xã số 1: Đơn vị đã tổ chức") for t in section)


async def test_each_reporting_unit_is_summarised_in_vietnamese_alphabetical_order(db):
    doc = await _render(db)

    lines = [t for t in _section(doc, HEADINGS[1]) if t.startswith("- ")]
    assert [t.split(":")[0][2:] for t in lines] == [
        "Cơ quan số 3", "Cơ quan số 8", "Đoàn thể số 5", "Phường số 2", "Phường số 7", "Trường số 4",
        "Xã số 1", "Xã số 6",
    ]
    assert "- Cơ quan số 3: Đơn vị đã tổ chức 4 hội nghị quán triệt, phát hiện 3 điển hình tiên tiến." in lines


async def test_a_long_summary_is_cut_at_a_word_and_marked_with_an_ellipsis(db):
    words = [f"việc{i}" for i in range(200)]

    async def long_summary(session, sample):
        await session.execute(update(Report).where(
            Report.period_id == sample.period_ids[0], Report.unit_id == sample.unit_ids[0]).values(summary=" ".join(words)))

    doc = await _render(db, before=long_summary)

    (line,) = [t for t in _section(doc, HEADINGS[1]) if t.startswith("- Xã số 1: ")]
    summary = line.removeprefix("- Xã số 1: ")
    assert summary.endswith("…") and len(summary) <= 401
    assert summary[:-1].split(" ") == words[:len(summary[:-1].split(" "))]


async def test_only_the_first_200_units_are_summarised_and_the_rest_are_counted(db):
    doc = await _render(db, seed_args={"units": 205, "reports": 205, "nominations": 0})

    section = _section(doc, HEADINGS[1])
    assert len([t for t in section if re.match(r"- .+ số \d+: ", t)]) == 200
    assert section[-1] == "- … và 5 đơn vị khác."


# --- III ---------------------------------------------------------------------------------------------


async def test_exemplar_table_lists_submitted_and_approved_nominations_by_unit(db):
    doc = await _render(db)

    table = doc.tables[1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["STT", "Tên", "Đơn vị", "Trích ngang thành tích", "Hình thức đề nghị"]
    assert len(rows) == 1 + NOMINATED == 13
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, 13)]
    # n = 14 (Cơ quan số 3, individual, submitted) comes first: "Cơ quan" sorts before "Đoàn thể".
    assert rows[1] == [
        "1", "Võ Minh Tâm\nCông chức Văn phòng – Thống kê", "Cơ quan số 3",
        "Hoàn thành xuất sắc nhiệm vụ, dẫn đầu phong trào chuyển đổi số, 100% hồ sơ trực tuyến đúng hạn.",
        "Lao động tiên tiến",
    ]
    assert [r[2] for r in rows[1:]] == [
        "Cơ quan số 3", "Cơ quan số 8", "Đoàn thể số 5", "Đoàn thể số 5", "Đoàn thể số 10", "Phường số 2",
        "Phường số 7", "Phường số 12", "Trường số 4", "Xã số 1", "Xã số 6", "Xã số 11",
    ]
    assert "Tổ dân phố số 20" in [r[1] for r in rows]  # n = 19, a collective: no position line
    intro = _section(doc, HEADINGS[2])[0]
    assert "đã đề xuất 12 điển hình tiên tiến (6 tập thể, 6 cá nhân), trong đó 8 đã được xét duyệt" in intro


async def test_exemplar_table_header_is_bold_and_repeats_on_every_page(db):
    doc = await _render(db)

    header = doc.tables[1].rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(_bold(cell.paragraphs[0]) for cell in header.cells)
    assert not any(_bold(cell.paragraphs[0]) for cell in doc.tables[1].rows[1].cells)


async def test_a_name_with_markup_and_control_characters_reaches_the_table_intact(db):
    doc = await _render(db, seed_args={"extra_nominee": "Nguyễn <Tí> &\x0b“Tèo”"})

    names = [row.cells[1].text.split("\n")[0] for row in doc.tables[1].rows]
    assert "Nguyễn <Tí> & “Tèo”" in names
    assert len(names) == 1 + NOMINATED + 1


async def test_without_exemplars_the_section_says_so_and_has_no_table(db):
    doc = await _render(db, seed_args={"nominations": 0})

    assert _section(doc, HEADINGS[2]) == ["Trong kỳ, chưa có đơn vị nào đề xuất điển hình tiên tiến."]
    assert len(doc.tables) == 2


# --- IV, closing --------------------------------------------------------------------------------------


async def test_late_units_are_named_with_their_days_late_and_missing_units_are_named(db):
    doc = await _render(db)

    assert _section(doc, HEADINGS[3])[:9] == [
        "1. Đơn vị nộp báo cáo trễ hạn: 2 đơn vị.",
        "- Cơ quan số 3 (trễ 5 ngày)",
        "- Xã số 6 (trễ 3 ngày)",
        "2. Đơn vị chưa nộp báo cáo: 4 đơn vị.",
        "- Đoàn thể số 10",
        "- Phường số 12",
        "- Trường số 9",
        "- Xã số 11",
        f"Trên đây là báo cáo kết quả {LABEL} thực hiện {TITLE}./.",
    ]


async def test_a_long_list_of_missing_units_is_grouped_by_kind(db):
    doc = await _render(db, seed_args={"units": 40, "reports": 0, "nominations": 0})

    section = _section(doc, HEADINGS[3])
    assert "1. Đơn vị nộp báo cáo trễ hạn: không có." in section
    groups = [t for t in section if re.match(r"- \S.* \(\d+\): ", t)]
    assert [g.split(" (")[0] for g in groups] == ["- Cơ quan", "- Đoàn thể", "- Phường", "- Trường", "- Xã"]
    assert "- Xã (8): Xã số 1, Xã số 6, Xã số 11, Xã số 16, Xã số 21, Xã số 26, Xã số 31, Xã số 36." in groups


async def test_recipients_on_the_left_and_the_signer_on_the_right_close_the_report(db):
    doc = await _render(db)

    left, right = doc.tables[-1].rows[0].cells
    title, *recipients = left.paragraphs
    assert title.text == "Nơi nhận:" and _bold(title) and _italic(title)
    assert title.runs[0].font.size == Pt(12)
    assert [p.text for p in recipients] == [
        "- Thường trực Hội đồng Thi đua – Khen thưởng;", "- Lãnh đạo UBND;", "- Lưu: VT."
    ]
    assert all(p.runs[0].font.size == Pt(11) for p in recipients)
    signer = [p.text for p in right.paragraphs if p.text]
    assert signer == ["TM. HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG TỈNH ĐỒNG NAI", "(Ký, ghi rõ họ tên)"]


async def test_body_font_is_times_new_roman_14_pt_on_a4_with_decree_30_margins(db):
    doc = await _render(db)

    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)  # Decree 30 allows 13–14; the README says 14
    body = _section(doc, HEADINGS[1])
    assert body and all(r.font.size is None for p in doc.paragraphs if p.text in body for r in p.runs)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "Times New Roman"
    section = doc.sections[0]
    mm = {name: round(getattr(section, name).mm, 1) for name in (
        "page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")}
    assert (mm["page_width"], mm["page_height"]) == (210, 297)  # A4, stored in twips
    assert 20 <= mm["top_margin"] <= 25 and 20 <= mm["bottom_margin"] <= 25
    assert 30 <= mm["left_margin"] <= 35 and 15 <= mm["right_margin"] <= 20


async def test_the_superior_body_stands_above_the_issuing_body_and_the_signer_is_named(db):
    signer = Signer(ORGANISATION, superior="UBND tỉnh Đồng Nai", title="Chủ tịch", name="Nguyễn Văn A")
    doc = await _render(db, organisation=signer)

    left = [p for p in doc.tables[0].rows[0].cells[0].paragraphs if p.text]
    assert [p.text for p in left[:2]] == ["UBND TỈNH ĐỒNG NAI", "HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG TỈNH ĐỒNG NAI"]
    assert not _bold(left[0]) and _bold(left[1])  # Decree 30: the superior body upright, the issuer bold
    right = doc.tables[-1].rows[0].cells[1].paragraphs
    assert [p.text for p in right] == ["TM. HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG TỈNH ĐỒNG NAI", "CHỦ TỊCH", "", "", "", "",
                                       "Nguyễn Văn A"]
    assert _bold(right[1]) and _bold(right[-1])


async def test_without_a_signer_in_config_the_block_leaves_room_to_sign_and_write_the_name(db):
    doc = await _render(db, organisation=Signer(ORGANISATION))

    assert [p.text for p in doc.tables[0].rows[0].cells[0].paragraphs][0] == "HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG TỈNH ĐỒNG NAI"
    right = [p.text for p in doc.tables[-1].rows[0].cells[1].paragraphs]
    assert right == ["TM. HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG TỈNH ĐỒNG NAI", "(Ký, ghi rõ họ tên)", "", "", "", ""]


async def test_the_settings_superior_and_signer_reach_the_report(db):
    from bot.config import Settings
    from bot.services import exports

    clock.set_now(FROZEN)
    async with db.session() as session:
        sample = await seed(session)
    settings = Settings(organisation_name=ORGANISATION, organisation_superior="UBND huyện Cẩm Mỹ",
                        signer_title="Phó Chủ tịch", signer_name="Trần Thị B")
    async with db.session() as session:
        made = await exports.period_report(session, sample.campaign_id, "1", settings)
    doc = docx.Document(io.BytesIO(made.content))
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].text == "UBND HUYỆN CẨM MỸ"
    assert [p.text for p in doc.tables[-1].rows[0].cells[1].paragraphs if p.text][1:] == ["PHÓ CHỦ TỊCH", "Trần Thị B"]


async def test_no_count_reads_zero_and_on_time_only_says_there_was_no_late_report(db):
    doc = await _render(db, seed_args={"reports": 2, "nominations": 0})

    counts, figures = _section(doc, HEADINGS[1])[:2]
    assert counts == (
        "Tính đến ngày 20/06/2026, có 2/12 đơn vị (16,7%) đã gửi báo cáo Sơ kết 6 tháng đầu năm 2026 "
        "(hạn nộp ngày 15/06/2026). Các đơn vị đều nộp đúng hạn. Không có đơn vị nộp trễ hạn. "
        "Còn 10 đơn vị chưa nộp báo cáo."
    )
    # i = 0, 1: exemplars 1 + 2, new models 0 + 1
    assert figures == ("Tổng hợp số liệu từ báo cáo của các đơn vị: 3 điển hình tiên tiến được phát hiện; "
                       "1 mô hình, cách làm mới.")
    assert not re.search(r"\b0 (đơn vị|điển hình|mô hình|tập thể|cá nhân|đã)", "\n".join(_texts(doc)))


async def test_without_reports_or_acknowledgements_the_report_says_none_came(db):
    doc = await _render(db, seed_args={"reports": 0, "nominations": 1, "acknowledged": 0})

    (rollout,) = _section(doc, HEADINGS[0])
    assert rollout.endswith("văn bản đã được gửi đến 12 đơn vị; chưa có đơn vị nào xác nhận tiếp nhận trên hệ thống.")
    counts, figures = _section(doc, HEADINGS[1])
    assert counts == ("Tính đến ngày 20/06/2026, chưa có đơn vị nào gửi báo cáo Sơ kết 6 tháng đầu năm 2026 "
                      "(hạn nộp ngày 15/06/2026).")
    assert figures == ("Tổng hợp số liệu từ báo cáo của các đơn vị: chưa có điển hình tiên tiến được phát hiện; "
                       "chưa có mô hình, cách làm mới.")
    # n = 0: one individual, submitted
    assert _section(doc, HEADINGS[2])[0] == ("Các đơn vị đã đề xuất 1 điển hình tiên tiến (đều là cá nhân), "
                                             "tất cả đang chờ xét duyệt; cụ thể như sau:")
    assert "- … và" not in "\n".join(_texts(doc))


async def test_counts_of_a_thousand_and_more_are_written_with_a_dot(db):
    doc = await _render(db, seed_args={"units": 1005, "reports": 0, "nominations": 0, "acknowledged": 1002})

    (rollout,) = _section(doc, HEADINGS[0])
    assert "văn bản đã được gửi đến 1.005 đơn vị; 1.002/1.005 đơn vị (99,7%) đã xác nhận tiếp nhận" in rollout
    assert "2. Đơn vị chưa nộp báo cáo: 1.005 đơn vị." in _section(doc, HEADINGS[3])


async def test_the_files_properties_name_the_organisation_now_and_the_report(db):
    doc = await _render(db)

    props = doc.core_properties
    assert props.author == props.last_modified_by == ORGANISATION
    assert props.title == f"Báo cáo kết quả {LABEL} thực hiện {TITLE}"
    assert props.created == props.modified == FROZEN  # aware UTC, not python-docx's 2013 template
    assert props.comments == "" and props.revision == 1


def test_the_readme_states_the_body_size_the_report_uses():
    from bot.exports.docx_report import BODY_PT

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"Times New Roman {BODY_PT} pt" in readme and BODY_PT == 14
    assert "13 pt, A4" not in readme


# --- errors -------------------------------------------------------------------------------------------


async def test_unknown_campaign_or_period_or_a_period_of_another_campaign_is_a_lookup_error(db):
    async with db.session() as session:
        first = await seed(session)
        other = await seed(session, code_prefix="T", title="Phong trào thi đua khác")
    async with db.session() as session:
        for campaign_id, period_id in (
            (first.campaign_id, 999_999),
            (999_999, first.period_ids[0]),
            (first.campaign_id, other.period_ids[0]),
        ):
            with pytest.raises(LookupError):
                await period_report_docx(session, campaign_id, period_id, organisation=ORGANISATION)
