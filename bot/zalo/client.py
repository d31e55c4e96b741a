"""Zalo's bot platform over HTTP, and its answers classified once, like bot/delivery.py does for
Telegram: `POST {base}/bot<TOKEN>/<method>` with JSON; `{"ok", "result", "error_code", "description"}`.

No telegram import: the Zalo channel must run where Telegram does not.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import aiohttp

from bot.text_chunks import ZALO_TEXT_LIMIT, clip, split_text

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = ZALO_TEXT_LIMIT  # counted as bot.text_chunks says (UTF-16 units)
log = logging.getLogger(__name__)

POLL_TIMEOUT_CODE = 408  # getUpdates: nothing arrived within the timeout, a normal answer
TOKEN_CODE = 401  # the token is wrong or revoked: nothing works until it is set right
QUOTA_CODE = 429  # "Quota exceeded": Zalo names no wait
# Answers that mean this person cannot be reached through the bot (blocked it, left Zalo…).
UNREACHABLE_CODES = (403,)
UNREACHABLE_WORDS = ("block", "not found", "unfollow", "không tồn tại")


class ZaloError(Exception):
    """Zalo answered ok:false (or not JSON); `code` is its error_code or the HTTP status."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description


@dataclass(frozen=True)
class Outcome:
    """What one send did, as the outbox needs it (the Telegram transport's shape, minus migration)."""

    kind: Literal["sent", "retry", "permanent"]
    message_id: str | None = None
    error: str | None = None
    unreachable: bool = False
    retry_after: float | None = None  # Zalo does not say how long to wait: the outbox backs off
    new_chat_id: None = None  # no chat migrations on Zalo
    # Not before then, and not the row's fault (the month's budget, a 429 backoff, the token).
    not_before: datetime | None = None
    delivered: int = 0  # messages that reached (or, after a timeout, may have reached) the chat
    code: int | None = None  # Zalo's error_code, when Zalo answered


class ZaloBot:
    """One bot token's client; open with `async with`, or call close()."""

    def __init__(self, token: str, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 40) -> None:
        self.token = token
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: aiohttp.ClientSession | None = None
        # Set at the first 401: said loudly once; the sender and the poll stop (bot.zalo.sending).
        self.token_refused = False

    async def __aenter__(self) -> ZaloBot:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def call(self, method: str, **params: Any) -> Any:
        """The method's result; raises ZaloError on ok:false, aiohttp/asyncio errors on the network."""
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        url = f"{self.base_url}/bot{self.token}/{method}"
        async with self._http.post(url, json=params) as response:
            raw = await response.text()
            try:
                body = json.loads(raw)
            except ValueError:
                raise ZaloError(response.status, f"not JSON: {raw[:200]}") from None
        if not isinstance(body, dict) or not body.get("ok"):
            body = body if isinstance(body, dict) else {}
            error = ZaloError(int(body.get("error_code") or response.status), str(body.get("description") or ""))
            if error.code == TOKEN_CODE and not self.token_refused:
                self.token_refused = True
                log.error("ZALO: the bot token was refused (401 %s). Nothing is sent or received on Zalo "
                          "until zalo.token / ZALO_BOT_TOKEN is set right and the bot restarted; "
                          "queued messages wait in the outbox.", error.description)
            raise error
        return body.get("result")

    async def get_me(self) -> dict:
        return await self.call("getMe")

    async def get_update(self, timeout: int = 30) -> dict | None:
        """One update, or None when the long poll ended with nothing (Zalo answers 408 then)."""
        try:
            return await self.call("getUpdates", timeout=str(timeout))
        except ZaloError as exc:
            if exc.code == POLL_TIMEOUT_CODE:
                return None
            raise

    async def send_message(self, chat_id: str, text: str) -> list[str]:
        """Send text, as several messages split on line boundaries when longer than Zalo allows."""
        ids = []
        for piece in split_text(text, TEXT_LIMIT):
            result = await self.call("sendMessage", chat_id=chat_id, text=piece)
            ids.append(str((result or {}).get("message_id", "")))
        return ids

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> str:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = clip(caption, TEXT_LIMIT)
        result = await self.call("sendPhoto", **params)
        return str((result or {}).get("message_id", ""))

    async def send_typing(self, chat_id: str) -> None:
        await self.call("sendChatAction", chat_id=chat_id, action="typing")

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", url=url, secret_token=secret_token)

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")


def classify(exc: BaseException) -> Outcome:
    """A failed send, once, by Zalo's error_code: what the outbox should do with the row.

    403 and "blocked"/"not found" answers: the person cannot be reached. 429 (the quota) and 401
    (the token) are no row's fault: the row waits (bot.zalo.sending backs off, or stops). 408,
    5xx and the network: try again later. Any other code (400…): this payload will never go.
    """
    if isinstance(exc, ZaloError):
        text = f"{exc.code} {exc.description}"
        words = exc.description.lower()
        if exc.code in UNREACHABLE_CODES or any(w in words for w in UNREACHABLE_WORDS):
            return Outcome("permanent", error=text, unreachable=True, code=exc.code)
        if exc.code >= 500 or exc.code in (QUOTA_CODE, TOKEN_CODE, POLL_TIMEOUT_CODE):
            return Outcome("retry", error=text, code=exc.code)
        return Outcome("permanent", error=text, code=exc.code)
    if isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return Outcome("retry", error=f"{type(exc).__name__}: {exc}")
    raise exc


def calls(payload: dict[str, Any], file_url: str | None) -> list[tuple[str, dict[str, Any]]] | None:
    """The Zalo requests one outbox payload takes, each one message in the chat (a long text is
    several); None if it cannot go on Zalo. A document has no upload here: its signed link is sent."""
    method = payload.get("method")
    if method == "sendMessage":
        return [("sendMessage", {"text": piece}) for piece in split_text(payload["text"], TEXT_LIMIT)]
    if method == "sendPhoto" and file_url:
        params: dict[str, Any] = {"photo": file_url}
        if payload.get("caption"):
            params["caption"] = clip(payload["caption"], TEXT_LIMIT)
        return [("sendPhoto", params)]
    if method == "sendDocument" and file_url:
        caption = payload.get("caption") or "Tệp đính kèm"
        return [("sendMessage", {"text": piece})
                for piece in split_text(f"{caption}\n📎 Tải tệp: {file_url}", TEXT_LIMIT)]
    return None


async def deliver(bot: ZaloBot, chat_id: str, payload: dict[str, Any], *, file_url: str | None = None,
                  planned: list[tuple[str, dict[str, Any]]] | None = None) -> Outcome:
    """Perform one outbox payload on Zalo (its `calls`, or the `planned` ones), counting what
    reached the chat: a timeout counts as reached (Zalo may have sent it)."""
    planned = planned if planned is not None else calls(payload, file_url)
    if planned is None:
        return Outcome("permanent", error=f"cannot send {payload.get('method')!r} on Zalo without a file link")
    ids: list[str] = []
    for method, params in planned:
        try:
            result = await bot.call(method, chat_id=chat_id, **params)
        except Exception as exc:  # noqa: BLE001 - classify() re-raises what it does not know
            outcome = classify(exc)
            maybe = 1 if isinstance(exc, asyncio.TimeoutError) else 0
            return dataclasses.replace(outcome, delivered=len(ids) + maybe)
        ids.append(str((result or {}).get("message_id", "")))
    return Outcome("sent", message_id=ids[-1] if ids else None, delivered=len(ids))
