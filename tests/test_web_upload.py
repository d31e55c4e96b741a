"""Files through the upload page (/web/upload/<draft>), in Chromium at 360×740: a Zalo-only office
launches from its signed .docx, a Telegram officer attaches a .pdf as evidence, the chat goes on at
once; and every upload that must be refused is, with the chat's words and nothing changed."""

from __future__ import annotations

import io
import re
from pathlib import Path

import aiohttp
import docx
from sqlalchemy import func, select

from bot.services import uploads as upload_rows
from bot.texts import web as wt
from storage.models import FormDraft, InboxUpdate, Member, StoredFile
from tests.chats import Chat, chat  # noqa: F401 - the fixture, on both channels
from tests.conftest import make_invite
from tests.test_plan_reader import make_text_pdf
from tests.test_reports import launch
from tests.test_zalo_channel import SUMMARY, zbot  # noqa: F401 - the Zalo-only fixture
from tests.web import LINK_RE, phone, shot, signin_link

PLAN = Path(__file__).parent / "fixtures" / "plans" / "kh-108-cam-my-2020.txt"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def plan_docx() -> bytes:
    """The sample plan as the office has it: a .docx, one paragraph a line."""
    doc = docx.Document()
    for line in PLAN.read_text(encoding="utf-8").splitlines():
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def joined(answers: list[str]) -> str:
    return "\n".join(answers)


async def upload_link(c: Chat, who: str) -> str:
    """The offered action under the file question: pressed on Telegram, “tải tệp” typed on Zalo."""
    answers = joined(await c.act(who, "upload"))
    found = LINK_RE.search(answers)
    assert found and "Đường link tải tệp lên" in answers, answers
    return found.group(0)


async def choose_and_send(page, name: str, content: bytes | None = None, path: Path | None = None,
                          mime: str = "application/octet-stream") -> int:
    """Pick the file on the page and press “Tải lên”; the status of the answer."""
    if path is not None:
        await page.set_input_files("#file", str(path))
    else:
        await page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": content}])
    async with page.expect_navigation() as navigation:
        await page.click(".upload button[type=submit]")
    return (await navigation.value).status


async def draft_state(db, role: str) -> tuple | None:
    async with db.session() as session:
        draft = await session.scalar(select(FormDraft).join(Member, Member.id == FormDraft.member_id)
                                     .where(Member.role == role))
        return (draft.id, dict(draft.answers), draft.current_field, draft.stage) if draft else None


async def counts(db) -> tuple[int, int]:
    """Stored files, and uploads queued for a chat."""
    async with db.session() as session:
        return (await session.scalar(select(func.count()).select_from(StoredFile)),
                await session.scalar(select(func.count()).select_from(InboxUpdate)
                                     .where(InboxUpdate.update_key.like("web-upload:%"))))


async def test_a_zalo_only_office_launches_from_its_docx_through_the_page(zbot, browser):  # noqa: F811
    c = Chat("zalo", zbot)
    for who, unit, role in (("admin", "SNV", "admin"), ("officer", "LB", "officer"),
                            ("officer2", "CM", "officer"), ("leader", "DN", "leader")):
        assert "Chào mừng" in joined(await c.join(who, await make_invite(c.db, unit, role)))
    first = joined(await c.say("admin", "phát động"))
    assert "Zalo không gửi được tệp .docx, .pdf: gõ “tải tệp”" in first, first

    page = await phone(browser)
    await page.goto(await upload_link(c, "admin"))
    assert re.search(r"/web/upload/\d+\?kenh=zalo$", page.url), page.url
    shown = await page.inner_text("main")
    assert "phát động phong trào" in shown and "Dán toàn văn" not in shown
    assert ".docx, .pdf, .txt, .md" in shown and "không quá 20 MB" in shown
    await shot(page, "upload-zalo-plan")

    content, before = plan_docx(), c.count("admin")
    assert await choose_and_send(page, "KH-108-UBND.docx", content, mime=DOCX) == 200
    assert "Đã nhận tệp «KH-108-UBND.docx»" in await page.inner_text("main")
    await shot(page, "upload-zalo-received")
    # The Zalo chat goes on at once: what the plan says, and the next question.
    read = (await c.wait_for("admin", "số 108/KH-UBND ngày 26/05/2020", since=before))["text"]
    assert "Gửi phát động tới những đơn vị nào?" in read and "Phát động thi đua đặc biệt" in read

    assert "CM — Xã Cẩm Mỹ" in joined(await c.say("admin", "4"))
    review = joined(await c.say("admin", "LB, CM"))
    assert "Văn bản: KH-108-UBND.docx" in review and "Số, ký hiệu: 108/KH-UBND" in review, review
    sent_before = {who: c.count(who) for who in ("officer", "officer2", "leader")}
    launched = joined(await c.confirm("admin"))
    assert "Đã phát động #1: gửi tới 2 cán bộ của 2 đơn vị" in launched, launched

    await c.tick(None)
    for who in ("officer", "officer2"):
        got = await c.wait_for(who, "PHÁT ĐỘNG THI ĐUA", since=sent_before[who])
        assert "108/KH-UBND" in got["text"]
        await c.wait_for(who, "Tải tệp", since=sent_before[who])
        assert await c.file(who) == content  # the very document uploaded
    assert "“phong trào 1”" in (await c.wait_for("leader", "Văn phòng đã phát động", since=sent_before["leader"]))["text"]
    async with c.db.session() as session:  # stored once, whoever reads it since
        assert await session.scalar(select(func.count()).select_from(StoredFile).where(
            StoredFile.filename == "KH-108-UBND.docx")) == 1


