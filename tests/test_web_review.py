"""The review queue on the web (/web/review, /web/nominations/N), on both channels, in Chromium at
360×740: officers nominate with a photo in chat, the office reviews in the browser with the photo
beside the text, the unit hears of each decision in its chat; every way in that must be refused
changes nothing."""

from __future__ import annotations

import struct
import zlib

from playwright.async_api import Page
from sqlalchemy import func, select

from storage.models import Nomination, NominationEvent, OutboxMessage
from tests.chats import chat  # noqa: F401 - the fixture, on both channels
from tests.conftest import make_invite
from tests.test_nominations import launch
from tests.test_zalo_channel import SUMMARY, at
from tests.web import phone, shot, signed_in

REASON = "Trích ngang chưa nêu số liệu cụ thể năm 2026, đề nghị bổ sung."
NAMES = {1: "Nguyễn Văn An", 2: "Trần Thị Bình", 3: "Lê Hoàng Cường"}


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour, that a browser decodes (the chat tests' PNG is only a header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PHOTOS = {1: png(64, 48, (200, 30, 30)), 2: png(48, 64, (30, 120, 200)), 3: png(32, 32, (30, 160, 60))}


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# An SVG that would run script if shown from the bot's own origin, sent under a picture's name.
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>document.title="pwned"</script></svg>'


def joined(answers: list[str]) -> str:
    return "\n".join(answers)


async def _nominate(c, who: str, number: int) -> None:  # noqa: ANN001 - a tests.chats.Chat
    assert "tập thể hay cá nhân" in joined(await c.say(who, "/nominate"))
    for answer in ("2", NAMES[number], "Phó Chủ tịch UBND phường", "UBND phường", "5", SUMMARY):
        await c.say(who, answer)
    assert "minh chứng" in joined(await c.say(who, "2"))
    assert "Đã nhận tệp thứ 1" in joined(await c.photo(who, PHOTOS[number]))
    if number == 3:
        await _other_files(c, who)
    assert "Kiểm tra lại" in joined(await c.say(who, "xong"))
    assert f"Đã gửi đề xuất #{number}" in joined(await c.confirm(who))


async def _other_files(c, who: str) -> None:  # noqa: ANN001
    """Evidence that is not a picture: a PDF (a document on Telegram; on Zalo, which sends no
    documents, a “photo” whose link gives a PDF) and, on Telegram, an SVG named like a PNG."""
    if c.channel == "telegram":
        assert "Đã nhận tệp thứ 2" in joined(await c.send_file(who, "bao-cao.pdf", PDF, "application/pdf"))
        assert "Đã nhận tệp thứ 3" in joined(await c.send_file(who, "so-do.png", SVG, "image/svg+xml"))
        return
    c.h.new(c.user(who))
    await c.h.channel.conversation.wait_handled(c.h.sim.send_photo(c.user(who), c.h.sim.host_image(PDF, "bao-cao.pdf")))
    assert "Đã nhận tệp thứ 2" in joined([m.get("text") or "" for m in c.h.new(c.user(who))])


async def _office(c) -> None:  # noqa: ANN001
    """The admin, an officer of Long Bình (LB) and one of another unit (XD); one campaign open to
    both; LB nominates #1 and #2, XD #3, each with a photo."""
    for who, unit, role in (("admin", "SNV", "admin"), ("officer", "LB", "officer"), ("officer2", "XD", "officer")):
        assert "Chào mừng" in joined(await c.join(who, await make_invite(c.db, unit, role)))
    await launch(c)
    await c.tick(at(10, 5, 9, 1))
    await _nominate(c, "officer", 1)
    await _nominate(c, "officer", 2)
    await _nominate(c, "officer2", 3)


async def _status(c, number: int) -> tuple[str, list[str]]:  # noqa: ANN001
    async with c.db.session() as session:
        status = (await session.get(Nomination, number)).status
        events = (await session.scalars(select(NominationEvent.action).where(
            NominationEvent.nomination_id == number).order_by(NominationEvent.id))).all()
    return status, list(events)


async def _outbox_rows(c) -> int:  # noqa: ANN001
    async with c.db.session() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage))


async def _evidence_id(c, number: int) -> int:  # noqa: ANN001
    async with c.db.session() as session:
        return (await session.get(Nomination, number)).evidence_file_ids[0]


async def _csrf(page: Page) -> str:
    return await page.locator("input[name=csrf]").first.get_attribute("value")


async def _image_widths(page: Page) -> list[int]:
    await page.wait_for_function("() => [...document.images].every(i => i.complete)")
    return await page.eval_on_selector_all("figure.evidence img", "imgs => imgs.map(i => i.naturalWidth)")


