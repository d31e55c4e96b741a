"""The campaign dashboard in Chromium at 360×740, on both channels: an admin and a leader sign in
through the chat link, open the dashboard from /web, filter by kind of unit, by status and by
period and see exactly the right units in Vietnamese order; the XLSX and DOCX links download the
real files; an officer is refused everything, and sees nothing.

The campaign is devkit/sample_campaign.py's 12 units (i = 0…11, "<Kind> số i+1", kinds by i % 5:
xã, phường, cơ quan, trường, đoàn thể): the first 10 got the launch, the last 2 could not be
reached; 8 acknowledged (i < 8); the sơ kết (due 15/06/2026) reported by i < 8, late for i = 2
(Cơ quan số 3, 5 days) and i = 5 (Xã số 6, 3 days); the tổng kết (due 05/12/2026) not yet due on
30/11/2026. An officer of Xã số 11 joins through the chat and acknowledges there."""

from __future__ import annotations

import io
from datetime import datetime

import aiohttp
import docx
import openpyxl
from sqlalchemy import func, select

from bot import clock
from devkit.sample_campaign import seed
from storage.models import AuditEntry, StoredFile, WebSession
from tests.chats import chat  # noqa: F401 - the fixture, on both channels
from tests.conftest import make_invite
from tests.web import shot, signed_in

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=clock.LOCAL_TZ)
ALL_UNITS = ["Cơ quan số 3", "Cơ quan số 8", "Đoàn thể số 5", "Đoàn thể số 10", "Phường số 2", "Phường số 7",
             "Phường số 12", "Trường số 4", "Trường số 9", "Xã số 1", "Xã số 6", "Xã số 11"]
SO_KET = "Sơ kết 6 tháng đầu năm 2026"


async def _office(chat) -> int:  # noqa: ANN001 - a tests.chats.Chat
    clock.set_now(NOW)
    assert "Chào mừng" in (await chat.join("admin", await make_invite(chat.db, "SNV", "admin")))[0]
    assert "Chào mừng" in (await chat.join("leader", await make_invite(chat.db, "DN", "leader")))[0]
    async with chat.db.session() as session:
        sample = await seed(session, units=12, nominations=20, reports=8, with_heads=False, delivered=10)
    assert "Chào mừng" in (await chat.join("officer", await make_invite(chat.db, "S00010", "officer")))[0]
    cid = sample.campaign_id
    # A late joiner gets the unit's launch again (its first one failed): Xã số 11 is now reached.
    await chat.tick(clock.now())
    await chat.wait_for("officer", "PHÁT ĐỘNG")
    acked = await chat.say("officer", f"/ack {cid}" if chat.channel == "telegram" else f"đã nhận {cid}")
    assert "Đã ghi nhận: Xã số 11" in acked[0], acked
    return cid


async def _units(page) -> list[str]:  # noqa: ANN001 - a playwright Page
    """The unit names of the table's rows, top to bottom (the first line of the first cell)."""
    cells = await page.locator("table.dashboard tbody tr td:first-child").all_inner_texts()
    return [c.split("\n")[0].strip() for c in cells]


async def _filter(page, kind: str = "", status: str = "", period: str = "") -> None:  # noqa: ANN001
    await page.select_option("#kind", kind)
    await page.select_option("#status", status)
    await page.select_option("#period", period)
    await page.click("text=Lọc")
    await page.wait_for_load_state()


async def _open_dashboard(page, cid: int) -> None:  # noqa: ANN001
    """From /web, as a person would: the menu link, then the campaign."""
    await page.click("text=Theo dõi phong trào")
    assert page.url.endswith("/web/campaigns")
    await page.click(f"text=#{cid} Phong trào thi đua")
    assert page.url.endswith(f"/web/campaigns/{cid}")


