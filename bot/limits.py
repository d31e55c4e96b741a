"""Sending within Telegram's limits: overall per second, per chat per second, per group per minute.

Sliding windows, not leaky buckets: Telegram (and the simulator) count the requests of the last
second, so a bucket that lets a burst through after a quiet moment still earns 429s. A request
may start only if fewer than N others started in the window before it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """At most `limit` starts in any `span` seconds."""

    def __init__(self, limit: int, span: float) -> None:
        if limit < 1 or span <= 0:
            raise ValueError("a window needs limit >= 1 and span > 0")
        self.limit = limit
        self.span = span
        self._starts: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more start fits (0 if it fits now)."""
        while self._starts and self._starts[0] <= now - self.span:
            self._starts.popleft()
        if len(self._starts) < self.limit:
            return 0.0
        return self._starts[len(self._starts) - self.limit] + self.span - now

    def record(self, now: float) -> None:
        self._starts.append(now)

    @property
    def idle(self) -> bool:
        return not self._starts


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

    @classmethod
    def from_settings(cls, outbox_settings) -> RateLimiter:  # noqa: ANN001 - bot.config.OutboxSettings
        return cls(
            outbox_settings.rate_per_second,
            outbox_settings.per_chat_per_second,
            outbox_settings.group_per_minute,
        )

    def _windows(self, chat_id: int) -> list[SlidingWindow]:
        windows = self._chats.get(chat_id)
        if windows is None:
            windows = [SlidingWindow(self._per_chat, 1.0 + self._margin)]
            if chat_id < 0:
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
        wait = max(w.wait(now) for w in self._windows(chat_id))
        return max(wait, self._blocked_until.get(chat_id, 0.0) - now)

    def block(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429 for this chat: nothing goes to it for `seconds`."""
        until = self._clock() + seconds
        self._blocked_until[chat_id] = max(until, self._blocked_until.get(chat_id, 0.0))

    async def acquire(self, chat_id: int, *, max_chat_wait: float | None = None) -> bool:
        """Wait until a message to chat_id may start and count it; False (nothing counted) if the
        chat itself would make us wait longer than max_chat_wait."""
        while True:
            chat_wait = self.chat_wait(chat_id)
            if max_chat_wait is not None and chat_wait > max_chat_wait:
                return False
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
            self._global.record(now)
            for window in self._windows(chat_id):
                window.record(now)
            self._blocked_until.pop(chat_id, None)
            return True