async def test_the_office_reviews_with_the_photos_in_the_page_and_each_unit_hears_of_it_in_chat(chat, browser):  # noqa: F811
    c = chat
    await _office(c)
    page = await signed_in(browser, c, "admin")
    await page.click("text=Xét duyệt đề xuất")
    assert page.url.endswith("/web/review")
    main = await page.inner_text("main")
    assert "Đang chờ duyệt: 3 đề xuất (cũ nhất trước)." in main
    items = await page.locator("article.queue-item").all_inner_texts()
    assert [x.split("\n")[0] for x in items] == [f"#{n} — {NAMES[n]}" for n in (1, 2, 3)]  # the chat's order
    for fact in ("Phường Long Bình", "Cải cách hành chính, chuyển đổi số", "Cá nhân", "Bằng khen", "09:01 10/05/2026", "1 tệp"):
        assert fact in items[0], items[0]
    await shot(page, f"review-queue-{c.channel}")

    # One nomination in full: the chat's description, its photo in the page, its history.
    await page.click("text=#1 — Nguyễn Văn An")
    assert page.url.endswith("/web/nominations/1")
    main = await page.inner_text("main")
    for line in ("Đề xuất #1", "⏳ Chờ duyệt", "Họ và tên: Nguyễn Văn An", "Chức vụ: Phó Chủ tịch UBND phường",
                 "Hình thức khen thưởng đề nghị: Bằng khen", SUMMARY, "Đang chờ duyệt: 3 đề xuất"):
        assert line in main, line
    assert await page.inner_text("ol.history") == "09:01 10/05/2026 — gửi đề xuất"
    assert await _image_widths(page) == [64]
    src = await page.eval_on_selector("figure.evidence img", "i => i.src")  # absolute
    got = await page.context.request.get(src)
    assert got.status == 200 and await got.body() == PHOTOS[1]
    assert got.headers["content-disposition"].startswith("inline;") and got.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in got.headers["cache-control"]  # people's evidence: never kept by the browser
    await shot(page, f"review-nomination-{c.channel}")

    # Approved: the page moves on to the next one waiting; the officer is told in chat.
    before = c.count("officer")
    await page.click("button:has-text('✅ Duyệt')")
    await page.wait_for_url("**/web/nominations/2?done=1")
    assert "Đã duyệt đề xuất #1. Đơn vị được báo ngay." in await page.inner_text("main")
    assert await _status(c, 1) == ("approved", ["submitted", "approved"])
    await c.tick(at(10, 5, 9, 5))
    told = await c.wait_for("officer", "DUYỆT", since=before)
    assert "Đề xuất #1 (cá nhân Nguyễn Văn An" in told["text"]

    # Meanwhile #2 is approved in chat; the page's return of it is answered, and nothing is done twice.
    assert "Đã duyệt đề xuất #2" in joined(await c.say("admin", "/approve 2"))
    rows = await _outbox_rows(c)
    await page.fill("#return-reason", REASON)
    await page.click("button:has-text('↩️ Trả lại')")
    assert "Đề xuất #2 đã được xử lý trước đó (✅ Đã duyệt); không thay đổi gì." in await page.inner_text("main")
    assert await page.locator("form.decision").count() == 0
    assert await _status(c, 2) == ("approved", ["submitted", "approved"]) and await _outbox_rows(c) == rows

    # Returned with a reason: the last one, so the page goes back to the (now empty) queue.
    await page.goto(page.url.split("/web/")[0] + "/web/review")
    assert [x.split("\n")[0] for x in await page.locator("article.queue-item").all_inner_texts()] == ["#3 — Lê Hoàng Cường"]
    await page.click("text=Xem và xét duyệt")
    assert await _image_widths(page) == [32]  # the PDF and the SVG are not pictures in the page
    others = await page.locator("ul.files a").all()
    names = [await a.inner_text() for a in others]
    assert names == (["bao-cao.pdf", "so-do.png"] if c.channel == "telegram" else ["bao-cao.pdf"]), names
    for a, content in zip(others, (PDF, SVG)):
        got = await page.context.request.get(await a.evaluate("a => a.href"))
        assert got.status == 200 and await got.body() == content
        assert got.headers["content-disposition"].startswith("attachment;"), got.headers
        assert got.headers["x-content-type-options"] == "nosniff"
    before = c.count("officer2")
    await page.fill("#return-reason", REASON)
    await page.click("button:has-text('↩️ Trả lại')")
    await page.wait_for_url("**/web/review?done=3")
    main = await page.inner_text("main")
    assert "Đã trả lại đề xuất #3 kèm lý do." in main and "Không còn đề xuất nào chờ duyệt" in main
    assert await _status(c, 3) == ("returned", ["submitted", "returned"])
    await c.tick(at(10, 5, 9, 10))
    told = await c.wait_for("officer2", "TRẢ LẠI", since=before)
    assert f"Lý do: {REASON}" in told["text"]
    await shot(page, f"review-done-{c.channel}")

    # Its history now says so, with the reason; nothing is left to decide on it.
    await page.goto(page.url.split("/web/")[0] + "/web/nominations/3")
    history = await page.inner_text("ol.history")
    assert history == f"09:01 10/05/2026 — gửi đề xuất\n09:05 10/05/2026 — trả lại\nLý do: {REASON}", history
    assert await page.locator("form.decision").count() == 0


