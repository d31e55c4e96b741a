"""Sending within a channel's limits: overall per second, per chat per second, per group per minute.

One RateLimiter per channel per process; every request that sends goes through it: replies
and edits (bot.sending_budget, PTB's BaseRateLimiter interface), answers to button presses and
the outbox drain (bot.jobs). Requests wait their turn in priority order — a reply to a person
who is typing (REPLY) before a broadcast row (BACKGROUND) — and a 429 pauses every request on the
channel for its retry_after (`pause`).

Sliding windows, not leaky buckets: Telegram (and the simulator) count the requests of the last
second, so a bucket that lets a burst through after a quiet moment still earns 429s. A request
may start only if fewer than N others were counted in the window before it.

What the server counts is when a request reaches it, not when we started it. A request held up
on the way (a busy event loop, a slow network) reaches it late, and the one that starts a second
after it may then arrive less than a second later. So when an answer comes back later than the
fastest round trip seen recently, the request is counted that much later (`release`).

Several processes on one database share the overall budget through a `SharedSchedule`
(bot.sending_budget.DatabaseSchedule): the start slots, spaced 1/N s apart, are taken from one
row in the database, so two processes together still start at most N a second.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


MAX_LATE_SECONDS = 2.0
REPLY, BACKGROUND = 0, 1  # priorities: lower goes first
SHARED_BATCH = 4  # slots taken from the shared schedule at a time (one database trip)
# While other processes send too, their requests reach the server with their own delays, which
# this process's window cannot see (nor correct for, as `release` does for its own): the shared
# slots are then spread over this much more than a second.
SHARED_SPAN = 1.25


class _Stamp:
    """When one request counts as having reached the server; moved later if its answer was late."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class SlidingWindow:
    """At most `limit` requests in any `span` seconds."""

    def __init__(self, limit: int, span: float) -> None:
        if limit < 1 or span <= 0:
            raise ValueError("a window needs limit >= 1 and span > 0")
        self.limit = limit
        self.span = span
        self._stamps: list[_Stamp] = []

    def wait(self, now: float) -> float:
        """Seconds until one more request fits (0 if it fits now)."""
        self._stamps = [s for s in self._stamps if s.at > now - self.span]
        if len(self._stamps) < self.limit:
            return 0.0
        times = sorted(s.at for s in self._stamps)
        return times[len(times) - self.limit] + self.span - now

    def record(self, now: float) -> _Stamp:
        stamp = _Stamp(now)
        self._stamps.append(stamp)
        return stamp

    @property
    def idle(self) -> bool:
        return not self._stamps


class SharedSchedule(Protocol):
    """Start slots shared by every process sending with one token (see bot.sending_budget)."""

    async def reserve(self, count: int, spacing: float) -> list[float]:
        """`count` start times (this process's time.monotonic), `spacing` apart, that no other
        process was given."""

    @property
    def crowded(self) -> bool:
        """Other processes have taken slots lately."""

    def pause(self, seconds: float) -> None:
        """Tell the other processes: nothing starts for `seconds` (a 429)."""


@dataclass
class Ticket:
    """One acquired send; give it back with RateLimiter.release once the answer is in."""

    started: float
    stamps: list[_Stamp]


