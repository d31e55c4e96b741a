"""The Zalo channel at run time: updates by long polling or webhook, the bot's own HTTP endpoint
(webhook + signed file links), and — when Telegram does not run in this process — its own tick.

With Telegram in the same process, Telegram's JobQueue tick drains the Zalo outbox too (the
sender sits in the Application's bot_data), at once after a commit that queued messages; alone,
such a commit wakes the channel's own tick.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web

from bot import clock, jobs, signed_links
from bot.config import Settings
from bot.forms import FormEngine
from bot.inbox import InboxWorker
from bot.services import inbox, outbox
from bot.zalo.client import ZaloBot, ZaloError
from bot.zalo.conversation import Conversation
from bot.zalo.sending import ZaloSender
from storage.db import Database

log = logging.getLogger(__name__)

CHANNEL = "zalo"
DEFAULT_WEBHOOK_PATH = "/zalo/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
POLL_TIMEOUT = 30
RETRY_FIRST, RETRY_MAX = 1.0, 60.0


def webhook_path(url: str) -> str:
    return urlparse(url).path or DEFAULT_WEBHOOK_PATH if url else DEFAULT_WEBHOOK_PATH


def incoming(update: dict) -> inbox.Incoming:
    """A Zalo update as an inbox row: keyed by its message id (Zalo has no update id), in line
    behind its chat's earlier messages."""
    message = update.get("message") or {}
    chat = (message.get("chat") or {}).get("id") or (message.get("from") or {}).get("id") or ""
    key = str(message.get("message_id") or "")
    if not key:  # no id to recognise it again by: one made from its content
        key = "sha256:" + hashlib.sha256(json.dumps(update, sort_keys=True).encode()).hexdigest()[:40]
    return inbox.Incoming(CHANNEL, key, str(chat) or f"message:{key}", update)


class ZaloChannel:
    def __init__(self, settings: Settings, db: Database, engine: FormEngine, *, own_tick: bool = True,
                 poll_timeout: int = POLL_TIMEOUT, worker: InboxWorker | None = None,
                 site: Any, owns_site: bool = False) -> None:
        """`site`: the bot's HTTP server (bot.web.server.WebServer: `.app`, `.port`, `start`,
        `stop`), to which the channel adds its routes; started and stopped by whoever made it, or
        by the channel if `owns_site`."""
        self.settings = settings
        self.cfg = settings.zalo
        self.db = db
        self.bot = ZaloBot(self.cfg.token, self.cfg.api_base_url, timeout=poll_timeout + 15)
        self.sender = ZaloSender(self.bot, db, settings)
        self.conversation = Conversation(db, settings, engine, self.sender)
        self.own_tick = own_tick
        # Updates are stored in the inbox and handled by the process's inbox worker: the
        # Application's when Telegram runs here too, else the channel's own.
        self.own_worker = worker is None
        if worker is None:
            worker = InboxWorker.from_settings(settings, db, jobs.worker_id())
        self.worker = worker
        worker.handlers[CHANNEL] = self.conversation.handle
        self.poll_timeout = poll_timeout
        self._tasks: set[asyncio.Task] = set()
        self.site, self.owns_site = site, owns_site
        self.add_routes(site.app)
        if self.own_worker:  # a file given through the upload page is handled now
            site.wakes.append(worker.wake)
        self._wake = asyncio.Event()
        self._running = False
        if own_tick:  # what a commit queued goes out now (with Telegram, the app's tick does this)
            db.after_commit(lambda session: session.info.get(outbox.QUEUED) and self._wake.set())

    # --- lifecycle -------------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        """The signed file links and Zalo's webhook."""
        app.add_routes(signed_links.routes(self.db, self.sender.secret))
        app.router.add_post(webhook_path(self.cfg.webhook_url), self._webhook)

    async def start(self) -> None:
        self._running = True
        if self.own_worker:
            await self.worker.start()
        if self.owns_site:
            await self.site.start()
        if self.cfg.webhook_url:
            await self.bot.set_webhook(self.cfg.webhook_url, self.cfg.webhook_secret)
            log.info("zalo: webhook %s", self.cfg.webhook_url)
        else:
            try:
                await self.bot.delete_webhook()  # getUpdates is refused while a webhook is set
            except (ZaloError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("zalo: could not delete the webhook: %s", exc)
            self._spawn(self._poll())
        if self.own_tick:
            self._spawn(self._tick_loop())

    async def stop(self) -> None:
        self._running = False
        self._wake.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.owns_site:
            await self.site.stop()
        if self.own_worker:
            await self.worker.stop()
        await self.conversation.close()
        await self.bot.close()

    @property
    def port(self) -> int:
        """The port the HTTP endpoint listens on (useful when configured as 0)."""
        return self.site.port

    def _spawn(self, coro) -> asyncio.Task:  # noqa: ANN001 - a coroutine
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- updates ---------------------------------------------------------------------------------

    async def _poll(self) -> None:
        delay = RETRY_FIRST
        while self._running:
            try:
                update = await self.bot.get_update(self.poll_timeout)
            except asyncio.CancelledError:
                raise
            except (ZaloError, aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                if self.bot.token_refused:  # said loudly by the client; asking again changes nothing
                    log.warning("zalo: polling stopped: the token was refused")
                    return
                log.warning("zalo: getUpdates failed (%s); again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
                continue
            delay = RETRY_FIRST
            if update:
                # Zalo's getUpdates has no offset: what it returned is gone from Zalo, so it is
                # stored at once; if the database is away, it is kept in memory and stored later.
                await self._store_until_done(update)

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.cfg.webhook_secret.encode()) or not self.cfg.webhook_secret:
            log.warning("zalo webhook: wrong or missing secret from %s", request.remote)
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        raw = await request.read()
        try:
            body = json.loads(raw)
            update = body.get("result", body) if isinstance(body, dict) else None
            if not isinstance(update, dict) or not isinstance(update.get("message"), dict) or "event_name" not in update:
                raise ValueError("not a Zalo update")
        except ValueError as exc:
            log.warning("zalo webhook: malformed body (%s): %r", exc, raw[:200])
            return web.json_response({"ok": False, "description": "malformed update"}, status=400)
        try:
            await self._store(update)
        except Exception:  # noqa: BLE001 - not stored: let Zalo send it again
            log.exception("zalo webhook: could not store the update")
            return web.json_response({"ok": False, "description": "try again"}, status=503)
        return web.json_response({"ok": True})  # only now: the update is in the database

    async def _store(self, update: dict) -> None:
        async with self.db.session() as session:
            await inbox.store(session, [incoming(update)], clock.now())
        self.worker.wake()

    async def _store_until_done(self, update: dict) -> None:
        delay = RETRY_FIRST
        while True:
            try:
                await self._store(update)
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the database away
                log.exception("zalo: could not store an update; again in %.0f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)

    # --- the tick when Telegram is not here ------------------------------------------------------

    async def _tick_loop(self) -> None:
        interval = self.settings.outbox.tick_seconds
        while self._running:
            self._wake.clear()  # before the tick: a kick during it means "again"
            try:
                report = await jobs.tick(None, self.db, self.settings, zalo=self.sender)
                if report.zalo.sent or report.zalo.failed:
                    log.info("zalo tick: %s", report.zalo)
                if report.more:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("zalo tick failed")
            try:
                await asyncio.wait_for(self._wake.wait(), interval)
            except asyncio.TimeoutError:
                pass
