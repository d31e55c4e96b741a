"""/web/units in Chromium at 360×740, the admin on Telegram and on Zalo: the unit tree with its
people, importing the clerk's CSV/XLSX (preview, every bad line named, nothing written until
“Áp dụng”), invites printed with their QR codes and used in chat, and every refusal."""

from __future__ import annotations

import io
import re

import aiohttp
import segno
from openpyxl import Workbook
from sqlalchemy import func, select

from bot import clock
from bot.services import units
from bot.web.pages.invites import QR_MAKE, QR_SVG
from storage.models import AuditEntry, Invite, Member, StoredFile, Unit
from tests.chats import chat  # noqa: F401 - the fixture, on both channels
from tests.conftest import USERNAME, make_invite
from tests.web import shot, signed_in

HEADER = "code,name,kind,parent_code\n"
# Line 4 has no name; the rest would be fine.
BAD = HEADER + "X13,Xã số 13,xã,DN\nX3,Xã số 3,xã,DN\nX7,,xã,DN\nTB,Trường Tiểu học Bình Đa,trường,X3\n"
FIXED = BAD.replace("X7,,xã,DN", "X7,Xã số 7,xã,DN")
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _admin(chat) -> None:  # noqa: ANN001 - a tests.chats.Chat
    assert "Chào mừng" in (await chat.join("admin", await make_invite(chat.db, "SNV", "admin")))[0]


async def _units(chat) -> dict[str, tuple[str, str | None]]:  # noqa: ANN001
    """code → (name, parent code), as the database has them."""
    async with chat.db.session() as session:
        everything = (await session.scalars(select(Unit))).all()
    code_of = {u.id: u.code for u in everything}
    return {u.code: (u.name, code_of.get(u.parent_id)) for u in everything}


async def _count(chat, model) -> int:  # noqa: ANN001
    async with chat.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


def _base(page) -> str:  # noqa: ANN001
    return page.url.split("/web")[0]


async def _upload(page, name: str, content: bytes, mime: str) -> int:  # noqa: ANN001 - a playwright Page
    await page.goto(_base(page) + "/web/units")
    await page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": content}])
    async with page.expect_navigation() as nav:
        await page.click("#import button[type=submit]")
    return (await nav.value).status


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.create_sheet("Ghi chú").append(["Trang này không được đọc"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_bad_line_is_named_and_nothing_imported_then_the_fixed_file_is_applied(chat, browser):  # noqa: F811
    await _admin(chat)
    before = await _units(chat)
    page = await signed_in(browser, chat, "admin")
    assert "Đơn vị và mã mời" in await page.inner_text("main")  # linked from /web for admins
    await page.click("text=Đơn vị và mã mời")
    assert page.url.endswith("/web/units")

    assert await _upload(page, "don_vi.csv", BAD.encode(), CSV) == 422
    main = await page.inner_text("main")
    assert "Dòng 4: thiếu tên đơn vị (name)" in main
    assert await page.locator("ul.problems li").all_inner_texts() == ["Dòng 4: thiếu tên đơn vị (name)"]
    assert "1 dòng lỗi nên chưa áp dụng được" in main
    assert await page.locator("#apply").count() == 0  # no “Áp dụng” for a file with a bad line
    await shot(page, f"units-bad-line-{chat.channel}")
    assert await _units(chat) == before
    assert await _count(chat, StoredFile) == 0  # a file that cannot be applied is not kept

    assert await _upload(page, "don_vi.csv", FIXED.encode(), CSV) == 200
    assert await page.inner_text("#count-new") == "4 đơn vị mới"
    assert await page.inner_text("#count-unchanged") == "0 đơn vị không đổi"
    assert "Xã số 7" in await page.inner_text("table.new")
    assert await _units(chat) == before  # the preview writes no unit
    await shot(page, f"units-preview-{chat.channel}")
    async with page.expect_navigation():
        await page.click("#apply button")
    assert await page.inner_text("#outcome") == "Đã nhập don_vi.csv: 4 đơn vị mới, 0 cập nhật, 0 không đổi."
    after = await _units(chat)
    assert after["X7"] == ("Xã số 7", "DN") and after["TB"] == ("Trường Tiểu học Bình Đa", "X3")
    assert len(after) == len(before) + 4
    async with chat.db.session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "units.imported"))
        assert entry.details["created"] == 4 and entry.details["channel"] == "web"

    # The tree, names in Vietnamese order, numbers by value: 3 before 7 before 13; children indented.
    names = await page.locator("li.unit .unit-name").all_inner_texts()
    assert names.index("Xã số 3") < names.index("Xã số 7") < names.index("Xã số 13")
    assert names.index("Xã số 3") < names.index("Trường Tiểu học Bình Đa") < names.index("Xã số 7")
    assert await page.get_attribute('li[data-code="TB"]', "class") == "unit depth-2"
    await shot(page, f"units-applied-{chat.channel}")


