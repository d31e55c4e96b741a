"""Invites for a unit from /web/units, made by the same service and within the same limits as the
chat's /invite, and a printable page of them: per invite its code in large letters, a QR code of
the Telegram deep link and one of the Zalo words “tham gia CODE”, the unit, the role, the expiry."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from aiohttp import web
from sqlalchemy import select

from bot import clock
from bot.core.invites import MAX_CODES
from bot.services import invites, scope
from bot.texts import ROLE_NAMES
from bot.texts import web as texts
from bot.web.auth import db_of, me, notice, page, render, settings_of
from bot.web.pages.units import COMMAND, tree_page
from storage.models import Invite, Member, Unit

routes = web.RouteTableDef()
ROLES = ("officer", "leader")  # invites for a unit; admins are invited from the chat or the CLI
QR_MAKE = {"error": "m", "micro": False}
QR_SVG = {"scale": 5, "border": 2}


def qr_data_uri(text: str) -> str:
    """An SVG QR code of `text` as a data: URI (the pages' CSP allows images from data:)."""
    return segno.make(text, **QR_MAKE).svg_data_uri(**QR_SVG)


@dataclass(frozen=True)
class Printed:
    code: str
    role: str
    expires_at: object  # an aware datetime
    telegram: str  # the deep link, or "/start CODE" when the bot's username is not known
    telegram_qr: str | None
    zalo: str
    zalo_qr: str


def _printed(invite: Invite, bot_username: str) -> Printed:
    telegram = f"https://t.me/{bot_username}?start={invite.code}" if bot_username else f"/start {invite.code}"
    zalo = f"tham gia {invite.code}"
    return Printed(invite.code, ROLE_NAMES[invite.role], invite.expires_at, telegram,
                   qr_data_uri(telegram) if bot_username else None, zalo, qr_data_uri(zalo))


@routes.post(r"/web/units/{unit_id:\d+}/invites")
@page(COMMAND)
async def make(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    role, count = str(form.get("role", "")), str(form.get("count", "")).strip()
    if role not in ROLES:
        return await tree_page(request, status=400, error=texts.INVITE_ROLE_BAD)
    if not count.isdigit() or not 1 <= int(count) <= MAX_CODES:
        return await tree_page(request, status=400, error=texts.INVITE_COUNT_BAD.format(max=MAX_CODES))
    settings = settings_of(request)
    async with db_of(request).session() as session:
        unit = await session.get(Unit, int(request.match_info["unit_id"]))
        if unit is None:
            return await tree_page(request, status=404, error=texts.UNIT_GONE)
        reach = await scope.of(session, me(request).member)
        if not reach.covers(unit.id):
            return await tree_page(request, status=404, error=texts.UNIT_GONE)
        if not unit.active:
            return await tree_page(request, status=409, error=texts.INVITE_UNIT_INACTIVE.format(name=unit.name))
        made = await invites.create_invites(session, role=role, unit_id=unit.id, count=int(count),
                                            expires_days=settings.invite_expires_days,
                                            created_by=await session.get(Member, me(request).member.id),
                                            scope_unit_id=unit.id)  # an admin or leader of this unit: its subtree
        ids = ",".join(str(i.id) for i in made)
        unit_id = unit.id
    raise web.HTTPSeeOther(f"/web/units/{unit_id}/invites?ids={ids}")  # printing again makes no codes


@routes.get(r"/web/units/{unit_id:\d+}/invites")
@page(COMMAND)
async def printable(request: web.Request) -> web.Response:
    """The unit's invites still usable (those just made, with ?ids=), one card each."""
    wanted = [int(i) for i in request.query.get("ids", "").split(",") if i.isdigit()][:MAX_CODES]
    async with db_of(request).session() as session:
        unit = await session.get(Unit, int(request.match_info["unit_id"]))
        if unit is None or not (await scope.of(session, me(request).member)).covers(unit.id):
            return notice(request, 404, texts.NOT_FOUND_TITLE, texts.UNIT_GONE)
        query = (select(Invite).where(Invite.unit_id == unit.id, Invite.used_at.is_(None),
                                      Invite.link_member_id.is_(None), Invite.expires_at > clock.now())
                 .order_by(Invite.id))
        if wanted:
            query = query.where(Invite.id.in_(wanted))
        found = (await session.scalars(query)).all()
        unit_name = unit.name
    settings = settings_of(request)
    cards = [_printed(i, settings.bot_username) for i in found]
    return render(request, "invites_print.html", {
        "title": texts.INVITES_TITLE.format(unit=unit_name), "unit": unit_name, "cards": cards,
        "zalo_url": settings.zalo.bot_url, "none": texts.INVITES_NONE,
    })
