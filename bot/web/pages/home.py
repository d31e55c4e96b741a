"""/web: the pages this member may open."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.core import access
from bot.texts import web as texts
from bot.web.auth import me, page, render

routes = web.RouteTableDef()


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    about: str
    command: str  # whose roles (bot.core.access.POLICY) may open it


# Filled by the page modules as they register (bot.web.pages.PAGES).
LINKS: list[Link] = []


@routes.get("/web")
@page("web")
async def home(request: web.Request) -> web.Response:
    member = me(request).member
    links = [link for link in LINKS if access.allowed(link.command, member)]
    return render(request, "home.html", {"title": texts.HOME_TITLE, "links": links})