async def test_an_xlsx_is_previewed_with_its_changes_and_applied(chat, browser):  # noqa: F811
    await _admin(chat)
    page = await signed_in(browser, chat, "admin")
    data = _xlsx([["code", "name", "kind", "parent_code"],
                  ["LB", "Phường Long Bình (mới)", "phường", "DN"],  # renamed
                  ["CM", "Xã Cẩm Mỹ", "xã", "XD"],  # moved under XD
                  ["SNV", "Sở Nội vụ", "cơ quan", "DN"],  # as it is
                  [101, "Trường số 101", "trường", "LB"]])  # a code Excel keeps as a number
    assert await _upload(page, "Danh sách đơn vị.xlsx", data, XLSX) == 200
    assert await page.inner_text("#count-new") == "1 đơn vị mới"
    assert await page.inner_text("#count-changed") == "2 đơn vị thay đổi"
    assert await page.inner_text("#count-unchanged") == "1 đơn vị không đổi"
    changes = await page.inner_text("table.changed")
    assert "tên: Phường Long Bình → Phường Long Bình (mới)" in changes and "cấp trên: DN → XD" in changes
    assert "101" in await page.inner_text("table.new")
    await shot(page, f"units-xlsx-preview-{chat.channel}")
    async with page.expect_navigation():
        await page.click("#apply button")
    assert "1 đơn vị mới, 2 cập nhật, 1 không đổi" in await page.inner_text("#outcome")
    after = await _units(chat)
    assert after["LB"] == ("Phường Long Bình (mới)", "DN") and after["CM"] == ("Xã Cẩm Mỹ", "XD")
    assert after["101"] == ("Trường số 101", "LB")

    # A workbook's bad line is named by its row number in Excel.
    bad = _xlsx([["code", "name", "kind", "parent_code"], ["A1", "Xã A", "xã", "DN"], ["A2", "Xã B", "xã", "KHONG"]])
    assert await _upload(page, "sai.xlsx", bad, XLSX) == 422
    assert "Dòng 3: đơn vị cấp trên “KHONG” không có" in await page.inner_text("ul.problems")
    assert "A1" not in await _units(chat)


async def test_the_tree_counts_each_units_officers_and_leaders(chat, browser):  # noqa: F811
    await _admin(chat)
    assert "Chào mừng" in (await chat.join("officer", await make_invite(chat.db, "LB", "officer")))[0]
    assert "Chào mừng" in (await chat.join("officer2", await make_invite(chat.db, "LB", "officer")))[0]
    assert "Chào mừng" in (await chat.join("leader", await make_invite(chat.db, "LB", "leader")))[0]
    page = await signed_in(browser, chat, "admin")
    await page.goto(_base(page) + "/web/units")
    assert await page.inner_text('li[data-code="LB"] .unit-counts') == "2 cán bộ · 1 lãnh đạo"
    assert await page.inner_text('li[data-code="XD"] .unit-counts') == "0 cán bộ · 0 lãnh đạo"
    assert "phường · mã LB" in await page.inner_text('li[data-code="LB"]')
    await chat.say("officer2", "/leave" if chat.channel == "telegram" else "rời bot")
    await chat.act("officer2", "leave_confirmed")
    await page.reload()
    assert await page.inner_text('li[data-code="LB"] .unit-counts') == "1 cán bộ · 1 lãnh đạo"  # active ones only
    await shot(page, f"units-tree-{chat.channel}")


