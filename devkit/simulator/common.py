"""What the Telegram Bot API simulator's parts share: its errors, limits, stored files, faults,
sliding windows and wake-up signals."""

from __future__ import annotations

import asyncio
import math
import re
import struct
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any


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


def _media_kind(message: JsonDict) -> str:
    for kind in ("document", "photo", "sticker"):
        if kind in message:
            return f"<{kind}>"
    return "<empty>"
