"""The periodic tick: everything due, once — for now, draining the outbox.

The JobQueue only ticks; the database says what is due. A tick is a plain sequence of awaited
steps, each returning a small report. Draining claims rows (committed) before sending them, so
several processes can tick on one database and a crash loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.ext import Application, ContextTypes, ExtBot

from bot import clock, delivery
from bot.config import Settings
from bot.limits import BACKGROUND, RateLimiter
from bot import sending_budget
from bot.sending_budget import DatabaseSchedule, SendingBudget
from bot.services import council, digest_sending, members, nudges, outbox, registrations, report_notices
from bot.services.digest_sending import DigestReport
from bot.services.nudges import NudgeReport
from bot.services.report_notices import NoticeReport
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

TICK_JOB = "tick"
DRAIN_BUDGET_SECONDS = 15.0
BACKOFF_FIRST_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 600.0
# A chat whose own limit (a group's 20/min, a 429 penalty) would hold a send slot longer than
# this goes back to the outbox until it is free, instead of blocking everyone else.
DEFER_AFTER_SECONDS = 2.0
MAX_MIGRATIONS = 2
# At stop: sends already on the wire get this long to finish; rows not yet sent go back to pending.
STOP_GRACE_SECONDS = 3.0
# Due rows held by their chat (its second since the last message, a send in flight elsewhere):
# look again this often rather than return "more" and spin.
HELD_POLL_SECONDS = 0.1

# Rows each worker (this process's drains) is sending now: never claimed again by it.
_IN_FLIGHT: dict[str, set[int]] = {}


@dataclass
class DrainReport:
    """sent / retried (back to pending) / failed now; left = unsent rows in the outbox after;
    more = the budget ran out while rows were still due."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    left: int = 0
    more: bool = False


@dataclass
class TickReport:
    outbox: DrainReport = field(default_factory=DrainReport)
    zalo: DrainReport = field(default_factory=DrainReport)
    campaign_summaries: int = 0
    nudges: NudgeReport = field(default_factory=NudgeReport)
    notices: NoticeReport = field(default_factory=NoticeReport)
    digests: DigestReport = field(default_factory=DigestReport)
    council_reminders: int = 0  # members reminded to vote
    council_closed: int = 0  # review sessions closed at their deadline
    registration_nudges: int = 0  # officers nudged to register

    @property
    def more(self) -> bool:
        return self.outbox.more or self.zalo.more


