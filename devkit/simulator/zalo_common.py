"""What the Zalo Bot Platform API simulator's parts share: its limits, the choices it makes where
Zalo's docs are silent, its errors and faults."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from devkit.simulator.common import ApiError

JsonDict = dict[str, Any]
MethodHandler = Callable[[JsonDict], Awaitable[Any]]

TEXT_LIMIT = 2000
CAPTION_LIMIT = 2000
SECRET_TOKEN_MIN, SECRET_TOKEN_MAX = 8, 256
DEFAULT_POLL_TIMEOUT = 30  # seconds; Zalo's documented default for getUpdates
# Messages/s overall; Zalo publishes no figure, so a guess, a little above the bot's own 10/s
# (zalo.rate_per_second): the bot spaces the starts of its sends, and on a loaded machine their
# arrivals bunch by a few milliseconds, which a window of exactly 10 counted as 11 (a 429 and a
# 30 s wait in tests/test_zalo_quota.py under CI's load). tests/test_zalo_simulator.py checks the
# limit itself with a rate of its own.
DEFAULT_GLOBAL_RATE = 12.0
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
