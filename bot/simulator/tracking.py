"""An update processor that reports when each update has been fully handled.

Tests and the terminal demo send an update through the simulator and then need
to know that *all* replies for it have gone out, without sleeping.  PTB hands
every update to the application's update processor together with the coroutine
that runs the handlers, so wrapping that coroutine is the one place that sees
"handling finished" for every update, whatever the handlers do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from bot.update_order import ChatOrderedProcessor


class TrackingUpdateProcessor(ChatOrderedProcessor):
    """Processes updates like the bot's own processor (each chat's in order, bot.update_order) and
    records finished update_ids.

    Defaults to one update at a time so the order of replies is deterministic in
    tests; pass a larger ``max_concurrent_updates`` to exercise concurrency.
    """

    def __init__(self, max_concurrent_updates: int = 1) -> None:
        super().__init__(max_concurrent_updates)
        self._processed: set[int] = set()
        self.processed_order: list[int] = []
        self._changed = asyncio.Condition()
        self.running = 0
        self.peak_running = 0  # most updates handled at the same moment

    async def handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        self.running += 1
        self.peak_running = max(self.peak_running, self.running)
        try:
            await coroutine
        finally:
            self.running -= 1

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await super().do_process_update(update, coroutine)
        finally:
            # Record even when handling failed: waiters want "done", not "succeeded";
            # PTB routes handler errors to error handlers before we get here anyway.
            update_id = getattr(update, "update_id", None)
            if isinstance(update_id, int):
                self._processed.add(update_id)
                self.processed_order.append(update_id)
                async with self._changed:
                    self._changed.notify_all()

    @property
    def processed(self) -> frozenset[int]:
        return frozenset(self._processed)

    def is_processed(self, update_id: int) -> bool:
        return update_id in self._processed

    async def wait_processed(self, update_id: int, timeout: float = 5.0) -> None:
        """Resolve once ``update_id`` has been handled; TimeoutError otherwise."""
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(lambda: update_id in self._processed)
        except TimeoutError:
            recent = self.processed_order[-10:]
            raise TimeoutError(
                f"update {update_id} not processed within {timeout}s "
                f"(last processed: {recent})"
            ) from None
