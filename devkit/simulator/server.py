"""An in-process Telegram Bot API simulator for tests and the terminal demo.

The simulator is an aiohttp web server that speaks enough of the Bot API for an
unmodified ``telegram.ext.Application`` (pointed at it with ``base_url`` /
``base_file_url``) to long-poll, reply, edit, upload and download files.  Python
methods (and mirrored ``/sim/...`` HTTP routes) play the part of the people who
talk to the bot, inject faults, and let tests wait for the bot's replies without
sleeping.

Everything runs on one event loop, so state is plain dicts and lists: there is
no locking beyond the asyncio primitives used to wake waiters.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import html.parser
import json
import logging
import math
import mimetypes
import re
import secrets
import struct
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from aiohttp.web_request import FileField

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
MethodHandler = Callable[[JsonDict], Awaitable[Any]]

# Methods subject to rate limits; also what a fault with ``method=None`` targets,
# because matching getUpdates would make such faults fire on the poll loop.
SEND_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "editmessagetext",
        "editmessagereplymarkup",
        "copymessage",
    }
)
# PTB JSON-encodes complex values inside form fields; only these are decoded so a
# text that happens to look like JSON ("123", "[1]") stays a string.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
INT_FIELDS = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "from_chat_id"}
)
FAULT_KINDS = frozenset({"429", "500", "502", "timeout", "timeout_after_send", "403"})

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
WEBHOOK_ATTEMPTS = 3
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_INT_RE = re.compile(r"^-?\d+$")


class ApiError(Exception):
    """A Bot API error answer; raised anywhere inside a method handler."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str, parameters: JsonDict | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}", parameters)


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


def blocked() -> ApiError:
    return ApiError(403, "Forbidden: bot was blocked by the user")


def _utf16_len(text: str) -> int:
    # Telegram entity offsets/lengths are in UTF-16 code units, not code points.
    return len(text.encode("utf-16-le")) // 2


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


# --------------------------------------------------------------------------- #
# HTML parse_mode: the bot sees plain text + entities back, exactly like Telegram,
# and malformed markup is rejected so formatting bugs surface in tests.
# --------------------------------------------------------------------------- #

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class _TelegramHtmlParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.utf16_pos = 0
        # (tag, entity or None); None marks <code> nested in <pre>, which only
        # contributes the language of the enclosing pre entity.
        self.stack: list[tuple[str, JsonDict | None]] = []
        self.entities: list[JsonDict] = []

    @staticmethod
    def _fail(detail: str) -> ApiError:
        return bad_request(f"can't parse entities: {detail}")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.utf16_pos += _utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        kind = _HTML_TAGS.get(tag)
        if kind is None or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise self._fail(f'Unsupported start tag "{tag}" at byte offset {self.utf16_pos}')
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            pre_entity = self.stack[-1][1]
            language = attributes.get("class", "")
            if pre_entity is not None and language.startswith("language-"):
                pre_entity["language"] = language.removeprefix("language-")
            self.stack.append((tag, None))
            return
        entity: JsonDict = {"type": kind, "offset": self.utf16_pos}
        if tag == "a":
            entity["url"] = attributes.get("href", "")
        elif tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id", "")
        self.stack.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            expected = f'"</{self.stack[-1][0]}>"' if self.stack else "no end tag"
            raise self._fail(
                f"Unmatched end tag at byte offset {self.utf16_pos}, "
                f'expected {expected}, found "</{tag}>"'
            )
        _, entity = self.stack.pop()
        if entity is None:
            return
        entity["length"] = self.utf16_pos - entity["offset"]
        if entity["length"] > 0:
            self.entities.append(entity)

    def result(self) -> tuple[str, list[JsonDict]]:
        self.close()
        if self.stack:
            raise self._fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def format_text(
    text: Any, parse_mode: Any, entities: Any
) -> tuple[str, list[JsonDict] | None]:
    """Turn (text, parse_mode, entities) into what Telegram stores: text + entities.

    Only HTML is rendered; Markdown modes pass through unrendered (a known
    simplification) so tests can still match on the raw text.
    """
    text = "" if text is None else str(text)
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        parser = _TelegramHtmlParser()
        parser.feed(text)
        plain, parsed = parser.result()
        return plain, parsed or None
    if isinstance(entities, list) and entities:
        return text, entities
    return text, None


