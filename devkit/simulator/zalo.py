"""An in-process Zalo Bot Platform API simulator for tests and the terminal demo.

It speaks the bot API as Zalo's public docs describe it (Dec 2025):
``POST {base_url}/bot<TOKEN>/<method>`` with a JSON body, answered with
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...}``.
Like :class:`devkit.simulator.server.BotApiSimulator`, Python methods play the people
who talk to the bot, inject faults, and let tests wait for replies without sleeping.

Where the docs are silent (error texts, HTTP status of errors, blocked users, photo
fetch failures) the simulator makes a plausible choice, named by a constant below.
Everything runs on one event loop, so state is plain dicts, lists and deques.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import mimetypes
import secrets
import time
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlparse

from aiohttp import ClientError, ClientSession, ClientTimeout, web

# Reused so both simulators shape errors, wake waiters and count rates the same way.
from devkit.simulator.common import ApiError, _Signal, _SlidingWindow

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
MethodHandler = Callable[[JsonDict], Awaitable[Any]]

TEXT_LIMIT = 2000
CAPTION_LIMIT = 2000
SECRET_TOKEN_MIN, SECRET_TOKEN_MAX = 8, 256
DEFAULT_POLL_TIMEOUT = 30  # seconds; Zalo's documented default for getUpdates
DEFAULT_GLOBAL_RATE = 10.0  # messages/s overall; Zalo publishes no figure, so a guess
WEBHOOK_ATTEMPTS = 3
SECRET_HEADER = "X-Bot-Api-Secret-Token"
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})
DEFAULT_STICKER = "0e078a2fb66a5f34067b"  # the id in Zalo's sendSticker example
# Methods that put something in a chat: these are rate limited, and they are what a
# fault with method=None targets (matching getUpdates would fire on the poll loop).
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendSticker"})

# Zalo documents neither code nor text for a user who blocked/unfollowed the bot;
# 403 reads like Telegram's "Forbidden: bot was blocked by the user".
BLOCKED_CODE, BLOCKED_DESCRIPTION = 403, "User has blocked the bot"
POLL_TIMEOUT_CODE, POLL_TIMEOUT_DESCRIPTION = 408, "Request timeout"
RATE_LIMIT_CODE, RATE_LIMIT_DESCRIPTION = 429, "Too Many Requests"
# getUpdates is refused while a webhook is set (the docs say so); code and text are ours.
WEBHOOK_CONFLICT_CODE = 409
WEBHOOK_CONFLICT_DESCRIPTION = "Conflict: getUpdates is unavailable while a webhook is set"
FAULT_DESCRIPTIONS = {
    400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
    BLOCKED_CODE: BLOCKED_DESCRIPTION,
    POLL_TIMEOUT_CODE: POLL_TIMEOUT_DESCRIPTION,
    RATE_LIMIT_CODE: RATE_LIMIT_DESCRIPTION,
}


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _new_id() -> str:
    # Zalo ids are opaque 20-hex-character strings.
    return uuid.uuid4().hex[:20]


def _is_http_url(value: Any) -> bool:
    parsed = urlparse(value) if isinstance(value, str) else None
    return parsed is not None and parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _text_param(params: JsonDict, field: str, limit: int, *, required: bool) -> str:
    value = params.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise bad_request(f"{field} must be a string")
    if required and not value:
        raise bad_request(f"{field} is empty")
    if len(value) > limit:
        raise bad_request(f"{field} is too long: {len(value)} characters, the limit is {limit}")
    return value


def _seconds(value: Any) -> float:
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        raise bad_request("timeout must be a number of seconds") from None


class _RawFault(Exception):
    """An injected 5xx: answered as a bare proxy-style error page, not JSON."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Fault:
    status: int
    remaining: int
    method: str | None  # exact method name; None = any of SEND_METHODS
    description: str
    chat_id: str | None

    def matches(self, method: str, params: JsonDict) -> bool:
        if self.method is None:
            if method not in SEND_METHODS:
                return False
        elif method != self.method:
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id


