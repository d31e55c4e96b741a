"""Files for a form through the upload page (bot.web.pages.upload), for chats that cannot send
documents (Zalo) or people who would rather pick a file in a browser.

A question that takes a file offers "📤 Tải tệp lên qua trang web" (Turn.show): `upload` (Zalo:
“tải tệp”) answers with a one-time sign-in link to /web/upload/<draft>. The page stores the file
and an inbox row on the person's chat (bot.services.uploads); the channel's inbox handler calls
`apply`, which takes the file through the very form step a file sent in chat takes
(bot.core.form_steps.step: type, size, the plan reader in its process) and hands the Turn to the
channel adapter's `deliver`, so the conversation goes on in the chat at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from bot.core import form_steps, web_pages
from bot.core.commands import command
from bot.core.turn import Person, Turn
from bot.forms import FORMS, FileInput, FormEngine, Reply
from bot.inbox import current_row_id
from bot.services import uploads
from bot.services.members import view_of
from bot.services.uploads import Outcome
from bot.texts import web as texts
from storage.db import Database
from storage.models import Member, StoredFile

log = logging.getLogger(__name__)
Deliver = Callable[[Turn], Awaitable[None]]
_FORMS = {form.name: form for form in FORMS}


@dataclass(frozen=True)
class Asked:
    """What the upload page shows: the form, its question, what it takes."""

    draft_id: int
    form_title: str
    prompt: str | None  # None: the question being asked now does not take a file
    accept: tuple[str, ...]
    max_bytes: int


async def asked(db: Database, settings: Any, member_id: int, draft_id: int) -> Asked | None:
    """The member's own draft and the question it asks; None when it is not theirs or is gone."""
    async with db.session() as session:
        draft = await uploads.own_draft(session, member_id, draft_id)
        if draft is None or draft.form not in _FORMS:
            return None
        form = _FORMS[draft.form]
        field = form.field(draft.current_field) if draft.current_field and draft.stage != "review" else None
    cap = settings.files.max_bytes
    if field is None or field.kind != "file":
        return Asked(draft_id, form.title, None, (), cap)
    return Asked(draft_id, form.title, field.prompt, field.accept, min(cap, field.max_bytes or cap))


@command("upload")
async def upload(turn: Turn) -> None:
    """The link to the upload page for the draft in progress (the one touched last)."""
    async with turn.db.session() as session:
        draft = await turn.engine.draft(session, turn.member.id)
        draft_id = draft.id if draft is not None else None
    found = await asked(turn.db, turn.settings, turn.member.id, draft_id) if draft_id is not None else None
    if found is None or found.prompt is None:
        turn.say(texts.UPLOAD_NO_DRAFT if found is None else texts.UPLOAD_NOT_ASKING)
        return
    url = await web_pages.signin_link(turn, f"/web/upload/{draft_id}?kenh={turn.channel}")
    if url is None:
        turn.say(texts.WEB_DISABLED)
        return
    turn.say(texts.upload_link(url, turn.settings.web.signin_minutes, found.form_title))


def is_upload(payload: dict[str, Any]) -> bool:
    """An inbox row the upload page stored (not a platform's update)."""
    return uploads.is_upload(payload)


def _refusal(turn: Turn) -> str:
    """The form's own words for a refused file: the "⚠️ …" paragraph of the question asked again."""
    first = turn.out[0].text if turn.out else ""
    head = first.split("\n\n", 1)[0]
    return head.removeprefix("⚠️").strip() if head.startswith("⚠️") else head


def _takes(answers: dict[str, Any], file_id: int) -> bool:
    """Whether the draft's answers hold this stored file."""
    return any(isinstance(entry, dict) and entry.get("stored_file_id") == file_id
               for value in answers.values() if isinstance(value, list) for entry in value)


async def apply(db: Database, settings: Any, engine: FormEngine, channel: str, payload: dict[str, Any],
                deliver: Deliver) -> None:
    """Handle an upload's inbox row (bot.services.uploads) for a member on `channel`."""
    job, row_id = payload[uploads.KEY], current_row_id()
    async with db.session() as session:
        member = await session.scalar(select(Member).where(Member.id == job["member_id"])
                                      .options(selectinload(Member.unit)))
        stored = await session.scalar(select(StoredFile).where(StoredFile.id == job["file_id"])
                                      .options(undefer(StoredFile.content)))
        draft = await uploads.own_draft(session, job["member_id"], job["draft_id"])
        if member is None or member.left_at is not None or stored is None or draft is None:
            if stored is not None and (draft is None or not _takes(draft.answers, stored.id)):
                await uploads.discard_file(session, stored.id)
            if row_id is not None:
                await uploads.note_outcome(session, row_id, Outcome(uploads.GONE))
            return
        view = view_of(member)
        content, filename = stored.content, stored.filename
        file = FileInput(filename=filename, size=stored.size, mime_type=stored.mime_type,
                         fetch=_bytes(content), limits=settings.files, stored_file_id=stored.id)
    ids = {"telegram": (view.telegram_user_id, view.chat_id), "zalo": (view.zalo_user_id, view.zalo_chat_id)}
    user_id, chat_id = ids[channel]
    person = Person(channel, str(user_id), str(chat_id), view.full_name, view)
    turn = Turn(person, db, settings, engine, reply=Reply(file=file), draft_id=job["draft_id"], update_id=row_id)
    await form_steps.step(turn, turn.reply, turn.draft_id)
    async with db.session() as session:
        draft = await uploads.own_draft(session, job["member_id"], job["draft_id"])
        taken = draft is not None and _takes(draft.answers, job["file_id"])
        if not taken:
            await uploads.discard_file(session, job["file_id"])
        if row_id is not None:
            found = Outcome(uploads.ACCEPTED, "", filename) if taken else Outcome(uploads.REFUSED, _refusal(turn), filename)
            await uploads.note_outcome(session, row_id, found)
    await deliver(turn)


def _bytes(content: bytes) -> Callable[[], Awaitable[bytes]]:
    async def fetch() -> bytes:
        return content

    return fetch