# --------------------------------------------------------------------------- #
# Small helpers
# --------------------------------------------------------------------------- #


class _Signal:
    """Broadcast wake-up that sync code can fire (asyncio.Condition needs its lock,
    which sync methods such as ``send_text`` cannot take)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    @property
    def current(self) -> asyncio.Event:
        # Grab this *before* re-checking state, then await it: a fire() in between
        # sets exactly this event, so no wake-up can be lost.
        return self._event


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def as_file(self) -> JsonDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }

    def as_document(self) -> JsonDict:
        doc: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def as_photo(self) -> list[JsonDict]:
        width, height = _image_size(self.content)
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(self.content),
            }
        ]


def _image_size(content: bytes) -> tuple[int, int]:
    # Real dimensions for PNGs keep photo metadata plausible; anything else gets a default.
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 800, 600


@dataclass
class Fault:
    kind: str
    remaining: int
    method: str | None  # lower-case method name; None = any send-type method
    chat_id: int | None

    def matches(self, method: str, params: JsonDict) -> bool:
        if self.method is None:
            if method not in SEND_METHODS:
                return False
        elif self.method != method:
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id


class _SlidingWindow:
    """Counts accepted requests in the last ``span`` seconds."""

    def __init__(self, rate: float, span: float) -> None:
        # Fractional rates (0.5/s) become "1 per 2 s" so they are still enforceable.
        if rate >= 1:
            self.capacity, self.span = int(rate), span
        else:
            self.capacity, self.span = 1, span / rate
        self.stamps: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        while self.stamps and self.stamps[0] <= now - self.span:
            self.stamps.popleft()
        if len(self.stamps) < self.capacity:
            return None
        return max(1, math.ceil(self.stamps[0] + self.span - now))


# --------------------------------------------------------------------------- #
# The simulator
# --------------------------------------------------------------------------- #


class BotApiSimulator:
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
    # People and chats
    # ------------------------------------------------------------------ #

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
    ) -> JsonDict:
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JsonDict = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            user["last_name"] = chat["last_name"] = last_name
        if username:
            user["username"] = chat["username"] = username
        user["language_code"] = language_code
        self._users[user_id] = user
        self._chats[user_id] = chat
        return copy.deepcopy(user)

    def add_group(self, chat_id: int, title: str, member_ids: Iterable[int] = ()) -> JsonDict:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        # Telegram's -100... ids are supergroups; shorter negative ids are basic groups.
        kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        self._chats[chat_id] = {"id": chat_id, "type": kind, "title": title}
        members = self._group_members.setdefault(chat_id, set())
        for member in member_ids:
            self._ensure_user(member)
            members.add(member)
        return copy.deepcopy(self._chats[chat_id])

    def block_user(self, user_id: int) -> None:
        self._blocked.add(user_id)

    def unblock_user(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def migrate_group(self, old_id: int, new_id: int) -> None:
        old = self._chats.get(old_id)
        title = old["title"] if old else f"Nhóm {new_id}"
        self.add_group(new_id, title, self._group_members.get(old_id, ()))
        self._migrated[old_id] = new_id

    def _ensure_user(self, user_id: int) -> JsonDict:
        if user_id not in self._users:
            self.add_user(user_id, f"Người dùng {user_id}")
        return self._users[user_id]

    def _people_chat(self, user_id: int, chat_id: int | None) -> JsonDict:
        """The chat a person acts in: their private chat, or a group (auto-created)."""
        self._ensure_user(user_id)
        if chat_id is None or chat_id == user_id:
            # Writing to the bot again means the person unblocked it.
            self._blocked.discard(user_id)
            return self._chats[user_id]
        if chat_id not in self._chats:
            self.add_group(chat_id, f"Nhóm {chat_id}")
        self._group_members.setdefault(chat_id, set()).add(user_id)
        return self._chats[chat_id]

    def _target_chat(self, params: JsonDict) -> JsonDict:
        """Resolve the chat a bot request addresses, failing like Telegram would."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if chat_id in self._migrated:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat["type"] == "private" and chat_id in self._blocked:
            raise blocked()
        return chat

    # ------------------------------------------------------------------ #
    # Messages
    # ------------------------------------------------------------------ #

    def _new_message(self, chat: JsonDict, sender: JsonDict, **content: Any) -> JsonDict:
        chat_id = chat["id"]
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JsonDict = {
            "message_id": message_id,
            "from": copy.deepcopy(sender),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        message.update({key: value for key, value in content.items() if value is not None})
        self._messages[(chat_id, message_id)] = message
        return message

    def _bot_message(self, chat: JsonDict, **content: Any) -> JsonDict:
        message = self._new_message(chat, self.bot_user, **content)
        key = (chat["id"], message["message_id"])
        self._bot_message_ids.setdefault(chat["id"], []).append(key[1])
        self._sent_order.append(key)
        self.stats["messages_sent"] += 1
        return message

    def _find_bot_message(self, chat_id: Any, message_id: Any) -> JsonDict | None:
        key = (chat_id, message_id)
        message = self._messages.get(key)
        if message is None or key in self._deleted or message["from"]["id"] != self.bot_id:
            return None
        return message

    async def _publish(self, message: JsonDict) -> None:
        """Record a create/edit of a bot message and wake wait_for callers."""
        self._message_events.append(copy.deepcopy(message))
        async with self._messages_changed:
            self._messages_changed.notify_all()

    def messages(self, chat_id: int) -> list[JsonDict]:
        """The bot's messages to ``chat_id`` in order, each in its current (edited) state."""
        return [
            copy.deepcopy(self._messages[(chat_id, mid)])
            for mid in self._bot_message_ids.get(chat_id, [])
            if (chat_id, mid) not in self._deleted
        ]

    def all_sent(self) -> list[JsonDict]:
        return [
            copy.deepcopy(self._messages[key]) for key in self._sent_order if key not in self._deleted
        ]

    def edit_history(self, chat_id: int, message_id: int) -> list[JsonDict]:
        """Earlier versions of a bot message, oldest first (current state excluded)."""
        return copy.deepcopy(self._edit_history.get((chat_id, message_id), []))

    def deleted_messages(self) -> list[tuple[int, int]]:
        return sorted(self._deleted)

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id].content

    def commands_for(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        return copy.deepcopy(self._commands.get(self._scope_key(scope, language_code), []))

    def _describe_chat(self, chat_id: int | None) -> str:
        received = self.messages(chat_id) if chat_id is not None else self.all_sent()
        lines = [
            f"  #{m['message_id']} chat={m['chat']['id']}: "
            + repr(m.get("text") or m.get("caption") or _media_kind(m))
            for m in received
        ]
        where = f"chat {chat_id}" if chat_id is not None else "any chat"
        return f"{where} received {len(received)} bot message(s)" + (
            ":\n" + "\n".join(lines) if lines else ""
        )

    async def wait_for(
        self,
        predicate: Callable[[JsonDict], bool],
        chat_id: int | None = None,
        timeout: float = 5.0,
    ) -> JsonDict:
        """First bot message (existing, new or newly edited) matching ``predicate``.

        A predicate raising KeyError/TypeError/IndexError (e.g. ``m["text"]`` on a
        document) counts as "no match" so simple lambdas work on mixed chats.
        """

        def matches(message: JsonDict) -> bool:
            if chat_id is not None and message["chat"]["id"] != chat_id:
                return False
            try:
                return bool(predicate(message))
            except (KeyError, TypeError, IndexError):
                return False

        current = self.messages(chat_id) if chat_id is not None else self.all_sent()
        for message in current:
            if matches(message):
                return message
        cursor = len(self._message_events)
        try:
            async with asyncio.timeout(timeout):
                async with self._messages_changed:
                    while True:
                        await self._messages_changed.wait_for(
                            lambda: len(self._message_events) > cursor
                        )
                        while cursor < len(self._message_events):
                            event = self._message_events[cursor]
                            cursor += 1
                            if matches(event):
                                return copy.deepcopy(event)
        except TimeoutError:
            raise TimeoutError(
                f"no matching bot message within {timeout}s; {self._describe_chat(chat_id)}"
            ) from None

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

    # ------------------------------------------------------------------ #
    # Acting as people
    # ------------------------------------------------------------------ #

    def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> int:
        chat = self._people_chat(user_id, chat_id)
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        message = self._new_message(chat, self._users[user_id], text=text, entities=entities)
        return self._enqueue_update({"message": copy.deepcopy(message)})

    def press_button(
        self,
        user_id: int,
        message_id: int,
        data: str | None = None,
        text: str | None = None,
        chat_id: int | None = None,
    ) -> int:
        """Press an inline button; forged or stale presses are delivered anyway,
        since the bot must cope with both."""
        if data is None and text is None:
            raise ValueError("press_button needs data or text")
        chat = self._people_chat(user_id, chat_id)
        message = self._find_bot_message(chat["id"], message_id)
        if message is not None and data is None:
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("text") == text:
                        if "callback_data" not in button:
                            raise ValueError(f"button {text!r} has no callback_data")
                        data = button["callback_data"]
                        break
                if data is not None:
                    break
        if message is not None:
            shown: JsonDict = copy.deepcopy(message)
        else:
            # Telegram's shape for a message the bot can no longer access (date 0).
            shown = {"chat": copy.deepcopy(chat), "message_id": message_id, "date": 0}
        query_id = str(self._next_query_id)
        self._next_query_id += 1
        query: JsonDict = {
            "id": query_id,
            "from": copy.deepcopy(self._users[user_id]),
            "message": shown,
            "chat_instance": str(abs(chat["id"]) * 7919 + 13),
        }
        if data is not None:
            query["data"] = data
        self._open_queries[query_id] = query
        return self._enqueue_update({"callback_query": copy.deepcopy(query)})

    def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> int:
        chat = self._people_chat(user_id, chat_id)
        mime_type = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = self._store_file(content, "documents", filename, mime_type)
        message = self._new_message(
            chat, self._users[user_id], document=stored.as_document(), caption=caption
        )
        return self._enqueue_update({"message": copy.deepcopy(message)})

    def send_photo(
        self, user_id: int, content: bytes, caption: str | None = None, chat_id: int | None = None
    ) -> int:
        chat = self._people_chat(user_id, chat_id)
        stored = self._store_file(content, "photos", None, "image/jpeg")
        message = self._new_message(
            chat, self._users[user_id], photo=stored.as_photo(), caption=caption
        )
        return self._enqueue_update({"message": copy.deepcopy(message)})

    def send_sticker(self, user_id: int, chat_id: int | None = None) -> int:
        chat = self._people_chat(user_id, chat_id)
        stored = self._store_file(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "stickers", None, "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "😀",
            "file_size": len(stored.content),
        }
        message = self._new_message(chat, self._users[user_id], sticker=sticker)
        return self._enqueue_update({"message": copy.deepcopy(message)})

    # ------------------------------------------------------------------ #
    # Files
    # ------------------------------------------------------------------ #

    def _store_file(
        self, content: bytes, folder: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        number = self._next_file_no
        self._next_file_no += 1
        prefix = {"documents": "BQAC", "photos": "AgAC", "stickers": "CAAC"}.get(folder, "BQAC")
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        elif mime_type:
            extension = mimetypes.guess_extension(mime_type) or ""
        stored = StoredFile(
            file_id=f"{prefix}AgIAAxkBAA{number:06d}{secrets.token_hex(8)}",
            file_unique_id=f"AgAD{number:06d}",
            content=bytes(content),
            file_path=f"{folder}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _input_file(self, params: JsonDict, field: str, folder: str) -> StoredFile:
        """A file given as an upload part, an ``attach://`` reference or a known file_id."""
        value = params.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, FileField):
            content = value.file.read()
            name = params.get("filename") or value.filename
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = (mimetypes.guess_type(name)[0] if name else None) or mime
            return self._store_file(content, folder, name, mime)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if value is None or value == "":
            raise bad_request(f"there is no {field} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    async def _handle_file(self, request: web.Request) -> web.Response:
        if self.token is not None and request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

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

    # -- messages --------------------------------------------------------- #

    def _apply_markup(self, message: JsonDict, params: JsonDict) -> None:
        markup = params.get("reply_markup")
        if not isinstance(markup, dict):
            return
        if "inline_keyboard" in markup:
            _validate_inline_keyboard(markup)
            message["reply_markup"] = copy.deepcopy(markup)
        elif "keyboard" in markup:
            # Reply keyboards are not echoed in Message; keep the latest per chat.
            self.reply_keyboards[message["chat"]["id"]] = copy.deepcopy(markup)
        elif markup.get("remove_keyboard"):
            self.reply_keyboards.pop(message["chat"]["id"], None)

    def _reply_target(self, chat_id: int, params: JsonDict) -> JsonDict | None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            legacy = params.get("reply_to_message_id")
            if legacy in (None, ""):
                return None
            reply = {"message_id": int(legacy)}
        target = self._messages.get((chat_id, int(reply.get("message_id", 0))))
        if target is None or (chat_id, target["message_id"]) in self._deleted:
            if _as_bool(reply.get("allow_sending_without_reply")):
                return None
            raise bad_request("message to be replied not found")
        target = copy.deepcopy(target)
        target.pop("reply_to_message", None)  # Telegram nests only one level
        return target

    @staticmethod
    def _check_text(text: str) -> None:
        if not text.strip():
            raise bad_request("message text is empty")
        if _utf16_len(text) > TEXT_LIMIT:  # Telegram counts UTF-16 code units
            raise bad_request("message is too long")

    @staticmethod
    def _check_caption(caption: str) -> None:
        if _utf16_len(caption) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat = self._target_chat(params)
        text, entities = format_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        self._check_text(text)
        reply_to = self._reply_target(chat["id"], params)
        message = self._bot_message(chat, text=text, entities=entities, reply_to_message=reply_to)
        self._apply_markup(message, params)
        await self._publish(message)
        return copy.deepcopy(message)

    async def _send_media(self, params: JsonDict, field: str) -> JsonDict:
        chat = self._target_chat(params)
        folder = "photos" if field == "photo" else "documents"
        stored = self._input_file(params, field, folder)
        caption, caption_entities = format_text(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        self._check_caption(caption)
        reply_to = self._reply_target(chat["id"], params)
        media = stored.as_photo() if field == "photo" else stored.as_document()
        message = self._bot_message(
            chat,
            **{field: media},
            caption=caption or None,
            caption_entities=caption_entities,
            reply_to_message=reply_to,
        )
        self._apply_markup(message, params)
        await self._publish(message)
        return copy.deepcopy(message)

    async def _send_document(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "document")

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "photo")

    def _message_to_edit(self, params: JsonDict) -> JsonDict:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the simulator")
        chat = self._target_chat(params)
        if params.get("message_id") in (None, ""):
            raise bad_request("message identifier is not specified")
        message = self._find_bot_message(chat["id"], params.get("message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        return message

    async def _commit_edit(self, old: JsonDict, new: JsonDict, params: JsonDict) -> JsonDict:
        # Telegram drops the inline keyboard when an edit omits reply_markup.
        new.pop("reply_markup", None)
        self._apply_markup(new, params)
        if all(old.get(k) == new.get(k) for k in ("text", "entities", "caption", "caption_entities", "reply_markup")):
            raise bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        key = (old["chat"]["id"], old["message_id"])
        self._edit_history.setdefault(key, []).append(copy.deepcopy(old))
        new["edit_date"] = int(time.time())
        self._messages[key] = new
        await self._publish(new)
        return copy.deepcopy(new)

    async def _edit_message_text(self, params: JsonDict) -> JsonDict:
        old = self._message_to_edit(params)
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        text, entities = format_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        self._check_text(text)
        new = copy.deepcopy(old)
        new["text"] = text
        new.pop("entities", None)
        if entities:
            new["entities"] = entities
        return await self._commit_edit(old, new, params)

    async def _edit_message_caption(self, params: JsonDict) -> JsonDict:
        old = self._message_to_edit(params)
        if "text" in old:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = format_text(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        self._check_caption(caption)
        new = copy.deepcopy(old)
        new.pop("caption", None)
        new.pop("caption_entities", None)
        if caption:
            new["caption"] = caption
        if entities:
            new["caption_entities"] = entities
        return await self._commit_edit(old, new, params)

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        old = self._message_to_edit(params)
        return await self._commit_edit(old, copy.deepcopy(old), params)

    async def _delete_message(self, params: JsonDict) -> bool:
        chat = self._target_chat(params)
        key = (chat["id"], params.get("message_id"))
        if key not in self._messages or key in self._deleted:
            raise bad_request("message to delete not found")
        self._deleted.add(key)  # type: ignore[arg-type]
        return True

    async def _copy_message(self, params: JsonDict) -> JsonDict:
        chat = self._target_chat(params)
        source = self._messages.get((params.get("from_chat_id"), params.get("message_id")))  # type: ignore[arg-type]
        if source is None:
            raise bad_request("message to copy not found")
        content = {
            key: copy.deepcopy(source[key])
            for key in ("text", "entities", "document", "photo", "sticker", "caption", "caption_entities")
            if key in source
        }
        if "caption" in params:
            content["caption"] = params["caption"]
        message = self._bot_message(chat, **content)
        self._apply_markup(message, params)
        await self._publish(message)
        return {"message_id": message["message_id"]}

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._open_queries.pop(query_id, None)
        if query is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "user_id": query["from"]["id"],
                "data": query.get("data"),
                "message_id": query["message"]["message_id"],
                "text": params.get("text"),
                "show_alert": _as_bool(params.get("show_alert")),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
            }
        )
        return True

    async def _get_file(self, params: JsonDict) -> JsonDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.as_file()

    # -- commands ---------------------------------------------------------- #

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> str:
        scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + str(language_code or "")

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("commands is empty")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self.commands_for(params.get("scope"), params.get("language_code") or "")

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        self._commands.pop(self._scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    async def _send_chat_action(self, params: JsonDict) -> bool:
        self._target_chat(params)
        return True

    async def _get_chat(self, params: JsonDict) -> JsonDict:
        chat = self._target_chat(params)
        return {**copy.deepcopy(chat), "accent_color_id": 0, "max_reaction_count": 11}

    # ------------------------------------------------------------------ #
    # Side API (/sim/...): the people-side methods over HTTP, JSON in/out
    # ------------------------------------------------------------------ #

    def _add_side_routes(self, router: web.UrlDispatcher) -> None:
        routes: list[tuple[str, str, Callable[[web.Request], Awaitable[JsonDict]]]] = [
            ("POST", "/sim/users", self._side_add_user),
            ("POST", "/sim/groups", self._side_add_group),
            ("POST", "/sim/users/{id}/text", self._side_text),
            ("POST", "/sim/users/{id}/press", self._side_press),
            ("POST", "/sim/users/{id}/document", self._side_document),
            ("POST", "/sim/users/{id}/photo", self._side_photo),
            ("POST", "/sim/users/{id}/sticker", self._side_sticker),
            ("POST", "/sim/users/{id}/block", self._side_block),
            ("POST", "/sim/users/{id}/unblock", self._side_unblock),
            ("GET", "/sim/chats/{id}/messages", self._side_messages),
            ("GET", "/sim/callback_answers", self._side_callback_answers),
            ("POST", "/sim/faults", self._side_faults),
            ("GET", "/sim/stats", self._side_stats),
        ]
        for verb, path, handler in routes:
            router.add_route(verb, path, self._side_wrapper(handler))

    @staticmethod
    def _side_wrapper(
        handler: Callable[[web.Request], Awaitable[JsonDict]],
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def wrapped(request: web.Request) -> web.Response:
            try:
                result = await handler(request)
            except (ValueError, KeyError, TypeError) as exc:
                return web.json_response({"ok": False, "error": str(exc)}, status=400)
            return web.json_response({"ok": True, **result})

        return wrapped

    @staticmethod
    async def _json_body(request: web.Request) -> JsonDict:
        if not request.can_read_body:
            return {}
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        return body

    async def _side_add_user(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        user_id = int(body.get("user_id", body.get("id")))
        user = self.add_user(
            user_id,
            str(body.get("first_name") or f"Người dùng {user_id}"),
            body.get("last_name"),
            body.get("username"),
            body.get("language_code") or "vi",
        )
        return {"user": user}

    async def _side_add_group(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        chat = self.add_group(
            int(body["chat_id"]), str(body["title"]), [int(m) for m in body.get("member_ids", [])]
        )
        return {"chat": chat}

    async def _side_text(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        chat_id = body.get("chat_id")
        update_id = self.send_text(
            int(request.match_info["id"]), str(body["text"]), int(chat_id) if chat_id else None
        )
        return {"update_id": update_id}

    async def _side_press(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        update_id = self.press_button(
            int(request.match_info["id"]),
            int(body["message_id"]),
            data=body.get("data"),
            text=body.get("text"),
        )
        return {"update_id": update_id}

    async def _side_upload(self, request: web.Request) -> tuple[bytes, JsonDict]:
        """Read an uploaded file: multipart (any file part) or JSON with base64 content."""
        if request.content_type == "application/json":
            body = await self._json_body(request)
            return base64.b64decode(body["content"]), body
        form = await request.post()
        fields: JsonDict = {}
        content: bytes | None = None
        for key, value in form.items():
            if isinstance(value, FileField):
                content = value.file.read()
                fields.setdefault("filename", value.filename)
                if value.content_type and value.content_type != "application/octet-stream":
                    fields.setdefault("mime_type", value.content_type)
            else:
                fields[key] = value
        if content is None:
            raise ValueError("no file part in the upload")
        return content, fields

    async def _side_document(self, request: web.Request) -> JsonDict:
        content, fields = await self._side_upload(request)
        update_id = self.send_document(
            int(request.match_info["id"]),
            str(fields.get("filename") or "file.bin"),
            content,
            mime_type=fields.get("mime_type"),
            caption=fields.get("caption"),
        )
        return {"update_id": update_id}

    async def _side_photo(self, request: web.Request) -> JsonDict:
        content, fields = await self._side_upload(request)
        update_id = self.send_photo(int(request.match_info["id"]), content, fields.get("caption"))
        return {"update_id": update_id}

    async def _side_sticker(self, request: web.Request) -> JsonDict:
        return {"update_id": self.send_sticker(int(request.match_info["id"]))}

    async def _side_block(self, request: web.Request) -> JsonDict:
        self.block_user(int(request.match_info["id"]))
        return {}

    async def _side_unblock(self, request: web.Request) -> JsonDict:
        self.unblock_user(int(request.match_info["id"]))
        return {}

    async def _side_messages(self, request: web.Request) -> JsonDict:
        return {"messages": self.messages(int(request.match_info["id"]))}

    async def _side_callback_answers(self, request: web.Request) -> JsonDict:
        return {"callback_answers": copy.deepcopy(self.callback_answers)}

    async def _side_faults(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        chat_id = body.get("chat_id")
        self.inject_faults(
            str(body["kind"]),
            int(body.get("count", 1)),
            body.get("method"),
            int(chat_id) if chat_id is not None else None,
        )
        return {}

    async def _side_stats(self, request: web.Request) -> JsonDict:
        return {"stats": json.loads(json.dumps(self.stats))}


def _validate_inline_keyboard(markup: JsonDict) -> None:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")


def _media_kind(message: JsonDict) -> str:
    for kind in ("document", "photo", "sticker"):
        if kind in message:
            return f"<{kind}>"
    return "<empty>"
