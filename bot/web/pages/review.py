"""/web/review: the office's queue of nominations waiting for review (the chat's /review, same
order, same service), and the three decisions on one of them, POSTed from its page — the same
`nominations.review` the chat calls, which tells the unit through the outbox; then the page
moves on to the next one waiting, as the chat does."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from bot.services import nominations
from bot.texts import nominations as t
from bot.texts import web as texts
from bot.web.auth import db_of, me, page, render
from bot.web.pages import nomination
from bot.web.pages.home import LINKS, Link
from storage.models import Campaign, Unit

routes = web.RouteTableDef()
LINKS.append(Link("/web/review", texts.REVIEW_TITLE, texts.REVIEW_LINK_ABOUT, "review"))


@routes.get("/web/review")
@page("review")
async def queue(request: web.Request) -> web.Response:
    async with db_of(request).session() as session:
        waiting = await nominations.queue(session, me(request).member.scope_unit_id)
        units = dict((await session.execute(select(Unit.id, Unit.name).where(
            Unit.id.in_({n.unit_id for n in waiting})))).all())
        campaigns = dict((await session.execute(select(Campaign.id, Campaign.title).where(
            Campaign.id.in_({n.campaign_id for n in waiting})))).all())
        done = await nomination.done_notice(session, request)
    rows = [{"n": n, "unit": units.get(n.unit_id, ""), "campaign": campaigns.get(n.campaign_id, ""),
             "kind": t.KIND_NAMES[n.kind], "files": len(n.evidence_file_ids or [])} for n in waiting]
    return render(request, "review.html", {
        "title": texts.REVIEW_TITLE, "words": texts, "rows": rows, "done": done,
        "waiting": texts.REVIEW_WAITING.format(n=len(rows)) if rows else t.REVIEW_EMPTY,
    })


async def _decide(request: web.Request, decision: str) -> web.StreamResponse:
    number = nomination.number_of(request.match_info["id"])
    if number is None:
        return nomination.hidden(request)
    reason = str((await request.post()).get("reason", "")) if decision != "approve" else None
    try:
        async with db_of(request).session() as session:
            await nominations.review(session, me(request).member.id, number, decision, reason)
    except nominations.NominationError as exc:
        if exc.reason == "not_found":
            return nomination.hidden(request)
        # Decided meanwhile (409), or a reason missing or too long (400): nothing changed.
        status = 409 if exc.reason == "already_reviewed" else 400
        return await nomination.show(request, number, status=status, error=exc.message,
                                     typed={decision: reason or ""})
    async with db_of(request).session() as session:
        following, _ = await nominations.next_in_queue(session, me(request).member.scope_unit_id)
    where = f"/web/nominations/{following.id}" if following is not None else "/web/review"
    raise web.HTTPSeeOther(f"{where}?done={number}")


@routes.post("/web/nominations/{id}/approve")
@page("approve")
async def approve(request: web.Request) -> web.StreamResponse:
    return await _decide(request, "approve")


@routes.post("/web/nominations/{id}/return")
@page("return_nomination")
async def return_nomination(request: web.Request) -> web.StreamResponse:
    return await _decide(request, "return")


@routes.post("/web/nominations/{id}/reject")
@page("reject")
async def reject(request: web.Request) -> web.StreamResponse:
    return await _decide(request, "reject")
