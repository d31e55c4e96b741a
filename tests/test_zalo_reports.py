"""Report periods, reports, status, digests and exports typed on Zalo: the same dialogues as on
Telegram (bot/core/reports.py, bot/core/digests.py), their actions as words to type, the chart by
sendPhoto and the files as signed links that download the real XLSX and DOCX."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp
import docx
import openpyxl
import pytest
from sqlalchemy import select

from bot import clock
from bot.core import commands
from storage.models import DigestSubscription, Member, Report, ReportPeriod
from tests.conftest import make_invite, make_settings, texts_of
from tests.test_reports import launch
from tests.test_zalo_channel import ZaloHarness, zalo_settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN, OFFICER, LEADER = "8810000000000001", "8810000000000002", "8810000000000003"
URL = re.compile(r"https?://\S+")


@pytest.fixture
async def zbot(seeded, zalo, db_url, sim) -> AsyncIterator[ZaloHarness]:
    """The Zalo channel, replying a little below the simulator's 10 messages a second: these tests
    type faster than anyone does, and are about what is answered, not about the sending budget."""
    harness = ZaloHarness(zalo, seeded, zalo_settings(make_settings(db_url, sim), zalo, rate_per_second=8))
    await harness.channel.start()
    yield harness
    await harness.channel.stop()


def at(day: int, month: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=VN)


async def join(z, user: str, unit: str, role: str) -> None:
    welcome = (await z.join(user, await make_invite(z.db, unit, role)))[0]
    assert "Chào mừng" in welcome


def only(answers: list[str]) -> str:
    assert len(answers) == 1, answers
    return answers[0]


def typed_only(answers: list[str]) -> None:
    """Nothing a Zalo person reads names a slash command or says to use the other channel."""
    for text in answers:
        assert not re.search(r"(?<![\w/:])/[a-z_]+", text), text
        assert "Telegram" not in text and "Bấm" not in text, text


async def download(url: str) -> bytes:
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 200
            return await response.read()


async def periods_of(z, campaign_id: int) -> list[ReportPeriod]:
    async with z.db.session() as session:
        return list(await session.scalars(select(ReportPeriod).where(ReportPeriod.campaign_id == campaign_id)
                                          .order_by(ReportPeriod.due_on)))


async def test_an_admin_sets_the_periods_by_typing_with_wrong_arguments_answered(zbot):
    z = zbot
    clock.set_now(at(1, 5))
    await join(z, ADMIN, "SNV", "admin")
    await join(z, OFFICER, "LB", "officer")
    cid = await launch(z.db, ["LB", "XD"])

    usage = only(await z.say(ADMIN, "kỳ báo cáo"))  # the number missing
    assert usage.startswith("Cách dùng: “kỳ báo cáo <số phong trào>”") and "“kỳ báo cáo 3 sửa #7 20/06/2026” — đổi hạn kỳ #7" in usage
    assert only(await z.say(ADMIN, "kỳ báo cáo 999")) == "Không có phong trào #999."

    shown = only(await z.say(ADMIN, f"kỳ báo cáo {cid}"))
    semi = (await periods_of(z, cid))[0].id
    assert f"#{semi} Sơ kết 6 tháng đầu năm 2026 (sơ kết 6 tháng): mở 16/05/2026, hạn 15/06/2026 — dự kiến, chưa xác nhận" in shown
    assert f"Đổi hạn: “kỳ báo cáo {cid} sửa #{semi} <ngày/tháng/năm>”" in shown
    assert shown.endswith(f"👉 ✅ Xác nhận các kỳ: gõ “xác nhận kỳ {cid}”")

    edited = only(await z.say(ADMIN, f"kỳ báo cáo {cid} sửa #{semi} 30/06/2026"))
    # The opening moves with the due date (30 days before it).
    assert f"#{semi} Sơ kết 6 tháng đầu năm 2026 (sơ kết 6 tháng): mở 31/05/2026, hạn 30/06/2026 — dự kiến, chưa xác nhận" in edited
    assert "không có thật" in only(await z.say(ADMIN, f"kỳ báo cáo {cid} sửa {semi} 31/06/2026"))
    assert "Không hiểu ngày “mai”" in only(await z.say(ADMIN, f"kỳ báo cáo {cid} sửa {semi} mai"))
    unknown = only(await z.say(ADMIN, f"kỳ báo cáo {cid} sua 99 30/06/2026"))
    assert unknown.startswith(f"Phong trào #{cid} không có kỳ báo cáo “99”. Các kỳ của phong trào: #{semi}, ")
    assert unknown.endswith(f"(xem bằng “kỳ báo cáo {cid}”).")
    label = only(await z.say(ADMIN, f"kỳ báo cáo {cid} thêm 30/09/2026"))
    assert label == f"Hãy ghi tên kỳ sau ngày hạn, ví dụ: “kỳ báo cáo {cid} thêm 30/09/2026 Báo cáo chuyên đề”."
    assert "Cách dùng" in only(await z.say(ADMIN, f"kỳ báo cáo {cid} đổi 1"))  # an unknown verb
    assert [p.due_on.isoformat() for p in await periods_of(z, cid)][0] == "2026-06-30"  # only the good edit
    assert all(p.confirmed_at is None for p in await periods_of(z, cid))

    assert "“xác nhận kỳ <số phong trào>”" in only(await z.say(ADMIN, "xác nhận kỳ"))
    assert only(await z.say(ADMIN, "xác nhận kỳ 999")) == "Không có phong trào #999."
    assert "dành cho quản trị" in only(await z.say(OFFICER, f"xác nhận kỳ {cid}"))
    assert "Đã xác nhận 3 kỳ báo cáo" in only(await z.say(ADMIN, f"xác nhận kỳ {cid}"))
    assert all(p.confirmed_at is not None for p in await periods_of(z, cid))
    assert only(await z.say(ADMIN, f"xác nhận kỳ {cid}")) == "Các kỳ báo cáo này đã được xác nhận trước đó."
    confirmed = only(await z.say(ADMIN, f"kỳ báo cáo {cid}"))
    assert "👉" not in confirmed and "Đổi hạn" not in confirmed  # nothing left to confirm

    # A campaign whose periods were never shown: "xác nhận kỳ" shows them first, confirms nothing.
    other = await launch(z.db, ["LB"], title="Phong trào thi đua dân vận khéo năm 2026")
    first = only(await z.say(ADMIN, f"xác nhận kỳ {other}"))
    assert "— dự kiến, chưa xác nhận" in first and first.endswith(f"gõ “xác nhận kỳ {other}”")
    assert all(p.confirmed_at is None for p in await periods_of(z, other))

    added = only(await z.say(ADMIN, f"kỳ báo cáo {cid} thêm 30/05/2026 Báo cáo chuyên đề chuyển đổi số"))
    assert "Báo cáo chuyên đề chuyển đổi số (đột xuất): mở 01/05/2026, hạn 30/05/2026 — đã xác nhận" in added
    assert "dành cho quản trị" in only(await z.say(OFFICER, f"kỳ báo cáo {cid}"))
    typed_only([usage, shown, edited, label, confirmed, first, added])


async def test_an_officer_and_a_leader_follow_the_reports_on_zalo(zbot):
    z = zbot
    clock.set_now(at(1, 5))
    for user, unit, role in ((ADMIN, "SNV", "admin"), (OFFICER, "LB", "officer"), (LEADER, "DN", "leader")):
        await join(z, user, unit, role)
    cid = await launch(z.db, ["LB", "XD"])
    bare = await launch(z.db, ["LB"], title="Phong trào thi đua dân vận khéo năm 2026")
    await z.say(ADMIN, f"kỳ báo cáo {cid}")
    await z.say(ADMIN, f"xác nhận kỳ {cid}")
    semi = (await periods_of(z, cid))[0].id
    seen: list[str] = []

    # The officer: the open periods, then the report typed.
    clock.set_now(at(10, 6))
    due = only(await z.say(OFFICER, "hạn báo cáo"))
    assert due.startswith("Các kỳ báo cáo đang mở của Phường Long Bình:")
    assert f"• #{semi} Sơ kết 6 tháng đầu năm 2026" in due and "chưa nộp, còn 5 ngày" in due
    assert due.endswith(f"Gửi báo cáo: “báo cáo <số kỳ>” (ví dụ “báo cáo {semi}”).")
    unknown = only(await z.say(OFFICER, "báo cáo 9999"))
    assert unknown == "⚠️ Không có kỳ báo cáo #9999. Gõ “báo cáo” để chọn trong danh sách kỳ đang mở."
    opened = only(await z.say(OFFICER, f"báo cáo {semi}"))
    assert "Kỳ báo cáo: Sơ kết 6 tháng đầu năm 2026" in opened and "Viết tóm tắt kết quả" in opened
    await z.say(OFFICER, "Đơn vị đã tổ chức 12 hội nghị, phát hiện 3 điển hình tiên tiến.")
    await z.say(OFFICER, "3")
    await z.say(OFFICER, "bỏ qua")
    assert "Kiểm tra lại" in only(await z.say(OFFICER, "bỏ qua"))
    sent = await z.say(OFFICER, "gửi")
    assert any("📨 Đã nhận báo cáo Sơ kết 6 tháng đầu năm 2026." in t for t in sent), sent
    assert "đã nộp" in only(await z.say(OFFICER, "hạn báo cáo"))
    async with z.db.session() as session:
        report = await session.scalar(select(Report))
        assert (report.period_id, report.figures, report.days_late) == (semi, {"exemplars": 3}, 0)
    for command in ("tình hình 1", "bản tin", "xuất 1", "báo cáo tổng hợp 1 1", "cài đặt bản tin"):
        assert "dành cho quản trị, lãnh đạo" in only(await z.say(OFFICER, command)), command
    seen += [due, unknown, opened]

    # The leader: status per period, with the wrong arguments answered.
    usage = only(await z.say(LEADER, "tình hình"))
    assert usage == "Cách dùng: “tình hình <số phong trào>”, ví dụ “tình hình 3”."
    assert only(await z.say(LEADER, "tình hình 999")) == "Không có phong trào #999."
    none = only(await z.say(LEADER, f"tình hình {bare}"))
    assert none == (f"Phong trào #{bare} chưa có kỳ báo cáo đã xác nhận. "
                    f"Quản trị xem và xác nhận các kỳ bằng “kỳ báo cáo {bare}”.")
    status = only(await z.say(LEADER, f"tình hình {cid}"))
    assert "Sơ kết 6 tháng đầu năm 2026 (hạn 15/06/2026, còn 5 ngày)" in status
    assert "✅ Đúng hạn: 1 — Phường Long Bình" in status and "📝 Đang mở, chưa nộp: 1 — Xã Xuân Đường" in status
    seen += [usage, none, status]

    # The digest: its text, then the chart by sendPhoto from a signed link Zalo could fetch.
    before = len(z.sim.messages(LEADER))
    digest, caption = await z.say(LEADER, "bản tin")
    assert digest.startswith("📊 BẢN TIN THI ĐUA 10/06/2026") and "“tình hình <số phong trào>”" in digest
    text, photo = z.sim.messages(LEADER)[before:]
    assert (text["method"], photo["method"]) == ("sendMessage", "sendPhoto")
    assert photo["fetched_status"] == 200 and photo["fetched_bytes"].startswith(b"\x89PNG")
    assert caption == photo["caption"] and "Biểu đồ kèm bản tin thi đua 10/06/2026" in caption
    seen.append(digest)

    # The XLSX and the DOCX as signed links to the real files.
    export_usage = only(await z.say(LEADER, "xuất"))
    assert export_usage.startswith("Cách dùng: “xuất excel <số phong trào>”")
    missing = only(await z.say(LEADER, "xuất 999"))
    assert missing == "Không có phong trào #999. Danh sách phong trào: “các phong trào”"
    xlsx = only(await z.say(LEADER, f"xuất {cid}"))
    assert xlsx.startswith(f"📎 📊 Tổng hợp phong trào #{cid}: điển hình, báo cáo, xác nhận")
    book = openpyxl.load_workbook(io.BytesIO(await download(URL.search(xlsx).group(0))))
    assert book.sheetnames == ["Điển hình", "Báo cáo", "Xác nhận"]
    rows = list(book["Báo cáo"].iter_rows(values_only=True))
    assert any(row[1] == "Phường Long Bình" and row[3] == "Sơ kết 6 tháng đầu năm 2026" and row[5] == "Đúng hạn"
               for row in rows), rows

    docx_usage = only(await z.say(LEADER, "báo cáo tổng hợp"))
    assert docx_usage == ("Cách dùng: “báo cáo tổng hợp <số phong trào> <số kỳ>”, ví dụ “báo cáo tổng hợp 1 #2” "
                          "(số kỳ xem bằng “báo cáo tổng hợp <số phong trào>”).")
    listing = only(await z.say(LEADER, f"báo cáo tổng hợp {cid}"))
    semi = (await periods_of(z, cid))[0].id
    assert f"gõ “báo cáo tổng hợp {cid} <số kỳ>” (số sau dấu #)" in listing
    assert f"#{semi} Sơ kết 6 tháng đầu năm 2026" in listing
    assert "không có kỳ “77”" in only(await z.say(LEADER, f"báo cáo tổng hợp {cid} 77"))
    paper = only(await z.say(LEADER, f"báo cáo tổng hợp {cid} #{semi}"))
    assert paper.startswith("📎 📄 Dự thảo báo cáo tổng hợp Sơ kết 6 tháng đầu năm 2026")
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(await download(URL.search(paper).group(0)))).paragraphs)
    assert "Sơ kết 6 tháng đầu năm 2026" in body
    seen += [export_usage, missing, xlsx, docx_usage, listing, paper]

    # The digest's schedule: shown with the three choices as words, set by typing, a wrong word answered.
    settings = only(await z.say(LEADER, "cài đặt bản tin"))
    assert settings.startswith("Bản tin thi đua của bạn: hằng tuần, bản tiếp theo lúc 07:30 thứ Hai 15/06/2026.")
    assert settings.endswith("👉 Hằng ngày: gõ “cài đặt bản tin ngày”\n👉 ✅ Hằng tuần: gõ “cài đặt bản tin tuần”\n"
                             "👉 Tắt: gõ “cài đặt bản tin tắt”")
    assert only(await z.say(LEADER, "cài đặt bản tin hằng ngày")).startswith("✅ Đã đặt bản tin thi đua: hằng ngày")
    weekly = only(await z.say(LEADER, "cài đặt bản tin tuần"))
    assert weekly == "✅ Đã đặt bản tin thi đua: hằng tuần, bản tiếp theo lúc 07:30 thứ Hai 15/06/2026."
    bad = only(await z.say(LEADER, "cài đặt bản tin hằng giờ"))
    assert bad == "Không hiểu “hằng giờ”. Gõ “cài đặt bản tin ngày”, “cài đặt bản tin tuần” hoặc “cài đặt bản tin tắt”."
    async with z.db.session() as session:
        sub = await session.scalar(select(DigestSubscription).join(Member).where(Member.zalo_user_id == LEADER))
        assert sub.frequency == "weekly"
    seen += [settings, weekly, bad]
    typed_only(seen)


def test_the_words_alone_of_a_command_that_needs_a_number_run_it_and_others_stay_answers():
    assert commands.parse("tình hình") == ("status", [])
    assert commands.parse("báo cáo tổng hợp") == ("report_docx", [])
    assert commands.parse("xuất") == ("export", [])
    assert commands.parse("cài đặt bản tin hằng ngày") == ("digest_settings", ["hằng", "ngày"])
    assert commands.parse("kỳ báo cáo 3 sửa 1 30/06/2026") == ("periods", ["3", "sửa", "1", "30/06/2026"])
    assert commands.parse("báo cáo tổng hợp 3 1") == ("report_docx", ["3", "1"])
    # Words that only start like a command stay a form's answer.
    assert commands.parse("tình hình đơn vị rất tốt") == (None, [])
    assert commands.parse("báo cáo tốt") == (None, [])


async def test_an_officer_on_zalo_is_told_a_period_opened_with_what_to_type(zbot):
    z = zbot
    clock.set_now(at(1, 5))
    await join(z, ADMIN, "SNV", "admin")
    await join(z, OFFICER, "LB", "officer")
    cid = await launch(z.db, ["LB"])
    await z.say(ADMIN, f"kỳ báo cáo {cid}")
    assert "Đã xác nhận 3 kỳ báo cáo" in only(await z.say(ADMIN, f"xác nhận kỳ {cid}"))
    semi = (await periods_of(z, cid))[0].id
    await z.tick(at(16, 5))
    opened = [t for t in texts_of(z.new(OFFICER)) if "Đã mở kỳ báo cáo" in t]
    assert opened == [
        "📬 Đã mở kỳ báo cáo: Sơ kết 6 tháng đầu năm 2026\n"
        "Phong trào: Phong trào thi đua chuyển đổi số năm 2026\n"
        "Đơn vị: Phường Long Bình\n"
        "Hạn nộp: 15/06/2026 (còn 30 ngày).\n"
        f"Gõ “báo cáo {semi}” để gửi báo cáo kỳ này."
    ]
    typed_only(opened)
    await z.tick(at(18, 5))
    assert not [t for t in texts_of(z.new(OFFICER)) if "Đã mở kỳ báo cáo" in t]
    assert "Kỳ báo cáo: Sơ kết 6 tháng đầu năm 2026" in only(await z.say(OFFICER, f"báo cáo {semi}"))
