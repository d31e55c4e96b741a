"""An in-process Telegram Bot API simulator for tests and the terminal demo.

The simulator is an aiohttp web server that speaks enough of the Bot API for an
unmodified ``telegram.ext.Application`` (pointed at it with ``base_url`` /
``base_file_url``) to long-poll, reply, edit, upload and download files.  Python
methods (and mirrored ``/sim/...`` HTTP routes) play the part of the people who
talk to the bot, inject faults, and let tests wait for the bot's replies without
sleeping.

Everything runs on one event loop, so state is plain dicts and lists: there is
no locking beyond the asyncio primitives used to wake waiters.

BotApiSimulator is this module (set-up, lifecycle, dispatch, faults and rate limits) plus one
part per concern: chats.py (people, chats, messages, the people's side), updates.py (the update
queue, getUpdates, the webhook), messages.py (the bot's message methods), files.py (files) and
side_api.py (the /sim/... routes); common.py holds what they share, telegram_html.py the HTML
parse_mode.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from types import TracebackType
from typing import Any

from aiohttp import ClientSession, web

from devkit.simulator.common import (
    FAULT_KINDS, INT_FIELDS, _INT_RE, JSON_FIELDS, SEND_METHODS, ApiError, Fault, JsonDict,
    MethodHandler, _Signal, _SlidingWindow, StoredFile, bad_request, blocked, too_many_requests,
)
from devkit.simulator.chats import ChatsMixin
from devkit.simulator.files import FilesMixin
from devkit.simulator.messages import MessagesMixin
from devkit.simulator.side_api import SideApiMixin
from devkit.simulator.updates import UpdatesMixin

log = logging.getLogger(__name__)

__all__ = ["ApiError", "BotApiSimulator"]


class BotApiSimulator(ChatsMixin, UpdatesMixin, MessagesMixin, FilesMixin, SideApiMixin):
    """Fake Bot API server plus the people who talk to the bot.

    People-side methods (``send_text``, ``press_button``...) are plain ``def`` so
    tests and the demo can call them from anywhere; they return the update_id so
    callers can wait on the bot having fetched / processed that update.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "thidua_demo_bot",
        bot_id: int = 777000,
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        group_rate_per_minute: int | None = None,
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.group_rate_per_minute = group_rate_per_minute
        self.latency = latency
        # Extra seconds before answering a method ({"sendMessage": 2.0}): a slow Bot API, so a
        # test can stop the bot while an update's handling waits on it.
        self.method_delays: dict[str, float] = {}
        self.timeout_delay: float = 15.0
        self.webhook_retry_delay: float = 0.2

        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Thi đua bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

        # People and chats
        self._users: dict[int, JsonDict] = {}
        self._chats: dict[int, JsonDict] = {}
        self._group_members: dict[int, set[int]] = {}
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self.reply_keyboards: dict[int, JsonDict] = {}

        # Messages, keyed by (chat_id, message_id); message ids are per chat.
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._next_message_id: dict[int, int] = {}
        self._bot_message_ids: dict[int, list[int]] = {}
        self._sent_order: list[tuple[int, int]] = []
        self._deleted: set[tuple[int, int]] = set()
        self._edit_history: dict[tuple[int, int], list[JsonDict]] = {}
        # Snapshot of every bot message create/edit, so wait_for sees each version.
        self._message_events: list[JsonDict] = []
        self._messages_changed = asyncio.Condition()

        # Updates
        self._pending: list[JsonDict] = []
        self._created: dict[int, JsonDict] = {}  # every update by id, for requeue()
        self._next_update_id = 1
        self._delivered: set[int] = set()
        self._allowed_updates: list[str] | None = None
        self._updates_signal = _Signal()
        self._delivered_signal = _Signal()
        # Long polls currently parked in getUpdates; lets callers know the bot is idle.
        self._parked_polls = 0
        self._parked_signal = _Signal()

        # Callback queries
        self._open_queries: dict[str, JsonDict] = {}
        self._next_query_id = 1
        self.callback_answers: list[JsonDict] = []

        # Files
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._next_file_no = 1

        self._commands: dict[str, list[JsonDict]] = {}

        # Webhook
        self._webhook_url: str | None = None
        self._webhook_secret: str | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_last_error: tuple[int, str] | None = None
        self._http: ClientSession | None = None

        # Faults and limits
        self._faults: list[Fault] = []
        self._global_window = _SlidingWindow(global_rate, 1.0) if global_rate else None
        self._chat_windows: dict[int, _SlidingWindow] = {}
        # (time.monotonic(), chat_id) of every send-type request as it arrives, for per-second counts.
        self.send_log: list[tuple[float, Any]] = []

        self.stats: dict[str, Any] = {
            "requests": Counter(),
            "total_requests": 0,
            "status": Counter(),
            "rate_limited": 0,
            "faults_triggered": 0,
            "errors": 0,
            "messages_sent": 0,
            "updates_created": 0,
            "updates_delivered": 0,
            "webhook_posts": 0,
            "webhook_failures": 0,
        }

        self._methods: dict[str, tuple[str, MethodHandler]] = {}
        for name, handler in self._method_table().items():
            self._methods[name.lower()] = (name, handler)

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = asyncio.Event()

    # ------------------------------------------------------------------ #
    # Lifecycle
    # ------------------------------------------------------------------ #

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        self._add_side_routes(app.router)
        # A short shutdown timeout: long polls and injected hangs are woken by
        # _stopping anyway, and tests must not wait aiohttp's default 60 s.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._stopping.clear()
        log.info("Bot API simulator listening on %s", self.url)

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

    async def __aenter__(self) -> BotApiSimulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("simulator not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def _pause(self, seconds: float) -> None:
        """Sleep that ends early when the simulator stops, so stop() never hangs."""
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    # ------------------------------------------------------------------ #
    # Bot API dispatch
    # ------------------------------------------------------------------ #

    async def _handle_api(self, request: web.Request) -> web.Response:
        try:
            status, body = await self._dispatch(request)
        except ApiError as error:
            status, body = error.code, error.body()
        self.stats["status"][status] += 1
        if status != 200:
            self.stats["errors"] += 1
        return web.json_response(body, status=status)

    async def _dispatch(self, request: web.Request) -> tuple[int, JsonDict]:
        if self.token is not None and request.match_info["token"] != self.token:
            raise ApiError(401, "Unauthorized")
        method = request.match_info["method"].lower()
        if method not in self._methods:
            raise ApiError(404, "Not Found")
        canonical, handler = self._methods[method]
        self.stats["requests"][canonical] += 1
        self.stats["total_requests"] += 1
        params = await self._read_params(request)
        if method in SEND_METHODS:
            self.send_log.append((time.monotonic(), params.get("chat_id")))
        await self._pause(self.latency + self.method_delays.get(canonical, 0.0))

        fault = self._take_fault(method, params)
        if fault is not None:
            self.stats["faults_triggered"] += 1
            await self._raise_fault_before(fault.kind)
        if method in SEND_METHODS:
            self._check_rate(params.get("chat_id"))
        result = await handler(params)
        if fault is not None and fault.kind == "timeout_after_send":
            # The message is stored; only the answer is "lost".
            await self._pause(self.timeout_delay)
            raise ApiError(504, "Gateway Timeout")
        return 200, {"ok": True, "result": result}

    async def _read_params(self, request: web.Request) -> JsonDict:
        params: JsonDict = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON body must be an object")
                params.update(body)
            else:
                form = await request.post()
                for key in form:
                    params[key] = form[key]
        for key in JSON_FIELDS & params.keys():
            value = params[key]
            if isinstance(value, str):
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    raise bad_request(f"can't parse {key} JSON object") from None
        for key in INT_FIELDS & params.keys():
            value = params[key]
            if isinstance(value, str) and _INT_RE.match(value.strip()):
                params[key] = int(value)
        return params

    # ------------------------------------------------------------------ #
    # Faults and rate limits
    # ------------------------------------------------------------------ #

    def inject_faults(
        self,
        kind: str,
        count: int = 1,
        method: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Queue ``count`` faults of ``kind`` for the next matching requests.

        ``method=None`` targets send-type methods only (see SEND_METHODS).
        """
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be >= 1")
        self._faults.append(
            Fault(kind, count, method.lower() if method else None, chat_id)
        )

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

    async def _raise_fault_before(self, kind: str) -> None:
        if kind == "429":
            raise too_many_requests(1)
        if kind == "500":
            raise ApiError(500, "Internal Server Error")
        if kind == "502":
            raise ApiError(502, "Bad Gateway")
        if kind == "403":
            raise blocked()
        if kind == "timeout":
            await self._pause(self.timeout_delay)
            raise ApiError(504, "Gateway Timeout")

    def _check_rate(self, chat_id: Any) -> None:
        now = time.monotonic()
        windows: list[_SlidingWindow] = []
        if self._global_window is not None:
            windows.append(self._global_window)
        if isinstance(chat_id, int):
            window = self._chat_windows.get(chat_id)
            if window is None:
                if chat_id > 0 and self.per_chat_rate:
                    window = _SlidingWindow(self.per_chat_rate, 1.0)
                elif chat_id < 0 and self.group_rate_per_minute:
                    window = _SlidingWindow(self.group_rate_per_minute, 60.0)
                if window is not None:
                    self._chat_windows[chat_id] = window
            if window is not None:
                windows.append(window)
        for window in windows:
            retry = window.retry_after(now)
            if retry is not None:
                self.stats["rate_limited"] += 1
                raise too_many_requests(retry)
        # Only accepted requests count, as with Telegram's flood control.
        for window in windows:
            window.stamps.append(now)

    def busiest_second(self) -> int:
        """The most send-type requests that arrived in any one second (a sliding window)."""
        times = [at for at, _ in self.send_log]
        most, first = 0, 0
        for last, at in enumerate(times):
            while times[first] <= at - 1.0:
                first += 1
            most = max(most, last - first + 1)
        return most

    # ------------------------------------------------------------------ #
    # Bot API methods
    # ------------------------------------------------------------------ #

    def _method_table(self) -> dict[str, MethodHandler]:
        async def true(params: JsonDict) -> bool:
            return True

        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "copyMessage": self._copy_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            # Cosmetic settings a bot may push at startup; accepting them keeps
            # startup code from crashing against the simulator.
            "setMyDescription": true,
            "setMyShortDescription": true,
            "setMyName": true,
            "setChatMenuButton": true,
            "close": true,
            "logOut": true,
        }
