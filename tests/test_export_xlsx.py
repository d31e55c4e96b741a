"""The campaign workbook (bot/exports/xlsx.py), read back with openpyxl from a seeded sample campaign."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot import clock
from bot.exports.xlsx import campaign_xlsx
from devkit.sample_campaign import seed
from storage.models import CampaignUnit, Member, Nomination, Report, ReportPeriod

NOMINATION_HEADERS = [
    "STT", "Đơn vị", "Loại", "Họ tên / Tên tập thể", "Chức vụ", "Lĩnh vực",
    "Trích ngang thành tích", "Hình thức đề nghị", "Trạng thái", "Lý do trả lại / không duyệt", "Ngày gửi",
]
REPORT_HEADERS = ["STT", "Đơn vị", "Loại đơn vị", "Kỳ báo cáo", "Hạn nộp", "Trạng thái", "Ngày nộp", "Số ngày trễ",
                  "Tóm tắt kết quả", "Số điển hình phát hiện", "Số mô hình mới"]
ACK_HEADERS = ["STT", "Mã đơn vị", "Đơn vị", "Loại đơn vị", "Đã xác nhận", "Thời điểm xác nhận", "Người xác nhận"]
FIRST_PERIOD = "Sơ kết 6 tháng đầu năm 2026"
SECOND_PERIOD = "Tổng kết năm 2026"
AFTER_FIRST_DUE = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
ORGANISATION = "Hội đồng Thi đua – Khen thưởng huyện Cẩm Mỹ"
HEADER = 7  # the header's row as Excel numbers them: under the organisation, heading, campaign, plan, time


async def export(db, **seed_args):
    """Seed a sample campaign, export it, and return (sample, workbook, raw bytes)."""
    async with db.session() as session:
        sample = await seed(session, **seed_args)
    return (sample, *await reexport(db, sample))


async def reexport(db, sample):
    async with db.session() as session:
        data = await campaign_xlsx(session, sample.campaign_id, organisation=ORGANISATION)
    return load_workbook(io.BytesIO(data)), data


def headers(ws) -> list:
    return [c.value for c in ws[HEADER]]


def records(ws) -> list[dict]:
    """The data rows as {header: cell}."""
    head = headers(ws)
    return [dict(zip(head, row, strict=True)) for row in ws.iter_rows(min_row=HEADER + 1)]


def values(ws) -> list[dict]:
    return [{k: c.value for k, c in r.items()} for r in records(ws)]


def formulas_in(data: bytes) -> list[str]:
    """Every <f> (formula) element in the workbook's sheets, as stored in the zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [m.decode() for name in z.namelist() if name.startswith("xl/worksheets/")
                for m in re.findall(rb"<f[\s>/][^<]*", z.read(name))]


# --- the workbook ------------------------------------------------------------------------------


async def test_the_workbook_has_three_vietnamese_sheets_and_the_campaign_as_title(db):
    _, wb, _ = await export(db)
    assert wb.sheetnames == ["Điển hình", "Báo cáo", "Xác nhận"]
    assert wb.properties.title == "Phong trào thi đua “Chuyển đổi số vì nhân dân phục vụ” năm 2026"


async def test_each_sheet_opens_with_the_organisation_the_campaign_and_its_plan_above_the_header(db):
    clock.set_now(datetime(2026, 8, 30, 1, 5, tzinfo=UTC))  # 08:05 on 30/08/2026 in Việt Nam
    _, wb, _ = await export(db)
    headings = {"Điển hình": "DANH SÁCH ĐIỂN HÌNH TIÊN TIẾN ĐƯỢC ĐỀ XUẤT",
                "Báo cáo": "TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ",
                "Xác nhận": "TÌNH HÌNH XÁC NHẬN TIẾP NHẬN VĂN BẢN PHÁT ĐỘNG"}
    for name, heading in headings.items():
        ws = wb[name]
        assert [ws.cell(row, 1).value for row in range(1, HEADER)] == [
            "HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG HUYỆN CẨM MỸ",
            heading,
            "Phong trào thi đua “Chuyển đổi số vì nhân dân phục vụ” năm 2026",
            "(Theo Kế hoạch số 45/KH-UBND ngày 20/02/2026)",
            "Số liệu tính đến 08:05 ngày 30/08/2026",
            None,
        ]
        assert ws["A1"].font.bold and ws["A2"].font.bold and ws["A3"].font.bold
        # The heading and the campaign are centred over the whole table.
        merged = {str(r) for r in ws.merged_cells.ranges}
        assert f"A2:{ws.cell(HEADER, ws.max_column).column_letter}2" in merged
        assert ws["A3"].alignment.horizontal == "center"
        assert headers(ws)[0] == "STT"


