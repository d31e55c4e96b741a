"""Decisions and history in chat: admins record a Quyết định khen thưởng (decision), admins and
leaders read a person's or a collective's awards (history). The rules are bot.services.awards'."""

from __future__ import annotations

from bot.core.commands import command
from bot.core.turn import Turn
from bot.forms.typed import fold, parse_date
from bot.services import awards, scope
from bot.texts import awards as t
from storage.models import Member


@command("decision")
async def decision(turn: Turn) -> None:
    """decision SESSION SỐ_QĐ DD/MM/YYYY [bỏ N …]: the decision that follows a session's results."""
    session_id = turn.number(0)
    args = turn.args
    if session_id is None or len(args) < 3:
        turn.say(t.decision_usage(turn.channel))
        return
    day, error = parse_date(args[2])
    if error:
        turn.say(error)
        return
    leave_out: tuple[int, ...] = ()
    if len(args) > 3:
        rest = [a.strip(",") for a in args[4:]]
        if fold(args[3]) not in ("bo", "tru") or not rest or not all(a.isdigit() for a in rest):
            turn.say(t.decision_usage(turn.channel))
            return
        leave_out = tuple(int(a) for a in rest)
    async with turn.db.session() as session:
        try:
            made = await awards.record_decision(session, await session.get(Member, turn.member.id), session_id,
                                                args[1], day, turn.settings, leave_out)
        except awards.AwardError as exc:
            turn.say(exc.message)
            return
    turn.say(t.recorded(made.decision, made.awards, made.unit_names))


@command("history")
async def history(turn: Turn) -> None:
    """history NAME: the awards of a person or a collective across campaigns and years."""
    name = " ".join(turn.args).strip()
    if len(name) < 2:
        turn.say(t.history_usage(turn.channel))
        return
    async with turn.db.session() as session:
        entries = await awards.history(session, name, await scope.of(session, turn.member))
    turn.say(t.history(name, entries))


@command("history_merge")
async def history_merge(turn: Turn) -> None:
    """history_merge KEEP OTHER: two awards' people are one person (another spelling, another unit)."""
    keep, other = turn.number(0), turn.number(1)
    if keep is None or other is None or len(turn.args) != 2 or keep == other:
        turn.say(t.MERGE_USAGE)
        return
    async with turn.db.session() as session:
        try:
            moved = await awards.merge(session, await session.get(Member, turn.member.id), keep, other)
        except awards.AwardError as exc:
            turn.say(exc.message)
            return
    turn.say(t.merged(moved, keep))


@command("history_split")
async def history_split(turn: Turn) -> None:
    """history_split N: award N is someone else's of the same name."""
    award_id = turn.number(0)
    if award_id is None or len(turn.args) != 1:
        turn.say(t.SPLIT_USAGE)
        return
    async with turn.db.session() as session:
        try:
            await awards.split(session, await session.get(Member, turn.member.id), award_id)
        except awards.AwardError as exc:
            turn.say(exc.message)
            return
    turn.say(t.split_done(award_id))