class RateLimiter:
    """acquire(chat_id) returns once a message to that chat may start.

    Group chats (negative ids) have both the per-chat and the per-minute window. `margin` widens
    every window a little so that jitter between our clock and the server's cannot squeeze N+1
    requests into the server's second.
    """

    def __init__(
        self,
        per_second: int = 30,
        per_chat_per_second: int = 1,
        group_per_minute: int = 20,
        *,
        margin: float = 0.03,
        clock: Callable[[], float] = time.monotonic,
        schedule: SharedSchedule | None = None,
    ) -> None:
        self._clock = clock
        self._margin = margin
        self._per_chat = per_chat_per_second
        self._group_per_minute = group_per_minute
        self._global = SlidingWindow(per_second, 1.0 + margin)
        # Starts are also spread evenly: N sends in a burst at the top of each second reach the
        # server with more jitter than N spaced ones, and jitter is what turns N into N+1 in the
        # server's window. Slots come from the schedule, not from when a sleeper happened to
        # wake, so late wake-ups do not slow the pace.
        self._spacing = (1.0 + margin) / per_second
        self._next_slot = float("-inf")
        self._chats: dict[int | str, list[SlidingWindow]] = {}
        self._blocked_until: dict[int | str, float] = {}
        self._paused_until = float("-inf")
        self._round_trips: deque[float] = deque(maxlen=200)
        # Who waits for the next start, best first: (priority, arrival).
        self._queue: list[tuple[int, int]] = []
        self._arrivals = itertools.count()
        self._changed: asyncio.Event | None = None
        self.schedule = schedule
        self._pool: deque[float] = deque()  # slots taken from the shared schedule, not yet used
        self._refilling: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, outbox_settings, **kw) -> RateLimiter:  # noqa: ANN001 - bot.config.OutboxSettings
        return cls(
            outbox_settings.rate_per_second,
            outbox_settings.per_chat_per_second,
            outbox_settings.group_per_minute,
            **kw,
        )

    def _windows(self, chat_id: int | str | None) -> list[SlidingWindow]:
        """The chat's windows: [per chat (every send), per chat (broadcast sends only), per group
        minute (groups)]."""
        if chat_id is None:  # counted against the overall limit only
            return []
        windows = self._chats.get(chat_id)
        if windows is None:
            windows = [SlidingWindow(self._per_chat, 1.0 + self._margin),
                       SlidingWindow(self._per_chat, 1.0 + self._margin)]
            if isinstance(chat_id, int) and chat_id < 0:  # Telegram groups; Zalo ids are strings
                windows.append(SlidingWindow(self._group_per_minute, 60.0 + self._margin))
            self._chats[chat_id] = windows
            if len(self._chats) > 10_000:
                self._forget_idle()
        return windows

    def _forget_idle(self) -> None:
        now = self._clock()
        for chat_id, windows in list(self._chats.items()):
            if all(w.wait(now) == 0 and w.idle for w in windows):
                del self._chats[chat_id]

    def chat_wait(self, chat_id: int | str | None, priority: int = BACKGROUND) -> float:
        """Seconds until this chat's own windows (and any 429 penalty) allow a message.

        A broadcast row keeps the chat's second after anything sent there. A reply keeps it only
        after a broadcast row: the replies of a conversation follow the person's own pace
        (Telegram allows a chat short bursts), but never land on top of a broadcast message.
        In a group both keep its per-minute limit."""
        if chat_id is None:
            return 0.0
        now = self._clock()
        every, broadcast, *group = self._windows(chat_id)
        windows = [broadcast if priority == REPLY else every, *group]
        wait = max(w.wait(now) for w in windows)
        return max(wait, self._blocked_until.get(chat_id, 0.0) - now)

    def paused_for(self) -> float:
        """Seconds left of a channel-wide pause after a 429 (0 if none)."""
        return max(self._paused_until - self._clock(), 0.0)

    def wait(self, chat_id: int | str | None) -> float:
        """Seconds until a message to chat_id could start, as things stand."""
        now = self._clock()
        return max(self.chat_wait(chat_id), self._global.wait(now), self._next_slot - now,
                   self._paused_until - now, 0.0)

    def block(self, chat_id: int | str, seconds: float) -> None:
        """Telegram answered 429 for this chat: nothing goes to it for `seconds`."""
        until = self._clock() + seconds
        self._blocked_until[chat_id] = max(until, self._blocked_until.get(chat_id, 0.0))

    def pause(self, seconds: float, *, share: bool = True) -> None:
        """A 429 (retry_after = seconds): nothing starts on this channel until it has passed —
        in this process, and through the shared schedule in the others."""
        until = self._clock() + seconds
        if until <= self._paused_until:
            return
        self._paused_until = until
        while self._pool and self._pool[0] < until:
            self._pool.popleft()
        if share and self.schedule is not None:
            self.schedule.pause(seconds)
        self._notify()

    # --- waiting for a start, in priority order -----------------------------------------------------

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def _wait_change(self, timeout: float | None) -> None:
        if self._changed is None:
            self._changed = asyncio.Event()
        changed = self._changed
        if timeout is None:
            await changed.wait()
            return
        try:
            await asyncio.wait_for(changed.wait(), timeout)
        except TimeoutError:
            pass

    def _slot_wait(self, now: float) -> float:
        """Seconds until the next start slot of this process (0: it is due)."""
        wait = max(self._paused_until - now, self._global.wait(now), self._next_slot - now)
        if self.schedule is not None and self._pool:
            wait = max(wait, self._pool[0] - now)
        return wait

    def _refill(self) -> asyncio.Task[None]:
        """Take the next slots from the shared schedule, in the background: asked for while the
        pool still has one, so that the database trip does not delay the pace."""
        if self._refilling is None or self._refilling.done():
            self._refilling = asyncio.get_running_loop().create_task(self._fill_pool())
        return self._refilling

    async def _fill_pool(self) -> None:
        count = min(max(len(self._queue), 2), SHARED_BATCH)
        spacing = max(self._spacing, SHARED_SPAN / self._global.limit) if self.schedule.crowded else self._spacing
        slots = await self.schedule.reserve(count, spacing)
        self._pool.extend(s for s in slots if s >= self._paused_until)
        self._notify()

    async def _take_slot(self, priority: int) -> None:
        """Return when this request's turn has come: first in priority order, and the overall
        window, the spacing, any pause and (several processes) the shared schedule allow."""
        entry = (priority, next(self._arrivals))
        heapq.heappush(self._queue, entry)
        self._notify()  # a better one than the current head takes the next slot instead
        try:
            while True:
                if self._queue[0] != entry:
                    await self._wait_change(None)
                    continue
                if self.schedule is not None:
                    now = self._clock()
                    while self._pool and self._pool[0] < now - self._spacing:  # nobody took them in time
                        self._pool.popleft()
                    if len(self._pool) < 2:
                        refill = self._refill()
                        if not self._pool:
                            await asyncio.shield(refill)
                            continue
                now = self._clock()
                wait = self._slot_wait(now)
                if wait > 0:
                    await self._wait_change(wait)
                    continue
                # Catch up a late wake-up (keep the pace), but not an idle moment (no burst).
                slot = self._next_slot if now - self._next_slot < self._spacing else now
                self._next_slot = slot + self._spacing
                if self.schedule is not None:
                    self._pool.popleft()
                return
        finally:
            self._queue.remove(entry)
            heapq.heapify(self._queue)
            self._notify()

    async def acquire(self, chat_id: int | str | None, *, max_chat_wait: float | None = None,
                      priority: int = BACKGROUND) -> Ticket | None:
        """Wait until a message to chat_id may start and count it; None (nothing counted) if the
        chat itself would make us wait longer than max_chat_wait. Pass the ticket to release().
        chat_id None counts against the overall limit only."""
        while True:
            chat_wait = self.chat_wait(chat_id, priority)
            if max_chat_wait is not None and chat_wait > max_chat_wait:
                return None
            if chat_wait > 0:
                await asyncio.sleep(chat_wait)
                continue
            await self._take_slot(priority)
            if self.chat_wait(chat_id, priority) > 0:  # another send to this chat went first meanwhile
                continue
            # No await between the last checks and the record: the three are atomic on the loop.
            now = self._clock()
            windows = self._windows(chat_id)
            if priority == REPLY and windows:
                windows = [windows[0], *windows[2:]]  # not in the broadcast-only window
            stamps = [self._global.record(now)] + [w.record(now) for w in windows]
            self._blocked_until.pop(chat_id, None)
            return Ticket(now, stamps)

    async def wait_unpaused(self) -> None:
        """For requests that are not counted (answers to button presses): wait out a 429 pause."""
        while (wait := self.paused_for()) > 0:
            await asyncio.sleep(wait)

    def release(self, ticket: Ticket | None) -> None:
        """The answer is in: if it took longer than the fastest recent round trip, the request
        probably reached the server that much later, so it counts from then."""
        if ticket is None:
            return
        round_trip = self._clock() - ticket.started
        self._round_trips.append(round_trip)
        # Capped: an answer many seconds late (a timeout) says little about when it arrived.
        late = min(round_trip - min(self._round_trips), MAX_LATE_SECONDS)
        if late > 0:
            for stamp in ticket.stamps:
                stamp.at = max(stamp.at, ticket.started + late)
