"""Report periods and /report end to end through the simulator, and the period services."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot import clock
from bot.config import ReportSettings, Settings
from bot.services import campaigns, report_periods
from storage.models import Campaign, FormDraft, Member, Report, ReportPeriod
from tests.conftest import add_admin, make_invite, texts_of
from tests.test_campaign_launch import button

VN = clock.LOCAL_TZ
ADMIN, LEADER = 6001, 6002
LB1, XD1, SNV1 = 6101, 6102, 6103


def at(day: int, month: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=VN)


async def join(bot, user_id: int, unit: str | None, role: str = "officer") -> None:
    replies = texts_of(await bot.join(user_id, await make_invite(bot.db, unit, role)))
    assert "Chào mừng" in replies[0]


async def launch(db, codes, cadence="6-monthly", title="Phong trào thi đua chuyển đổi số năm 2026") -> int:
    async with db.session() as session:
        admin = await session.scalar(select(Member.id).where(Member.role == "admin"))
        result = await campaigns.launch(session, {
            "title": title, "reporting_cadence": cadence, "period_start": "2026-01-01", "period_end": "2026-12-31",
            "target_mode": "units", "target_units": list(codes),
        }, admin)
        return result.campaign_id


async def period_id(db, campaign_id: int, kind: str) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(ReportPeriod.id).where(ReportPeriod.campaign_id == campaign_id, ReportPeriod.kind == kind)
        )


@pytest.fixture
async def people(bot):
    clock.set_now(at(1, 5))
    await add_admin(bot.db, ADMIN)
    await join(bot, LEADER, "DN", "leader")
    for uid, unit in ((LB1, "LB"), (XD1, "XD"), (SNV1, "SNV")):
        await join(bot, uid, unit)
    return bot


async def test_admin_confirms_proposed_periods_edits_a_due_date_and_adds_a_one_off(people):
    bot = people
    cid = await launch(bot.db, ["LB", "XD"])
    shown = (await bot.say(ADMIN, f"/periods {cid}"))[-1]
    semi, annual = await period_id(bot.db, cid, "semiannual"), await period_id(bot.db, cid, "annual")
    # Periods are named by their id everywhere (/periods, /due, /report, the nudges), never by place.
    assert (f"#{semi} Sơ kết 6 tháng đầu năm 2026 (sơ kết 6 tháng): mở 16/05/2026, hạn 15/06/2026 — "
            "dự kiến, chưa xác nhận") in shown["text"]
    assert (f"#{annual} Tổng kết năm 2026 (tổng kết năm): mở 05/11/2026, hạn 05/12/2026 — "
            "dự kiến, chưa xác nhận") in shown["text"]
    assert "Tổng kết đợt thi đua" in shown["text"] and "hạn 15/01/2027" in shown["text"]
    assert f"Đổi hạn: /periods {cid} sửa #{semi} <ngày/tháng/năm>" in shown["text"]

    # The opening moves with the due date: still 30 days before it.
    edited = texts_of(await bot.say(ADMIN, f"/periods {cid} sửa #{annual} 10/12/2026"))[-1]
    assert f"#{annual} Tổng kết năm 2026 (tổng kết năm): mở 10/11/2026, hạn 10/12/2026" in edited
    assert "không có thật" in texts_of(await bot.say(ADMIN, f"/periods {cid} sửa {semi} 31/06/2026"))[-1]
    unknown = texts_of(await bot.say(ADMIN, f"/periods {cid} sửa 99 30/06/2026"))[-1]
    assert unknown.startswith(f"Phong trào #{cid} không có kỳ báo cáo “99”. Các kỳ của phong trào: #{semi}, #{annual}")

    confirm = (await bot.say(ADMIN, f"/periods {cid}"))[-1]
    [[confirm_button]] = confirm["reply_markup"]["inline_keyboard"]
    assert confirm_button["callback_data"] == f"c:confirm_periods:{cid}"
    done = texts_of(await bot.press(ADMIN, confirm["message_id"], confirm_button["callback_data"]))
    assert any("Đã xác nhận 3 kỳ báo cáo" in t for t in done)

    added = texts_of(await bot.say(ADMIN, f"/periods {cid} thêm 30/05/2026 Báo cáo chuyên đề chuyển đổi số"))[-1]
    assert "Báo cáo chuyên đề chuyển đổi số (đột xuất): mở 01/05/2026, hạn 30/05/2026 — đã xác nhận" in added
    # The one-off sorts first; the annual period keeps its number all the same.
    assert added.index("Báo cáo chuyên đề") < added.index("Sơ kết 6 tháng")
    again = texts_of(await bot.say(ADMIN, f"/periods {cid} sửa {annual} 12/12/2026"))[-1]
    assert f"#{annual} Tổng kết năm 2026 (tổng kết năm): mở 12/11/2026, hạn 12/12/2026" in again
    refused = texts_of(await bot.say(LB1, f"/periods {cid}"))[-1]
    assert "dành cho quản trị" in refused


async def test_moving_a_due_date_moves_the_opening_unless_a_unit_has_reported(people):
    bot = people
    cid = await launch(bot.db, ["LB", "XD"])
    await bot.say(ADMIN, f"/periods {cid}")
    await bot.say(ADMIN, f"/confirm_periods {cid}")

    # Added on 02/12 for 30/12 (open from today, 28 days before its due date), then moved to
    # 20/06/2027: it opens 28 days before that, not still on 02/12/2026.
    clock.set_now(datetime(2026, 12, 2, 9, tzinfo=VN))
    added = texts_of(await bot.say(ADMIN, f"/periods {cid} thêm 30/12/2026 Báo cáo chuyên đề chuyển đổi số"))[-1]
    one_off = await period_labelled(bot.db, cid, "Báo cáo chuyên đề chuyển đổi số")
    assert f"#{one_off} Báo cáo chuyên đề chuyển đổi số (đột xuất): mở 02/12/2026, hạn 30/12/2026" in added
    moved = texts_of(await bot.say(ADMIN, f"/periods {cid} sửa #{one_off} 20/06/2027"))[-1]
    assert f"#{one_off} Báo cáo chuyên đề chuyển đổi số (đột xuất): mở 23/05/2027, hạn 20/06/2027 — đã xác nhận" in moved
    assert "02/12/2026" not in moved
    assert "chưa mở: đơn vị gửi được từ ngày 23/05/2027" in texts_of(await bot.say(LB1, f"/report {one_off}"))[0]

    # A one-off added after its due date opens on it; put right, it gets the usual 30 days.
    late = texts_of(await bot.say(ADMIN, f"/periods {cid} thêm 01/12/2026 Báo cáo nhanh"))[-1]
    quick = await period_labelled(bot.db, cid, "Báo cáo nhanh")
    assert f"#{quick} Báo cáo nhanh (đột xuất): mở 01/12/2026, hạn 01/12/2026" in late
    fixed = texts_of(await bot.say(ADMIN, f"/periods {cid} sửa #{quick} 01/01/2027"))[-1]
    assert f"#{quick} Báo cáo nhanh (đột xuất): mở 02/12/2026, hạn 01/01/2027" in fixed

    # The tổng kết năm (open since 05/11) has a report: moving its due date later keeps it open.
    annual = await period_id(bot.db, cid, "annual")
    async with bot.db.session() as session:
        lb = await session.scalar(select(Member.unit_id).where(Member.telegram_user_id == LB1))
        await report_periods.submit_report(session, annual, lb, None, "Báo cáo tổng kết năm của Phường Long Bình.")
    kept = texts_of(await bot.say(ADMIN, f"/periods {cid} sửa #{annual} 31/12/2026"))[-1]
    assert f"#{annual} Tổng kết năm 2026 (tổng kết năm): mở 05/11/2026, hạn 31/12/2026" in kept


async def period_labelled(db, campaign_id: int, label: str) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(ReportPeriod.id).where(ReportPeriod.campaign_id == campaign_id, ReportPeriod.label == label))


async def test_officer_reports_through_the_form_with_bad_input_answered_and_the_draft_kept(people):
    bot = people
    cid = await launch(bot.db, ["LB", "XD"])
    other = await launch(bot.db, ["SNV"], title="Phong trào thi đua của Sở Nội vụ năm 2026")
    for campaign in (cid, other):
        async with bot.db.session() as session:
            await report_periods.ensure_proposed(session, await session.get(Campaign, campaign), Settings())
            await report_periods.confirm(session, campaign, Settings())
    semi, annual = await period_id(bot.db, cid, "semiannual"), await period_id(bot.db, cid, "annual")
    foreign = await period_id(bot.db, other, "semiannual")

    clock.set_now(at(10, 6))
    # One period open (the tổng kết năm is not open yet): nothing to choose, the form names it.
    first = texts_of(await bot.say(LB1, "/report"))[-1]
    assert "Kỳ báo cáo: Sơ kết 6 tháng đầu năm 2026" in first and "Viết tóm tắt kết quả" in first
    assert "Chọn kỳ báo cáo" not in first and "Tổng kết năm" not in first

    # An empty summary (skipped, or only dots) is refused with what is expected.
    assert "bắt buộc" in texts_of(await bot.say(LB1, "/skip"))[-1]
    assert "từ 20 đến 3.000 ký tự" in texts_of(await bot.say(LB1, "....."))[-1]
    summary = "Đơn vị đã tổ chức 12 hội nghị, phát hiện 3 điển hình tiên tiến."
    assert "Số điển hình" in texts_of(await bot.say(LB1, summary))[-1]
    assert "Số mô hình" in texts_of(await bot.say(LB1, "3"))[-1]
    assert "Gửi tệp báo cáo" in texts_of(await bot.say(LB1, "/skip"))[-1]

    # A file of the wrong type: refused, the answers so far kept.
    wrong = texts_of(await bot.send_file(LB1, "bao-cao.xlsx", b"PK\x03\x04 not a report"))[-1]
    assert "Tệp .xlsx không được nhận. Chỉ nhận: .docx, .pdf" in wrong

    # Another unit's period and a period not yet open, asked for directly: refused, draft kept.
    refused, *reminder = texts_of(await bot.say(LB1, f"/report {foreign}"))
    assert f"Kỳ báo cáo #{foreign} không thuộc phong trào gửi tới đơn vị của bạn" in refused
    assert "vẫn được giữ nguyên" in refused
    assert reminder[0].startswith("✏️ Bạn vẫn đang điền") and "Gửi tệp báo cáo" in reminder[1]  # the open question
    not_open = texts_of(await bot.say(LB1, f"/report {annual}"))[0]
    assert f"Kỳ báo cáo #{annual} chưa mở: đơn vị gửi được từ ngày 05/11/2026" in not_open
    async with bot.db.session() as session:
        draft = await session.scalar(select(FormDraft).join(Member, Member.id == FormDraft.member_id)
                                     .where(Member.telegram_user_id == LB1))
        assert draft.answers["summary"] == summary and draft.answers["exemplars"] == 3

    # Back to the draft: send the PDF, review, confirm.
    review = (await bot.send_file(LB1, "bao-cao-so-ket.pdf", b"%PDF-1.4 report", "application/pdf"))[-1]
    assert "Kiểm tra lại báo cáo kết quả thi đua" in review["text"] and "bao-cao-so-ket.pdf" in review["text"]
    saved = texts_of(await bot.press(LB1, review["message_id"], button(review, "confirm")))
    assert any("📨 Đã nhận báo cáo Sơ kết 6 tháng đầu năm 2026." in t and "trễ" not in t for t in saved)

    # Xuân Đường reports two days late, then sends a corrected report: it replaces the first.
    clock.set_now(at(17, 6))
    for text in (f"/report {semi}", "Báo cáo sơ kết lần một của Xã Xuân Đường.", "/skip", "/skip"):
        await bot.say(XD1, text)
    review = (await bot.say(XD1, "/skip"))[-1]
    late = texts_of(await bot.press(XD1, review["message_id"], button(review, "confirm")))
    assert any("Báo cáo nộp trễ 2 ngày." in t for t in late)
    assert "đã nộp, gửi lại sẽ thay bản cũ" in texts_of(await bot.say(XD1, "/report"))[-1]
    for text in ("Báo cáo sơ kết lần hai, đã sửa số liệu.", "/skip", "/skip"):
        await bot.say(XD1, text)
    review = (await bot.say(XD1, "/skip"))[-1]
    again = texts_of(await bot.press(XD1, review["message_id"], button(review, "confirm")))
    assert any("thay bản đã nộp trước" in t for t in again)
    async with bot.db.session() as session:
        xd = await session.scalar(select(Member.unit_id).where(Member.telegram_user_id == XD1))
        kept = await report_periods.history(session, semi, xd)
        assert [r.summary for r in kept] == ["Báo cáo sơ kết lần một của Xã Xuân Đường.", "Báo cáo sơ kết lần hai, đã sửa số liệu."]
        assert kept[0].replaced_by_id == kept[1].id and kept[1].replaced_by_id is None
        lb_report = await session.scalar(select(Report).where(Report.period_id == semi, Report.unit_id != xd))
        assert lb_report.figures == {"exemplars": 3} and lb_report.file_id is not None and lb_report.days_late == 0

    status = texts_of(await bot.say(LEADER, f"/status {cid}"))[-1]
    assert "Sơ kết 6 tháng đầu năm 2026 (hạn 15/06/2026, đã trễ 2 ngày)" in status
    assert "✅ Đúng hạn: 1 — Phường Long Bình" in status
    assert "⏰ Nộp trễ: 1 — Xã Xuân Đường (2 ngày)" in status
    due = texts_of(await bot.say(LB1, "/due"))[-1]
    assert f"#{semi} Sơ kết 6 tháng đầu năm 2026" in due and "đã nộp" in due


async def test_the_nudge_button_opens_the_report_for_its_period(people):
    bot = people
    cid = await launch(bot.db, ["LB"])
    async with bot.db.session() as session:
        await report_periods.ensure_proposed(session, await session.get(Campaign, cid), Settings())
        await report_periods.confirm(session, cid, Settings())
    semi = await period_id(bot.db, cid, "semiannual")
    clock.set_now(at(8, 6))
    msg_id = bot.sim.send_text(LB1, "/due")  # any message of the person's to hang the press on
    await bot.tracker.wait_processed(msg_id, timeout=10)
    last = bot.sim.messages(LB1)[-1]
    opened = texts_of(await bot.press(LB1, last["message_id"], f"rep:{semi}"))[-1]
    assert "Viết tóm tắt kết quả" in opened


async def test_status_tells_periods_not_open_yet_open_and_past_due_apart(people):
    bot = people
    cid = await launch(bot.db, ["LB", "XD"])
    async with bot.db.session() as session:
        await report_periods.ensure_proposed(session, await session.get(Campaign, cid), Settings())
        await report_periods.confirm(session, cid, Settings())
    semi = await period_id(bot.db, cid, "semiannual")
    clock.set_now(at(10, 6))
    async with bot.db.session() as session:
        lb = await session.scalar(select(Member.unit_id).where(Member.telegram_user_id == LB1))
        await report_periods.submit_report(session, semi, lb, None, "Đã triển khai chuyển đổi số ở 12 khu phố.")

    # 10/06: the sơ kết is open and not yet due; the tổng kết năm and the final report are to come.
    status = texts_of(await bot.say(LEADER, f"/status {cid}"))[-1]
    blocks = status.split("\n\n")
    semi_block, annual_block, final_block = blocks[1], blocks[2], blocks[3]
    assert semi_block.splitlines() == [
        "Sơ kết 6 tháng đầu năm 2026 (hạn 15/06/2026, còn 5 ngày)",
        "✅ Đúng hạn: 1 — Phường Long Bình",
        "📝 Đang mở, chưa nộp: 1 — Xã Xuân Đường",
    ]
    assert annual_block.splitlines() == [
        "Tổng kết năm 2026",
        "⏳ Sắp tới — mở nhận báo cáo từ 05/11/2026, hạn 05/12/2026 (2 đơn vị phải nộp).",
    ]
    assert final_block.startswith("Tổng kết đợt thi đua\n⏳ Sắp tới — mở nhận báo cáo từ 16/12/2026, hạn 15/01/2027")
    assert "Chưa nộp" not in status and "quá hạn" not in status

    # 16/06: the sơ kết has passed its due date; only now is Xuân Đường missing.
    clock.set_now(at(16, 6))
    status = texts_of(await bot.say(LEADER, f"/status {cid}"))[-1]
    assert status.split("\n\n")[1].splitlines() == [
        "Sơ kết 6 tháng đầu năm 2026 (hạn 15/06/2026, đã trễ 1 ngày)",
        "✅ Đúng hạn: 1 — Phường Long Bình",
        "⏰ Nộp trễ: 0",
        "❌ Chưa nộp (quá hạn): 1 — Xã Xuân Đường",
    ]
    assert "⏳ Sắp tới — mở nhận báo cáo từ 05/11/2026, hạn 05/12/2026" in status


# --- services ------------------------------------------------------------------------------------


def campaign(cadence: str | None, start: date | None = date(2026, 1, 1), end: date | None = date(2026, 12, 31)) -> Campaign:
    return Campaign(title="x", reporting_cadence=cadence, period_start=start, period_end=end,
                    launched_at=datetime(2026, 1, 5, tzinfo=VN))


def test_six_monthly_rule_proposes_so_ket_and_tong_ket_then_the_final_report():
    got = [(p.kind, p.due_on) for p in report_periods.propose(campaign("6-monthly"), ReportSettings(), date(2026, 1, 5))]
    assert got == [("semiannual", date(2026, 6, 15)), ("annual", date(2026, 12, 5)), ("final", date(2027, 1, 15))]


def test_quarterly_rule_uses_the_configured_day_and_an_open_ended_campaign_gets_this_year():
    got = report_periods.propose(campaign("quarterly", end=None), ReportSettings(quarterly_due_day=25), date(2026, 1, 5))
    assert [p.due_on for p in got] == [date(2026, 3, 25), date(2026, 6, 25), date(2026, 9, 25), date(2026, 12, 25)]
    assert [p.label for p in got][0] == "Quý 1/2026"


def test_no_rule_and_no_end_proposes_nothing():
    assert report_periods.propose(campaign(None, end=None), ReportSettings(), date(2026, 1, 5)) == []


def test_days_late_counts_local_days():
    assert report_periods.days_late(date(2026, 6, 15), datetime(2026, 6, 15, 23, 0, tzinfo=VN)) == 0
    assert report_periods.days_late(date(2026, 6, 15), datetime(2026, 6, 17, 0, 30, tzinfo=VN)) == 2


def test_config_reads_report_and_nudge_policies_and_names_a_wrong_key(tmp_path):
    from bot.config import ConfigError, load_settings

    good = tmp_path / "good.toml"
    good.write_text('[reports]\nsemiannual_due = "20/06"\n\n[nudges]\nbefore_days = [5, 2]\nat = "09:15"\n', encoding="utf-8")
    settings = load_settings(good, env={})
    assert settings.reports.semiannual_due == (20, 6) and settings.reports.annual_due == (5, 12)
    assert settings.nudges.before_days == (5, 2) and settings.nudges.at.hour == 9
    for body, key in (('[reports]\nannual_due = "31/11"\n', "reports.annual_due"),
                      ('[nudges]\nbefore_days = [0]\n', "nudges.before_days"),
                      ('[nudges]\nafter_every_days = "2"\n', "nudges.after_every_days")):
        bad = tmp_path / "bad.toml"
        bad.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigError) as raised:
            load_settings(bad, env={})
        assert raised.value.key == key


async def test_the_report_picker_names_periods_by_the_id_due_shows_not_by_place(people):
    """Issue 18: /due showed #1, #5 while the /report picker numbered the same periods 1, 2 and
    `/report 2` meant id 2; now the picker shows and takes the id (#5) as /due and the nudges do."""
    bot = people
    cid = await launch(bot.db, ["LB", "XD"])
    async with bot.db.session() as session:
        await report_periods.ensure_proposed(session, await session.get(Campaign, cid), Settings())
        await report_periods.confirm(session, cid, Settings())
        extra = await report_periods.add_one_off(session, cid, "Báo cáo chuyên đề chuyển đổi số", date(2026, 7, 10),
                                                 Settings())
        extra_id = extra.id
    semi = await period_id(bot.db, cid, "semiannual")
    clock.set_now(at(20, 6))  # the sơ kết overdue, the one-off open: two to choose from
    due = texts_of(await bot.say(LB1, "/due"))[-1]
    assert f"• #{semi} Sơ kết 6 tháng đầu năm 2026" in due and f"• #{extra_id} Báo cáo chuyên đề" in due

    picker = (await bot.say(LB1, "/report"))[-1]
    assert f"#{semi} Sơ kết 6 tháng đầu năm 2026" in picker["text"] and f"#{extra_id} Báo cáo chuyên đề" in picker["text"]
    assert f"gõ số sau dấu # (ví dụ: {semi})" in picker["text"]
    labels = [row[0]["text"] for row in picker["reply_markup"]["inline_keyboard"][:2]]
    assert labels[0].startswith(f"#{semi} ") and labels[1].startswith(f"#{extra_id} ")
    wrong = texts_of(await bot.say(LB1, "999"))[-1]
    assert f"Hãy bấm một nút hoặc gõ một số sau dấu # trong danh sách (ví dụ: {semi})." in wrong
    chosen = texts_of(await bot.say(LB1, f"#{extra_id}"))[-1]
    assert "Viết tóm tắt kết quả" in chosen
    async with bot.db.session() as session:
        draft = await session.scalar(select(FormDraft).join(Member, Member.id == FormDraft.member_id)
                                     .where(Member.telegram_user_id == LB1))
        assert draft.answers["period"] == str(extra_id)
