"""The Zalo transport of the outbox, and the signed links through which Zalo people get files.

Zalo bots cannot upload documents: a stored file (the launch document, an XLSX, a chart) is
served from the bot's own HTTP endpoint under a signed link that expires; photos go by sendPhoto
with that link (Zalo fetches it), documents as a "📎 Tải tệp" line.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot import clock, signed_links
from bot.config import Settings, ZaloSettings
from bot.limits import BACKGROUND, REPLY, RateLimiter
from bot.sending_budget import RETRIES, DatabaseSchedule, backoff, shared
from bot.services import zalo_usage
from bot.services.nudges import next_allowed
from bot.zalo import client
from bot.zalo.client import Outcome, ZaloBot
from bot.zalo.render import payload_text
from storage.db import Database
from storage.models import OutboxMessage, StoredFile

log = logging.getLogger(__name__)

# Zalo's 429 means its quota, and names no wait: the outbox waits this long after the first,
# twice as long after each next one in a row, at most QUOTA_WAIT_MAX; the rows stay queued.
QUOTA_WAIT_FIRST, QUOTA_WAIT_MAX = 30.0, 3600.0
# After a 401 the rows wait this long (and this process sends nothing more on Zalo): a restart
# with the right token finds them due soon after.
TOKEN_WAIT = timedelta(minutes=10)
BUDGET_SPENT = "hết hạn mức tin Zalo của tháng"


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
    wait, the outbox backs off), the token (401) or the month's budget (not_before)."""
    return result.kind == "retry" and result.not_before is None and result.code not in (
        client.QUOTA_CODE, client.TOKEN_CODE)


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
        self.quiet = settings.quiet_hours
        self._quota_429s = 0  # 429s in a row
        self._quota_until: datetime | None = None  # the outbox waits until then after a 429

    @property
    def stopped(self) -> bool:
        """Zalo refused the token: nothing more is tried from this process."""
        return self.bot.token_refused

    def file_link(self, file_id: int, filename: str) -> str:
        return signed_links.link(public_base_url(self.cfg), file_id, filename, self.secret,
                                 timedelta(hours=self.cfg.link_lifetime_hours))

    async def _link_for(self, payload: dict[str, Any]) -> str | None:
        if payload.get("file_id") is None:
            return None
        async with self.db.session() as session:
            filename = await session.scalar(select(StoredFile.filename).where(StoredFile.id == int(payload["file_id"])))
        return None if filename is None else self.file_link(int(payload["file_id"]), filename)

    async def send_payload(self, chat_id: str, payload: dict[str, Any], *, reply: bool = False,
                           direct: bool = False) -> Outcome:
        """Send within the month's budget (zalo.monthly_quota): the messages are claimed in the
        database first, and what did not reach the chat is given back. `reply`: an answer to a
        person writing, which may use the reserve kept for replies."""
        if payload.get("method") == "sendMessage":
            payload = {**payload, "text": payload_text(payload)}
        url = await self._link_for(payload)
        if payload.get("method") != "sendMessage" and url is None:
            return Outcome("permanent", error=f"stored file #{payload.get('file_id')} is gone")
        planned = client.calls(payload, url)
        if planned is None:
            return await client.deliver(self.bot, chat_id, payload, file_url=url)
        if self.stopped:
            return self._held()
        moment = clock.now()
        month = zalo_usage.month_of(moment)
        async with self.db.session() as session:
            total = await zalo_usage.claim(session, self.cfg.monthly_quota, len(planned), moment, reply=reply)
            if total is not None:
                await zalo_usage.warn_if_due(session, self.cfg.monthly_quota, total, moment)
        if total is None:
            later = next_allowed(zalo_usage.next_month_start(moment), self.quiet)
            log.info("zalo: the month's budget (%d) is used up; held until %s", self.cfg.monthly_quota, later)
            return Outcome("retry", error=BUDGET_SPENT, not_before=later)
        # The caller holds one slot of the sending budget; a long text split in pieces needs one
        # a piece (`direct`: an answer to a person typing, not held by the per-chat pace).
        extra = [await self.limiter.acquire(None if direct else chat_id, priority=REPLY if direct else BACKGROUND)
                 for _ in planned[1:]]
        try:
            result = await client.deliver(self.bot, chat_id, payload, file_url=url, planned=planned)
        finally:
            for ticket in extra:
                self.limiter.release(ticket)
        if result.delivered < len(planned):
            async with self.db.session() as session:
                await zalo_usage.give_back(session, month, len(planned) - result.delivered)
        return self._after(result)

    def _after(self, result: Outcome) -> Outcome:
        """A 429 holds the outbox back (longer after each one in a row); a 401 stops sending."""
        if result.kind == "sent":
            self._quota_429s, self._quota_until = 0, None
            return result
        if result.code == client.QUOTA_CODE:
            wait = min(QUOTA_WAIT_FIRST * 2 ** self._quota_429s, QUOTA_WAIT_MAX)
            self._quota_429s += 1
            self._quota_until = clock.now() + timedelta(seconds=wait)
            log.warning("zalo: 429 %s; the outbox waits %.0f s", result.error, wait)
            return dataclasses.replace(result, not_before=self._quota_until)
        if result.code == client.TOKEN_CODE:
            return dataclasses.replace(result, not_before=clock.now() + TOKEN_WAIT)
        return result

    def _held(self) -> Outcome | None:
        """The outbox's rows wait, without asking Zalo, while a 429's wait or a 401 lasts."""
        if self.stopped:
            return Outcome("retry", error="401 Zalo đã từ chối token", code=client.TOKEN_CODE,
                           not_before=clock.now() + TOKEN_WAIT)
        if self._quota_until is not None and clock.now() < self._quota_until:
            return Outcome("retry", error="429 chờ sau khi Zalo báo hết hạn mức", code=client.QUOTA_CODE,
                           not_before=self._quota_until)
        return None

    async def send_now(self, chat_id: str, payload: dict[str, Any]) -> Outcome:
        """A direct answer to someone who just wrote: before the outbox's rows, within the
        overall rate, not held by the per-chat pace (a person typing waits for no one). A
        timeout, 5xx or network error is tried again (RETRIES times, backing off) before the
        caller falls back to the outbox."""
        for attempt in range(RETRIES + 1):
            ticket = await self.limiter.acquire(None, priority=REPLY)
            try:
                result = await self.send_payload(chat_id, payload, reply=True, direct=True)
            finally:
                self.limiter.release(ticket)
            if result.error == BUDGET_SPENT:
                # Not queued: delivered next month it would answer nothing the person still waits
                # for; what they did is in the database (README "Hạn mức tin Zalo mỗi tháng").
                log.warning("zalo: the month's budget is used up; a reply to %s is not sent", chat_id)
                return dataclasses.replace(result, kind="permanent", not_before=None)
            if not _transient(result) or attempt == RETRIES:
                return result
            await asyncio.sleep(backoff(attempt))
        return result

    async def deliver(self, row: OutboxMessage, chat_id: int | str) -> Outcome:
        """The outbox's transport (bot.jobs.drain_outbox with channel="zalo")."""
        held = self._held()
        if held is not None:
            return held
        return await self.send_payload(str(chat_id), row.payload, reply=row.kind in zalo_usage.REPLY_KINDS)