async def test_the_workbook_is_authored_by_the_organisation(db):
    clock.set_now(datetime(2026, 8, 30, 1, 5, tzinfo=UTC))
    _, wb, _ = await export(db)
    assert wb.properties.creator == ORGANISATION
    assert wb.properties.lastModifiedBy == ORGANISATION
    assert wb.properties.created == datetime(2026, 8, 30, 1, 5)  # stored in UTC


async def test_an_unknown_campaign_raises_lookup_error(db):
    async with db.session() as session:
        sample = await seed(session, units=2, nominations=1, reports=1)
    async with db.session() as session:
        with pytest.raises(LookupError):
            await campaign_xlsx(session, sample.campaign_id + 1000, organisation=ORGANISATION)


async def test_every_sheet_has_a_bold_frozen_header_a_filter_and_fitted_columns(db):
    _, wb, _ = await export(db, extra_nominee="Nguyễn Thị Minh Khai")
    for name, columns, rows in (("Điển hình", "K", 21), ("Báo cáo", "K", 24), ("Xác nhận", "G", 12)):
        ws = wb[name]
        assert ws.freeze_panes == "A8"
        assert ws.auto_filter.ref == f"A7:{columns}{rows + 7}"
        assert all(c.font.bold for c in ws[HEADER])
        assert not ws["B8"].font.bold
        assert ws.column_dimensions["A"].width < 10  # STT: a short number
    exemplars = wb["Điển hình"]
    # The summary (95 characters) is capped and wrapped; the unit column fits its longest name.
    # 60 characters; Excel stores a width with the cell's padding (60 + 5/7 of a character).
    assert int(exemplars.column_dimensions["G"].width) == 60
    assert exemplars["G8"].alignment.wrap_text
    assert len("Đoàn thể số 5") < exemplars.column_dimensions["B"].width < 30


async def test_a_campaign_without_nominations_gets_an_exemplars_sheet_with_only_its_header(db):
    _, wb, _ = await export(db, units=2, nominations=0, reports=0)
    ws = wb["Điển hình"]
    assert [headers(ws)] == [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER)]
    assert ws.auto_filter.ref == "A7:K7"
    assert len(records(wb["Báo cáo"])) == 4


# --- Điển hình ---------------------------------------------------------------------------------


async def test_the_exemplars_sheet_lists_every_nomination_with_vietnamese_headers(db):
    _, wb, _ = await export(db, units=12, nominations=20, extra_nominee="Nguyễn Thị Minh Khai")
    ws = wb["Điển hình"]
    assert headers(ws) == NOMINATION_HEADERS
    rows = values(ws)
    assert len(rows) == 21
    assert [r["STT"] for r in rows] == list(range(1, 22))
    an = next(r for r in rows if r["Họ tên / Tên tập thể"] == "Nguyễn Văn An")
    assert an["Đơn vị"] == "Xã số 1"
    assert an["Loại"] == "Cá nhân"
    assert an["Chức vụ"] == "Công chức Văn phòng – Thống kê, UBND xã"
    assert an["Lĩnh vực"] == "Kinh tế"
    assert an["Hình thức đề nghị"] == "Giấy khen"
    assert an["Trạng thái"] == "Chờ duyệt"
    assert an["Trích ngang thành tích"].startswith("Hoàn thành xuất sắc nhiệm vụ, dẫn đầu phong trào chuyển đổi số")
    team = next(r for r in rows if r["Họ tên / Tên tập thể"] == "Tổ dân phố số 4")
    assert (team["Đơn vị"], team["Loại"], team["Chức vụ"]) == ("Trường số 4", "Tập thể", None)
    assert any(r["Đơn vị"] == "Đoàn thể số 5" for r in rows)


