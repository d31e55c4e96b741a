"""The Zalo face of the bot: one incoming Zalo update → the same services and declared forms the
Telegram handlers use, answered as plain text (numbered choices, typed words instead of buttons).

No telegram import. Replies go straight to Zalo; when Zalo cannot take one now (429, 5xx, a
timeout) it is queued in the outbox instead, so nothing the person should read is lost.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
from collections import deque
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

import aiohttp

from bot import clock, first_contact, texts
from bot.texts import digests as digest_texts, nominations as nomination_texts
from bot.inbox import current_row_id, note_error
from bot.forms import FileInput, FormEngine, Reply, Screen, StaleDraft, completions, nomination_form, report_form
from bot.forms.completions import FormRejected
from bot.forms.engine import fold
from bot.services import (campaigns, digest_sending, exports, files, invites, members, nominations, outbox,
                          personal_data)
from bot.services.members import MemberView, view_of
from bot.texts import zalo as zt
from bot.zalo.render import screen_text
from bot.zalo.sending import ZaloSender
from storage.db import Database

log = logging.getLogger(__name__)

NAVIGATION = ("cancel", "back", "skip", "confirm", "continue", "discard")
TELEGRAM_ONLY = {"new_campaign", "review", "quota", "periods", "members", "deactivate", "campaigns", "campaign",
                 "status", "report_docx", "digest_settings", "leave", "invite"}
ROLES_OF = {"nominate": ("officer",), "my_nominations": ("officer",), "report": ("officer",), "ack": ("officer",),
            "due": ("officer",), "digest": ("admin", "leader"), "export": ("admin", "leader")}


def parse_command(text: str) -> tuple[str | None, list[str]]:
    """("report", ["7"]) for "/report 7" or "báo cáo 7"; (None, []) for anything else."""
    text = text.strip()
    if text.startswith("/"):
        parts = text[1:].split()
        return ((parts[0].split("@")[0].lower(), parts[1:]) if parts else (None, []))
    folded = re.sub(r"\s+", " ", fold(text))
    if folded in zt.WORDS:
        return zt.WORDS[folded], []
    head, _, last = folded.rpartition(" ")
    # One trailing argument: a number ("báo cáo 7", "#7") or, to join, an invite code.
    if head in zt.WORDS and (last.lstrip("#").isdigit() or zt.WORDS[head] in ("start", "channel")):
        original_last = text.split()[-1]
        return zt.WORDS[head], [original_last]
    return None, []


class Conversation:
    """Handles Zalo updates one at a time per person (any number of people at once)."""

    def __init__(self, db: Database, settings: Any, engine: FormEngine, sender: ZaloSender) -> None:
        self.db = db
        self.settings = settings
        self.engine = engine
        self.sender = sender
        self._locks: dict[str, asyncio.Lock] = {}
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
        message = update.get("message") or {}
        sender, chat = message.get("from") or {}, message.get("chat") or {}
        user_id, chat_id = str(sender.get("id") or ""), str(chat.get("id") or "")
        if not user_id or not chat_id or sender.get("is_bot"):
            return
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:  # one person's messages in the order they wrote them
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
        if not lock.locked() and len(self._locks) > 10_000:
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}

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
        command, args = parse_command(text) if text else (None, [])
        if view is None:  # a stranger: the notice first (bot.first_contact)
            step = await first_contact.stranger(
                self.db, "zalo", user_id, lambda notice, _confirm: self.reply(chat_id, notice),
                org_name=self.settings.organisation_name, join_code=args[0] if command == "start" and args else None,
                consents=first_contact.consents_by_typing(fold(text) if text else None))
            if step.join_code is not None:
                await self._join(chat_id, user_id, step.join_code, sender.get("display_name") or "")
            if step.handled or step.join_code is not None:
                return
        if command == "start" and args:  # members too, as on Telegram: told what they are, link refusals audited
            await self._join(chat_id, user_id, args[0], sender.get("display_name") or "")
            return
        if view is None:
            await self.reply(chat_id, zt.START_NO_CODE if command in ("start", "help") else zt.NOT_A_MEMBER)
            return
        if command is not None:
            await self._command(view, chat_id, command, args)
            return
        reply = await self._reply_of(event, message, chat_id)
        if reply is None:
            return
        if not await self._step(view, chat_id, reply):
            await self.reply(chat_id, zt.STICKER if reply.unsupported == "sticker" else zt.UNKNOWN_MESSAGE)

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

    # --- joining -------------------------------------------------------------------------------

    async def _join(self, chat_id: str, user_id: str, code: str, display_name: str) -> None:
        try:
            async with self.db.session() as session:
                joined = await invites.redeem(session, code, zalo_user_id=user_id, zalo_chat_id=chat_id,
                                              full_name=display_name)
                view = view_of(joined)
                linked = joined.telegram_user_id is not None
        except invites.InviteError as exc:
            if exc.audit:
                async with self.db.session() as session:
                    invites.record_refusal(session, exc)
            if exc.reason == "already_member":
                await self.reply(chat_id, texts.already_member(exc.role, exc.unit_name))
            else:
                refusal = texts.invite_refused(exc.reason, exc.here, exc.other)
                await self.reply(chat_id, refusal.replace("/start MÃ_MỜI", "tham gia MÃ_MỜI").replace("/link", "“liên kết”"))
            return
        if linked:
            where = f", {view.unit_name}" if view.unit_name else ""
            await self.reply(chat_id, zt.LINKED.format(role=texts.ROLE_SHORT[view.role].lower(), where=where,
                                                       channel=zt.CHANNEL_NAMES[view.channel]), view.id)
            return
        welcome = texts.welcome(view.full_name, view.role, view.unit_name, self.settings.organisation_name, "zalo",
                                view.zalo_accepted_at)
        await self.reply(chat_id, f"{welcome}\n\n{zt.help_text(view.role)}", view.id)

    # --- commands ------------------------------------------------------------------------------

    async def _command(self, member: MemberView, chat_id: str, command: str, args: list[str]) -> None:
        if command in NAVIGATION:
            if not await self._step(member, chat_id, Reply(action=command)):
                await self.reply(chat_id, zt.NOTHING_TO_CANCEL)
            return
        roles = ROLES_OF.get(command)
        if roles is not None and member.role not in roles:
            allowed = ", ".join(texts.ROLE_SHORT[r].lower() for r in roles)
            await self.reply(chat_id, zt.NOT_ALLOWED.format(roles=allowed))
            return
        number = int(args[0].lstrip("#")) if args and args[0].lstrip("#").isdigit() else None
        if command in ("start", "help"):
            await self.reply(chat_id, zt.help_text(member.role))
        elif command == "whoami":
            await self.reply(chat_id, texts.whoami(member.full_name, member.role, member.unit_code, member.unit_name,
                                                   clock.fmt_date(member.joined_at)))
        elif command == "nominate":
            async with self.db.session() as session:
                screen = await nomination_form.start(self.engine, session, member.id, member.unit_id)
            await self._show(chat_id, screen)
        elif command == "report":
            async with self.db.session() as session:
                screen = await report_form.start(self.engine, session, member.id, member.unit_id, number)
            await self._show(chat_id, screen)
        elif command == "my_nominations":
            await self._my_nominations(member, chat_id, number)
        elif command == "ack":
            await self._ack(member, chat_id, number)
        elif command == "digest":
            await self._digest(member, chat_id)
        elif command == "export":
            await self._export(chat_id, number)
        elif command == "channel":
            await self._channel(member, chat_id, args)
        elif command == "link":
            minutes = self.settings.link_code_minutes
            try:
                async with self.db.session() as session:
                    code = (await invites.create_link_code(session, member.id, minutes=minutes)).code
            except invites.LinkError:
                await self.reply(chat_id, texts.LINK_COMPLETE)
                return
            await self.reply(chat_id, zt.LINK_CODE.format(code=code, minutes=minutes))
        elif command == "mydata":
            await self._mydata(member, chat_id)
        elif command == "forget":
            await self.reply(chat_id, zt.FORGET_CONFIRM)
        elif command == "forget_confirmed":
            async with self.db.session() as session:
                await personal_data.forget(session, member.id)
            # Sent now or not at all: a queued copy would keep their chat id in the outbox.
            await self.sender.send_now(chat_id, {"method": "sendMessage", "text": texts.FORGOTTEN})
        elif command in TELEGRAM_ONLY or command == "due":
            await self.reply(chat_id, zt.TELEGRAM_ONLY)
        else:
            await self.reply(chat_id, zt.UNKNOWN_COMMAND)

    async def _show(self, chat_id: str, screen: Screen | str, extra: str | None = None) -> None:
        if isinstance(screen, str):
            await self.reply(chat_id, screen)
            return
        text = screen_text(screen)
        await self.reply(chat_id, f"{text}\n\n{extra}" if extra else text)

    async def _step(self, member: MemberView, chat_id: str, reply: Reply) -> bool:
        """Apply one reply to the person's draft and show what comes next. False: no draft."""
        extra = None
        reply = dataclasses.replace(reply, update_id=current_row_id())  # a repeat is not applied twice
        try:
            async with self.db.session() as session:
                screen = await self.engine.handle(session, member.id, reply)
                if screen is None:
                    return False
                if screen.status == "done":
                    if not completions.has_completion(screen.form):
                        raise FormRejected(zt.TELEGRAM_ONLY)
                    extra = await completions.complete(session, member.id, screen)
        except StaleDraft:
            return False
        except FormRejected as rejected:  # the session rolled back: the draft is as it was
            async with self.db.session() as session:
                screen = await self.engine.resume(session, member.id)
            await self.reply(chat_id, f"⚠️ {rejected}")
            if screen is not None:
                await self._show(chat_id, screen)
            return True
        await self._show(chat_id, screen, extra)
        return True

    async def _ack(self, member: MemberView, chat_id: str, campaign_id: int | None) -> None:
        if campaign_id is None:
            async with self.db.session() as session:
                pending = await campaigns.unacknowledged_for_unit(session, member.unit_id)
            if not pending:
                await self.reply(chat_id, zt.ACK_NONE)
                return
            if len(pending) > 1:
                lines = "\n".join(f"{c.id}. {texts.short(c.title, 80)}" for c in pending[:20])
                await self.reply(chat_id, zt.ACK_WHICH.format(n=len(pending), lines=lines, first=pending[0].id))
                return
            campaign_id = pending[0].id
        async with self.db.session() as session:
            ack = await campaigns.acknowledge(session, campaign_id, member.id)
        await self.reply(chat_id, texts.ack_answer(ack, again=texts.ACK_AGAIN_TYPE))

    async def _my_nominations(self, member: MemberView, chat_id: str, nomination_id: int | None) -> None:
        async with self.db.session() as session:
            if nomination_id is not None:
                try:
                    n = await nominations.visible(session, member.id, nomination_id)
                except nominations.NominationError as exc:
                    await self.reply(chat_id, exc.message)
                    return
                await self.reply(chat_id, await nominations.describe(session, n, with_history=True))
                return
            items = await nominations.for_unit(session, member.unit_id)
        if not items:
            await self.reply(chat_id, nomination_texts.MY_EMPTY)
            return
        await self.reply(chat_id, nomination_texts.my_list(items, member.unit_name or "")
                         + "\n\nXem một đề xuất: đề cử của tôi <số>, ví dụ /my_nominations " + str(items[0][0].id))

    async def _digest(self, member: MemberView, chat_id: str) -> None:
        async with self.db.session() as session:
            now = clock.now()
            rendered = await digest_sending.on_demand(session, member.id, self.settings, now)
            chart_id = await digest_sending.store_chart(session, rendered.chart, now) if rendered.chart else None
        await self.reply(chat_id, rendered.text, member.id)
        if chart_id is not None:
            await self._send(chat_id, {"method": "sendPhoto", "file_id": chart_id, "caption": rendered.caption}, member.id)

    async def _export(self, chat_id: str, campaign_id: int | None) -> None:
        if campaign_id is None:
            await self.reply(chat_id, zt.EXPORT_USAGE)
            return
        try:
            async with self.db.session() as session:
                made = await exports.campaign_workbook(session, campaign_id)
        except exports.ExportError as exc:
            await self.reply(chat_id, exc.text)
            return
        except Exception:
            log.exception("export failed")
            await self.reply(chat_id, digest_texts.EXPORT_FAILED)
            return
        async with self.db.session() as session:
            file_id = (await files.store(session, made.content, made.filename, made.mime_type)).id
        until = clock.fmt_datetime(clock.now() + timedelta(hours=self.sender.cfg.link_lifetime_hours))
        caption = digest_texts.EXPORT_XLSX_CAPTION.replace("{id}", str(campaign_id)).format(
            label="", at=clock.fmt_datetime(clock.now()))
        await self.reply(chat_id, zt.EXPORT_READY.format(caption=caption, until=until,
                                                         url=self.sender.file_link(file_id, made.filename)))

    async def _mydata(self, member: MemberView, chat_id: str) -> None:
        async with self.db.session() as session:
            data = await personal_data.export(session, member.id)
            # Their copy is theirs: stored as their upload, so /forget erases it too.
            stored = await files.store(session, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                                       "du-lieu-ca-nhan.json", "application/json", uploaded_by=member.id)
        until = clock.fmt_datetime(clock.now() + timedelta(hours=self.sender.cfg.link_lifetime_hours))
        await self.reply(chat_id, texts.mydata_summary(data, zt.MYDATA_FORGET_HINT), member.id)
        await self.reply(chat_id, zt.MYDATA_FILE.format(until=until, url=self.sender.file_link(stored.id, stored.filename)),
                         member.id)

    async def _channel(self, member: MemberView, chat_id: str, args: list[str]) -> None:
        if not args:
            await self.reply(chat_id, zt.CHANNEL_NOW.format(channel=zt.CHANNEL_NAMES[member.channel]))
            return
        wanted = fold(args[0])
        if wanted not in zt.CHANNEL_NAMES:
            await self.reply(chat_id, zt.CHANNEL_BAD)
            return
        try:
            async with self.db.session() as session:
                await members.choose_channel(session, member.id, wanted)
        except members.MemberError:
            await self.reply(chat_id, zt.CHANNEL_NO_CHAT.format(channel=zt.CHANNEL_NAMES[wanted]))
            return
        await self.reply(chat_id, zt.CHANNEL_SET.format(channel=zt.CHANNEL_NAMES[wanted]))
