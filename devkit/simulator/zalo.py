"""An in-process Zalo Bot Platform API simulator for tests and the terminal demo.

It speaks the bot API as Zalo's public docs describe it (Dec 2025):
``POST {base_url}/bot<TOKEN>/<method>`` with a JSON body, answered with
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...}``.
Like :class:`devkit.simulator.server.BotApiSimulator`, Python methods play the people
who talk to the bot, inject faults, and let tests wait for replies without sleeping.

Where the docs are silent (error texts, HTTP status of errors, blocked users, photo
fetch failures) the simulator makes a plausible choice, named by a constant below.
Everything runs on one event loop, so state is plain dicts, lists and deques.

ZaloApiSimulator is this module (set-up, dispatch, faults, the rate limit, sending) plus
zalo_receiving.py (getUpdates, the webhook) and zalo_people.py (the people, observing, waiting);
zalo_common.py holds the constants, errors and faults they share.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter, deque
from http import HTTPStatus
from types import TracebackType
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

# Reused so both simulators shape errors, wake waiters and count rates the same way.
# Reused so both simulators shape errors, wake waiters and count rates the same way.
from devkit.simulator.common import ApiError, _Signal, _SlidingWindow

from devkit.simulator.zalo_common import (
    BLOCKED_CODE, BLOCKED_DESCRIPTION, CAPTION_LIMIT, CHAT_ACTIONS, DEFAULT_GLOBAL_RATE,
    FAULT_DESCRIPTIONS, RATE_LIMIT_CODE, RATE_LIMIT_DESCRIPTION, SEND_METHODS, TEXT_LIMIT,
    Fault, JsonDict, MethodHandler, _RawFault, bad_request, _is_http_url, _new_id, _now_ms,
    _text_param,
)
from devkit.simulator.zalo_people import ZaloPeopleMixin
from devkit.simulator.zalo_receiving import ZaloReceivingMixin

log = logging.getLogger(__name__)


class ZaloApiSimulator(ZaloPeopleMixin, ZaloReceivingMixin):
    """Fake Zalo bot API server plus the people who talk to the bot.

    People-side methods (``send_text``...) are plain ``def`` so tests and the demo
    can call them from anywhere; they return the new message_id.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: str = "777000000000000001",
        account_name: str = "bot.thidua_demo",
        display_name: str = "Thi đua bot",
        global_rate: float | None = DEFAULT_GLOBAL_RATE,
        http_status_mirrors_error: bool = True,
    ) -> None:
        # Extra seconds before answering a method ({"sendMessage": 2.0}), as in the Telegram one.
        self.method_delays: dict[str, float] = {}
        self.token = token  # None accepts any token
        self.global_rate = global_rate
        # The docs don't say which HTTP status carries ok:false; by default it mirrors
        # error_code (as Telegram does). False answers every JSON error with 200, which
        # checks that a client reads "ok" rather than the status line.
        self.http_status_mirrors_error = http_status_mirrors_error
        self.webhook_retry_delay: float = 0.2
        self.bot_info: JsonDict = {"id": bot_id, "account_name": account_name, "display_name": display_name,
                                   "account_type": "BASIC", "can_join_groups": False}

        self._users: dict[str, JsonDict] = {}
        self._groups: set[str] = set()
        self._blocked: set[str] = set()

        self._pending: deque[JsonDict] = deque()
        self._delivered: set[str] = set()  # message_ids fetched or accepted by the webhook
        self._updates_signal, self._delivered_signal, self._parked_signal = _Signal(), _Signal(), _Signal()
        self._parked_polls = 0

        self._sent: list[JsonDict] = []
        self._sent_signal = _Signal()
        self.chat_actions: list[JsonDict] = []
        self._photo_fetches: list[JsonDict] = []
        self._hosted: dict[str, tuple[bytes, str]] = {}

        self._webhook_url: str | None = None
        self._webhook_secret: str | None = None
        self._webhook_updated_at = 0
        self._webhook_task: asyncio.Task[None] | None = None
        self._deliveries: list[JsonDict] = []
        self._deliveries_signal = _Signal()

        self._faults: list[Fault] = []
        self._window = _SlidingWindow(global_rate, 1.0) if global_rate else None
        self.stats: dict[str, Any] = {"requests": Counter(), "rate_limited": 0, "faults_triggered": 0,
                                      "messages_sent": 0, "updates_delivered": 0}
        self._methods: dict[str, MethodHandler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._http: ClientSession | None = None
        self._stopping = asyncio.Event()

    # -- lifecycle --------------------------------------------------------- #

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/files/{key}/{name}", self._handle_file)
        # Short shutdown: parked polls are woken by _stopping, tests must not wait 60 s.
        # handler_cancellation: a long poll whose client went away (a killed bot) is dropped before
        # it takes an update, as a server that watches its connections does; without it the
        # update would go to the dead poll and be lost (getUpdates has no offset to send it again).
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self._port = int(self._runner.addresses[0][1])
        self._http = ClientSession(timeout=ClientTimeout(total=10))
        self._stopping.clear()
        log.info("Zalo API simulator listening on %s", self.base_url)

    async def stop(self) -> None:
        self._stopping.set()
        for signal in (self._updates_signal, self._delivered_signal, self._parked_signal):
            signal.fire()
        await self._stop_webhook_worker()
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ZaloApiSimulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("simulator not started")
        return self._port

    @property
    def base_url(self) -> str:
        """Server root; the bot calls f"{base_url}/bot{token}/{method}"."""
        return f"http://127.0.0.1:{self.port}"

    url = base_url  # the Telegram simulator's name for the server root

    async def _pause(self, seconds: float) -> None:
        """Sleep that ends early when the simulator stops, so stop() never hangs."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    # -- dispatch, faults and the rate limit -------------------------------- #

    async def _handle_api(self, request: web.Request) -> web.Response:
        try:
            result = await self._dispatch(request)
        except ApiError as error:
            status = error.code if self.http_status_mirrors_error else 200
            return web.json_response(error.body(), status=status)
        except _RawFault as fault:
            return web.Response(status=fault.status, text=f"{fault.status} {HTTPStatus(fault.status).phrase}")
        # sendChatAction answers a bare {"ok": true}, as in the docs.
        return web.json_response({"ok": True} if result is None else {"ok": True, "result": result})

    async def _dispatch(self, request: web.Request) -> Any:
        if self.token is not None and request.match_info["token"] != self.token:
            raise ApiError(401, "Unauthorized")
        method = request.match_info["method"]
        # Exact names only: a mis-cased method should fail here, not in production.
        handler = self._methods.get(method)
        if handler is None:
            raise ApiError(404, "Not Found")
        self.stats["requests"][method] += 1
        params = await self._read_params(request)
        if self.method_delays.get(method):
            await asyncio.sleep(self.method_delays[method])
        fault = self._take_fault(method, params)
        if fault is not None:
            self.stats["faults_triggered"] += 1
            if fault.status >= 500:
                raise _RawFault(fault.status)
            raise ApiError(fault.status, fault.description)
        if method in SEND_METHODS:
            self._check_rate()
        return await handler(params)

    @staticmethod
    async def _read_params(request: web.Request) -> JsonDict:
        params: JsonDict = dict(request.query)  # GET with query parameters works too
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise bad_request("malformed JSON body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON body must be an object")
            params.update(body)
        return params

    def inject_faults(
        self, method: str | None, status: int, count: int = 1, *,
        description: str | None = None, chat_id: str | None = None,
    ) -> None:
        """Fail the next ``count`` matching calls: 5xx as a bare HTTP error, 4xx as ok:false.

        ``method=None`` targets the send methods only (see SEND_METHODS).
        """
        if not 400 <= status <= 599:
            raise ValueError("status must be a 4xx or 5xx code")
        if count < 1:
            raise ValueError("count must be >= 1")
        if method is not None and method not in self._methods:
            raise ValueError(f"unknown method {method!r}; expected one of {sorted(self._methods)}")
        text = description or FAULT_DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
        self._faults.append(Fault(status, count, method, text, chat_id))

    def clear_faults(self) -> None:
        self._faults.clear()

    def _take_fault(self, method: str, params: JsonDict) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, params):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _check_rate(self) -> None:
        if self._window is None:
            return
        now = time.monotonic()
        if self._window.retry_after(now) is not None:
            self.stats["rate_limited"] += 1
            raise ApiError(RATE_LIMIT_CODE, RATE_LIMIT_DESCRIPTION)
        self._window.stamps.append(now)  # only accepted requests count

    # -- sending: what the bot puts in chats -------------------------------- #

    def _target_chat(self, params: JsonDict) -> str:
        """The chat a send addresses, failing as Zalo plausibly would."""
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise bad_request("chat_id must be a non-empty string")
        if chat_id not in self._users and chat_id not in self._groups:
            raise bad_request("chat not found")
        if chat_id in self._blocked:
            raise ApiError(BLOCKED_CODE, BLOCKED_DESCRIPTION)
        return chat_id

    def _record(self, method: str, chat_id: str, **content: Any) -> JsonDict:
        message = {"method": method, "chat_id": chat_id, **content, "message_id": _new_id(), "date": _now_ms()}
        self._sent.append(message)
        self.stats["messages_sent"] += 1
        self._sent_signal.fire()
        return {"message_id": message["message_id"], "date": message["date"]}

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat_id = self._target_chat(params)
        text = _text_param(params, "text", TEXT_LIMIT, required=True)
        return self._record("sendMessage", chat_id, text=text)

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        chat_id = self._target_chat(params)
        url = params.get("photo")
        if not _is_http_url(url):
            raise bad_request("photo must be an http(s) URL")
        caption = _text_param(params, "caption", CAPTION_LIMIT, required=False)
        fetch = await self._fetch(url)
        self._photo_fetches.append({"chat_id": chat_id, **fetch})
        # A photo Zalo cannot download is not sent; the docs don't say how that
        # fails, so it is a 400 naming what the fetch got.
        if fetch["status"] is None or not 200 <= fetch["status"] < 300:
            raise bad_request(f"can't fetch photo: {fetch['error'] or 'HTTP ' + str(fetch['status'])}")
        return self._record(
            "sendPhoto", chat_id, photo=url, caption=caption, fetched_status=fetch["status"],
            fetched_bytes=fetch["bytes"], fetched_content_type=fetch["content_type"],
        )

    async def _fetch(self, url: str) -> JsonDict:
        assert self._http is not None
        fetch: JsonDict = {"url": url, "status": None, "bytes": b"", "content_type": None, "error": None}
        try:
            async with self._http.get(url) as response:
                fetch["status"], fetch["content_type"] = response.status, response.content_type
                fetch["bytes"] = await response.read()
        except (ClientError, TimeoutError, OSError) as exc:
            fetch["error"] = repr(exc)
        return fetch

    async def _send_sticker(self, params: JsonDict) -> JsonDict:
        chat_id = self._target_chat(params)
        sticker = params.get("sticker")
        if not isinstance(sticker, str) or not sticker:
            raise bad_request("sticker is empty")
        return self._record("sendSticker", chat_id, sticker=sticker)

    async def _send_chat_action(self, params: JsonDict) -> None:
        chat_id = self._target_chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request(f"action must be one of {sorted(CHAT_ACTIONS)}")
        self.chat_actions.append({"chat_id": chat_id, "action": action, "date": _now_ms()})