def worker_id() -> str:
    """hostname-pid-random: who claimed a row, readable in the database."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


def backoff_seconds(attempts: int) -> float:
    """2, 4, 8… seconds (±20 %), at most 10 minutes, after the attempts-th failed try."""
    base = min(BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    return base * random.uniform(0.8, 1.2)


# --- draining the outbox ----------------------------------------------------------------------


# Sends one claimed row to a chat of its channel and classifies the answer (bot.delivery for
# Telegram, bot.zalo.sending for Zalo): an object with kind, message_id, retry_after, error,
# unreachable and new_chat_id.
Transport = Callable[[OutboxMessage, "int | str"], Awaitable[Any]]


@dataclass
class _Drain:
    transport: Transport
    db: Database
    settings: Settings
    limiter: RateLimiter
    now: datetime | None
    channel: str = "telegram"
    # One send at a time per chat, in claim order, so a person reads a digest before its chart
    # (asyncio.Lock is first come, first served; the limiter alone does not keep the order).
    chat_locks: dict[int | str, asyncio.Lock] = field(default_factory=dict)
    started: set[int] = field(default_factory=set)  # rows whose send began: not released at stop

    def moment(self) -> datetime:
        return self.now if self.now is not None else clock.now()

    async def send(self, row: OutboxMessage) -> str:
        """Send one claimed row and record what happened; returns sent|retried|failed|deferred|held."""
        cfg = self.settings.outbox
        if row.attempts > cfg.max_attempts:  # reclaimed after a crash on its last try
            await self._record(outbox.mark_failed, row.id, row.error or "hết số lần thử")
            return "failed"
        chat_id = row.chat_id if self.channel == "telegram" else row.address
        async with self.chat_locks.setdefault(chat_id, asyncio.Lock()):
            return await self._send_in_order(row, chat_id)

    async def _send_in_order(self, row: OutboxMessage, chat_id: int | str) -> str:
        cfg = self.settings.outbox
        for _ in range(MAX_MIGRATIONS + 1):
            ticket = await self.limiter.acquire(chat_id, max_chat_wait=DEFER_AFTER_SECONDS)
            if ticket is None:
                later = self.moment() + timedelta(seconds=self.limiter.chat_wait(chat_id))
                await self._record(outbox.mark_retry, row.id, row.error, later, count_attempt=False)
                return "deferred"
            self.started.add(row.id)
            try:
                result = await self.transport(row, chat_id)
            finally:
                self.limiter.release(ticket)
            if result.kind != "migrated":
                break
            # The group became a supergroup: move the row and its members, send again at once.
            async with self.db.session() as session:
                await outbox.follow_chat_migration(session, chat_id, result.new_chat_id)
            log.info("chat %s migrated to %s", chat_id, result.new_chat_id)
            chat_id = result.new_chat_id
        else:
            await self._record(outbox.mark_failed, row.id, "chat chuyển nhóm quá nhiều lần")
            return "failed"

        if result.kind == "sent":
            # telegram_message_id is a Telegram number; Zalo's message ids are strings, not kept.
            message_id = result.message_id if self.channel == "telegram" else None
            await self._record(outbox.mark_sent, row.id, message_id, self.moment())
            return "sent"
        if result.kind == "permanent":
            async with self.db.session() as session:
                await outbox.mark_failed(session, row.id, result.error or "lỗi")
                if result.unreachable:
                    await members.set_reachable(session, chat_id, False, channel=self.channel)
            log.info("outbox #%s to chat %s failed: %s", row.id, chat_id, result.error)
            return "failed"
        if result.not_before is not None:  # Zalo: the month's budget, a 429's wait, the token
            await self._record(outbox.mark_retry, row.id, result.error, result.not_before, count_attempt=False)
            return "held"
        if result.retry_after is not None:  # 429: wait what Telegram asks; not the row's fault
            self.limiter.block(chat_id, result.retry_after)
            self.limiter.pause(result.retry_after)  # everything on the channel waits it out
            later = self.moment() + timedelta(seconds=result.retry_after)
            await self._record(outbox.mark_retry, row.id, result.error, later, count_attempt=False)
            return "retried"
        if row.attempts >= cfg.max_attempts:
            await self._record(outbox.mark_failed, row.id, result.error or "lỗi")
            return "failed"
        later = self.moment() + timedelta(seconds=backoff_seconds(row.attempts))
        await self._record(outbox.mark_retry, row.id, result.error, later)
        return "retried"

    async def _record(self, action, *args, **kwargs) -> None:  # noqa: ANN001 - an outbox.mark_* function
        async with self.db.session() as session:
            await action(session, *args, **kwargs)


async def drain_outbox(
    bot: Bot,
    db: Database,
    settings: Settings,
    *,
    worker_id: str,
    now: datetime | None = None,
    budget_seconds: float = DRAIN_BUDGET_SECONDS,
    limiter: RateLimiter | None = None,
    read_timeout: float | None = None,
    keep_going: Callable[[], bool] | None = None,
    channel: str = "telegram",
    transport: Transport | None = None,
) -> DrainReport:
    """Claim due rows, send them concurrently under the limiter, record each outcome in its own
    short session; stop when nothing is due or the budget is spent (sends in flight finish).

    A chat's rows are claimed one at a time (outbox.claim_due), so while one chat waits for its
    second, the send slots go to other chats. `bot` must not retry on its own (see bot.delivery).
    Pass the same `limiter` to every drain of a process — the one the replies use — so its
    windows carry over from one tick to the next. When keep_going() turns false (the bot is
    stopping) the drain ends at once: claimed rows not yet sent go back to pending, sends on the
    wire get STOP_GRACE_SECONDS. Other channels than Telegram pass their `channel` and
    `transport` (then `bot` is unused).
    """
    cfg = settings.outbox
    if transport is None:
        async def transport(row: OutboxMessage, chat_id: int | str) -> delivery.Outcome:
            return await delivery.deliver(bot, db, row, chat_id=chat_id, read_timeout=read_timeout)
    limiter = limiter or RateLimiter.from_settings(cfg)
    drain = _Drain(transport, db, settings, limiter, now, channel)
    report = DrainReport()
    deadline = time.monotonic() + budget_seconds
    claim_options = {
        "lease_seconds": cfg.lease_seconds, "channel": channel,
        "chat_gap_seconds": 1.0 / cfg.per_chat_per_second,
        "group_per_minute": cfg.group_per_minute if channel == "telegram" else None,
    }
    # Claim a new batch when half the slots are free: enough queued on the limiter to keep the
    # pace, few enough claimed that a crash leaves little in 'sending'.
    refill_below = max(1, cfg.concurrency // 2)
    tasks: dict[asyncio.Task[str], OutboxMessage] = {}
    in_flight = _IN_FLIGHT.setdefault(worker_id, set())

    def start(row: OutboxMessage) -> None:
        in_flight.add(row.id)
        task = asyncio.create_task(drain.send(row))
        task.add_done_callback(lambda _: in_flight.discard(row.id))
        tasks[task] = row

    def stopping() -> bool:
        return keep_going is not None and not keep_going()

    def tally(task: asyncio.Task[str]) -> None:
        if task.cancelled():
            return
        try:
            result = task.result()
        except Exception:  # the row stays 'sending' and is reclaimed after the lease
            log.exception("outbox send failed unexpectedly")
            return
        if result in ("sent", "retried", "failed"):
            setattr(report, result, getattr(report, result) + 1)

    try:
        while not stopping():
            if len(tasks) <= refill_below and time.monotonic() < deadline:
                async with db.session() as session:
                    rows = await outbox.claim_due(session, worker_id, drain.moment(), cfg.concurrency - len(tasks),
                                                  wall_now=datetime.now(UTC), in_flight=in_flight, **claim_options)
                for row in rows:
                    start(row)
                if not tasks:
                    if in_flight:  # another drain of this process sends the rows there are: wait for it
                        await asyncio.sleep(HELD_POLL_SECONDS)
                        continue
                    async with db.session() as session:
                        due = await outbox.next_due_at(session, channel)
                    if due is None or due > drain.moment():
                        break  # nothing due now
                    # Due but held by their chats (a send in flight, here or in another process;
                    # the chat's second): their turn comes in real time, whatever `now` says.
                    await asyncio.sleep(HELD_POLL_SECONDS)
                    continue
            elif not tasks:  # the budget is spent
                async with db.session() as session:
                    due = await outbox.next_due_at(session, channel)
                report.more = due is not None and due <= drain.moment()
                break
            # A timeout, so that a stop is noticed while sends wait for their turn.
            done, _ = await asyncio.wait(tasks, timeout=HELD_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                tasks.pop(task)
                tally(task)
        if tasks:
            await _stop_sends(drain, tasks, tally)
            tasks = {}
    except asyncio.CancelledError:  # the channel stops its tick (bot.zalo.channel): the same care
        if tasks:
            await _stop_sends(drain, tasks, tally)
            tasks = {}
        raise
    finally:
        for task in tasks:
            task.cancel()
    async with db.session() as session:
        report.left = await outbox.unsent_count(session, channel)
    return report


async def _stop_sends(drain: _Drain, tasks: dict[asyncio.Task[str], OutboxMessage], tally) -> None:  # noqa: ANN001
    """The bot is stopping: rows still waiting for their turn go back to pending at once; sends
    already on the wire get STOP_GRACE_SECONDS, then are cut (their rows stay 'sending' and are
    taken over after the lease, as after a crash)."""
    waiting = [task for task, row in tasks.items() if row.id not in drain.started]
    for task in waiting:  # no await since the check: none of them can have started meanwhile
        task.cancel()
    on_the_wire = [task for task in tasks if task not in waiting]
    if on_the_wire:
        _, late = await asyncio.wait(on_the_wire, timeout=STOP_GRACE_SECONDS)
        for task in late:
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        tally(task)
    unsent = [tasks[task].id for task in waiting if task.cancelled()]
    async with drain.db.session() as session:
        await outbox.release_claims(session, unsent, drain.moment())
    if unsent:
        log.info("stopping: %d claimed messages back to the outbox", len(unsent))


# --- the tick --------------------------------------------------------------------------------


def outbox_bot(app: Application) -> Bot:
    """A Bot for outbox sends sharing the Application's connection pool but not its
    AIORateLimiter (which would retry 429s itself and pause every other send meanwhile)."""
    bot = app.bot_data.get("outbox_bot")
    if bot is None:
        settings: Settings = app.bot_data["settings"]
        request = app.bot.request
        bot = Bot(settings.token, base_url=settings.api_base_url, base_file_url=settings.api_file_url,
                  request=request, get_updates_request=request)
        app.bot_data["outbox_bot"] = bot
    return bot


def telegram_limiter(app: Application) -> RateLimiter:
    """The channel's one limiter: the Application's SendingBudget's (replies use it too)."""
    budget = app.bot.rate_limiter
    if isinstance(budget, SendingBudget):
        return budget.limiter
    settings: Settings = app.bot_data["settings"]
    return app.bot_data.setdefault("outbox_limiter", RateLimiter.from_settings(settings.outbox))