async def test_three_invites_are_printed_with_their_qr_codes_and_one_joins_the_unit(chat, browser):  # noqa: F811
    await _admin(chat)
    page = await signed_in(browser, chat, "admin")
    await page.goto(_base(page) + "/web/units")
    row = page.locator('li[data-code="XD"]')
    await row.locator("summary").click()
    await row.locator("select").select_option("officer")
    await row.locator('input[name="count"]').fill("3")
    async with page.expect_navigation():
        await row.locator("button").click()
    assert re.search(r"/web/units/\d+/invites\?ids=\d+,\d+,\d+$", page.url)
    async with chat.db.session() as session:
        made = (await session.scalars(select(Invite).where(Invite.unit_id == select(Unit.id).where(
            Unit.code == "XD").scalar_subquery()))).all()
    assert len(made) == 3 and {i.role for i in made} == {"officer"}
    codes = await page.locator(".invite-code").all_inner_texts()
    assert sorted(codes) == sorted(i.code for i in made)
    expected = []
    for code in codes:
        expected += [f"https://t.me/{USERNAME}?start={code}", f"tham gia {code}"]
    images = await page.locator("img.qr").evaluate_all("els => els.map(e => e.getAttribute('src'))")
    assert images == [segno.make(text, **QR_MAKE).svg_data_uri(**QR_SVG) for text in expected]
    card = await page.inner_text(f'.invite-card[data-code="{codes[0]}"]')
    expiry = made[0].expires_at
    assert "Xã Xuân Đường · Cán bộ phụ trách thi đua" in card and f"Hết hạn ngày {clock.fmt_date(expiry)}" in card
    assert re.search(r"\d\d/\d\d/\d{4}", card)
    await shot(page, f"units-invites-{chat.channel}")
    await page.emulate_media(media="print")
    assert not await page.is_visible("header") and not await page.is_visible(".screen-only")
    assert await page.is_visible(".invite-code") and await page.is_visible("img.qr")
    await page.emulate_media(media="screen")
    await page.reload()  # printing again makes no new codes
    assert await _count(chat, Invite) == 4  # the admin's own and these three

    answers = await chat.join("officer2", codes[1])
    assert "Chào mừng" in answers[0]
    async with chat.db.session() as session:
        joined = await session.scalar(select(Unit.code).join(Member, Member.unit_id == Unit.id)
                                      .where(Member.role == "officer"))
    assert joined == "XD"
    await page.reload()
    assert len(await page.locator(".invite-code").all_inner_texts()) == 2  # a used code is no longer printed


async def test_invites_beyond_the_chats_limits_are_refused_and_none_made(chat, browser):  # noqa: F811
    await _admin(chat)
    page = await signed_in(browser, chat, "admin")
    base = _base(page)
    cookie = next(c["value"] for c in await page.context.cookies() if c["name"] == "thidua_session")
    await page.goto(base + "/web/units")
    csrf = await page.get_attribute('input[name="csrf"]', "value")
    async with chat.db.session() as session:
        xd = await session.scalar(select(Unit.id).where(Unit.code == "XD"))
    async with aiohttp.ClientSession(cookies={"thidua_session": cookie}) as http:
        for form, status, words in (({"role": "officer", "count": "21"}, 400, "từ 1 đến 20"),
                                    ({"role": "officer", "count": "0"}, 400, "từ 1 đến 20"),
                                    ({"role": "admin", "count": "1"}, 400, "cán bộ hoặc lãnh đạo"),
                                    ({"role": "officer", "count": "1"}, 404, "Không tìm thấy đơn vị")):
            url = f"{base}/web/units/{xd if status != 404 else 999999}/invites"
            async with http.post(url, data={"csrf": csrf, **form}) as r:
                assert r.status == status and words in await r.text()
    assert await _count(chat, Invite) == 1  # only the admin's own


