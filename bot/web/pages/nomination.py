"""/web/nominations/N: one nomination in full — the chat's description, the evidence (images in
the page, other files to download), its history — for those `nominations.visible` lets see it
(the office, the unit's own officers); the office's decisions on it are in bot.web.pages.review."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot import signed_links
from bot.services import nominations
from bot.services.members import MemberView
from bot.texts import nominations as t
from bot.texts import web as texts
from bot.web.auth import db_of, me, notice, page, render
from storage.models import Nomination

routes = web.RouteTableDef()
# What the office is told in chat after each decision, shown once the page has moved on.
DONE = {"approved": t.APPROVED_ADMIN, "returned": t.RETURNED_ADMIN, "rejected": t.REJECTED_ADMIN}


def hidden(request: web.Request) -> web.Response:
    """Not found, or not this person's to see: the same answer, so nothing is given away."""
    return notice(request, 404, texts.NOT_FOUND_TITLE, texts.NOMINATION_HIDDEN)


def number_of(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


async def done_notice(session: AsyncSession, request: web.Request) -> str | None:
    """“Đã duyệt đề xuất #N…” after a decision (?done=N), said only if N was really decided so."""
    number = number_of(request.query.get("done", ""))
    decided = await session.get(Nomination, number) if number else None
    return DONE[decided.status].format(id=decided.id) if decided is not None and decided.status in DONE else None


async def context(session: AsyncSession, member: MemberView, n: Nomination) -> dict:
    """What nomination.html shows of `n` to `member` (who may see it)."""
    files = await nominations.evidence(session, n)
    base = f"/web/nominations/{n.id}/files"
    decide = member.role == "admin" and n.status == "submitted"
    _, waiting = await nominations.next_in_queue(session, member.scope_unit_id) if member.role == "admin" else (None, 0)
    return {
        "title": texts.NOMINATION_TITLE.format(id=n.id),
        "words": texts,
        "n": n,
        "status": t.STATUS_NAMES[n.status],
        "text": await nominations.describe(session, n),
        "images": [(f, f"{base}/{f.id}") for f in files if signed_links.shown_inline(f)],
        "others": [(f, f"{base}/{f.id}") for f in files if not signed_links.shown_inline(f)],
        "events": [(e, t.EVENT_NAMES.get(e.action, e.action)) for e in await nominations.history(session, n.id)],
        "decide": decide,
        "waiting": waiting,
        "reason_min": nominations.REASON_MIN,
        "reason_max": nominations.REASON_MAX,
        "labels": {"approve": t.APPROVE_BUTTON, "return": t.RETURN_BUTTON, "reject": t.REJECT_BUTTON},
    }


async def show(request: web.Request, nomination_id: int, *, status: int = 200, error: str | None = None,
               typed: dict[str, str] | None = None) -> web.Response:
    """The page of one nomination, or the same refusal whether it is missing or not this person's."""
    member = me(request).member
    async with db_of(request).session() as session:
        try:
            n = await nominations.visible(session, member.id, nomination_id)
        except nominations.NominationError:
            return hidden(request)
        shown = await context(session, member, n)
        done = await done_notice(session, request) if error is None else None
    return render(request, "nomination.html", {**shown, "error": error, "done": done, "typed": typed or {}},
                  status=status)


@routes.get("/web/nominations/{id}")
@page("web")  # who may see which nomination is nominations.visible's to say
async def nomination(request: web.Request) -> web.Response:
    number = number_of(request.match_info["id"])
    return hidden(request) if number is None else await show(request, number)


@routes.get("/web/nominations/{id}/files/{file_id}")
@page("web")
async def evidence_file(request: web.Request) -> web.StreamResponse:
    number, file_id = number_of(request.match_info["id"]), number_of(request.match_info["file_id"])
    if number is None or file_id is None:
        return hidden(request)
    async with db_of(request).session() as session:
        try:
            stored = await nominations.evidence_file(session, me(request).member.id, number, file_id)
        except nominations.NominationError:
            return hidden(request)
    return signed_links.file_response(stored, "private, no-store")
