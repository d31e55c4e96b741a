"""The office's members: the list (members [UNIT]) and ending a membership (deactivate N)."""

from __future__ import annotations

from bot import texts
from bot.core.commands import command
from bot.core.turn import Turn
from bot.services import members, outbox, scope, units

MAX_LISTED = 60


@command("members")
async def list_members(turn: Turn) -> None:
    """members [UNIT_CODE]: active members, with the numbers deactivate takes."""
    if len(turn.args) > 1:
        turn.say(texts.MEMBERS_USAGE)
        return
    code = turn.args[0] if turn.args else None
    async with turn.db.session() as session:
        if code and await units.unit_by_code(session, code) is None:
            turn.say(texts.UNIT_NOT_FOUND.format(code=code[:40]))
            return
        people = await members.active_members(session, code, await scope.of(session, turn.member))
    if not people:
        turn.say(texts.MEMBERS_EMPTY)
        return
    turn.say(texts.members_list(people[:MAX_LISTED], len(people)))


@command("deactivate")
async def deactivate(turn: Turn) -> None:
    """deactivate N: end someone's membership and tell them (on their own channel)."""
    member_id = turn.number()
    if member_id is None or len(turn.args) != 1:
        turn.say(texts.DEACTIVATE_USAGE)
        return
    async with turn.db.session() as session:
        try:
            target = await members.deactivate(session, turn.member.id, member_id)
        except members.MemberError as exc:
            turn.say({
                "not_found": texts.DEACTIVATE_NOT_FOUND.format(id=member_id),
                "self": texts.DEACTIVATE_SELF,
                "already_left": texts.DEACTIVATE_ALREADY.format(id=member_id),
            }[exc.reason])
            return
        unit = f", {target.unit.name}" if target.unit else ""
        await outbox.enqueue(session, **members.destination(target), member_id=target.id, kind="notice",
                             payload={"method": "sendMessage", "text": texts.YOU_WERE_DEACTIVATED})
        telegram_chat = target.chat_id
    turn.say(texts.DEACTIVATED.format(name=target.full_name, role=texts.ROLE_SHORT[target.role], unit=unit))
    if telegram_chat is not None:  # their Telegram command menu goes
        turn.effects.append(("menu_cleared_for", telegram_chat))
