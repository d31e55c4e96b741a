"""One sending budget per channel: the Application's side of bot.limits.RateLimiter.

`SendingBudget` is the rate limiter PTB's Application sends every request through (replies,
edits, answers to button presses), on PTB's public `BaseRateLimiter` interface. It wraps the
same RateLimiter instance the outbox drain uses (bot.jobs finds it as `app.bot.rate_limiter`),
so a broadcast and the replies to people who are typing share one budget — the replies first.
A 429 pauses the whole channel for its retry_after; a reply that meets a timeout, a 5xx or a
network error is tried again, within the budget, before the person would see an error.

`DatabaseSchedule` shares the budget between processes: the start slots of every process
sending with one token come from one `send_budget` row (conditional UPDATE … RETURNING; SQLite
and PostgreSQL), so two bots on one database start at most N messages a second between them.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.limits import REPLY, RateLimiter
from storage.db import Database, is_sqlite
from storage.models import SendBudget

log = logging.getLogger(__name__)

RETRIES = 2  # a direct reply is tried at most 1 + RETRIES times on a transient error
RETRY_FIRST_SECONDS = 0.5
MAX_RETRY_AFTER_RETRIES = 3
CROWDED_SECONDS = 5.0


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after may become a timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_transient(exc: BaseException) -> bool:
    """Timeouts, 5xx and connection errors: worth another try. (BadRequest is a NetworkError
    subclass in PTB, but it is the request's fault.)"""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def backoff(attempt: int) -> float:
    return RETRY_FIRST_SECONDS * 2 ** attempt * random.uniform(0.8, 1.2)


def shared(settings) -> bool:  # noqa: ANN001 - bot.config.Settings
    """Whether processes share their send slots through the database: outbox.shared_budget, on
    PostgreSQL — the engine for several processes. On SQLite (one process; its writes queue on
    one file) the slots' database trips cost more than they guard: bench/README.md."""
    return settings.outbox.shared_budget and not is_sqlite(settings.database_url)


class DatabaseSchedule:
    """bot.limits.SharedSchedule through the database: one row per channel holds the next free
    start slot (wall-clock seconds) of every process, and the end of a 429 pause.

    Given a URL it opens its own small engine (the Application builds its limiter before its
    database is opened); given a Database it uses that one. If the database cannot be reached
    the process paces on its own (logged), so a reply is never held by the schedule itself.
    """

    def __init__(self, channel: str, database: Database | str) -> None:
        self.channel = channel
        self._db = database if isinstance(database, Database) else None
        self._url = database if isinstance(database, str) else None
        self._row_ready = False
        self._failed_at: float | None = None
        self._tasks: set[asyncio.Task] = set()
        self._last_end = 0.0  # wall-clock end of this process's last reservation
        self._others_until = 0.0  # monotonic: another process took slots recently

    @property
    def crowded(self) -> bool:
        """Another process has sent with this token in the last few seconds."""
        return time.monotonic() < self._others_until

    def _database(self) -> Database:
        if self._db is None:
            self._db = Database(self._url)
        return self._db

    async def _ensure_row(self, session) -> None:  # noqa: ANN001 - AsyncSession
        if self._row_ready:
            return
        module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        await session.execute(
            module.insert(SendBudget).values(channel=self.channel, next_slot=0.0, paused_until=0.0)
            .on_conflict_do_nothing(index_elements=["channel"])
        )
        self._row_ready = True

    @staticmethod
    def _greatest(session, *values):  # noqa: ANN001, ANN205 - SQL expressions
        name = session.get_bind().dialect.name
        return func.greatest(*values) if name == "postgresql" else func.max(*values)

    async def reserve(self, count: int, spacing: float) -> list[float]:
        wall, mono = time.time(), time.monotonic()
        if self._failed_at is not None and mono - self._failed_at < 5:
            return [mono + i * spacing for i in range(count)]
        try:
            async with self._database().session() as session:
                await self._ensure_row(session)
                start = self._greatest(session, SendBudget.next_slot, SendBudget.paused_until, wall)
                end = await session.scalar(
                    update(SendBudget).where(SendBudget.channel == self.channel)
                    .values(next_slot=start + count * spacing).returning(SendBudget.next_slot)
                )
        except Exception as exc:  # noqa: BLE001 - the database is away: pace alone for a while
            self._row_ready = False
            if self._failed_at is None:
                log.warning("sending budget: the shared schedule is unavailable (%s); pacing alone", exc)
            self._failed_at = mono
            return [mono + i * spacing for i in range(count)]
        self._failed_at = None
        start = end - count * spacing
        if start > wall + spacing and abs(start - self._last_end) > spacing / 10:
            self._others_until = mono + CROWDED_SECONDS  # the row moved on without us
        self._last_end = end
        first = start - wall + mono  # in this process's monotonic clock
        return [first + i * spacing for i in range(count)]

    def pause(self, seconds: float) -> None:
        task = asyncio.get_running_loop().create_task(self._pause(time.time() + seconds))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _pause(self, until: float) -> None:
        try:
            async with self._database().session() as session:
                await self._ensure_row(session)
                await session.execute(
                    update(SendBudget).where(SendBudget.channel == self.channel)
                    .values(paused_until=self._greatest(session, SendBudget.paused_until, until))
                )
        except Exception as exc:  # noqa: BLE001 - this process pauses anyway
            log.warning("sending budget: could not share a 429 pause: %s", exc)

    async def close(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._url is not None and self._db is not None:
            await self._db.dispose()
            self._db = None


class SendingBudget(BaseRateLimiter[int]):
    """Every request of the Application's bot, through the channel's one RateLimiter.

    Requests with a chat_id wait for their turn (priority REPLY unless `rate_limit_args` gives
    another, e.g. bot.limits.BACKGROUND) and count against the overall and that chat's limits;
    others (answerCallbackQuery, getFile…) are not counted but wait out a 429 pause. A 429 pauses
    the channel for retry_after and the request is sent again (at most 3 times); a transient error
    is tried again after a short backoff (at most RETRIES times), then raised as PTB would.
    """

    def __init__(self, limiter: RateLimiter, *, priority: int = REPLY, retries: int = RETRIES) -> None:
        self.limiter = limiter
        self.priority = priority
        self.retries = retries

    @classmethod
    def from_settings(cls, settings) -> SendingBudget:  # noqa: ANN001 - bot.config.Settings
        """Telegram's budget: [outbox] limits, shared through the database (see `shared`)."""
        schedule = DatabaseSchedule("telegram", settings.database_url) if shared(settings) else None
        return cls(RateLimiter.from_settings(settings.outbox, schedule=schedule))

    async def initialize(self) -> None:
        """Nothing to open: the shared schedule opens its engine on first use."""

    async def shutdown(self) -> None:
        schedule = self.limiter.schedule
        if isinstance(schedule, DatabaseSchedule):
            await schedule.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        priority = self.priority if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        transient_tries = retry_after_tries = 0
        while True:
            ticket = None
            if chat_id is not None:
                ticket = await self.limiter.acquire(chat_id, priority=priority)
            else:
                await self.limiter.wait_unpaused()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                self.limiter.pause(seconds)
                retry_after_tries += 1
                if retry_after_tries > MAX_RETRY_AFTER_RETRIES:
                    raise
                log.info("%s: 429, everything on the channel waits %.0f s", endpoint, seconds)
                wait = 0.0
            except NetworkError as exc:
                if not is_transient(exc) or transient_tries >= self.retries:
                    raise
                wait = backoff(transient_tries)
                transient_tries += 1
                log.info("%s failed (%s); again in %.1f s", endpoint, exc, wait)
            finally:
                self.limiter.release(ticket)
            await asyncio.sleep(wait)