async def test_the_exemplars_sheet_groups_nominations_by_unit(db):
    _, wb, _ = await export(db, units=5, nominations=20)
    units = [r["Đơn vị"] for r in values(wb["Điển hình"])]
    # Each unit's nominations are together, whatever the database's collation puts first.
    blocks = [u for i, u in enumerate(units) if i == 0 or units[i - 1] != u]
    assert len(blocks) == len(set(units)) == 5


async def test_the_exemplars_sheet_dates_a_nomination_on_its_local_day(db):
    _, wb, _ = await export(db)
    # "Tổ dân phố số 4" was sent at 23:00 UTC on 02/03/2026: 06:00 on 03/03/2026 in Việt Nam.
    team = next(r for r in records(wb["Điển hình"]) if r["Họ tên / Tên tập thể"].value == "Tổ dân phố số 4")
    sent = team["Ngày gửi"]
    assert isinstance(sent.value, datetime)
    assert sent.value.date() == date(2026, 3, 3)
    assert sent.number_format == "dd/mm/yyyy"


async def test_the_exemplars_sheet_translates_statuses_and_leaves_drafts_out(db):
    async with db.session() as session:
        sample = await seed(session)
        ids = (await session.scalars(select(Nomination.id).order_by(Nomination.id))).all()
        await session.execute(update(Nomination).where(Nomination.id == ids[0]).values(status="withdrawn"))
        await session.execute(update(Nomination).where(Nomination.id == ids[1]).values(status="draft"))
    wb, _ = await reexport(db, sample)
    rows = values(wb["Điển hình"])
    assert len(rows) == 19
    assert "Tổ dân phố số 2" not in {r["Họ tên / Tên tập thể"] for r in rows}  # the draft
    assert Counter(r["Trạng thái"] for r in rows) == {
        "Chờ duyệt": 3, "Đã duyệt": 7, "Trả lại": 4, "Không duyệt": 4, "Đã rút": 1,
    }


async def test_a_returned_or_rejected_nomination_shows_its_reason_and_no_other_does(db):
    async with db.session() as session:
        sample = await seed(session)
        ids = (await session.scalars(select(Nomination.id).order_by(Nomination.id))).all()
        # n = 2 is returned, n = 3 rejected (seeded "Chưa đủ minh chứng"); n = 1 approved, with a stray note.
        await session.execute(update(Nomination).where(Nomination.id == ids[2])
                              .values(review_reason="Trích ngang chưa nêu số liệu cụ thể; đề nghị bổ sung."))
        await session.execute(update(Nomination).where(Nomination.id == ids[1]).values(review_reason="Tốt"))
    wb, _ = await reexport(db, sample)
    rows = values(wb["Điển hình"])
    reasons = {(r["Đơn vị"], r["Họ tên / Tên tập thể"], r["Trạng thái"]): r["Lý do trả lại / không duyệt"] for r in rows}
    assert reasons[("Cơ quan số 3", "Lê Hoàng Nam", "Trả lại")] == "Trích ngang chưa nêu số liệu cụ thể; đề nghị bổ sung."
    assert reasons[("Trường số 4", "Tổ dân phố số 4", "Không duyệt")] == "Chưa đủ minh chứng"
    assert reasons[("Phường số 2", "Tổ dân phố số 2", "Đã duyệt")] is None
    assert Counter(r["Trạng thái"] for r in rows if r["Lý do trả lại / không duyệt"]) == {"Trả lại": 4, "Không duyệt": 4}
    assert wb["Điển hình"]["J8"].alignment.wrap_text


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+84 912 345 678", "-1+2", "@SUM(1,2)", "#N/A"])
async def test_a_nominee_named_like_a_formula_is_stored_as_plain_text(db, name):
    _, wb, data = await export(db, units=3, nominations=2, extra_nominee=name)
    cell = next(r["Họ tên / Tên tập thể"] for r in records(wb["Điển hình"])
                if r["Họ tên / Tên tập thể"].value == name)
    assert cell.data_type == "s"
    assert cell.value == name
    assert formulas_in(data) == []


# --- Báo cáo -----------------------------------------------------------------------------------


