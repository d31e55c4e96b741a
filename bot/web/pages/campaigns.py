"""The campaign dashboard: /web/campaigns (the list) and /web/campaigns/ID (per unit, filtered),
its chart, and the XLSX and DOCX the chat's /export and /report_docx give. For the roles of the
chat's campaigns, campaign, export and report_docx commands (admins, leaders)."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from aiohttp import web

from bot import clock
from bot.services import campaigns, cascade, dashboard, digest_sending, exports, scope
from bot.texts import scopes as st
from bot.texts import web as texts
from bot.web.auth import db_of, me, notice, page, render, settings_of
from bot.web.pages.home import LINKS, Link

routes = web.RouteTableDef()
# The office's and leaders' view, as the chat's /status (officers' /campaigns is their unit's list).
LINKS.append(Link("/web/campaigns", texts.CAMPAIGNS_LINK, texts.CAMPAIGNS_ABOUT, "status"))


def _not_found(request: web.Request, campaign_id: int) -> web.Response:
    return notice(request, 404, texts.NOT_FOUND_TITLE, texts.CAMPAIGN_NOT_FOUND.format(id=campaign_id))


async def _in_reach(request: web.Request, campaign_id: int) -> bool:
    """A campaign owned in the person's reach (bot.services.scope); another xã's is not found."""
    async with db_of(request).session() as session:
        return await scope.campaign(session, await scope.of(session, me(request).member), campaign_id) is not None


@routes.get("/web/campaigns")
@page("status")
async def campaign_list(request: web.Request) -> web.Response:
    async with db_of(request).session() as session:
        items = await campaigns.summaries(session, await scope.of(session, me(request).member))
    return render(request, "campaigns.html", {"title": texts.CAMPAIGNS_TITLE, "items": items, "t": texts})


@functools.lru_cache(maxsize=256)  # cells are a few distinct values shared by thousands of rows
def _cell(cell: dashboard.Cell) -> tuple[str, str]:
    """(css class, words) of one report cell."""
    return cell.state.replace("_", ""), texts.REPORT_STATES[cell.state].format(days=cell.days_late)


@routes.get(r"/web/campaigns/{id:\d{1,9}}")
@page("status")
async def campaign_dashboard(request: web.Request) -> web.Response:
    campaign_id = int(request.match_info["id"])
    if not await _in_reach(request, campaign_id):
        return _not_found(request, campaign_id)
    query = request.query
    filters = dashboard.Filters.parse(query.get("kind"), query.get("status"), query.get("period"))
    async with db_of(request).session() as session:
        board = await dashboard.campaign_dashboard(session, campaign_id, filters, clock.local(clock.now()).date())
        children = await cascade.rollup(session, campaign_id)
    # Units that launch to their own: whether each did, with its units' counts (as /campaign says).
    rollup = st.rollup(children).split("\n") if any(c.child_campaign_id or c.subunits for c in children) else []
    if board is None:
        return _not_found(request, campaign_id)
    s = board.summary
    context = {
        "title": f"#{board.campaign.id} {board.campaign.title}",
        "board": board, "t": texts, "rollup": rollup,
        "summary": texts.dashboard_summary(s.units, board.total, s.delivered, s.acknowledged, s.nominations),
        "period_lines": [texts.period_summary(p.label, clock.fmt_date(p.due_on), states)
                         for p, states in zip(board.shown, s.states)],
        # Rows as plain tuples of words: the template only prints them (thousands of rows stay light).
        "rows": [(r.name, r.kind, r.code,
                  texts.DELIVERED if r.delivered else texts.UNREACHABLE if r.unreachable else texts.NOT_DELIVERED,
                  clock.fmt_date(r.acknowledged_at) if r.acknowledged_at else texts.NOT_ACKNOWLEDGED,
                  r.nominated,
                  ", ".join(f"{r.nominations[k]} {label}" for k, label in texts.NOMINATION_STATES.items()
                            if r.nominations.get(k)),
                  [_cell(c) for c in r.cells])
                 for r in board.rows],
        "kinds": board.kinds, "statuses": list(texts.STATUS_FILTERS.items()),
        "filters": board.filters,
        "this": f"/web/campaigns/{campaign_id}",
        "query": urlencode({k: v for k, v in (("kind", board.filters.kind), ("status", board.filters.status),
                                              ("period", board.filters.period_id)) if v is not None}),
    }
    return render(request, "dashboard.html", context)


@routes.get(r"/web/campaigns/{id:\d{1,9}}/chart.png")
@page("digest")
async def campaign_chart(request: web.Request) -> web.Response:
    campaign_id = int(request.match_info["id"])
    if not await _in_reach(request, campaign_id):
        return _not_found(request, campaign_id)
    async with db_of(request).session() as session:
        png = await digest_sending.campaign_chart(session, campaign_id, clock.now())
    if png is None:
        return _not_found(request, campaign_id)
    return web.Response(body=png, content_type="image/png")


def _download(made: exports.Export) -> web.Response:
    return web.Response(body=made.content, content_type=made.mime_type,
                        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'})


@routes.get(r"/web/campaigns/{id:\d{1,9}}/xlsx")
@page("export")
async def campaign_xlsx(request: web.Request) -> web.Response:
    campaign_id = int(request.match_info["id"])
    if not await _in_reach(request, campaign_id):
        return _not_found(request, campaign_id)
    try:
        async with db_of(request).session() as session:
            made = await exports.campaign_workbook(session, campaign_id, settings_of(request))
    except exports.ExportError:
        return _not_found(request, campaign_id)
    return _download(made)


@routes.get(r"/web/campaigns/{id:\d{1,9}}/docx/{period:\d{1,9}}")
@page("report_docx")
async def period_docx(request: web.Request) -> web.Response:
    campaign_id = int(request.match_info["id"])
    if not await _in_reach(request, campaign_id):
        return _not_found(request, campaign_id)
    try:
        async with db_of(request).session() as session:
            made = await exports.period_report(session, campaign_id, f"#{request.match_info['period']}",
                                               settings_of(request))
    except exports.ExportError:
        return notice(request, 404, texts.NOT_FOUND_TITLE, texts.PERIOD_NOT_FOUND.format(id=campaign_id))
    return _download(made)
