"""The Zalo transport of the outbox, and the signed links through which Zalo people get files.

Zalo bots cannot upload documents: a stored file (the launch document, an XLSX, a chart) is
served from the bot's own HTTP endpoint under a signed link that expires; photos go by sendPhoto
with that link (Zalo fetches it), documents as a "📎 Tải tệp" line.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot import signed_links
from bot.config import Settings, ZaloSettings
from bot.limits import REPLY, RateLimiter
from bot.sending_budget import RETRIES, DatabaseSchedule, backoff, shared
from bot.zalo import client
from bot.zalo.client import Outcome, ZaloBot
from bot.zalo.render import payload_text
from storage.db import Database
from storage.models import OutboxMessage, StoredFile

log = logging.getLogger(__name__)


def link_secret(cfg: ZaloSettings) -> str:
    """The configured secret, or one derived from the token (stable across restarts)."""
    if cfg.link_secret:
        return cfg.link_secret
    return hmac.new(b"thidua/link-secret", cfg.token.encode(), hashlib.sha256).hexdigest()


def public_base_url(cfg: ZaloSettings) -> str:
    if cfg.public_base_url:
        return cfg.public_base_url.rstrip("/")
    host = "127.0.0.1" if cfg.listen in ("0.0.0.0", "::", "") else cfg.listen
    return f"http://{host}:{cfg.port}"


def _transient(result: Outcome) -> bool:
    """Worth another try now: a timeout, a 5xx, the network — not the quota (429: Zalo names no
    wait, the outbox backs off) nor the token (401)."""
    return result.kind == "retry" and not (result.error or "").startswith(("429 ", "401 "))


class ZaloSender:
    """Sends outbox rows (and direct replies) to Zalo chats; one per process."""

    def __init__(self, bot: ZaloBot, db: Database, settings: Settings) -> None:
        self.bot = bot
        self.db = db
        self.cfg = settings.zalo
        self.secret = link_secret(self.cfg)
        # Zalo's one sending budget: rate_per_second overall, one message per chat per second,
        # shared with the other processes on this database (bot.sending_budget); the drain and
        # the direct replies (first) go through it.
        schedule = DatabaseSchedule("zalo", db) if shared(settings) else None
        self.limiter = RateLimiter(self.cfg.rate_per_second, 1, 20, schedule=schedule)

    def file_link(self, file_id: int, filename: str) -> str:
        return signed_links.link(public_base_url(self.cfg), file_id, filename, self.secret,
                                 timedelta(hours=self.cfg.link_lifetime_hours))

    async def _link_for(self, payload: dict[str, Any]) -> str | None:
        if payload.get("file_id") is None:
            return None
        async with self.db.session() as session:
            filename = await session.scalar(select(StoredFile.filename).where(StoredFile.id == int(payload["file_id"])))
        return None if filename is None else self.file_link(int(payload["file_id"]), filename)

    async def send_payload(self, chat_id: str, payload: dict[str, Any]) -> Outcome:
        if payload.get("method") == "sendMessage":
            payload = {**payload, "text": payload_text(payload)}
        url = await self._link_for(payload)
        if payload.get("method") != "sendMessage" and url is None:
            return Outcome("permanent", error=f"stored file #{payload.get('file_id')} is gone")
        return await client.deliver(self.bot, chat_id, payload, file_url=url)

    async def send_now(self, chat_id: str, payload: dict[str, Any]) -> Outcome:
        """A direct answer to someone who just wrote: before the outbox's rows, within the
        overall rate, not held by the per-chat pace (a person typing waits for no one). A
        timeout, 5xx or network error is tried again (RETRIES times, backing off) before the
        caller falls back to the outbox."""
        for attempt in range(RETRIES + 1):
            ticket = await self.limiter.acquire(None, priority=REPLY)
            try:
                result = await self.send_payload(chat_id, payload)
            finally:
                self.limiter.release(ticket)
            if not _transient(result) or attempt == RETRIES:
                return result
            await asyncio.sleep(backoff(attempt))
        return result

    async def deliver(self, row: OutboxMessage, chat_id: int | str) -> Outcome:
        """The outbox's transport (bot.jobs.drain_outbox with channel="zalo")."""
        return await self.send_payload(str(chat_id), row.payload)
