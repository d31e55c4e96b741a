"""/web/upload/<draft>: a file for the question the member's form is asking, from a browser — for
Zalo, which cannot send documents, and anyone who would rather pick a file there.

The chat's "📤 Tải tệp lên qua trang web" (Zalo: “tải tệp”) opens it (bot.core.uploads). The
file is stored with an inbox row on the member's chat; the chat's inbox handler takes it through
the same form step a file sent in chat takes, and the conversation goes on in the chat. The page
waits for that step's outcome and says it: received, or the form's own refusal.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.core import uploads
from bot.services import uploads as upload_rows
from bot.texts import forms as form_texts
from bot.texts import web as texts
from bot.web.auth import db_of, file_cap, me, notice, page, render, settings_of, takes_file, wake_inbox

routes = web.RouteTableDef()
POLL_SECONDS = 0.2
WAIT_BEYOND_READING = 10  # seconds to wait for the chat's step beyond files.parse_seconds


def _draft_id(request: web.Request) -> int | None:
    raw = request.match_info["draft_id"]
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


async def _asked(request: web.Request) -> uploads.Asked | None:
    draft_id = _draft_id(request)
    if draft_id is None:
        return None
    return await uploads.asked(db_of(request), settings_of(request), me(request).member.id, draft_id)


def _form_page(request: web.Request, asked: uploads.Asked, channel: str, error: str | None = None,
               status: int = 200) -> web.Response:
    cap = texts.UPLOAD_CAP.format(mb=asked.max_bytes // 2**20)
    return render(request, "upload.html", {"title": texts.UPLOAD_TITLE, "asked": asked, "cap": cap, "t": texts,
                                           "channel": channel, "error": error}, status=status)


def _gone(request: web.Request) -> web.Response:
    return notice(request, 404, texts.NOT_FOUND_TITLE, texts.UPLOAD_GONE)


@routes.get("/web/upload/{draft_id}")
@page("upload")
async def show(request: web.Request) -> web.Response:
    asked = await _asked(request)
    if asked is None:
        return _gone(request)
    if asked.prompt is None:
        return notice(request, 409, texts.UPLOAD_TITLE, texts.UPLOAD_NOT_ASKING)
    return _form_page(request, asked, request.query.get("kenh", "")[:16])


@routes.post("/web/upload/{draft_id}")
async def upload(request: web.Request) -> web.StreamResponse:
    """A body above the cap is refused by its declared length, unread (and nothing is changed);
    one sent without a length stops being read at the cap (413)."""
    if request.content_length is not None and request.content_length > file_cap(request):
        text = form_texts.FILE_OVER.format(max=settings_of(request).files.max_bytes / 2**20)
        return notice(request, 413, texts.UPLOAD_REFUSED_TITLE, f"{text} {texts.UPLOAD_REFUSED_TAIL}")
    return await receive(request)


@takes_file
@page("upload")
async def receive(request: web.Request) -> web.Response:
    asked = await _asked(request)
    if asked is None:
        return _gone(request)
    if asked.prompt is None:
        return notice(request, 409, texts.UPLOAD_TITLE, texts.UPLOAD_NOT_ASKING)
    form = await request.post()  # within the cap: read by the CSRF check already
    channel = str(form.get("kenh", ""))[:16]
    given = form.get("file")
    if not isinstance(given, web.FileField) or not given.filename:
        return _form_page(request, asked, channel, texts.UPLOAD_PICK_FIRST, status=400)
    content = given.file.read()
    async with db_of(request).session() as session:
        row_id = await upload_rows.receive(session, me(request).member.id, asked.draft_id, channel, content,
                                           given.filename[-120:], given.content_type)
    if row_id is None:
        return notice(request, 409, texts.UPLOAD_REFUSED_TITLE, texts.UPLOAD_FAILED)
    wake_inbox(request)
    outcome = await _outcome(request, row_id)
    if outcome.status == upload_rows.ACCEPTED:
        return notice(request, 200, texts.UPLOAD_DONE_TITLE, texts.UPLOAD_DONE.format(filename=outcome.filename))
    if outcome.status == upload_rows.REFUSED:
        again = await _asked(request)
        error = f"{outcome.text} {texts.UPLOAD_REFUSED_TAIL}"
        if again is None or again.prompt is None:
            return notice(request, 422, texts.UPLOAD_REFUSED_TITLE, error)
        return _form_page(request, again, channel, error, status=422)
    if outcome.status == upload_rows.GONE:
        return _gone(request)
    if outcome.status == "failed":
        return notice(request, 500, texts.UPLOAD_REFUSED_TITLE, texts.UPLOAD_FAILED)
    return notice(request, 202, texts.UPLOAD_TITLE, texts.UPLOAD_WAITING.format(filename=given.filename[-120:]))


async def _outcome(request: web.Request, row_id: int) -> upload_rows.Outcome:
    """The chat's step for this file, once taken (by this process or another on the database)."""
    deadline = asyncio.get_running_loop().time() + settings_of(request).files.parse_seconds + WAIT_BEYOND_READING
    while True:
        async with db_of(request).session() as session:
            found = await upload_rows.outcome(session, row_id)
        if found.status != "waiting" or asyncio.get_running_loop().time() >= deadline:
            return found
        await asyncio.sleep(POLL_SECONDS)
