"""A file given to a form through the upload page, on its way to the person's conversation.

The page stores the file (bot.services.files) and, in the same transaction, an inbox row on the
person's own channel and chat: so the form step that takes the file is durable (a crash after
the upload loses nothing) and comes in line with their chat messages, handled by whichever
process handles that chat (bot.core.uploads). When the step is done its outcome is written on
the row, for the page to show. Channel-neutral; functions never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import clock
from bot.services import audit, files, inbox
from bot.services.members import destination
from storage.models import FormDraft, InboxUpdate, Member, StoredFile

KEY = "web_upload"  # the payload key that marks an inbox row as an upload, not a platform update
ACCEPTED, REFUSED, GONE = "accepted", "refused", "gone"


@dataclass(frozen=True)
class Outcome:
    status: str  # accepted | refused | gone | failed (the row was parked) | waiting
    text: str = ""
    filename: str = ""


def chat_of(member: Member, channel: str | None) -> tuple[str, str] | None:
    """(channel, chat key) where this member's conversation goes on: the channel they asked from
    when they have a chat there, else the one their messages go to."""
    chats = {"telegram": member.chat_id, "zalo": member.zalo_chat_id}
    if channel not in chats or chats[channel] is None:
        channel = destination(member)["channel"]
    chat = chats.get(channel)
    return (channel, str(chat)) if chat is not None else None


def is_upload(payload: dict[str, Any]) -> bool:
    return isinstance(payload.get(KEY), dict)


async def own_draft(session: AsyncSession, member_id: int, draft_id: int) -> FormDraft | None:
    draft = await session.get(FormDraft, draft_id)
    return draft if draft is not None and draft.member_id == member_id else None


async def receive(session: AsyncSession, member_id: int, draft_id: int, channel: str | None, content: bytes,
                  filename: str, mime_type: str | None) -> int | None:
    """Store the file and queue it for the draft's next step; the inbox row's id, or None when the
    member has no chat to continue in."""
    member = await session.scalar(select(Member).where(Member.id == member_id).options(selectinload(Member.unit)))
    where = chat_of(member, channel) if member is not None else None
    if where is None:
        return None
    stored = await files.store(session, content, filename, mime_type, uploaded_by=member_id)
    payload = {KEY: {"member_id": member_id, "draft_id": draft_id, "file_id": stored.id}}
    key = f"web-upload:{secrets.token_hex(12)}"  # not the file's id: SQLite may give a deleted one's again
    await inbox.store(session, [inbox.Incoming(where[0], key, where[1], payload)], clock.now())
    row = await session.scalar(select(InboxUpdate.id).where(InboxUpdate.channel == where[0],
                                                            InboxUpdate.update_key == key))
    audit.record(session, "web.uploaded", actor=member, draft=draft_id, file=stored.id, size=len(content))
    return row


async def note_outcome(session: AsyncSession, row_id: int, outcome: Outcome) -> None:
    """Written once: a row handled again after a crash keeps what its first handling found."""
    row = await session.get(InboxUpdate, row_id)
    if row is None or "outcome" in row.payload:
        return
    row.payload = {**row.payload, "outcome": {"status": outcome.status, "text": outcome.text,
                                              "filename": outcome.filename}}


async def outcome(session: AsyncSession, row_id: int) -> Outcome:
    row = await session.get(InboxUpdate, row_id, populate_existing=True)
    if row is None:
        return Outcome(GONE)
    found = (row.payload or {}).get("outcome")
    if found:
        return Outcome(found["status"], found.get("text", ""), found.get("filename", ""))
    return Outcome("failed" if row.status == inbox.PARKED else "waiting")


async def discard_file(session: AsyncSession, file_id: int) -> None:
    """A file the form did not take: not kept."""
    stored = await session.get(StoredFile, file_id)
    if stored is not None:
        await session.delete(stored)
