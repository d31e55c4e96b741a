"""The update queue, getUpdates and the webhook."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import Iterable

from aiohttp import ClientError, ClientSession, ClientTimeout

from devkit.simulator.common import WEBHOOK_ATTEMPTS, ApiError, JsonDict, _as_bool

log = logging.getLogger(__name__)


class UpdatesMixin:
    """The update queue, getUpdates and the webhook.

    A part of BotApiSimulator: its state is set up in BotApiSimulator.__init__.
    """

    # ------------------------------------------------------------------ #
    # Updates
    # ------------------------------------------------------------------ #

    def _enqueue_update(self, payload: JsonDict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self.stats["updates_created"] += 1
        kind = next(iter(payload))
        # Telegram never delivers filtered-out types, even later, so drop them now.
        if self._allowed_updates and kind not in self._allowed_updates:
            return update_id
        update = {"update_id": update_id, **payload}
        self._pending.append(update)
        self._created[update_id] = update
        self._updates_signal.fire()
        return update_id

    def requeue(self, update_id: int) -> None:
        """Offer an update again, as Telegram does when the bot stopped before confirming it
        (use while the bot is stopped: a running bot's next poll confirms past it at once)."""
        self._pending.insert(0, copy.deepcopy(self._created[update_id]))
        self._updates_signal.fire()

    def _mark_delivered(self, updates: Iterable[JsonDict]) -> None:
        fresh = [u["update_id"] for u in updates if u["update_id"] not in self._delivered]
        if fresh:
            self._delivered.update(fresh)
            self.stats["updates_delivered"] += len(fresh)
            self._delivered_signal.fire()

    def pending_updates(self) -> list[JsonDict]:
        return copy.deepcopy(self._pending)

    async def wait_until_fetched(self, update_id: int, timeout: float = 5.0) -> None:
        """Resolve once the update was returned by getUpdates or accepted by the webhook."""
        try:
            async with asyncio.timeout(timeout):
                while update_id not in self._delivered:
                    await self._delivered_signal.current.wait()
        except TimeoutError:
            raise TimeoutError(
                f"update {update_id} not fetched within {timeout}s "
                f"(pending: {[u['update_id'] for u in self._pending]})"
            ) from None

    async def wait_polling(self, timeout: float = 5.0) -> None:
        """Resolve once some getUpdates call is parked waiting for updates, i.e. the
        bot has drained its queue and is idle."""
        try:
            async with asyncio.timeout(timeout):
                while self._parked_polls == 0:
                    await self._parked_signal.current.wait()
        except TimeoutError:
            raise TimeoutError(f"no getUpdates long poll within {timeout}s") from None

    async def _get_me(self, params: JsonDict) -> JsonDict:
        return copy.deepcopy(self.bot_user)

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if isinstance(offset, int) and offset != 0:
            if offset > 0:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            else:
                self._pending = self._pending[offset:]
        limit = params.get("limit", 100)
        limit = min(max(limit if isinstance(limit, int) else 100, 1), 100)
        timeout = params.get("timeout", 0)
        timeout = max(timeout if isinstance(timeout, int) else 0, 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None

        deadline = time.monotonic() + timeout
        while not self._pending and not self._webhook_url and not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            woken = self._updates_signal.current
            self._parked_polls += 1
            self._parked_signal.fire()
            try:
                async with asyncio.timeout(remaining):
                    await woken.wait()
            except TimeoutError:
                break
            finally:
                self._parked_polls -= 1
        if self._webhook_url:
            return []  # a webhook was set mid-poll; the worker owns the queue now
        batch = self._pending[:limit]
        self._mark_delivered(batch)
        return copy.deepcopy(batch)

    # -- webhook --------------------------------------------------------- #

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = str(params.get("url") or "")
        if _as_bool(params.get("drop_pending_updates")):
            self._pending.clear()
        await self._stop_webhook_worker()
        if not url:
            self._webhook_url = self._webhook_secret = None
            return True
        self._webhook_url = url
        self._webhook_secret = params.get("secret_token") or None
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._webhook_task = asyncio.create_task(self._webhook_worker())
        self._updates_signal.fire()  # end any long poll: getUpdates is now a conflict
        return True

    async def _delete_webhook(self, params: JsonDict) -> bool:
        if _as_bool(params.get("drop_pending_updates")):
            self._pending.clear()
        await self._stop_webhook_worker()
        self._webhook_url = self._webhook_secret = None
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self._webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook_last_error:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _stop_webhook_worker(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _webhook_worker(self) -> None:
        """Deliver pending updates one at a time, in order, like Telegram does."""
        if self._http is None:
            self._http = ClientSession(timeout=ClientTimeout(total=10))
        while self._webhook_url and not self._stopping.is_set():
            if not self._pending:
                await self._updates_signal.current.wait()
                continue
            update = self._pending[0]
            delivered = await self._post_webhook(update)
            if self._pending and self._pending[0] is update:
                self._pending.pop(0)
            if delivered:
                self._mark_delivered([update])
            else:
                # Dropped after retries (unlike Telegram's endless retry) so one
                # broken update cannot wedge the demo; the error stays visible.
                self.stats["webhook_failures"] += 1
                log.warning("webhook gave up on update %s", update["update_id"])

    async def _post_webhook(self, update: JsonDict) -> bool:
        assert self._http is not None and self._webhook_url is not None
        headers = {"Content-Type": "application/json"}
        if self._webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self._webhook_secret
        for attempt in range(WEBHOOK_ATTEMPTS):
            self.stats["webhook_posts"] += 1
            try:
                async with self._http.post(
                    self._webhook_url, data=json.dumps(update), headers=headers
                ) as response:
                    if 200 <= response.status < 300:
                        return True
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (ClientError, TimeoutError, OSError) as exc:
                error = f"Connection error: {exc!r}"
            self._webhook_last_error = (int(time.time()), error)
            await self._pause(self.webhook_retry_delay * (2**attempt))
        return False
