"""The web application on the bot's HTTP server: templates, the session middleware, the pages.

`build_app` gives an aiohttp Application; the Zalo channel adds its webhook and the signed file
links to the same one (bot.app), so one port serves all of it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot import clock
from bot.config import Settings
from bot import vn_format
from bot.web import auth
from bot.web.pages import PAGES
from storage.db import Database

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
# Any request body: forms, Zalo's webhook. Routes taking a file raise it (auth.takes_file).
FORM_MAX = 1024 * 1024


def _vn_date(value) -> str:  # noqa: ANN001 - a date or an aware datetime
    return clock.fmt_date(value) if value else ""


def _vn_datetime(value) -> str:  # noqa: ANN001 - an aware datetime
    return clock.fmt_datetime(value) if value else ""


@web.middleware
async def _headers(request: web.Request, handler) -> web.StreamResponse:  # noqa: ANN001
    response = await handler(request)
    if request.path.startswith("/web"):
        # Pages hold people's data: never cached, never framed, no script from elsewhere.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                    "form-action 'self'; frame-ancestors 'none'")
    return response


def build_app(settings: Settings, db: Database, *, client_max_size: int = FORM_MAX,
              wakes: list | None = None) -> web.Application:
    """`wakes`: what to call when a page stored inbox rows (the process's inbox workers' wake)."""
    app = web.Application(client_max_size=client_max_size, middlewares=[_headers])
    app[auth.SETTINGS], app[auth.DB], app[auth.WAKES] = settings, db, wakes if wakes is not None else []
    if not settings.web.enabled:
        return app
    env = aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    env.filters.update(vn_number=vn_format.number, vn_size=vn_format.size, vn_date=_vn_date, vn_datetime=_vn_datetime)
    env.globals["organisation"] = settings.organisation_name
    app.router.add_static("/web/static", HERE / "static")
    app.add_routes(auth.routes)
    for page in PAGES:
        app.add_routes(page.routes)
    return app


class WebServer:
    """The bot's HTTP server (web pages, Zalo's webhook, signed file links) on web.listen:port."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.wakes: list = []  # the inbox workers to wake when a page stored rows (bot.app, bot.zalo)
        self.app = build_app(settings, db, wakes=self.wakes)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.settings.web.listen, self.settings.web.port).start()
        log.info("web: listening on %s:%s (%s)", self.settings.web.listen, self.port, self.settings.web.base_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        """The port it listens on (useful when configured as 0)."""
        return int(self._runner.addresses[0][1])