async def test_the_reports_sheet_has_a_row_per_targeted_unit_and_confirmed_period(db):
    clock.set_now(AFTER_FIRST_DUE)
    async with db.session() as session:
        sample = await seed(session, units=12, reports=8)
        session.add(ReportPeriod(campaign_id=sample.campaign_id, kind="one-off", label="Báo cáo chưa xác nhận",
                                 opens_on=date(2026, 8, 1), due_on=date(2026, 8, 31)))
    wb, _ = await reexport(db, sample)
    ws = wb["Báo cáo"]
    assert headers(ws) == REPORT_HEADERS
    rows = records(ws)
    assert len(rows) == 24
    assert Counter(r["Kỳ báo cáo"].value for r in rows) == {FIRST_PERIOD: 12, SECOND_PERIOD: 12}
    assert {r["Đơn vị"].value for r in rows} >= {"Đoàn thể số 5", "Xã số 1"}
    assert Counter(r["Loại đơn vị"].value for r in rows)["đoàn thể"] == 4  # 2 units × 2 periods
    due = next(r["Hạn nộp"] for r in rows if r["Kỳ báo cáo"].value == SECOND_PERIOD)
    assert due.value == datetime(2026, 12, 5)
    assert due.number_format == "dd/mm/yyyy"


async def test_the_reports_sheet_counts_on_time_late_and_missing_reports_as_seeded(db):
    clock.set_now(AFTER_FIRST_DUE)
    _, wb, _ = await export(db, units=12, reports=8)
    rows = records(wb["Báo cáo"])
    first = [r for r in rows if r["Kỳ báo cáo"].value == FIRST_PERIOD]
    assert Counter(r["Trạng thái"].value for r in first) == {"Đúng hạn": 6, "Nộp trễ": 2, "Chưa nộp": 4}
    # Units 3 and 6 (i = 2 and 5) were late by 3 + i % 5 days.
    assert {r["Đơn vị"].value: r["Số ngày trễ"].value for r in first if r["Trạng thái"].value == "Nộp trễ"} == {
        "Cơ quan số 3": 5, "Xã số 6": 3,
    }
    on_time = next(r for r in first if r["Đơn vị"].value == "Xã số 1")
    assert on_time["Số ngày trễ"].value == 0
    # Sent at 03:00 UTC on 13/06: 10:00 local.
    assert on_time["Ngày nộp"].value == datetime(2026, 6, 13, 10, 0)
    assert on_time["Ngày nộp"].number_format == "dd/mm/yyyy hh:mm"
    missing = [r for r in first if r["Trạng thái"].value == "Chưa nộp"]
    assert all(r["Ngày nộp"].value is None and r["Số ngày trễ"].value is None for r in missing)
    second = [r["Trạng thái"].value for r in rows if r["Kỳ báo cáo"].value == SECOND_PERIOD]
    assert second == ["Chưa đến hạn"] * 12


async def test_the_reports_sheet_carries_each_units_summary_and_figures(db):
    clock.set_now(AFTER_FIRST_DUE)
    async with db.session() as session:
        sample = await seed(session, units=12, reports=8)
        # Trường số 4 typed no figures at all; Cơ quan số 3's "new models" is text a person typed.
        await session.execute(update(Report).where(Report.unit_id == sample.unit_ids[3]).values(figures={}))
        await session.execute(update(Report).where(Report.unit_id == sample.unit_ids[2])
                              .values(figures={"exemplars": 3, "new_models": "nhiều"}))
    wb, _ = await reexport(db, sample)
    first = {r["Đơn vị"]: r for r in values(wb["Báo cáo"]) if r["Kỳ báo cáo"] == FIRST_PERIOD}
    assert first["Xã số 1"]["Tóm tắt kết quả"] == "Đơn vị đã tổ chức 2 hội nghị quán triệt, phát hiện 1 điển hình tiên tiến."
    # i = 5: 7 conferences, 2 exemplars, 2 new models
    assert (first["Xã số 6"]["Số điển hình phát hiện"], first["Xã số 6"]["Số mô hình mới"]) == (2, 2)
    assert (first["Trường số 4"]["Số điển hình phát hiện"], first["Trường số 4"]["Số mô hình mới"]) == (None, None)
    assert (first["Cơ quan số 3"]["Số điển hình phát hiện"], first["Cơ quan số 3"]["Số mô hình mới"]) == (3, None)
    missing = [r for r in first.values() if r["Trạng thái"] == "Chưa nộp"]
    assert missing and all(r["Tóm tắt kết quả"] is None and r["Số điển hình phát hiện"] is None for r in missing)
    assert wb["Báo cáo"]["I8"].alignment.wrap_text


