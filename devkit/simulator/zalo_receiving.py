"""The Zalo simulator's receiving side: getMe, getUpdates and the webhook."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time

from aiohttp import ClientError

# Reused so both simulators shape errors, wake waiters and count rates the same way.
from devkit.simulator.common import ApiError

from devkit.simulator.zalo_common import (
    DEFAULT_POLL_TIMEOUT, POLL_TIMEOUT_CODE, POLL_TIMEOUT_DESCRIPTION, SECRET_HEADER,
    SECRET_TOKEN_MAX, SECRET_TOKEN_MIN, WEBHOOK_ATTEMPTS, WEBHOOK_CONFLICT_CODE,
    WEBHOOK_CONFLICT_DESCRIPTION, JsonDict, bad_request, _is_http_url, _now_ms, _seconds,
)

log = logging.getLogger(__name__)


class ZaloReceivingMixin:
    """The Zalo simulator's receiving side: getMe, getUpdates and the webhook.

    A part of ZaloApiSimulator: its state is set up in ZaloApiSimulator.__init__.
    """

    # -- receiving: getUpdates and the webhook ------------------------------ #

    async def _get_me(self, params: JsonDict) -> JsonDict:
        return copy.deepcopy(self.bot_info)

    def _refuse_while_webhook(self) -> None:
        if self._webhook_url:
            raise ApiError(WEBHOOK_CONFLICT_CODE, WEBHOOK_CONFLICT_DESCRIPTION)

    async def _get_updates(self, params: JsonDict) -> JsonDict:
        """One update per call; 408 when none arrives in time (a normal empty poll)."""
        self._refuse_while_webhook()
        deadline = time.monotonic() + _seconds(params.get("timeout", DEFAULT_POLL_TIMEOUT))
        while not self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._stopping.is_set():
                raise ApiError(POLL_TIMEOUT_CODE, POLL_TIMEOUT_DESCRIPTION)
            woken = self._updates_signal.current
            self._parked_polls += 1
            self._parked_signal.fire()
            try:
                async with asyncio.timeout(remaining):
                    await woken.wait()
            except TimeoutError:
                pass
            finally:
                self._parked_polls -= 1
            self._refuse_while_webhook()  # a webhook set mid-poll owns the queue now
        update = self._pending.popleft()  # no offsets on Zalo: handing it out confirms it
        self._mark_delivered(update)
        return update

    def _mark_delivered(self, update: JsonDict) -> None:
        self._delivered.add(update["message"]["message_id"])
        self.stats["updates_delivered"] += 1
        self._delivered_signal.fire()

    def _webhook_info(self) -> JsonDict:
        return {"url": self._webhook_url or "", "updated_at": self._webhook_updated_at}

    async def _set_webhook(self, params: JsonDict) -> JsonDict:
        url, secret = params.get("url"), params.get("secret_token")
        # Zalo requires HTTPS; plain http is accepted so tests can use loopback receivers.
        if not _is_http_url(url):
            raise bad_request("url must be an http(s) URL")
        if not isinstance(secret, str) or not SECRET_TOKEN_MIN <= len(secret) <= SECRET_TOKEN_MAX:
            raise bad_request(f"secret_token must be {SECRET_TOKEN_MIN}-{SECRET_TOKEN_MAX} characters")
        await self._stop_webhook_worker()
        self._webhook_url, self._webhook_secret, self._webhook_updated_at = url, secret, _now_ms()
        self._webhook_task = asyncio.create_task(self._webhook_worker())
        self._updates_signal.fire()  # end parked long polls: getUpdates is now refused
        return self._webhook_info()

    async def _delete_webhook(self, params: JsonDict) -> JsonDict:
        await self._stop_webhook_worker()
        self._webhook_url = self._webhook_secret = None
        self._webhook_updated_at = _now_ms()
        return self._webhook_info()

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        return self._webhook_info()

    async def _stop_webhook_worker(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _webhook_worker(self) -> None:
        """Deliver queued updates one at a time, in order."""
        while self._webhook_url and not self._stopping.is_set():
            if not self._pending:
                await self._updates_signal.current.wait()
                continue
            update = self._pending[0]  # popped only after the POST, so a cancel loses nothing
            delivered = await self._post_webhook(update)
            if self._pending and self._pending[0] is update:
                self._pending.popleft()
            if delivered:
                self._mark_delivered(update)
            else:  # dropped after retries so one broken update cannot wedge the queue
                log.warning("webhook gave up on message %s", update["message"]["message_id"])

    async def _post_webhook(self, update: JsonDict) -> bool:
        assert self._http is not None and self._webhook_url is not None
        url = self._webhook_url
        headers = {"Content-Type": "application/json", SECRET_HEADER: self._webhook_secret or ""}
        body = json.dumps({"ok": True, "result": update}, ensure_ascii=False).encode()
        for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
            record: JsonDict = {"url": url, "message_id": update["message"]["message_id"],
                                "event_name": update["event_name"], "attempt": attempt,
                                "status": None, "error": None}
            try:
                async with self._http.post(url, data=body, headers=headers) as response:
                    record["status"] = response.status
            except (ClientError, TimeoutError, OSError) as exc:
                record["error"] = repr(exc)
            self._deliveries.append(record)
            self._deliveries_signal.fire()
            if record["status"] is not None and 200 <= record["status"] < 300:
                return True
            if attempt < WEBHOOK_ATTEMPTS:
                await self._pause(self.webhook_retry_delay * 2 ** (attempt - 1))
        return False