def budgeted(bot: Bot, settings: Settings, limiter: RateLimiter) -> ExtBot:
    """A bot for the tick's own edits and messages (launch progress): through the channel's
    budget behind the replies, on the same connection pool."""
    return ExtBot(settings.token, base_url=settings.api_base_url, base_file_url=settings.api_file_url,
                  request=bot.request, get_updates_request=bot.request,
                  rate_limiter=SendingBudget(limiter, priority=BACKGROUND))


async def tick(app_or_bot: Application | Bot | None, db: Database, settings: Settings, now: datetime | None = None,
               *, zalo: Any = None, drain_only: bool = False) -> TickReport:
    """Everything due, once. Given an Application, its limiter and worker id carry over.

    Zalo rows drain through `zalo` (a bot.zalo.sending.ZaloSender), or the one the Application
    holds when both channels run in one process; with no Telegram (None) only Zalo drains.
    `drain_only`: just send what is queued (no nudges, digests or launch progress)."""
    if isinstance(app_or_bot, Application):
        app = app_or_bot
        bot = outbox_bot(app)
        limiter = telegram_limiter(app)
        worker = app.bot_data.setdefault("worker_id", worker_id())
        zalo = zalo or app.bot_data.get("zalo_sender")
    else:
        schedule = DatabaseSchedule("telegram", db) if sending_budget.shared(settings) else None
        bot, worker = app_or_bot, worker_id()
        limiter = RateLimiter.from_settings(settings.outbox, schedule=schedule)
    # `python -m bot tick` (and a Zalo-only process) sends all that is due; the running bot's
    # drain comes back every DRAIN_BUDGET_SECONDS for its other work.
    budget = DRAIN_BUDGET_SECONDS if isinstance(app_or_bot, Application) else float("inf")
    report = TickReport()
    if not drain_only:
        # Nudges and digests first: what they queue goes out in this same tick's drain. One at a
        # time in a process (the JobQueue's tick and a `tick` called meanwhile would both create
        # the missing digest subscriptions).
        steps = app.bot_data.setdefault("tick_steps", asyncio.Lock()) if isinstance(app_or_bot, Application) \
            else asyncio.Lock()
        async with steps:
            async with db.session() as session:
                report.nudges = await nudges.send_due(session, settings, now)
            async with db.session() as session:
                report.notices = await report_notices.send_due(session, settings, now)
            async with db.session() as session:
                report.digests = await digest_sending.send_due(session, settings, now)
            async with db.session() as session:  # registration: one nudge past the due date
                report.registration_nudges = await registrations.tick(session, settings, now)
            async with db.session() as session:  # the council's sessions: one reminder, the close
                report.council_reminders, report.council_closed = await council.tick(session, settings, now)
    keep_going = (lambda: app_or_bot.running) if isinstance(app_or_bot, Application) else None
    # The channels have their own limits, so they drain side by side.
    drains = []
    if zalo is not None and zalo.stopped:
        zalo = None  # Zalo refused the token (logged once): its rows wait in the outbox
    if zalo is not None:
        drains.append(drain_outbox(None, db, settings, worker_id=worker, now=now, limiter=zalo.limiter,
                                   keep_going=keep_going, channel="zalo", transport=zalo.deliver,
                                   budget_seconds=budget))
    if bot is not None:
        drains.append(drain_outbox(bot, db, settings, worker_id=worker, now=now, limiter=limiter,
                                   keep_going=keep_going, budget_seconds=budget))
    results = await asyncio.gather(*drains)
    if zalo is not None:
        report.zalo = results[0]
    if bot is None:
        return report
    report.outbox = results[-1]
    if drain_only:
        return report
    from bot.launch_progress import report_progress  # the launch progress is Telegram's own message

    report.campaign_summaries = await report_progress(budgeted(bot, settings, limiter), db)
    return report