async def test_officers_see_their_units_nominations_only_and_decisions_need_the_office_and_the_pages_token(chat, browser):  # noqa: F811
    c = chat
    await _office(c)
    base = (await signed_in(browser, c, "admin")).url.split("/web")[0]
    photo3 = await _evidence_id(c, 3)

    # An officer: the review page is refused.
    officer = await signed_in(browser, c, "officer")
    response = await officer.goto(base + "/web/review")
    assert response.status == 403 and "không dành cho vai trò của bạn" in await officer.inner_text("main")
    assert "Lê Hoàng Cường" not in await officer.content() and "Xét duyệt" not in await officer.inner_text("main")
    await officer.goto(base + "/web")
    assert "Xét duyệt đề xuất" not in await officer.inner_text("main")  # and not offered on the home page
    # Their own unit's nomination, read-only, with its photo.
    response = await officer.goto(base + "/web/nominations/1")
    assert response.status == 200 and "Họ và tên: Nguyễn Văn An" in await officer.inner_text("main")
    assert await _image_widths(officer) == [64]
    assert await officer.locator("form.decision").count() == 0
    assert "Chỉ Văn phòng xét duyệt đề xuất" in await officer.inner_text("main")
    await shot(officer, f"review-officer-{c.channel}")
    # Another unit's nomination, its photo, and its photo asked for under their own nomination: refused alike.
    for path in ("/web/nominations/3", f"/web/nominations/3/files/{photo3}", f"/web/nominations/1/files/{photo3}",
                 "/web/nominations/99"):
        got = await officer.context.request.get(base + path)
        body = await got.body()
        assert got.status == 404 and PHOTOS[3] not in body and "Lê Hoàng Cường".encode() not in body, path
    # A decision POSTed by an officer, with their page's token: refused, nothing changes.
    token = await _csrf(officer)
    got = await officer.context.request.post(base + "/web/nominations/1/approve", form={"csrf": token})
    assert got.status == 403 and await _status(c, 1) == ("submitted", ["submitted"])
    # Signed out: nothing.
    stranger = await phone(browser)
    for path in ("/web/review", "/web/nominations/1", f"/web/nominations/1/files/{await _evidence_id(c, 1)}"):
        got = await stranger.context.request.get(base + path)
        assert got.status == 401 and PHOTOS[1] not in await got.body(), path

    # The admin: a decision without the page's token, or with a wrong one, is refused; nothing changes.
    admin = await signed_in(browser, c, "admin")
    await admin.goto(base + "/web/nominations/1")
    rows = await _outbox_rows(c)
    for form in ({}, {"csrf": "wrong"}, {"csrf": "wrong", "reason": REASON}):
        for decision in ("approve", "return", "reject"):
            got = await admin.context.request.post(base + f"/web/nominations/1/{decision}", form=form or {"reason": REASON})
            assert got.status == 403 and "mã bảo vệ" in await got.text(), (decision, form)
    assert await _status(c, 1) == ("submitted", ["submitted"]) and await _outbox_rows(c) == rows
    # A return or rejection needs a reason the unit can read: refused with the words kept, nothing changes.
    token = await _csrf(admin)
    for decision, reason, said in (("return", "", "Gõ lý do"), ("return", "   ", "Gõ lý do"),
                                   ("reject", "abc", "bạn đã gõ 3"), ("reject", "x" * 1001, "từ 5 đến 1.000 ký tự (bạn đã gõ 1.001)")):
        got = await admin.context.request.post(base + f"/web/nominations/1/{decision}",
                                               form={"csrf": token, "reason": reason})
        assert got.status == 400 and said in await got.text(), (decision, reason)
    assert await _status(c, 1) == ("submitted", ["submitted"]) and await _outbox_rows(c) == rows
    await admin.fill("#reject-reason", "abc")
    await admin.evaluate("document.querySelector('#reject-reason').removeAttribute('minlength')")
    await admin.click("button:has-text('⛔ Từ chối')")
    main = await admin.inner_text("main")
    assert "Lý do cần từ 5 đến 1.000 ký tự (bạn đã gõ 3); không có gì thay đổi." in main
    assert await admin.input_value("#reject-reason") == "abc"  # what was typed is kept
    assert await _status(c, 1) == ("submitted", ["submitted"])
    await shot(admin, f"review-reason-refused-{c.channel}")
