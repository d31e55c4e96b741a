"""The Telegram transport of the outbox: perform one row's payload and classify the answer once.

The bot given here must not retry by itself (no AIORateLimiter: it waits out 429s for everyone,
and its `rate_limit_args=0` means "use the default"): waiting and retrying is the outbox's job.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select, update
from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.sending_budget import retry_after_seconds
from storage.db import Database
from storage.models import OutboxMessage, StoredFile

log = logging.getLogger(__name__)

# BadRequest descriptions that mean the chat cannot be reached at all (not a bad payload).
UNREACHABLE = (
    "chat not found",
    "user is deactivated",
    "bot was kicked",
    "bot was blocked",
    "chat was deactivated",
    "peer_id_invalid",
    "bot can't initiate conversation",
    "have no rights to send",
    "not enough rights to send",
    "need administrator rights",
)
STALE_FILE_ID = ("wrong file identifier", "file reference", "wrong remote file")


@dataclass(frozen=True)
class Outcome:
    """What one send did.

    kind: "sent" (message_id), "retry" (retry_after seconds when Telegram said how long, else
    back off), "permanent" (unreachable=True when the chat itself is gone or has blocked us),
    "migrated" (new_chat_id).
    """

    kind: Literal["sent", "retry", "permanent", "migrated"]
    message_id: int | None = None
    retry_after: float | None = None
    error: str | None = None
    unreachable: bool = False
    new_chat_id: int | None = None
    not_before: None = None  # Telegram's waits are retry_after (see bot.zalo.client.Outcome)


# One upload at a time per stored file, so a broadcast uploads a document once and then sends
# it by file_id. Keyed by event loop: asyncio locks belong to one loop.
_upload_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


# Telegram's file_id of each stored file already sent, per database: a broadcast's document is
# looked up once, not before each send (a database trip between the send slot and the request
# would make the requests reach Telegram unevenly).
_known_file_ids: weakref.WeakKeyDictionary[Database, dict[int, str]] = weakref.WeakKeyDictionary()


def _upload_lock(file_id: int) -> asyncio.Lock:
    locks = _upload_locks.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(file_id, asyncio.Lock())


def _markup(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    raw = payload.get("reply_markup")
    return InlineKeyboardMarkup.de_json(raw, None) if raw else None


def _sent_file_id(message: Message) -> str | None:
    if message.document is not None:
        return message.document.file_id
    if message.photo:
        return message.photo[-1].file_id
    return None


async def _send_file(bot: Bot, db: Database, chat_id: int, payload: dict[str, Any], **kw: Any) -> Message:
    send = bot.send_photo if payload["method"] == "sendPhoto" else bot.send_document
    field = "photo" if payload["method"] == "sendPhoto" else "document"
    extra = {"caption": payload.get("caption"), "parse_mode": payload.get("parse_mode"),
             "reply_markup": _markup(payload), **kw}
    stored_id = int(payload["file_id"])
    cache = _known_file_ids.setdefault(db, {})

    known = cache.get(stored_id)
    if known is None:
        async with db.session() as session:
            known = await session.scalar(select(StoredFile.telegram_file_id).where(StoredFile.id == stored_id))
        if known:
            cache[stored_id] = known
    if known:
        return await send(chat_id, **{field: known}, **extra)

    async with _upload_lock(stored_id):
        async with db.session() as session:
            stored = await session.scalar(select(StoredFile).where(StoredFile.id == stored_id))
            if stored is None:
                raise LookupError(f"stored file #{stored_id} is gone")
            known = stored.telegram_file_id
            content = None if known else (
                await session.scalar(select(StoredFile.content).where(StoredFile.id == stored_id))
            )
        if known:  # another send uploaded it while we waited for the lock
            return await send(chat_id, **{field: known}, **extra)
        message = await send(chat_id, **{field: InputFile(content, filename=stored.filename)}, **extra)
        new_id = _sent_file_id(message)
        if new_id:
            cache[stored_id] = new_id
            async with db.session() as session:
                await session.execute(
                    update(StoredFile).where(StoredFile.id == stored_id).values(telegram_file_id=new_id)
                )
        return message


async def _forget_file_id(db: Database, payload: dict[str, Any]) -> None:
    _known_file_ids.get(db, {}).pop(int(payload["file_id"]), None)
    async with db.session() as session:
        await session.execute(
            update(StoredFile).where(StoredFile.id == int(payload["file_id"])).values(telegram_file_id=None)
        )


async def deliver(bot: Bot, db: Database, row: OutboxMessage, *, chat_id: int | None = None,
                  read_timeout: float | None = None) -> Outcome:
    """Send the row's payload to chat_id (default: the row's) and classify the result."""
    target = row.chat_id if chat_id is None else chat_id
    payload = row.payload
    kw: dict[str, Any] = {} if read_timeout is None else {"read_timeout": read_timeout}
    try:
        if payload.get("method") == "sendMessage":
            message = await bot.send_message(
                target, payload["text"], parse_mode=payload.get("parse_mode"), reply_markup=_markup(payload), **kw
            )
        elif payload.get("method") in ("sendDocument", "sendPhoto"):
            message = await _send_file(bot, db, target, payload, **kw)
        else:
            return Outcome("permanent", error=f"unknown payload method {payload.get('method')!r}")
    except RetryAfter as exc:
        return Outcome("retry", retry_after=retry_after_seconds(exc), error=f"429 {exc.message}")
    except ChatMigrated as exc:
        return Outcome("migrated", new_chat_id=exc.new_chat_id, error=exc.message)
    except Forbidden as exc:
        return Outcome("permanent", unreachable=True, error=f"403 {exc.message}")
    except BadRequest as exc:
        text = exc.message.lower()
        if any(marker in text for marker in UNREACHABLE):
            return Outcome("permanent", unreachable=True, error=f"400 {exc.message}")
        if payload.get("file_id") is not None and any(marker in text for marker in STALE_FILE_ID):
            # Telegram no longer knows our file_id (another bot token?): upload again next time.
            await _forget_file_id(db, payload)
            return Outcome("retry", error=f"400 {exc.message}")
        return Outcome("permanent", error=f"400 {exc.message}")
    except NetworkError as exc:  # TimedOut, 5xx, connection errors
        return Outcome("retry", error=f"{type(exc).__name__}: {exc.message}")
    except TelegramError as exc:  # e.g. InvalidToken: nothing this row can fix; keep it for later
        return Outcome("retry", error=f"{type(exc).__name__}: {exc.message}")
    except LookupError as exc:
        return Outcome("permanent", error=str(exc))
    return Outcome("sent", message_id=message.message_id)


def telegram_requests(settings: Settings) -> dict:
    """For a plain telegram.Bot outside the Application (the CLI): its requests through
    bot.proxy_url when one is set. Keyword arguments of Bot()."""
    if not settings.proxy_url:
        return {}
    return {"request": HTTPXRequest(proxy=settings.proxy_url),
            "get_updates_request": HTTPXRequest(proxy=settings.proxy_url)}
