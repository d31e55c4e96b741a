"""Telegram updates into the inbox, by long polling or by webhook; each stored before Telegram is
told it was received (the next getUpdates offset, the webhook's 200), then handled by the inbox
worker through the Application (bot.inbox). Only python-telegram-bot's public API is used: Bot's
getUpdates and setWebhook, Update.to_dict / de_json, Application.process_update.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot import clock
from bot.config import Settings
from bot.inbox import InboxWorker
from bot.services import inbox
from storage.db import Database

log = logging.getLogger(__name__)

CHANNEL = "telegram"
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_FIRST, RETRY_MAX = 1.0, 60.0
MAX_BODY = 1024 * 1024  # an update is a few kB; Telegram sends files by id


def chat_key(update: Update) -> str:
    """Whose turn an update takes: its chat, else its sender (a private chat's id is the person's,
    so a button under an inline message queues with their private chat), else its own."""
    if update.effective_chat is not None:
        return str(update.effective_chat.id)
    if update.effective_user is not None:
        return str(update.effective_user.id)
    return f"update:{update.update_id}"


def incoming(update: Update) -> inbox.Incoming:
    return inbox.Incoming(CHANNEL, str(update.update_id), chat_key(update), update.to_dict())


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or one derived from the bot token: strong, unknown to anyone without
    the token, and the same in every process of the bot (each registers the webhook)."""
    if settings.webhook.secret_token:
        return settings.webhook.secret_token
    return hmac.new(settings.token.encode(), b"thidua-bot telegram webhook", hashlib.sha256).hexdigest()


def handler(app: Application):  # noqa: ANN201 - an inbox handler
    """Hand a stored update to the Application's handlers."""

    async def handle(payload: dict[str, Any]) -> None:
        await app.process_update(Update.de_json(payload, app.bot))

    return handle


class TelegramIntake:
    def __init__(self, app: Application, db: Database, worker: InboxWorker, settings: Settings, *,
                 poll_timeout: int = 10) -> None:
        self.app = app
        self.db = db
        self.worker = worker
        self.settings = settings
        self.poll_timeout = poll_timeout
        self._task: asyncio.Task | None = None
        self._runner: web.AppRunner | None = None
        self._secret = webhook_secret(settings)

    async def start(self) -> None:
        wh = self.settings.webhook
        if wh.enabled:
            self._runner = web.AppRunner(self.web_app(), access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, wh.listen, wh.port).start()
            await self.app.bot.set_webhook(wh.url.rstrip("/") + WEBHOOK_PATH, secret_token=self._secret,
                                           allowed_updates=Update.ALL_TYPES)
            log.info("telegram: webhook %s%s", wh.url.rstrip("/"), WEBHOOK_PATH)
        else:
            await self.app.bot.delete_webhook()  # getUpdates is refused while a webhook is set
            self._task = asyncio.create_task(self._poll(), name="telegram-poll")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()  # a poll cut short confirms nothing: Telegram sends those again
            await asyncio.gather(self._task, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()

    async def _store(self, updates: list[Update]) -> None:
        async with self.db.session() as session:
            await inbox.store(session, [incoming(u) for u in updates], clock.now())
        self.worker.wake()

    # --- long polling --------------------------------------------------------------------------

    async def _poll(self) -> None:
        offset: int | None = None
        delay = RETRY_FIRST
        while True:
            try:
                updates = await self.app.bot.get_updates(
                    offset=offset, timeout=self.poll_timeout, allowed_updates=Update.ALL_TYPES,
                    read_timeout=self.poll_timeout + 10)
                if updates:
                    await self._store(list(updates))  # stored first: the next offset confirms them
                    offset = updates[-1].update_id + 1
                delay = RETRY_FIRST
            except asyncio.CancelledError:
                raise
            except InvalidToken:
                log.error("telegram: the token was refused; polling stopped")
                return
            except (Conflict, NetworkError, TelegramError, OSError) as exc:
                log.warning("telegram: getUpdates failed (%s); again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
            except Exception:  # noqa: BLE001 - the database away: what was fetched comes again
                log.exception("telegram: could not store updates; again in %.0f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)

    # --- webhook -------------------------------------------------------------------------------

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(WEBHOOK_PATH, self._webhook)
        return app

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            log.warning("telegram webhook: wrong or missing secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        raw = await request.read()
        try:
            body = json.loads(raw)
            update = Update.de_json(body, self.app.bot) if isinstance(body, dict) else None
            if update is None or not isinstance(body.get("update_id"), int):
                raise ValueError("not a Telegram update")
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("telegram webhook: malformed body (%s): %r", exc, raw[:200])
            return web.Response(status=400, text="malformed update")
        try:
            await self._store([update])
        except Exception:  # noqa: BLE001 - not stored: Telegram must send it again
            log.exception("telegram webhook: could not store update %s", body.get("update_id"))
            return web.Response(status=503, text="try again")
        return web.Response(text="ok")  # only now: the update is in the database
