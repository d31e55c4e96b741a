"""web (Zalo: “mở trang”): a one-time link that signs this member in to the web pages (bot.web)."""

from __future__ import annotations

from bot.core.commands import command
from bot.core.turn import Turn
from bot.services import web_sessions
from bot.texts import web as texts


async def signin_link(turn: Turn, next_path: str = "/web") -> str | None:
    """A fresh sign-in URL for this member opening `next_path`; None when the pages are off."""
    cfg = turn.settings.web
    if not cfg.enabled:
        return None
    async with turn.db.session() as session:
        token = await web_sessions.issue_signin(session, turn.member.id, cfg.signin_minutes, next_path)
    return web_sessions.signin_url(cfg.base_url, token)


@command("web")
async def web(turn: Turn) -> None:
    url = await signin_link(turn)
    if url is None:
        turn.say(texts.WEB_DISABLED)
        return
    turn.say(texts.signin_link(url, turn.settings.web.signin_minutes))
