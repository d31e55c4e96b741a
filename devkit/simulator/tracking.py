"""An inbox observer that reports when each update has been fully handled.

Tests and the terminal demo send an update through the simulator and then need to know that
*all* replies for it have gone out, without sleeping. Every update, on every channel, is handled
by the inbox worker (bot.inbox), which tells its observer when a row starts and ends: the one
place that sees "handling finished" for every update, whatever the handlers do.
"""

from __future__ import annotations

import asyncio

from storage.models import InboxUpdate


class InboxTracker:
    """Records the inbox rows handled, by channel and update key (Telegram: the update_id)."""

    def __init__(self) -> None:
        self._processed: set[tuple[str, str]] = set()
        self.processed_order: list[tuple[str, str]] = []
        self.outcomes: dict[tuple[str, str], list[str]] = {}
        self._changed = asyncio.Condition()
        self.running = 0
        self.peak_running = 0  # most updates handled at the same moment

    def started(self, row: InboxUpdate) -> None:
        self.running += 1
        self.peak_running = max(self.peak_running, self.running)

    def finished(self, row: InboxUpdate, outcome: str) -> None:
        self.running -= 1
        key = (row.channel, row.update_key)
        self.outcomes.setdefault(key, []).append(outcome)
        if outcome in ("handled", "parked"):  # "done", not "succeeded": waiters want the end
            self._processed.add(key)
            self.processed_order.append(key)
            asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    @property
    def processed(self) -> frozenset[int]:
        """Telegram update ids handled."""
        return frozenset(int(key) for channel, key in self._processed if channel == "telegram")

    def is_processed(self, update_id: int | str, channel: str = "telegram") -> bool:
        return (channel, str(update_id)) in self._processed

    async def wait_processed(self, update_id: int | str, timeout: float = 5.0, channel: str = "telegram") -> None:
        """Resolve once the update has been handled; TimeoutError otherwise."""
        key = (channel, str(update_id))
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(lambda: key in self._processed)
        except TimeoutError:
            recent = self.processed_order[-10:]
            raise TimeoutError(
                f"update {update_id} not processed within {timeout}s (last processed: {recent})"
            ) from None
