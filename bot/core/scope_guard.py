"""The scope check before an admin's or leader's command runs: every number it names
(bot.core.access.TARGETS) must be in their reach (bot.services.scope). A whole-tree office — the
top office, and every deployment with one office — is never refused here."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access
from bot.core.turn import Turn
from bot.services import scope
from bot.services.units import unit_by_code
from bot.texts import scopes as st
from storage.council_models import Award, AwardDecision, VoteSession
from storage.models import Campaign, Member, Nomination, Unit


async def _in_reach(session: AsyncSession, reach: scope.Scope, kind: str, arg: str) -> bool:
    if kind == "unit":
        unit = await unit_by_code(session, arg)
        return unit is None or reach.covers(unit.id)  # an unknown code: the dialogue says so
    raw = arg.lstrip("#")
    if not raw.isdigit() or len(raw) >= 10:
        return True  # not a number: the dialogue explains how to type it
    number = int(raw)
    if kind == "campaign":
        found = await session.get(Campaign, number)
        return found is None or reach.owns(found)
    if kind == "nomination":
        return await scope.nomination(session, reach, number) is not None or not await _exists(session, kind, number)
    if kind == "member":
        return await scope.member(session, reach, number) is not None or not await _exists(session, kind, number)
    if kind == "session":
        vote = await session.get(VoteSession, number)
        return vote is None or reach.owns(await session.get(Campaign, vote.campaign_id))
    if kind == "award":
        award = await session.get(Award, number)
        if award is None:
            return True
        decision = await session.get(AwardDecision, award.decision_id)
        return reach.covers(award.unit_id) and reach.owns(await session.get(Campaign, decision.campaign_id))
    raise ValueError(f"unknown target kind {kind!r}")


async def _exists(session: AsyncSession, kind: str, number: int) -> bool:
    return await session.get(Nomination if kind == "nomination" else Member, number) is not None


async def refused(turn: Turn, name: str) -> bool:
    """True (and the refusal said) when one of the command's numbers is outside the person's reach."""
    member = turn.person.member
    targets = access.TARGETS.get(name)
    if member is None or not targets or member.role == "officer" or member.scope_unit_id is None:
        return False
    async with turn.db.session() as session:
        reach = await scope.of(session, member)
        for index, kind in targets:
            if index < len(turn.args) and not await _in_reach(session, reach, kind, turn.args[index]):
                top = await session.get(Unit, member.scope_unit_id)
                turn.say(st.OUT_OF_SCOPE.format(what=st.KIND_NAMES[kind].capitalize(), arg=turn.args[index][:40],
                                                unit=top.name if top else ""), alert=turn.pressed)
                return True
    return False
