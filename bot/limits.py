"""Sending within Telegram's limits: overall per second, per chat per second, per group per minute.

Sliding windows, not leaky buckets: Telegram (and the simulator) count the requests of the last
second, so a bucket that lets a burst through after a quiet moment still earns 429s. A request
may start only if fewer than N others were counted in the window before it.

What the server counts is when a request reaches it, not when we started it. A request held up
on the way (a busy event loop, a slow network) reaches it late, and the one that starts a second
after it may then arrive less than a second later. So when an answer comes back later than the
fastest round trip seen recently, the request is counted that much later (`release`).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


MAX_LATE_SECONDS = 2.0


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
    ) -> None:
        self._clock = clock
        self._margin = margin
        self._per_chat = per_chat_per_second
        self._group_per_minute = group_per_minute
        self._global = SlidingWindow(per_second, 1.0 + margin)
        # Starts are also spread evenly, each task reserving the next slot: N sends in a burst at
        # the top of each second reach the server with more jitter than N spaced ones, and jitter
        # is what turns N into N+1 in the server's window. Slots come from the schedule, not from
        # when a sleeper happened to wake, so late wake-ups do not slow the pace.
        self._spacing = (1.0 + margin) / per_second
        self._next_slot = float("-inf")
        self._chats: dict[int, list[SlidingWindow]] = {}
        self._blocked_until: dict[int, float] = {}
        self._round_trips: deque[float] = deque(maxlen=200)

    @classmethod
    def from_settings(cls, outbox_settings) -> RateLimiter:  # noqa: ANN001 - bot.config.OutboxSettings
        return cls(
            outbox_settings.rate_per_second,
            outbox_settings.per_chat_per_second,
            outbox_settings.group_per_minute,
        )

    def _windows(self, chat_id: int | str | None) -> list[SlidingWindow]:
        if chat_id is None:  # counted against the overall limit only (a direct reply)
            return []
        windows = self._chats.get(chat_id)
        if windows is None:
            windows = [SlidingWindow(self._per_chat, 1.0 + self._margin)]
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

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat's own windows (and any 429 penalty) allow a message."""
        now = self._clock()
        wait = max((w.wait(now) for w in self._windows(chat_id)), default=0.0)
        return max(wait, self._blocked_until.get(chat_id, 0.0) - now)

    def wait(self, chat_id: int) -> float:
        """Seconds until a message to chat_id could start, as things stand."""
        now = self._clock()
        return max(self.chat_wait(chat_id), self._global.wait(now), self._next_slot - now, 0.0)

    def block(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429 for this chat: nothing goes to it for `seconds`."""
        until = self._clock() + seconds
        self._blocked_until[chat_id] = max(until, self._blocked_until.get(chat_id, 0.0))

    async def acquire(self, chat_id: int, *, max_chat_wait: float | None = None) -> Ticket | None:
        """Wait until a message to chat_id may start and count it; None (nothing counted) if the
        chat itself would make us wait longer than max_chat_wait. Pass the ticket to release()."""
        while True:
            chat_wait = self.chat_wait(chat_id)
            if max_chat_wait is not None and chat_wait > max_chat_wait:
                return None
            if chat_wait > 0:
                await asyncio.sleep(chat_wait)
                continue
            now = self._clock()
            slot = max(self._next_slot, now)
            self._next_slot = slot + self._spacing
            if slot > now:
                await asyncio.sleep(slot - now)
            # The sliding window is the rule; the slots only spread the starts.
            while (wait := self._global.wait(self._clock())) > 0:
                await asyncio.sleep(wait)
            if self.chat_wait(chat_id) > 0:  # another send to this chat went first meanwhile
                continue
            # No await between the last checks and the record: the three are atomic on the loop.
            now = self._clock()
            stamps = [self._global.record(now)] + [w.record(now) for w in self._windows(chat_id)]
            self._blocked_until.pop(chat_id, None)
            return Ticket(now, stamps)

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
