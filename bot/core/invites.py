"""invite ROLE [UNIT] [COUNT]: the office makes invite codes in chat, with what each person does
to join on Telegram and on Zalo."""

from __future__ import annotations

from bot import clock, texts
from bot.core.commands import command
from bot.core.turn import Turn
from bot.forms.engine import fold
from bot.services import invites, scope, units
from bot.texts import scopes as st
from storage.models import Member, Unit


async def _top_name(session, reach: scope.Scope) -> str:  # noqa: ANN001
    top = await session.get(Unit, reach.unit_id) if reach.unit_id else None
    return top.name if top else ""

ROLE_WORDS = {"can bo": "officer", "officer": "officer", "lanh dao": "leader", "leader": "leader",
              "quan tri": "admin", "admin": "admin"}
MAX_CODES = 20


def _role_and_rest(args: list[str]) -> tuple[str | None, list[str]]:
    for n in (2, 1):  # "cán bộ" is two words
        if len(args) >= n and (role := ROLE_WORDS.get(fold(" ".join(args[:n])))):
            return role, args[n:]
    return None, args


@command("invite")
async def invite(turn: Turn) -> None:
    role, rest = _role_and_rest(turn.args)
    if role is None:
        turn.say(texts.INVITE_USAGE)
        return
    count = 1
    if rest and rest[-1].isdigit():
        count = int(rest.pop())
        if not 1 <= count <= MAX_CODES:
            turn.say(texts.INVITE_COUNT.format(max=MAX_CODES))
            return
    if len(rest) > 1:
        turn.say(texts.INVITE_USAGE)
        return
    code = rest[0] if rest else None
    if role == "officer" and code is None:
        turn.say(texts.INVITE_NEEDS_UNIT)
        return
    async with turn.db.session() as session:
        unit = None
        if code is not None:
            unit = await units.unit_by_code(session, code)
            if unit is None:
                turn.say(texts.UNIT_NOT_FOUND.format(code=code[:40]))
                return
            if not unit.active:
                turn.say(texts.INVITE_UNIT_INACTIVE.format(code=unit.code))
                return
        reach = await scope.of(session, turn.member)
        if unit is not None and not reach.covers(unit.id):
            turn.say(st.OUT_OF_SCOPE.format(what="Đơn vị", arg=unit.code, unit=await _top_name(session, reach)))
            return
        # An admin or leader invited for a unit acts on that unit and everything under it; without
        # a unit, on what the inviter acts on.
        made = await invites.create_invites(session, role=role, unit_id=unit.id if unit else None, count=count,
                                            expires_days=turn.settings.invite_expires_days,
                                            created_by=await session.get(Member, turn.member.id),
                                            scope_unit_id=unit.id if unit is not None else reach.unit_id)
        codes = [i.code for i in made]
        expires = clock.fmt_datetime(made[0].expires_at)
    turn.say(texts.invites_made(codes, role, unit.name if unit else None, expires, turn.settings.bot_username,
                                turn.settings.zalo.bot_url))
