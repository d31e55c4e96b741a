"""The Zalo adapter of the conversation core: a Zalo update becomes a Turn, the Turn's messages
become Zalo messages — numbered lines and typed words instead of buttons, photos by sendPhoto from
a signed link, other files as a signed download link.

No telegram import. Replies go straight to Zalo; when Zalo cannot take one now (429, 5xx, a
timeout) it is queued in the outbox instead, so nothing the person should read is lost.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import deque
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

import aiohttp

from bot import clock, texts
from bot.core import dispatch, uploads
from bot.core.screens import Message
from bot.core.turn import Person, Turn
from bot.inbox import current_row_id, note_error
from bot.forms import FileInput, FormEngine, Reply
from bot.services import invites, members, outbox
from bot.services.members import view_of
from bot.texts import zalo as zt
from bot.zalo.render import actions_text, screen_text, typed_commands
from bot.zalo.sending import ZaloSender
from storage.db import Database

log = logging.getLogger(__name__)


class Conversation:
    """Handles Zalo updates one at a time per person (any number of people at once)."""

    def __init__(self, db: Database, settings: Any, engine: FormEngine, sender: ZaloSender) -> None:
        self.db = db
        self.settings = settings
        self.engine = engine
        self.sender = sender
        self._http: aiohttp.ClientSession | None = None
        # Message ids answered (the last few), so the demo and tests can wait for an answer.
        self.handled: deque[str] = deque(maxlen=1000)
        self._handled_signal = asyncio.Condition()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    # --- replying ------------------------------------------------------------------------------

    async def reply(self, chat_id: str, text: str, member_id: int | None = None) -> None:
        await self._send(chat_id, {"method": "sendMessage", "text": text}, member_id)

    async def _send(self, chat_id: str, payload: dict, member_id: int | None = None) -> None:
        result = await self.sender.send_now(chat_id, payload)
        if result.kind == "sent":
            return
        if result.kind == "retry":  # Zalo busy or away: the outbox sends it when it can
            async with self.db.session() as session:
                await outbox.enqueue(session, chat_id=None, channel="zalo", address=chat_id, kind="reply",
                                     member_id=member_id, payload=payload)
            return
        log.info("zalo reply to %s failed: %s", chat_id, result.error)
        if result.unreachable:
            async with self.db.session() as session:
                await members.set_reachable(session, chat_id, False, channel="zalo")

    async def wait_handled(self, message_id: str, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            async with self._handled_signal:
                await self._handled_signal.wait_for(lambda: message_id in self.handled)

    # --- one update ----------------------------------------------------------------------------

    async def handle(self, update: dict) -> None:
        if uploads.is_upload(update):  # a file given through the upload page: the form goes on here
            await uploads.apply(self.db, self.settings, self.engine, "zalo", update, self.deliver)
            return
        message = update.get("message") or {}
        sender, chat = message.get("from") or {}, message.get("chat") or {}
        user_id, chat_id = str(sender.get("id") or ""), str(chat.get("id") or "")
        if not user_id or not chat_id or sender.get("is_bot"):
            return
        try:
            await self._handle(update.get("event_name", ""), message, user_id, chat_id, sender)
        except Exception as exc:
            log.exception("zalo update failed")
            if note_error(exc):  # not when the inbox will try it again
                await self.reply(chat_id, texts.ERROR_GENERIC)
        finally:
            async with self._handled_signal:
                self.handled.append(str(message.get("message_id")))
                self._handled_signal.notify_all()

    async def _handle(self, event: str, message: dict, user_id: str, chat_id: str, sender: dict) -> None:
        text = message.get("text") if event == "message.text.received" else None
        if (message.get("chat") or {}).get("chat_type", "PRIVATE") != "PRIVATE":
            if text and text.startswith("/"):
                await self.reply(chat_id, zt.GROUP_CHAT)
            return
        async with self.db.session() as session:
            member = await invites.active_zalo_member(session, user_id)
            if member is not None and member.zalo_chat_id != chat_id:
                member.zalo_chat_id = chat_id
            if member is not None and not member.reachable:
                member.reachable = True  # they wrote to us, so they can hear us again
            view = view_of(member) if member else None
        reply = await self._reply_of(event, message, chat_id)
        if reply is None:
            return
        person = Person("zalo", user_id, chat_id, sender.get("display_name") or "", view)
        turn = Turn(person, self.db, self.settings, self.engine, reply=reply, update_id=current_row_id())
        await dispatch.handle(turn)
        member_id = person.member.id if person.member else None
        for m in turn.out:
            await self._render(chat_id, m, member_id)

    async def deliver(self, turn: Turn) -> None:
        """A turn that no Zalo message began (an upload through the web page) to the member's chat."""
        member_id = turn.person.member.id if turn.person.member else None
        for m in turn.out:
            await self._render(turn.person.chat_id, m, member_id)

    async def _render(self, chat_id: str, m: Message, member_id: int | None) -> None:
        if m.file is not None:
            if m.file.is_photo:
                await self._send(chat_id, {"method": "sendPhoto", "file_id": m.file.file_id,
                                           "caption": typed_commands(m.file.caption)}, member_id)
                return
            until = clock.fmt_datetime(clock.now() + timedelta(hours=self.sender.cfg.link_lifetime_hours))
            url = self.sender.file_link(m.file.file_id, m.file.filename)
            await self.reply(chat_id, zt.FILE_LINK.format(caption=typed_commands(m.file.caption or m.file.filename),
                                                          until=until, url=url), member_id)
            return
        # m.text is the screen's text and what the completion said ("Đã gửi đề xuất #1…")
        text = screen_text(dataclasses.replace(m.screen, text=m.text)) if m.screen is not None else m.text
        text = typed_commands(text)
        if m.actions and (typed := actions_text(m.actions, text)):
            text = f"{text}\n\n{typed}"
        if m.direct:  # sent now or not at all
            await self.sender.send_now(chat_id, {"method": "sendMessage", "text": text})
            return
        await self.reply(chat_id, text, member_id)

    async def _reply_of(self, event: str, message: dict, chat_id: str) -> Reply | None:
        if event == "message.text.received":
            return Reply(text=message.get("text") or "")
        if event == "message.image.received" and message.get("photo_url"):
            try:
                photo = await self._photo(message["photo_url"])
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                log.info("zalo photo not fetched: %s", exc)
                await self.reply(chat_id, zt.PHOTO_FAILED)
                return None
            return Reply(file=photo)
        return Reply(unsupported="sticker" if event == "message.sticker.received" else "other")

    async def _photo(self, url: str) -> FileInput:
        """Zalo gives a URL: the photo is read as it streams in, so its size is known before the form
        checks it; reading stops at the cap (files.max_mb) and after files.download_seconds."""
        limits = self.settings.files
        if self._http is None:
            self._http = aiohttp.ClientSession()
        content, at_least = bytearray(), False
        async with self._http.get(url, timeout=aiohttp.ClientTimeout(total=limits.download_seconds)) as response:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            mime = response.content_type or "image/jpeg"
            size = response.content_length
            if size is None or size <= limits.max_bytes:  # else refused by its declared size, unread
                async for chunk in response.content.iter_chunked(64 * 1024):
                    content += chunk
                    if len(content) > limits.max_bytes:
                        at_least = True
                        break
                size = len(content)
        name = PurePosixPath(urlparse(url).path).name or "anh.jpg"
        if "." not in name:
            name += ".jpg"

        async def fetch() -> bytes:
            return bytes(content)

        return FileInput(filename=name[-120:], size=size, mime_type=mime, fetch=fetch, limits=limits,
                         size_at_least=at_least)