@dataclass
class _TickState:
    running: bool = False
    again: bool = False
    full_again: bool = False  # a full tick was asked for while one ran


DRAIN_ONLY = "drain-only"


async def _tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: tick; tick again at once if asked (kick) or if work was left due."""
    app = context.application
    db: Database | None = app.bot_data.get("db")
    if db is None:  # not opened yet, or shutting down
        return
    state: _TickState = app.bot_data.setdefault("tick_state", _TickState())
    drain_only = context.job is not None and context.job.data == DRAIN_ONLY
    if state.running:
        state.again = True
        state.full_again = state.full_again or not drain_only
        return
    state.running = True
    try:
        while True:
            state.again = False
            report = await tick(app, db, app.bot_data["settings"], drain_only=drain_only)
            drain_only, state.full_again = not state.full_again, False
            if report.outbox.sent or report.outbox.failed or report.zalo.sent or report.zalo.failed:
                log.info("tick: %s", report)
            if not app.running or not (state.again or report.more):
                break  # stopping: what is left waits in the outbox for the next start
    finally:
        state.running = False


def schedule(app: Application) -> None:
    """Tick every outbox.tick_seconds. Nothing about the work is in the job: it is in the database."""
    settings: Settings = app.bot_data["settings"]
    app.job_queue.run_repeating(
        _tick_job,
        interval=settings.outbox.tick_seconds,
        first=1,
        name=TICK_JOB,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": 30},
    )


async def kick(app: Application) -> None:
    """Tick now (a broadcast was just enqueued) rather than at the next interval."""
    app.job_queue.run_once(_tick_job, when=0, name=f"{TICK_JOB}-now")


def drain_soon(app: Application) -> None:
    """Send what was just queued now rather than at the next tick: only the outbox, so that a
    reply that notifies someone costs a drain, not a whole tick."""
    app.job_queue.run_once(_tick_job, when=0, name=f"{TICK_JOB}-drain", data=DRAIN_ONLY,
                           job_kwargs={"misfire_grace_time": 30})  # not dropped when the loop lags
