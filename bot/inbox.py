"""The inbox worker: handles stored updates, a few people at once, each person's in order.

Every channel adapter stores an update (bot.services.inbox.store) before the platform is told it
was received, then wakes the worker. The worker claims rows from the database — so several
processes can share the work, and after a crash the rows are still there — and hands each to its
channel's handler. A handler that returns has handled the update; one that raises a transient
error (the database or network away) is tried again after a pause, up to `max_attempts` times;
any other error, or the last attempt, parks the row with its error and tells the admins once.
While handling, the worker renews its leases; a row whose process died is taken over once its
lease runs out, or at once when the dead process was on this host.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError, OperationalError

from bot import clock
from bot.services import inbox
from storage.db import Database
from storage.models import InboxUpdate

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
RETRY_PAUSE_SECONDS = (1.0, 5.0, 30.0)
PRUNE_EVERY_SECONDS = 3600.0


@dataclass
class Attempt:
    """What the handler of one row can know and say about this try (through `current_attempt`):
    whether it is the last one, and the error a framework caught before it reached the worker
    (python-telegram-bot routes handler errors to error handlers instead of raising)."""

    row_id: int
    final: bool
    error: BaseException | None = None
    keep_payload: bool = True  # False: the update was a stranger's (bot.first_contact)


current_attempt: ContextVar[Attempt | None] = ContextVar("inbox_attempt", default=None)


def current_row_id() -> int | None:
    """The inbox row being handled: a form step remembers it, so the same update handled again
    (after a crash cut its first handling short) is not applied twice. Row ids only grow, on
    every channel, in arrival order."""
    attempt = current_attempt.get()
    return attempt.row_id if attempt is not None else None


def drop_payload() -> None:
    """Called while handling a stranger's update: once handled (or parked), its row keeps only its
    keys (channel, update key, chat) so a repeat is still recognised, not their name or words."""
    attempt = current_attempt.get()
    if attempt is not None:
        attempt.keep_payload = False


def note_error(error: BaseException) -> bool:
    """Called by a channel's error handler: record the error for the worker. True when the person
    should be told now (this was the last try, or there is no inbox row), False when the update
    will be tried again."""
    attempt = current_attempt.get()
    if attempt is None:
        return True
    attempt.error = error
    return attempt.final or not is_transient(error)


def is_transient(error: BaseException) -> bool:
    """Worth another try: the database or the network was away, not a mistake in the code."""
    if isinstance(error, OperationalError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (ConnectionError, TimeoutError, asyncio.TimeoutError))


class Observer(Protocol):
    """Told when a row starts and ends (tests and the demo wait on this)."""

    def started(self, row: InboxUpdate) -> None: ...

    def finished(self, row: InboxUpdate, outcome: str) -> None: ...


def this_host() -> str:
    return socket.gethostname()[:40]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_here(holder: str, me: str) -> bool:
    """A worker id (host-pid-random, bot.jobs.worker_id) of a process on this host that is gone:
    its pid is not running, or is ours (the process before us had our pid, as in a container)."""
    head, _, _random = holder.rpartition("-")
    host, _, pid_text = head.rpartition("-")
    if holder == me or host != this_host() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    return pid == os.getpid() or not _pid_alive(pid)


@dataclass
class InboxWorker:
    db: Database
    handlers: dict[str, Handler]
    worker_id: str
    concurrency: int = 2
    lease_seconds: float = 60.0
    max_attempts: int = 3
    retention: timedelta = timedelta(days=7)
    poll_seconds: float = 2.0  # look for others' rows and ended leases this often when idle
    observer: Observer | None = None
    stop_grace_seconds: float = 2.0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _running: dict[int, tuple[InboxUpdate, asyncio.Task]] = field(default_factory=dict)
    _loop_task: asyncio.Task | None = None
    _stopping: bool = False

    @classmethod
    def from_settings(cls, settings: Any, db: Database, worker_id: str,
                      observer: Observer | None = None) -> InboxWorker:
        """The process's one worker (bot.config.Settings); each channel adds its handler."""
        cfg = settings.inbox
        return cls(db, {}, worker_id, concurrency=settings.concurrent_updates,
                   lease_seconds=cfg.lease_seconds, max_attempts=cfg.max_attempts,
                   retention=timedelta(days=cfg.retention_days), observer=observer)

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        async with self.db.session() as session:
            dead = [h for h in await inbox.holders(session) if h and dead_here(h, self.worker_id)]
            taken = await inbox.release_dead(session, dead)
        if taken:
            log.info("inbox: %d update(s) left by a stopped process taken back", taken)
        self._loop_task = asyncio.create_task(self._loop(), name="inbox-worker")

    def wake(self) -> None:
        """New rows were stored: look now, not at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Claim nothing more; give running updates a moment, then cancel them and put their rows
        back to pending for the next start (or another process)."""
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
        tasks = [task for _, task in self._running.values()]
        if tasks:
            await asyncio.wait(tasks, timeout=self.stop_grace_seconds)
        left = [row_id for row_id, (_, task) in self._running.items() if not task.done()]
        for _, task in self._running.values():
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if left:
            try:
                async with self.db.session() as session:
                    await inbox.release(session, self.worker_id, left)
            except Exception:  # noqa: BLE001 - the lease runs out and another start takes them
                log.exception("inbox: could not give back %d update(s) at stop", len(left))

    # --- the loop --------------------------------------------------------------------------------

    async def _loop(self) -> None:
        renew_every = max(self.lease_seconds / 3, 0.2)
        next_renew = asyncio.get_running_loop().time() + renew_every
        next_prune = 0.0
        while not self._stopping:
            self._wake.clear()
            now_mono = asyncio.get_running_loop().time()
            try:
                if now_mono >= next_prune:
                    next_prune = now_mono + PRUNE_EVERY_SECONDS
                    await self._prune()
                if now_mono >= next_renew:
                    next_renew = now_mono + renew_every
                    await self._renew()
                claimed = await self._claim()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the database away: try again at the next poll
                log.exception("inbox: could not claim updates")
                claimed = 0
            if claimed and len(self._running) < self.concurrency:
                continue  # there may be more
            timeout = min(self.poll_seconds, max(next_renew - asyncio.get_running_loop().time(), 0.05))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass

    async def _claim(self) -> int:
        free = self.concurrency - len(self._running)
        if free <= 0:
            return 0
        busy = {(row.channel, row.chat_key) for row, _ in self._running.values()}
        async with self.db.session() as session:
            rows = await inbox.claim(session, self.worker_id, clock.now(), free,
                                     lease_seconds=self.lease_seconds, busy_chats=busy,
                                     channels=list(self.handlers))
        for row in rows:
            task = asyncio.create_task(self._handle(row), name=f"inbox-{row.id}")
            self._running[row.id] = (row, task)
        return len(rows)

    async def _renew(self) -> None:
        ids = list(self._running)
        if ids:
            async with self.db.session() as session:
                await inbox.renew(session, self.worker_id, ids,
                                  clock.now() + timedelta(seconds=self.lease_seconds))

    async def _prune(self) -> None:
        async with self.db.session() as session:
            gone = await inbox.prune(session, clock.now() - self.retention)
        if gone:
            log.info("inbox: %d handled update(s) older than %s forgotten", gone, self.retention)

    # --- one row ---------------------------------------------------------------------------------

    async def _handle(self, row: InboxUpdate) -> None:
        outcome = "handled"
        if self.observer is not None:
            self.observer.started(row)
        try:
            outcome = await self._attempt(row)
        except asyncio.CancelledError:
            outcome = "stopped"
            raise
        except Exception:  # noqa: BLE001 - recording the outcome failed: the lease brings it back
            log.exception("inbox: could not record the outcome of update #%s", row.id)
            outcome = "unrecorded"
        finally:
            self._running.pop(row.id, None)
            if self.observer is not None:
                self.observer.finished(row, outcome)
            if not self._stopping:
                self._wake.set()  # a slot is free, and the chat's next row may be waiting

    async def _attempt(self, row: InboxUpdate) -> str:
        handler = self.handlers.get(row.channel)
        final = row.attempts >= self.max_attempts
        attempt = Attempt(row.id, final)
        token = current_attempt.set(attempt)
        try:
            if handler is None:
                raise LookupError(f"no handler for channel {row.channel!r}")
            await handler(row.payload)
            error = attempt.error
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            error = exc
        finally:
            current_attempt.reset(token)
        async with self.db.session() as session:
            if error is None:
                await inbox.mark_handled(session, row.id, self.worker_id, clock.now(),
                                         keep_payload=attempt.keep_payload)
                return "handled"
            text = f"{type(error).__name__}: {error}"
            if is_transient(error) and not final:
                pause = RETRY_PAUSE_SECONDS[min(row.attempts, len(RETRY_PAUSE_SECONDS)) - 1]
                log.warning("inbox: update #%s failed (%s); again in %.0f s", row.id, text, pause)
                await inbox.release(session, self.worker_id, [row.id], error=text, count_attempt=True,
                                    not_before=clock.now() + timedelta(seconds=pause))
                return "retry"
            log.error("inbox: update #%s parked after %d attempt(s): %s", row.id, row.attempts, text,
                      exc_info=error)
            await inbox.park(session, row, self.worker_id, text, clock.now(), keep_payload=attempt.keep_payload)
            return "parked"
