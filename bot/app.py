"""Builds the python-telegram-bot Application and runs the bot: the inbox worker, the channels'
intakes (Telegram polling or webhook, Zalo), the database, the tick.

Updates do not go through PTB's Updater: each channel's intake stores an update in the inbox
before the platform is told it was received, and the inbox worker hands it to
`Application.process_update` (bot.inbox), a few people at once, each person's in order.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot import clock, jobs
from bot.config import Settings
from bot.inbox import InboxWorker, Observer
from bot.sending_budget import SendingBudget
from bot.services import outbox
from bot.telegram_intake import TelegramIntake, handler as telegram_handler
from bot.web.server import WebServer
from bot.forms import FORMS, FormEngine
from handlers import access, conversation, errors, menu
from handlers.context import BotContext
from storage import migrate
from storage.db import Database

log = logging.getLogger(__name__)

# The access gate first, then the conversation core's adapter; the error handler is not a handler group.
FEATURES = (access, conversation, errors)


async def open_resources(app: Application) -> None:
    """Open the database (migrated), the inbox worker and the Zalo channel (when configured), and
    set the default menu. Nothing is received until `start_intake`."""
    settings: Settings = app.bot_data["settings"]
    db = Database(settings.database_url)
    await migrate.upgrade(db)
    app.bot_data["db"] = db
    db.after_commit(lambda session: _drain_if_queued(app, session))
    worker_id = app.bot_data.setdefault("worker_id", jobs.worker_id())
    worker = InboxWorker.from_settings(settings, db, worker_id, app.bot_data.get("inbox_observer"))
    worker.handlers["telegram"] = conversation.inbox_handler(app, telegram_handler(app))
    app.bot_data["inbox"] = worker
    await menu.set_default_menu(app.bot)
    log.info("bot @%s ready", app.bot.username)
    server = web_server(settings, db)
    if server is not None:
        server.wakes.append(worker.wake)  # a file given through the upload page is handled now
    app.bot_data["web"] = server
    if settings.zalo.enabled:  # both channels in one process: Telegram's tick drains Zalo's outbox too
        from bot.zalo.channel import ZaloChannel

        # Its sends are drained by Telegram's tick, at once when queued (_drain_if_queued).
        channel = ZaloChannel(settings, db, app.bot_data["forms"], own_tick=False, worker=worker, site=server)
        app.bot_data["zalo"], app.bot_data["zalo_sender"] = channel, channel.sender


def web_server(settings: Settings, db: Database) -> WebServer | None:
    """The bot's HTTP server: the web pages, and Zalo's webhook and file links when Zalo is on."""
    return WebServer(settings, db) if settings.web.enabled or settings.zalo.enabled else None


def _drain_if_queued(app: Application, session: AsyncSession) -> None:
    """After any commit that queued outbox rows (a notice to the office, to a unit…): send now,
    not at the next tick."""
    if session.info.get(outbox.QUEUED):
        try:
            jobs.drain_soon(app)
        except Exception:  # noqa: BLE001 - the rows are committed; the next tick sends them
            log.exception("could not schedule an outbox drain")


async def close_resources(app: Application) -> None:
    db: Database | None = app.bot_data.pop("db", None)
    if db is not None:
        await db.dispose()


async def start_bot(app: Application, *, poll_timeout: int = 10) -> None:
    """Initialise, open the database, start the JobQueue, the inbox worker and the intakes."""
    await app.initialize()
    await open_resources(app)
    await app.start()
    worker: InboxWorker = app.bot_data["inbox"]
    await worker.start()
    intake = TelegramIntake(app, app.bot_data["db"], worker, app.bot_data["settings"], poll_timeout=poll_timeout)
    app.bot_data["telegram_intake"] = intake
    await intake.start()
    server: WebServer | None = app.bot_data.get("web")
    if server is not None:
        await server.start()
    channel = app.bot_data.get("zalo")
    if channel is not None:
        await channel.start()
        log.info("zalo channel ready")


async def stop_bot(app: Application) -> None:
    """Stop receiving, give the updates being handled a moment (the rest go back to the inbox),
    stop the JobQueue and close everything."""
    intake: TelegramIntake | None = app.bot_data.pop("telegram_intake", None)
    if intake is not None:
        await intake.stop()
    channel = app.bot_data.pop("zalo", None)
    if channel is not None:
        await channel.stop()
    server: WebServer | None = app.bot_data.pop("web", None)
    if server is not None:
        await server.stop()
    worker: InboxWorker | None = app.bot_data.get("inbox")
    if worker is not None:
        await worker.stop()
    if app.running:
        await app.stop()
    await close_resources(app)
    await app.shutdown()


async def serve(app: Application) -> None:
    """`python -m bot run`: until SIGTERM or SIGINT, then a prompt stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await start_bot(app)
        await stop.wait()
        log.info("stopping")
    finally:
        await stop_bot(app)


async def run_zalo_only(settings: Settings) -> int:
    """`python -m bot run` with only a Zalo token: the channel, its own tick and the web pages
    until stopped."""
    from bot.zalo.channel import ZaloChannel

    clock.set_local_zone(settings.timezone)
    db = Database(settings.database_url)
    await migrate.upgrade(db)
    server = web_server(settings, db)
    channel = ZaloChannel(settings, db, FormEngine(list(FORMS)), site=server)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start()
        await channel.start()
        log.info("zalo channel ready (Telegram off: no TELEGRAM_BOT_TOKEN)")
        await stop.wait()
    finally:
        await channel.stop()
        await server.stop()
        await db.dispose()
    return 0


def use_fast_event_loop() -> None:
    """Run the bot on uvloop where it is installed (not on Windows): the event loop in C takes
    ~10 % off the CPU the bot spends per update (bench/forms.py). Call before the loop starts."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def build_application(settings: Settings, *, observer: Observer | None = None) -> Application:
    """The whole bot, configured; `start_bot` opens the database and starts receiving."""
    clock.set_local_zone(settings.timezone)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=BotContext))
        # The channel's one sending budget, shared with the outbox drain (bot/sending_budget.py).
        .rate_limiter(SendingBudget.from_settings(settings))
        .updater(None)  # updates come from the inbox (bot.telegram_intake, bot.inbox)
    )
    if settings.proxy_url:  # where api.telegram.org cannot be reached directly (README "Proxy")
        builder = builder.proxy(settings.proxy_url).get_updates_proxy(settings.proxy_url)
    app = builder.build()
    app.bot_data["settings"] = settings
    app.bot_data["forms"] = FormEngine(list(FORMS))
    if observer is not None:
        app.bot_data["inbox_observer"] = observer
    for feature in FEATURES:
        feature.register(app)
    jobs.schedule(app)
    return app