class ZaloApiSimulator:
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

    # -- acting as people --------------------------------------------------- #

    def add_user(self, user_id: str, display_name: str) -> JsonDict:
        user = {"id": str(user_id), "display_name": display_name, "is_bot": False}
        self._users[user["id"]] = user
        return copy.deepcopy(user)

    def block_user(self, user_id: str) -> None:
        """From now on sends to this user answer ok:false 403 "User has blocked the bot"."""
        self._blocked.add(str(user_id))

    def unblock_user(self, user_id: str) -> None:
        self._blocked.discard(str(user_id))

    def _enqueue(self, user_id: str, event_name: str, chat_id: str | None, **content: Any) -> str:
        user_id = str(user_id)
        if user_id not in self._users:
            self.add_user(user_id, f"Người dùng {user_id}")
        if chat_id is None or chat_id == user_id:
            self._blocked.discard(user_id)  # writing to the bot again means following it again
            chat = {"id": user_id, "chat_type": "PRIVATE"}
        else:
            self._groups.add(chat_id)
            chat = {"id": chat_id, "chat_type": "GROUP"}
        message = {"message_id": _new_id(), "date": _now_ms(), "chat": chat,
                   "from": copy.deepcopy(self._users[user_id]), **content}
        self._pending.append({"event_name": event_name, "message": message})
        self._updates_signal.fire()
        return message["message_id"]

    def send_text(self, user_id: str, text: str, chat_id: str | None = None) -> str:
        return self._enqueue(user_id, "message.text.received", chat_id, text=text)

    def send_photo(self, user_id: str, photo_url: str, caption: str = "", chat_id: str | None = None) -> str:
        return self._enqueue(user_id, "message.image.received", chat_id, photo_url=photo_url, caption=caption)

    def send_sticker(self, user_id: str, sticker: str = DEFAULT_STICKER, chat_id: str | None = None) -> str:
        return self._enqueue(user_id, "message.sticker.received", chat_id, sticker=sticker)

    def send_unsupported(self, user_id: str, chat_id: str | None = None) -> str:
        """A message kind the bot API does not expose (voice, file, location...)."""
        return self._enqueue(user_id, "message.unsupported.received", chat_id)

    def host_image(self, content: bytes, filename: str = "image.png") -> str:
        """Serve ``content`` from the simulator itself; returns its loopback URL."""
        key = secrets.token_hex(8)
        self._hosted[key] = (bytes(content), filename)
        return f"{self.base_url}/files/{key}/{quote(filename)}"

    async def _handle_file(self, request: web.Request) -> web.Response:
        hosted = self._hosted.get(request.match_info["key"])
        if hosted is None:
            raise web.HTTPNotFound()
        content, filename = hosted
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return web.Response(body=content, content_type=mime)

    # -- observing and waiting ---------------------------------------------- #

    def messages(self, chat_id: str) -> list[JsonDict]:
        """What the bot sent to ``chat_id``, oldest first."""
        return [copy.deepcopy(m) for m in self._sent if m["chat_id"] == chat_id]

    def all_sent(self) -> list[JsonDict]:
        return copy.deepcopy(self._sent)

    def photo_fetches(self) -> list[JsonDict]:
        """Every sendPhoto download attempt, including failed ones."""
        return copy.deepcopy(self._photo_fetches)

    def webhook_deliveries(self) -> list[JsonDict]:
        """Every webhook POST attempt with the HTTP status it got (None = no answer)."""
        return copy.deepcopy(self._deliveries)

    def pending_updates(self) -> list[JsonDict]:
        return copy.deepcopy(list(self._pending))

    @staticmethod
    async def _until(
        signal: _Signal, check: Callable[[], Any], timeout: float, failure: Callable[[], str]
    ) -> Any:
        """check()'s first non-None value, re-checked whenever ``signal`` fires."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    woken = signal.current  # grabbed before checking, so no wake-up is lost
                    found = check()
                    if found is not None:
                        return found
                    await woken.wait()
        except TimeoutError:
            raise TimeoutError(failure()) from None

    async def wait_for(
        self, predicate: Callable[[JsonDict], bool], chat_id: str | None = None, timeout: float = 5.0
    ) -> JsonDict:
        """First message the bot sent (already or later) matching ``predicate``.

        A predicate raising KeyError/TypeError/IndexError (``m["text"]`` on a photo)
        counts as "no match" so simple lambdas work on mixed chats.
        """

        def matches(message: JsonDict) -> bool:
            if chat_id is not None and message["chat_id"] != chat_id:
                return False
            try:
                return bool(predicate(message))
            except (KeyError, TypeError, IndexError):
                return False

        def failure() -> str:
            sent = [m for m in self._sent if chat_id is None or m["chat_id"] == chat_id]
            lines = "".join(
                f"\n  {m['method']} to {m['chat_id']}: {m.get('text', m.get('caption', m.get('sticker')))!r}"
                for m in sent
            )
            where = f"chat {chat_id}" if chat_id is not None else "any chat"
            return f"no matching bot message within {timeout}s; {where} received {len(sent)}{lines}"

        def check() -> JsonDict | None:
            return next((copy.deepcopy(m) for m in self._sent if matches(m)), None)

        return await self._until(self._sent_signal, check, timeout, failure)

    async def wait_for_webhook(
        self, predicate: Callable[[JsonDict], bool] = lambda d: True, timeout: float = 5.0
    ) -> JsonDict:
        """First webhook delivery attempt matching ``predicate``."""
        return await self._until(
            self._deliveries_signal,
            lambda: next((copy.deepcopy(d) for d in self._deliveries if predicate(d)), None),
            timeout,
            lambda: f"no matching webhook delivery within {timeout}s; attempts: {self._deliveries}",
        )

    async def wait_until_fetched(self, message_id: str, timeout: float = 5.0) -> None:
        """Resolve once the update was returned by getUpdates or accepted by the webhook."""
        await self._until(
            self._delivered_signal,
            lambda: True if message_id in self._delivered else None,
            timeout,
            lambda: f"message {message_id} not fetched within {timeout}s ({len(self._pending)} pending)",
        )

    async def wait_polling(self, timeout: float = 5.0) -> None:
        """Resolve once a getUpdates long poll is parked, i.e. the bot is idle."""
        await self._until(
            self._parked_signal,
            lambda: True if self._parked_polls else None,
            timeout,
            lambda: f"no getUpdates long poll within {timeout}s",
        )