@pytest.mark.parametrize(("utc_hour", "status"), [(16, "Chưa đến hạn"), (18, "Chưa nộp")])
async def test_a_missing_report_is_not_yet_due_until_the_local_due_day(db, utc_hour, status):
    # 16:00 UTC on 14/06 is 23:00 on 14/06 in Việt Nam; 18:00 UTC is already 01:00 on the due day 15/06.
    clock.set_now(datetime(2026, 6, 14, utc_hour, 0, tzinfo=UTC))
    _, wb, _ = await export(db, units=6, reports=3)
    first = [r for r in values(wb["Báo cáo"]) if r["Kỳ báo cáo"] == FIRST_PERIOD and r["Ngày nộp"] is None]
    assert [r["Trạng thái"] for r in first] == [status] * 3


async def test_the_reports_sheet_shows_only_the_current_report_of_each_unit(db):
    clock.set_now(AFTER_FIRST_DUE)
    async with db.session() as session:
        sample = await seed(session, units=12, reports=8)
        reports = {r.unit_id: r for r in await session.scalars(select(Report))}
        first, fourth = reports[sample.unit_ids[0]], reports[sample.unit_ids[3]]
        # Xã số 1 sent a corrected report late; its first one now points at it.
        new = Report(period_id=first.period_id, unit_id=first.unit_id, summary="Báo cáo bổ sung số liệu quý II.",
                     submitted_at=datetime(2026, 6, 20, 1, 30, tzinfo=UTC), days_late=5)
        session.add(new)
        # Trường số 4 has a replaced report stored after its current one (ids need not follow time).
        stale = Report(period_id=fourth.period_id, unit_id=fourth.unit_id, summary="Bản cũ đã được thay thế.",
                       submitted_at=datetime(2026, 6, 25, 1, 30, tzinfo=UTC), days_late=10, replaced_by_id=fourth.id)
        session.add(stale)
        await session.flush()
        first.replaced_by_id = new.id
    wb, _ = await reexport(db, sample)
    rows = [r for r in values(wb["Báo cáo"]) if r["Kỳ báo cáo"] == FIRST_PERIOD]
    assert len(rows) == 12
    shown = {r["Đơn vị"]: (r["Trạng thái"], r["Số ngày trễ"], r["Ngày nộp"]) for r in rows}
    assert shown["Xã số 1"] == ("Nộp trễ", 5, datetime(2026, 6, 20, 8, 30))
    assert shown["Trường số 4"] == ("Đúng hạn", 0, datetime(2026, 6, 13, 10, 0))


# --- Xác nhận ----------------------------------------------------------------------------------


async def test_the_acknowledgements_sheet_says_who_acknowledged_and_when(db):
    async with db.session() as session:
        sample = await seed(session, units=12)
        officer = await session.scalar(select(Member.id).where(Member.unit_id == sample.unit_ids[0]))
        await session.execute(
            update(CampaignUnit).where(CampaignUnit.unit_id == sample.unit_ids[0])
            .values(acknowledged_by_member_id=officer)
        )
    wb, _ = await reexport(db, sample)
    ws = wb["Xác nhận"]
    assert headers(ws) == ACK_HEADERS
    rows = records(ws)
    assert len(rows) == 12
    assert Counter(r["Đã xác nhận"].value for r in rows) == {"Có": 8, "Chưa": 4}
    first = next(r for r in rows if r["Mã đơn vị"].value == "S00000")
    assert (first["Đơn vị"].value, first["Loại đơn vị"].value) == ("Xã số 1", "xã")
    assert first["Người xác nhận"].value == "Cán bộ 1"
    # Acknowledged at 03:00 UTC on 02/03: 10:00 local.
    assert first["Thời điểm xác nhận"].value == datetime(2026, 3, 2, 10, 0)
    assert first["Thời điểm xác nhận"].number_format == "dd/mm/yyyy hh:mm"
    unacknowledged = [r for r in rows if r["Đã xác nhận"].value == "Chưa"]
    assert all(r["Thời điểm xác nhận"].value is None and r["Người xác nhận"].value is None for r in unacknowledged)
    assert sum(r["Người xác nhận"].value is not None for r in rows) == 1