async def test_an_admin_filters_by_kind_status_and_period_and_sees_the_right_units(chat, browser):  # noqa: F811
    cid = await _office(chat)
    page = await signed_in(browser, chat, "admin")
    await _open_dashboard(page, cid)
    assert await _units(page) == ALL_UNITS  # Vietnamese order: Đ after D/C, "số 3" before "số 12"
    summary = await page.inner_text("#summary")
    assert summary == ("Hiển thị 12/12 đơn vị · đã nhận phát động 11 · đã xác nhận 9 · "
                       "đề xuất 20 (4 chờ duyệt, 8 đã duyệt, 4 trả lại, 4 không duyệt)")
    periods = await page.inner_text("ul.periods")
    assert f"{SO_KET} (hạn 15/06/2026): đúng hạn 6, trễ 2, chưa nộp 4, chưa đến hạn 0" in periods
    # Not yet due is not missing.
    assert "Tổng kết năm 2026 (hạn 05/12/2026): đúng hạn 0, trễ 0, chưa nộp 0, chưa đến hạn 12" in periods
    row = page.locator("table.dashboard tbody tr", has_text="Xã số 6")
    assert (await row.locator("td").all_inner_texts())[1:] == [
        "Đã nhận", "02/03/2026", "2\n1 chờ duyệt, 1 trả lại", "Trễ 3 ngày", "Chưa đến hạn"]
    on_time = page.locator("table.dashboard tbody tr", has_text="S00000")  # Xã số 1
    assert (await on_time.locator("td").all_inner_texts())[4:] == ["Đúng hạn", "Chưa đến hạn"]
    await shot(page, f"dashboard-admin-{chat.channel}")

    await _filter(page, kind="xã")
    assert await _units(page) == ["Xã số 1", "Xã số 6", "Xã số 11"]
    assert (await page.inner_text("#summary")).startswith("Hiển thị 3/12 đơn vị")
    assert "kind=x%C3%A3" in page.url  # a plain GET form: the view can be bookmarked and shared

    await _filter(page, status="unacknowledged")  # Xã số 11 acknowledged in the chat a moment ago
    assert await _units(page) == ["Đoàn thể số 10", "Phường số 12", "Trường số 9"]
    await _filter(page, status="undelivered")
    assert await _units(page) == ["Phường số 12"]
    assert await page.locator("table.dashboard tbody tr", has_text="Phường số 12").locator("td").nth(1).inner_text() \
        == "Không gửi được"

    await _filter(page, status="late", period=SO_KET)
    assert await _units(page) == ["Cơ quan số 3", "Xã số 6"]
    assert await page.locator("table.dashboard thead th").all_inner_texts() == [
        "Đơn vị", "Phát động", "Xác nhận", "Đề xuất", SO_KET]
    assert [c.strip() for c in await page.locator("table.dashboard tbody td:last-child").all_inner_texts()] == [
        "Trễ 5 ngày", "Trễ 3 ngày"]

    await _filter(page, status="on_time", period=SO_KET)
    assert await _units(page) == ["Cơ quan số 8", "Đoàn thể số 5", "Phường số 2", "Phường số 7", "Trường số 4",
                                  "Xã số 1"]
    await _filter(page, status="upcoming")  # the tổng kết, of every unit
    assert await _units(page) == ALL_UNITS
    await _filter(page, kind="xã", status="missing")
    assert await _units(page) == ["Xã số 11"]
    assert (await page.locator("table.dashboard tbody td").all_inner_texts())[4:] == ["Chưa nộp", "Chưa đến hạn"]
    await _filter(page, status="missing")  # the tổng kết is not due yet: only the sơ kết's missing
    assert await _units(page) == ["Đoàn thể số 10", "Phường số 12", "Trường số 9", "Xã số 11"]
    await shot(page, f"dashboard-missing-{chat.channel}")
    await _filter(page, kind="trường", status="no_nominations")
    assert await _units(page) == []
    assert "Không có đơn vị nào khớp bộ lọc." in await page.inner_text("main")

    # Filters the page does not offer are ignored, not errors; an unknown campaign is a 404.
    base = page.url.split("/web/")[0]
    assert (await page.goto(f"{base}/web/campaigns/{cid}?kind=<b>x</b>&status=drop&period=99999")).status == 200
    assert await _units(page) == ALL_UNITS
    response = await page.goto(f"{base}/web/campaigns/{cid + 1000}")
    assert response.status == 404 and f"Không có phong trào #{cid + 1000}" in await page.inner_text("main")