async def test_an_officer_is_refused_the_page_and_its_posts(chat, browser):  # noqa: F811
    await _admin(chat)
    assert "Chào mừng" in (await chat.join("officer", await make_invite(chat.db, "LB", "officer")))[0]
    before = await _units(chat)
    page = await signed_in(browser, chat, "officer")
    assert "Đơn vị và mã mời" not in await page.inner_text("main")
    response = await page.goto(_base(page) + "/web/units")
    assert response.status == 403 and "không dành cho vai trò của bạn" in await page.inner_text("main")
    await shot(page, f"units-officer-refused-{chat.channel}")
    cookie = next(c["value"] for c in await page.context.cookies() if c["name"] == "thidua_session")
    await page.goto(_base(page) + "/web")
    csrf = await page.get_attribute('input[name="csrf"]', "value")  # the officer's own, valid token
    async with chat.db.session() as session:
        lb = await session.scalar(select(Unit.id).where(Unit.code == "LB"))
    form = aiohttp.FormData({"csrf": csrf})
    form.add_field("file", FIXED.encode(), filename="don_vi.csv", content_type=CSV)
    async with aiohttp.ClientSession(cookies={"thidua_session": cookie}) as http:
        async with http.post(_base(page) + "/web/units/import", data=form) as r:
            assert r.status == 403
        async with http.post(f"{_base(page)}/web/units/{lb}/invites", data={"csrf": csrf, "role": "officer",
                                                                            "count": "2"}) as r:
            assert r.status == 403
    assert await _units(chat) == before and await _count(chat, Invite) == 2 and await _count(chat, StoredFile) == 0

    assert "Chào mừng" in (await chat.join("leader", await make_invite(chat.db, "LB", "leader")))[0]
    leader = await signed_in(browser, chat, "leader")
    assert "Đơn vị và mã mời" not in await leader.inner_text("main")
    assert (await leader.goto(_base(leader) + "/web/units")).status == 403


async def test_posts_without_the_csrf_token_change_nothing(chat, browser):  # noqa: F811
    await _admin(chat)
    page = await signed_in(browser, chat, "admin")
    base = _base(page)
    before = await _units(chat)
    assert await _upload(page, "don_vi.csv", FIXED.encode(), CSV) == 200  # kept for “Áp dụng”
    file_id = await page.get_attribute('#apply input[name="file"]', "value")
    cookie = next(c["value"] for c in await page.context.cookies() if c["name"] == "thidua_session")
    async with chat.db.session() as session:
        xd = await session.scalar(select(Unit.id).where(Unit.code == "XD"))
    async with aiohttp.ClientSession(cookies={"thidua_session": cookie}) as http:
        for token in ({}, {"csrf": "wrong"}):
            form = aiohttp.FormData(token)
            form.add_field("file", FIXED.encode(), filename="don_vi.csv", content_type=CSV)
            async with http.post(base + "/web/units/import", data=form) as r:
                assert r.status == 403 and "mã bảo vệ" in await r.text()
            async with http.post(base + "/web/units/apply", data={**token, "file": file_id}) as r:
                assert r.status == 403 and "mã bảo vệ" in await r.text()
            async with http.post(f"{base}/web/units/{xd}/invites", data={**token, "role": "officer",
                                                                        "count": "3"}) as r:
                assert r.status == 403 and "mã bảo vệ" in await r.text()
    assert await _units(chat) == before
    assert await _count(chat, StoredFile) == 1 and await _count(chat, Invite) == 1
    # The page's own form still works: the refusals did not spoil the session.
    async with page.expect_navigation():
        await page.click("#apply button")
    assert "4 đơn vị mới" in await page.inner_text("#outcome")


