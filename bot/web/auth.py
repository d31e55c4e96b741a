"""Signing in from the chat link, the session cookie, CSRF, signing out, and the access check
every page makes through bot.core.access — the policy the chat uses."""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable

import aiohttp_jinja2
from aiohttp import web

from bot.config import Settings
from bot.core import access
from bot.services import web_sessions
from bot.services.web_sessions import Current, SigninError
from bot.texts import web as texts
from storage.db import Database

log = logging.getLogger(__name__)
SETTINGS, DB = web.AppKey("settings", Settings), web.AppKey("db", Database)
WAKES = web.AppKey("wakes", list)  # called after a page stored inbox rows (the upload page)
COOKIE = "thidua_session"
ME = web.RequestKey("me", Current)  # the signed-in session of this request
routes = web.RouteTableDef()

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


FORM_SLACK = 64 * 1024  # the multipart form around a file (boundaries, the CSRF field)


def file_cap(request: web.Request) -> int:
    """The body a form carrying one file may have: [files]' cap and the form around it."""
    return settings_of(request).files.max_bytes + FORM_SLACK


def takes_file(handler: Handler) -> Handler:
    """A route whose form carries a file: its body may reach file_cap, every other body stays
    within the server's small limit (server.FORM_MAX: forms, Zalo's webhook)."""

    @functools.wraps(handler)
    async def route(request: web.Request) -> web.StreamResponse:
        return await handler(request.clone(client_max_size=file_cap(request)))

    return route


def settings_of(request: web.Request) -> Settings:
    return request.app[SETTINGS]


def db_of(request: web.Request) -> Database:
    return request.app[DB]


def wake_inbox(request: web.Request) -> None:
    for wake in request.app[WAKES]:
        wake()


def me(request: web.Request) -> Current:
    return request[ME]


def render(request: web.Request, template: str, context: dict, status: int = 200) -> web.Response:
    """A page, with who is signed in and the session's CSRF token for its forms."""
    current = request.get(ME)
    full = {"me": current.member if current else None, "csrf": current.csrf_token if current else "", **context}
    return aiohttp_jinja2.render_template(template, request, full, status=status)


def notice(request: web.Request, status: int, title: str, text: str) -> web.Response:
    """A page that only says something (a refusal, an expired link, done)."""
    return render(request, "notice.html", {"title": title, "text": text}, status=status)


@routes.get("/web/signin/{token}")
async def sign_in(request: web.Request) -> web.StreamResponse:
    settings = settings_of(request)
    try:
        async with db_of(request).session() as session:
            signed = await web_sessions.redeem(session, request.match_info["token"][:100], settings.web.session_hours)
    except SigninError as exc:
        log.info("web: sign-in link refused (%s) from %s", exc.reason, request.remote)
        return notice(request, 410 if exc.reason in ("used", "expired") else 403,
                      texts.LINK_TITLE, texts.LINK_REFUSED[exc.reason])
    response = web.HTTPSeeOther(signed.next_path)
    response.set_cookie(COOKIE, signed.token, max_age=settings.web.session_hours * 3600, path="/web",
                        httponly=True, secure=settings.web.secure_cookies, samesite="Lax")
    raise response


async def _current(request: web.Request) -> Current | None:
    async with db_of(request).session() as session:
        return await web_sessions.current(session, request.cookies.get(COOKIE))


async def _csrf_ok(request: web.Request, current: Current) -> bool:
    given = request.headers.get("X-CSRF-Token", "")
    if not given and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        given = str((await request.post()).get("csrf", ""))
    return bool(given) and hmac.compare_digest(given.encode(), current.csrf_token.encode())


def page(command: str) -> Callable[[Handler], Handler]:
    """A page for the roles that may run `command` in chat; POSTs need the session's CSRF token.
    Anything refused changes nothing: the handler does not run."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            current = await _current(request)
            if current is None:
                return notice(request, 401, texts.SIGNED_OUT_TITLE, texts.SIGNED_OUT)
            request[ME] = current
            if not access.allowed(command, current.member):
                return notice(request, 403, texts.FORBIDDEN_TITLE, texts.FORBIDDEN)
            if request.method not in ("GET", "HEAD") and not await _csrf_ok(request, current):
                log.warning("web: %s %s without a valid CSRF token (member %s)", request.method, request.path,
                            current.member.id)
                return notice(request, 403, texts.FORBIDDEN_TITLE, texts.CSRF_REFUSED)
            return await handler(request)

        return guarded

    return wrap


@routes.post("/web/signout")
@page("web")
async def sign_out(request: web.Request) -> web.StreamResponse:
    async with db_of(request).session() as session:
        await web_sessions.end(session, me(request).token_hash)
    request.pop(ME)
    response = notice(request, 200, texts.SIGNED_OUT_TITLE, texts.SIGNED_OUT_DONE)
    response.del_cookie(COOKIE, path="/web")
    return response
