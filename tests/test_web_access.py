"""Signing in to the web pages through the chat, on both channels, in Chromium at 360×740: the
one-time link, the session cookie, CSRF, signing out, and every way in that must be refused."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from sqlalchemy import func, select

from bot import clock
from storage.models import Member, WebSession
from tests.chats import chat  # noqa: F401 - the fixture, on both channels
from tests.conftest import make_invite
from tests.web import phone, shot, signin_link


async def _members(chat) -> None:  # noqa: ANN001 - a tests.chats.Chat
    assert "Chào mừng" in (await chat.join("admin", await make_invite(chat.db, "SNV", "admin")))[0]
    assert "Chào mừng" in (await chat.join("officer", await make_invite(chat.db, "LB", "officer")))[0]


async def _name(chat, role: str) -> str:  # noqa: ANN001
    async with chat.db.session() as session:
        return await session.scalar(select(Member.full_name).where(Member.role == role))


async def test_the_chat_link_signs_in_once_and_the_session_ends_at_sign_out(chat, browser):  # noqa: F811 - the chat fixture
    await _members(chat)
    link = await signin_link(chat, "admin")
    page = await phone(browser)
    await page.goto(link)
    assert page.url.endswith("/web")
    header = await page.inner_text("header")
    assert await _name(chat, "admin") in header and "Sở Nội vụ" in header
    await shot(page, f"home-{chat.channel}")
    cookie = next(c for c in await page.context.cookies() if c["name"] == "thidua_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # http: not Secure
    assert cookie["path"] == "/web" and cookie["expires"] - clock.now().timestamp() > 7.9 * 3600

    # The same link again, in another browser: refused, and it opens nothing.
    other = await phone(browser)
    response = await other.goto(link)
    assert response.status == 410 and "đã được dùng" in await other.inner_text("main")
    assert not [c for c in await other.context.cookies() if c["name"] == "thidua_session"]
    assert (await other.goto(link.rsplit("/", 1)[0] + "/forged-token-123")).status == 403

    # A POST without the page's CSRF token changes nothing: still signed in.
    async with aiohttp.ClientSession(cookies={"thidua_session": cookie["value"]}) as http:
        async with http.post(link.split("/web/")[0] + "/web/signout", data={"csrf": "wrong"}) as r:
            assert r.status == 403 and "mã bảo vệ" in await r.text()
    assert (await page.goto(page.url)).status == 200

    await page.click("text=Đăng xuất")
    assert "Bạn đã đăng xuất" in await page.inner_text("main")
    response = await page.goto(link.split("/web/")[0] + "/web")
    assert response.status == 401 and "mở trang" in await page.inner_text("main")


async def test_an_expired_link_and_a_deactivated_member_are_refused(chat, browser):  # noqa: F811 - the chat fixture
    await _members(chat)
    late = await signin_link(chat, "officer")
    clock.set_now(clock.now() + timedelta(minutes=11))
    page = await phone(browser)
    response = await page.goto(late)
    assert response.status == 410 and "hết hạn" in await page.inner_text("main")
    clock.set_now(None)

    page = await phone(browser)
    assert (await page.goto(await signin_link(chat, "officer"))).ok
    assert (await page.goto(page.url)).status == 200
    officer = await _name(chat, "officer")
    async with chat.db.session() as session:
        number = await session.scalar(select(Member.id).where(Member.full_name == officer))
    answers = await chat.say("admin", f"/deactivate {number}" if chat.channel == "telegram" else f"vô hiệu hóa {number}")
    assert "vô hiệu hóa" in answers[0].lower()
    async with chat.db.session() as session:
        assert (await session.scalar(select(Member.left_at).where(Member.full_name == officer))) is not None
        assert await session.scalar(select(func.count()).select_from(WebSession)) == 1
    response = await page.goto(page.url)
    assert response.status == 401  # signed out at once
    await shot(page, f"signed-out-{chat.channel}")
