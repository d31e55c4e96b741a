"""Builds the python-telegram-bot Application: handlers, rate limiter, database, errors."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, BaseUpdateProcessor, ContextTypes

from bot import clock, jobs
from bot.bot_api_http import AiohttpRequest, PollingRequest
from bot.config import Settings
from bot.sending_budget import SendingBudget
from bot.update_order import ChatOrderedProcessor
from bot.services import outbox
from bot.forms import FormEngine, campaign_form, nomination_form, report_form
from handlers import (
    access, campaigns, digests, errors, fallback, forms, members_admin, membership, menu, nominations,
    personal_data, reports,
)
from handlers.context import BotContext
from storage import migrate
from storage.db import Database

log = logging.getLogger(__name__)

# Feature modules in the order their handlers are tried; fallback must stay last.
FEATURES = (access, membership, personal_data, members_admin, campaigns, nominations, reports, digests, forms, fallback,
            errors)
FORMS = (campaign_form.FORM, *nomination_form.FORMS, report_form.FORM)


async def open_resources(app: Application) -> None:
    """Open the database (migrated) and set the default menu. post_init of run_polling/run_webhook;
    callers that drive the Application by hand (demo, tests) call it after initialize()."""
    settings: Settings = app.bot_data["settings"]
    db = Database(settings.database_url)
    await migrate.upgrade(db)
    app.bot_data["db"] = db
    db.after_commit(lambda session: _drain_if_queued(app, session))
    await menu.set_default_menu(app.bot)
    log.info("bot @%s ready", app.bot.username)
    if settings.zalo.enabled:  # both channels in one process: Telegram's tick drains Zalo's outbox too
        from bot.zalo.channel import ZaloChannel

        # Its sends are drained by Telegram's tick, at once when queued (_drain_if_queued).
        channel = ZaloChannel(settings, db, app.bot_data["forms"], own_tick=False)
        await channel.start()
        app.bot_data["zalo"], app.bot_data["zalo_sender"] = channel, channel.sender
        log.info("zalo channel ready")


def _drain_if_queued(app: Application, session: AsyncSession) -> None:
    """After any commit that queued outbox rows (a notice to the office, to a unit…): send now,
    not at the next tick."""
    if session.info.get(outbox.QUEUED):
        try:
            jobs.drain_soon(app)
        except Exception:  # noqa: BLE001 - the rows are committed; the next tick sends them
            log.exception("could not schedule an outbox drain")


async def close_resources(app: Application) -> None:
    channel = app.bot_data.pop("zalo", None)
    if channel is not None:
        await channel.stop()
    db: Database | None = app.bot_data.pop("db", None)
    if db is not None:
        await db.dispose()


async def start_polling(app: Application, *, poll_timeout: int = 10) -> None:
    """Start by hand what run_polling starts, for code that owns the event loop."""
    await app.initialize()
    await open_resources(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)


async def stop_polling(app: Application) -> None:
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await close_resources(app)
    await app.shutdown()


def use_fast_event_loop() -> None:
    """Run the bot on uvloop where it is installed (not on Windows): the event loop in C takes
    ~10 % off the CPU the bot spends per update (bench/forms.py). Call before the loop starts."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def build_application(settings: Settings, *, update_processor: BaseUpdateProcessor | None = None) -> Application:
    """The whole bot, configured; the database opens in post_init and closes in post_shutdown."""
    clock.set_local_zone(settings.timezone)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=BotContext))
        # The channel's one sending budget, shared with the outbox drain (bot/sending_budget.py).
        .rate_limiter(SendingBudget.from_settings(settings))
        # aiohttp instead of httpx: a fraction of the CPU per request (bot/bot_api_http.py)
        .request(AiohttpRequest(connection_pool_size=256, connect_timeout=10, read_timeout=20, write_timeout=30))
        .get_updates_request(polling := PollingRequest(connection_pool_size=1, connect_timeout=10, read_timeout=20))
        .post_init(open_resources)
        .post_shutdown(close_resources)
    )
    # A few people's updates at once, each person's in order (bot/update_order.py).
    builder = builder.concurrent_updates(update_processor or ChatOrderedProcessor(settings.concurrent_updates))
    app = builder.build()
    polling.until_handled = app.update_queue.join  # poll again once what was fetched is handled
    app.bot_data["settings"] = settings
    app.bot_data["forms"] = FormEngine(list(FORMS))
    for feature in FEATURES:
        feature.register(app)
    jobs.schedule(app)
    return app
