"""invite ROLE [UNIT] [COUNT]: the office makes invite codes in chat, with what each person does
to join on Telegram and on Zalo."""

from __future__ import annotations

from bot import clock, texts
from bot.core.commands import command
from bot.core.turn import Turn
from bot.forms.engine import fold
from bot.services import invites, units
from storage.models import Member

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
        made = await invites.create_invites(session, role=role, unit_id=unit.id if unit else None, count=count,
                                            expires_days=turn.settings.invite_expires_days,
                                            created_by=await session.get(Member, turn.member.id))
        codes = [i.code for i in made]
        expires = clock.fmt_datetime(made[0].expires_at)
    turn.say(texts.invites_made(codes, role, unit.name if unit else None, expires, turn.settings.bot_username,
                                turn.settings.zalo.bot_url))
