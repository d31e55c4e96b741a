"""The web pages in a real browser: Debian's Chromium, headless, driven by Playwright at a phone's
360×740. People sign in the only way there is — by asking the chat for a link (/web, or
“mở trang” on Zalo) and opening it. Every test saves a screenshot of what it saw under
SCREENSHOTS (README "Web pages")."""

from __future__ import annotations

import os
import re
import shutil
from typing import TYPE_CHECKING
from pathlib import Path

from playwright.async_api import Browser, Page

if TYPE_CHECKING:
    from tests.chats import Chat

SCREENSHOTS = Path(os.environ.get("THIDUA_SCREENSHOTS", Path(__file__).resolve().parent.parent / "artifacts" / "screens"))
PHONE = {"width": 360, "height": 740}
LINK_RE = re.compile(r"https?://\S+/web/signin/[A-Za-z0-9_-]+")


def chromium_path() -> str:
    """Debian's chromium (Playwright's own browser download is not used)."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium not found: apt-get install chromium (the .ci/run script does), or set CHROMIUM_PATH")
    return path


async def phone(browser: Browser) -> Page:
    """A new browser (its own cookies) with a phone's screen."""
    context = await browser.new_context(viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    return await context.new_page()


async def signin_link(chat: Chat, who: str) -> str:
    """What a person gets by asking the chat for the web pages."""
    answers = await chat.say(who, "/web" if chat.channel == "telegram" else "mở trang")
    for text in answers:
        if found := LINK_RE.search(text):
            return found.group(0)
    raise AssertionError(f"no sign-in link in {answers!r}")


async def signed_in(browser: Browser, chat: Chat, who: str) -> Page:
    page = await phone(browser)
    response = await page.goto(await signin_link(chat, who))
    assert response is not None and response.ok, await page.content()
    return page


async def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