async def test_a_leader_downloads_the_xlsx_and_the_docx_and_sees_the_chart(chat, browser):  # noqa: F811
    cid = await _office(chat)
    async with chat.db.session() as session:
        files_before = await session.scalar(select(func.count()).select_from(StoredFile))
    page = await signed_in(browser, chat, "leader")
    await _open_dashboard(page, cid)
    await _filter(page, kind="phường")
    assert await _units(page) == ["Phường số 2", "Phường số 7", "Phường số 12"]

    async with page.expect_download() as xlsx_download:
        await page.click("text=Tổng hợp (XLSX)")
    download = await xlsx_download.value
    assert download.suggested_filename.startswith(f"phong-trao-{cid}-tong-hop-") and \
        download.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO((await download.path()).read_bytes()))
    acks = [row[2] for row in workbook["Xác nhận"].iter_rows(min_row=8, values_only=True)]
    assert acks == ALL_UNITS  # the same order as the page's

    async with page.expect_download() as docx_download:
        await page.click(f"text=Dự thảo báo cáo tổng hợp (DOCX) — {SO_KET}")
    download = await docx_download.value
    assert download.suggested_filename.startswith(f"bao-cao-tong-hop-phong-trao-{cid}-ky-")
    paragraphs = [p.text for p in docx.Document(io.BytesIO((await download.path()).read_bytes())).paragraphs]
    assert "BÁO CÁO" in paragraphs and "- Xã số 6 (trễ 3 ngày)" in paragraphs

    # The chart: the digest's, drawn for this campaign, shown in the page.
    chart = page.locator("img.chart")
    await chart.scroll_into_view_if_needed()
    await page.wait_for_function("document.querySelector('img.chart').complete")
    assert await chart.evaluate("img => img.naturalWidth") == 1100
    fetched = await page.request.get(f"{page.url.split('?')[0]}/chart.png")
    assert fetched.status == 200 and fetched.headers["content-type"] == "image/png"
    assert (await fetched.body()).startswith(b"\x89PNG")
    await shot(page, f"dashboard-leader-{chat.channel}")
    async with chat.db.session() as session:  # the web's files are made for the download, not stored
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == files_before


async def test_an_officer_is_refused_the_dashboard_and_its_files_and_sees_nothing(chat, browser):  # noqa: F811
    cid = await _office(chat)
    page = await signed_in(browser, chat, "officer")
    async with chat.db.session() as session:  # signing in is recorded; nothing after it may be
        before = [await session.scalar(select(func.count()).select_from(model))
                  for model in (StoredFile, AuditEntry, WebSession)]
    assert "Theo dõi phong trào" not in await page.inner_text("main")  # not offered on /web
    base = page.url.split("/web")[0]
    for path in ("/web/campaigns", f"/web/campaigns/{cid}", f"/web/campaigns/{cid}?status=missing",
                 f"/web/campaigns/{cid}/chart.png", f"/web/campaigns/{cid}/xlsx", f"/web/campaigns/{cid}/docx/1"):
        response = await page.goto(base + path)
        assert response.status == 403, path
        shown = await page.inner_text("main")  # the header names the officer's own unit
        assert "Trang này không dành cho vai trò của bạn." in shown, path
        assert not any(name in shown for name in ALL_UNITS) and "Phong trào thi đua" not in shown, path
    await shot(page, f"dashboard-refused-{chat.channel}")
    async with chat.db.session() as session:
        after = [await session.scalar(select(func.count()).select_from(model))
                 for model in (StoredFile, AuditEntry, WebSession)]
    assert after == before

    # Signed out (no cookie): 401 for the page and its files alike.
    async with aiohttp.ClientSession() as http:
        for path in (f"/web/campaigns/{cid}", f"/web/campaigns/{cid}/xlsx"):
            async with http.get(base + path) as r:
                assert r.status == 401 and "Xã số" not in await r.text(), path