async def test_a_telegram_officer_attaches_a_pdf_through_the_page(bot, browser):
    c = Chat("telegram", bot)
    for who, unit, role in (("admin", "SNV", "admin"), ("officer", "LB", "officer")):
        await c.join(who, await make_invite(c.db, unit, role))
    await launch(c.db, ["LB"])
    for said in ("/nominate", "2", "Nguyễn Văn An", "Phó Chủ tịch UBND phường", "UBND phường Long Bình", "5", SUMMARY):
        await c.say("officer", said)
    asked = joined(await c.say("officer", "2"))
    assert "minh chứng" in asked
    buttons = [b["text"] for row in c.last["officer"][-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert wt.UPLOAD_BUTTON in buttons and buttons.index(wt.UPLOAD_BUTTON) == 1, buttons

    page = await phone(browser)
    await page.goto(await upload_link(c, "officer"))
    assert ".jpg, .jpeg, .png, .pdf, .docx" in await page.inner_text("main")
    await shot(page, "upload-telegram-evidence")
    pdf, before = make_text_pdf(["Quyết định khen thưởng năm 2025"]), c.count("officer")
    assert await choose_and_send(page, "quyet-dinh.pdf", pdf, mime="application/pdf") == 200
    assert "Đã nhận tệp «quyet-dinh.pdf»" in await page.inner_text("main")
    got = await c.wait_for("officer", "Đã nhận tệp thứ 1", since=before)
    assert any(b["text"] == wt.UPLOAD_BUTTON for row in got["reply_markup"]["inline_keyboard"] for b in row)
    review = joined(await c.say("officer", "xong"))
    assert "quyet-dinh.pdf" in review
    state = await draft_state(c.db, "officer")
    async with c.db.session() as session:
        stored = await session.get(StoredFile, state[1]["evidence"][0]["stored_file_id"])
        assert (stored.filename, stored.size) == ("quyet-dinh.pdf", len(pdf))


async def test_uploads_that_must_be_refused_change_nothing(chat, browser, tmp_path):  # noqa: F811
    c = chat
    for who, unit, role in (("admin", "SNV", "admin"), ("officer", "LB", "officer")):
        await c.join(who, await make_invite(c.db, unit, role))
    await c.say("admin", "/new_campaign")
    page = await phone(browser)
    await page.goto(await upload_link(c, "admin"))
    base = page.url.split("/web/")[0]
    draft, files_rows = await draft_state(c.db, "admin"), await counts(c.db)

    # A program: the chat's own words, on the page and in the chat; the draft as it was.
    before = c.count("admin")
    assert await choose_and_send(page, "setup.exe", b"MZ" + b"\0" * 4000) == 422
    refused = "Tệp .exe không được nhận. Chỉ nhận: .docx, .pdf, .txt, .md."
    assert refused in await page.inner_text("main")
    await shot(page, f"upload-refused-{c.channel}")
    assert refused in (await c.wait_for("admin", refused, since=before))["text"]
    assert await draft_state(c.db, "admin") == draft
    assert (await counts(c.db))[0] == files_rows[0]  # the program is not kept

    # Above the cap (files.max_mb = 20): refused by its length, unread.
    big = tmp_path / "ke-hoach.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (21 * 2**20))
    files_rows = await counts(c.db)
    assert await choose_and_send(page, "", path=big) == 413
    assert "Tệp nặng hơn 20 MB cho phép" in await page.inner_text("main")
    assert await draft_state(c.db, "admin") == draft and await counts(c.db) == files_rows

    # Without the page's CSRF token: refused, nothing stored.
    cookie = next(k["value"] for k in await page.context.cookies() if k["name"] == "thidua_session")
    url = f"{base}/web/upload/{draft[0]}"
    form = aiohttp.FormData()
    form.add_field("file", PLAN.read_bytes(), filename=PLAN.name, content_type="text/plain")
    async with aiohttp.ClientSession(cookies={"thidua_session": cookie}) as http, http.post(url, data=form) as r:
        assert r.status == 403 and "mã bảo vệ" in await r.text()
    assert await draft_state(c.db, "admin") == draft and await counts(c.db) == files_rows

    # Without a declared length (chunked): reading stops at the cap.
    await page.goto(url)
    token = await page.get_attribute("input[name=csrf]", "value")

    async def chunks():  # noqa: ANN202
        head = (f'--B\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n--B\r\n'
                'Content-Disposition: form-data; name="file"; filename="k.pdf"\r\n\r\n')
        yield head.encode()
        for _ in range(21):
            yield b"0" * 2**20
        yield b"\r\n--B--\r\n"

    headers = {"Content-Type": "multipart/form-data; boundary=B"}
    async with aiohttp.ClientSession(cookies={"thidua_session": cookie}) as http, \
            http.post(url, data=chunks(), headers=headers) as r:
        assert r.status == 413
    assert await draft_state(c.db, "admin") == draft and await counts(c.db) == files_rows

    # Someone else's draft: not found, for looking and for sending (with their own valid token).
    other = await phone(browser)
    await other.goto(await signin_link(c, "officer"))
    token = await other.get_attribute("input[name=csrf]", "value")
    response = await other.goto(url)
    assert response.status == 404 and "không phải của bạn" in await other.inner_text("main")
    officer_cookie = next(k["value"] for k in await other.context.cookies() if k["name"] == "thidua_session")
    form = aiohttp.FormData()
    form.add_field("csrf", token)
    form.add_field("file", PLAN.read_bytes(), filename=PLAN.name, content_type="text/plain")
    async with aiohttp.ClientSession(cookies={"thidua_session": officer_cookie}) as http, http.post(url, data=form) as r:
        assert r.status == 404
    assert await draft_state(c.db, "admin") == draft and await counts(c.db) == files_rows

    # The form cancelled in chat while the page was open: the upload says so, nothing is kept.
    await page.goto(url)
    assert "Đã hủy phát động phong trào" in joined(await c.say("admin", "hủy"))
    assert await draft_state(c.db, "admin") is None
    before = c.count("admin")
    assert await choose_and_send(page, PLAN.name, PLAN.read_bytes(), mime="text/plain") == 404
    assert "Biểu mẫu này không còn" in await page.inner_text("main")
    assert await counts(c.db) == files_rows and c.count("admin") == before


async def test_an_upload_stored_before_a_crash_reaches_the_chat_after_the_restart(bot):
    c = Chat("telegram", bot)
    await c.join("admin", await make_invite(c.db, "SNV", "admin"))
    await c.say("admin", "/new_campaign")
    draft = await draft_state(c.db, "admin")
    await bot.stop()  # the page had stored the file and its row (one transaction), then the bot died
    async with c.db.session() as session:
        member = await session.scalar(select(Member.id).where(Member.role == "admin"))
        assert await upload_rows.receive(session, member, draft[0], "telegram", PLAN.read_bytes(), PLAN.name,
                                         "text/plain") is not None
    before = c.count("admin")
    await bot.start()
    read = (await c.wait_for("admin", "số 108/KH-UBND ngày 26/05/2020", since=before))["text"]
    assert "Gửi phát động tới những đơn vị nào?" in read
    assert (await draft_state(c.db, "admin"))[1]["document"][0]["filename"] == PLAN.name