async def test_apply_reads_the_stored_file_again_and_trusts_no_form_field(chat, browser):  # noqa: F811
    await _admin(chat)
    page = await signed_in(browser, chat, "admin")
    base = _base(page)
    # The preview is fine: DN moves under Q, a unit at the top…
    async with chat.db.session() as session:
        await units.import_units(session, units.parse_units_csv(HEADER + "Q,Ban Thi đua,cơ quan,\n"))
    assert await _upload(page, "doi.csv", (HEADER + "DN,UBND tỉnh Đồng Nai,tỉnh,Q\n").encode(), CSV) == 200
    # …then, before “Áp dụng”, someone else's import puts Q under DN: applying would close a loop.
    async with chat.db.session() as session:
        await units.import_units(session, units.parse_units_csv(HEADER + "Q,Ban Thi đua,cơ quan,DN\n"))
    before = await _units(chat)
    async with page.expect_navigation() as nav:
        await page.click("#apply button")
    assert (await nav.value).status == 409
    assert "vòng lặp cấp trên" in await page.inner_text("ul.problems")
    assert await _units(chat) == before

    # A file id that is not this admin's upload opens nothing.
    async with chat.db.session() as session:
        other = StoredFile(filename="x.csv", mime_type=CSV, size=1, sha256="0" * 64,
                           content=(HEADER + "Z,Xã Z,xã,\n").encode(), uploaded_by_member_id=None)
        session.add(other)
        await session.flush()
        other_id = other.id
    await page.goto(base + "/web/units")
    csrf = await page.get_attribute('input[name="csrf"]', "value")
    cookie = next(c["value"] for c in await page.context.cookies() if c["name"] == "thidua_session")
    async with aiohttp.ClientSession(cookies={"thidua_session": cookie}) as http:
        for file_id in (str(other_id), "nope", ""):
            async with http.post(base + "/web/units/apply", data={"csrf": csrf, "file": file_id}) as r:
                assert r.status == 404 and "tải tệp lên lại" in await r.text()
    assert "Z" not in await _units(chat)


async def test_the_printed_invites_follow_the_configuration(seeded, sim, db_url, browser):
    """With `zalo.bot_url` set it is printed on every card; without the bot's Telegram username
    there is no deep link to encode, so the card says “/start CODE” and has only the Zalo QR."""
    import dataclasses

    from bot.services import web_sessions
    from bot.web.server import WebServer
    from tests.conftest import add_admin, make_settings
    from tests.web import phone

    base = make_settings(db_url, sim)
    settings = dataclasses.replace(base, bot_username="",
                                   zalo=dataclasses.replace(base.zalo, bot_url="https://zalo.me/s/thidua"))
    await add_admin(seeded, 6001)
    server = WebServer(settings, seeded)
    await server.start()
    try:
        async with seeded.session() as session:
            admin = await session.scalar(select(Member.id).where(Member.role == "admin"))
            token = await web_sessions.issue_signin(session, admin, 10, "/web/units")
        page = await phone(browser)
        await page.goto(web_sessions.signin_url(f"http://127.0.0.1:{server.port}", token))
        row = page.locator('li[data-code="CM"]')
        await row.locator("summary").click()
        await row.locator("select").select_option("leader")
        async with page.expect_navigation():
            await row.locator("button").click()
        code = await page.inner_text(".invite-code")
        card = await page.inner_text(".invite-card")
        assert "Xã Cẩm Mỹ · Lãnh đạo" in card
        assert "mở https://zalo.me/s/thidua rồi nhắn cho bot “tham gia " + code + "”" in card
        assert f"/start {code}" in card and "t.me" not in card
        assert await page.locator("img.qr").evaluate_all("els => els.map(e => e.getAttribute('src'))") == [
            segno.make(f"tham gia {code}", **QR_MAKE).svg_data_uri(**QR_SVG)]
        await shot(page, "units-invites-configured")
    finally:
        await server.stop()
