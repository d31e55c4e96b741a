"""Expiring signed links to stored files, for channels (Zalo) whose bot API cannot upload documents."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import mimetypes
import re
import struct
from datetime import datetime, timedelta
from pathlib import PurePath
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.orm import undefer

from bot import clock
from storage.db import Database
from storage.models import StoredFile

log = logging.getLogger(__name__)

# file id and expiry as unsigned 32-bit (ids are INTEGER columns; unix seconds last until 2106),
# then a 16-byte MAC: 24 bytes, so exactly 32 base64url characters and never any padding.
_CLAIMS = struct.Struct(">II")
_MAC_BYTES = 16
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")
# Domain separation: a secret shared with another signer can't mint file links by accident.
_CONTEXT = b"thidua/files/v1\x00"
# Slim images often lack /etc/mime.types, and Python 3.11's built-in table has no Office types.
_FALLBACK_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Only raster images render inline: SVG or HTML shown from our own origin could run script.
_INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}

EXPIRED_TEXT = "Đường link đã hết hạn. Hãy yêu cầu bot gửi lại."
INVALID_TEXT = "Đường link không hợp lệ."
GONE_TEXT = "Tệp không còn trên hệ thống."


class LinkError(Exception):
    """A token that must not be honoured; `reason` is "malformed", "forged" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _unix(moment: datetime) -> int:
    # A naive datetime's timestamp() silently assumes the host's zone; refuse it instead.
    if moment.tzinfo is None:
        raise ValueError("signed links need an aware datetime")
    return int(moment.timestamp())


def _mac(claims: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), _CONTEXT + claims, hashlib.sha256).digest()[:_MAC_BYTES]


def make_token(file_id: int, expires_at: datetime, secret: str) -> str:
    """A URL-safe token naming `file_id` until `expires_at`, signed with `secret`."""
    if not secret:
        raise ValueError("signed links need a non-empty secret")
    try:
        claims = _CLAIMS.pack(file_id, _unix(expires_at))
    except struct.error:
        raise ValueError(f"file id {file_id} or expiry {expires_at} out of range") from None
    return base64.urlsafe_b64encode(claims + _mac(claims, secret)).decode("ascii")


def _verify(token: str, secret: str, now: datetime) -> tuple[int, int]:
    if not _TOKEN_RE.fullmatch(token):
        raise LinkError("malformed")
    raw = base64.urlsafe_b64decode(token)
    claims, mac = raw[: _CLAIMS.size], raw[_CLAIMS.size :]
    # The MAC is checked before the expiry so that a forger learns nothing from the answer.
    if not hmac.compare_digest(mac, _mac(claims, secret)):
        raise LinkError("forged")
    file_id, expiry = _CLAIMS.unpack(claims)
    seconds_left = expiry - _unix(now)
    if seconds_left <= 0:
        raise LinkError("expired")
    return file_id, seconds_left


def read_token(token: str, secret: str, now: datetime) -> int:
    """The file id the token names; LinkError if it is malformed, forged or expired at `now`."""
    return _verify(token, secret, now)[0]


def link(base_url: str, file_id: int, filename: str, secret: str, lifetime: timedelta,
         now: datetime | None = None) -> str:
    """The public URL of a stored file, valid for `lifetime` from `now` (default: the clock)."""
    token = make_token(file_id, (now or clock.now()) + lifetime, secret)
    # The name is only for people and download managers: it is not signed, the stored one is served.
    return f"{base_url.rstrip('/')}/files/{token}/{quote(filename, safe='')}"


def _content_type(stored: StoredFile) -> str:
    if stored.mime_type:
        return stored.mime_type
    suffix = PurePath(stored.filename).suffix.lower()
    return mimetypes.guess_type(stored.filename)[0] or _FALLBACK_TYPES.get(suffix, "application/octet-stream")


def shown_inline(stored: StoredFile) -> bool:
    """Whether a browser may show the file in the page: raster images only."""
    return _content_type(stored).split(";")[0].strip().lower() in _INLINE_TYPES


def file_response(stored: StoredFile, cache_control: str) -> web.Response:
    """The stored file (its content loaded) as a download: images inline, everything else as an
    attachment, never sniffed into another type. Also the web pages' evidence (bot.web)."""
    disposition = "inline" if shown_inline(stored) else "attachment"
    # Content-Type goes in the headers: a stored type with parameters would upset content_type=.
    return web.Response(body=stored.content, headers={
        "Content-Type": _content_type(stored),
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.filename, safe='')}",
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
    })


def _refusal(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain", charset="utf-8",
                        headers={"Cache-Control": "no-store"})


def routes(db: Database, secret: str) -> web.RouteTableDef:
    """`GET`/`HEAD /files/{token}/{filename}` serving stored files behind signed links."""
    table = web.RouteTableDef()

    @table.get("/files/{token}/{filename}")
    async def serve(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        try:
            file_id, seconds_left = _verify(token, secret, clock.now())
        except LinkError as exc:
            if exc.reason == "expired":
                return _refusal(410, EXPIRED_TEXT)
            if exc.reason == "forged":
                log.warning("forged file link %s… from %s", token[:6], request.remote)
            return _refusal(403, INVALID_TEXT)
        async with db.session() as session:
            stored = await session.get(StoredFile, file_id, options=[undefer(StoredFile.content)])
        if stored is None:
            return _refusal(404, GONE_TEXT)
        return file_response(stored, f"private, max-age={seconds_left}")

    return table
