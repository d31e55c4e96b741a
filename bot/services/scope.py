"""Where an admin or a leader reaches: their scope unit and everything under it (the province's
office: the whole tree; a xã's office: the xã and its schools, thôn, offices). Every list and every
look-up by number an admin or leader makes goes through here (bot.core.access.TARGETS names what
each command's numbers are).

A campaign belongs to the office that launched it (Campaign.owner_unit_id, None: the top office);
an office acts on the campaigns owned in its scope, and its review queue, council and digest are
those of its own level's campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Campaign, Member, Nomination, Unit


@dataclass(frozen=True)
class Scope:
    """unit_id: the top of the reach (None: the whole tree); unit_ids: it and every unit below."""

    unit_id: int | None
    unit_ids: frozenset[int] | None

    @property
    def whole_tree(self) -> bool:
        return self.unit_ids is None

    def covers(self, unit_id: int | None) -> bool:
        """A unit in reach (None — the top office's own level — only for the whole tree)."""
        if self.unit_ids is None:
            return True
        return unit_id is not None and unit_id in self.unit_ids

    def owns(self, campaign: Campaign) -> bool:
        """A campaign this office acts on: launched by it or by an office below it."""
        return self.covers(campaign.owner_unit_id)

    def units_clause(self, column) -> ColumnElement[bool]:  # noqa: ANN001 - a unit id column
        return true() if self.unit_ids is None else column.in_(sorted(self.unit_ids))

    def owned_clause(self) -> ColumnElement[bool]:
        """Campaigns launched in this scope (for the whole tree: all of them)."""
        return true() if self.unit_ids is None else Campaign.owner_unit_id.in_(sorted(self.unit_ids))

    def level_clause(self) -> ColumnElement[bool]:
        """This office's own campaigns (not those of the offices below): its queue, council, digest."""
        return level_clause(self.unit_id)


WHOLE_TREE = Scope(None, None)


def level_clause(owner_unit_id: int | None) -> ColumnElement[bool]:
    return Campaign.owner_unit_id.is_(None) if owner_unit_id is None else Campaign.owner_unit_id == owner_unit_id


def office_clause(owner_unit_id: int | None) -> ColumnElement[bool]:
    """The admins and leaders of one level's office (scope None: the top office)."""
    if owner_unit_id is None:
        return Member.scope_unit_id.is_(None)
    return Member.scope_unit_id == owner_unit_id


async def subtree(session: AsyncSession, unit_id: int) -> frozenset[int]:
    """The unit and every unit under it (one query of the tree's id/parent pairs: ~2,100 rows for
    a province with its xã's sub-units)."""
    children: dict[int, list[int]] = {}
    for uid, parent in (await session.execute(select(Unit.id, Unit.parent_id))).all():
        children.setdefault(parent, []).append(uid)
    out, stack = {unit_id}, [unit_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in out:
                out.add(child)
                stack.append(child)
    return frozenset(out)


async def of_unit(session: AsyncSession, unit_id: int | None) -> Scope:
    return WHOLE_TREE if unit_id is None else Scope(unit_id, await subtree(session, unit_id))


async def of(session: AsyncSession, member) -> Scope:  # noqa: ANN001 - a Member or a MemberView
    """An admin's or leader's reach; an officer's is their own unit (they act on it alone)."""
    if member.role == "officer":
        return Scope(member.unit_id, frozenset([member.unit_id]) if member.unit_id else frozenset())
    return await of_unit(session, getattr(member, "scope_unit_id", None))


async def campaign(session: AsyncSession, scope: Scope, campaign_id: int) -> Campaign | None:
    found = await session.get(Campaign, campaign_id)
    return found if found is not None and scope.owns(found) else None


async def nomination(session: AsyncSession, scope: Scope, nomination_id: int) -> Nomination | None:
    """A nomination of a campaign owned in reach, from a unit in reach."""
    found = await session.get(Nomination, nomination_id)
    if found is None or not scope.covers(found.unit_id):
        return None
    owner = await session.get(Campaign, found.campaign_id)
    return found if owner is not None and scope.owns(owner) else None


async def member(session: AsyncSession, scope: Scope, member_id: int) -> Member | None:
    """A member of a unit in reach, or an admin or leader whose own reach is inside it."""
    found = await session.get(Member, member_id)
    if found is None or scope.whole_tree:
        return found
    inside = scope.covers(found.scope_unit_id) if found.role != "officer" else scope.covers(found.unit_id)
    return found if inside else None
