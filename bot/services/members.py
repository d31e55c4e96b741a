"""People bound to units: look-up, leaving, deactivation, the first admin, reachability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import clock
from bot.services import audit, scope
from bot.services.invites import active_member
from storage.models import Campaign, Member, Unit

__all__ = ["MemberView", "active_member", "view_of", "leave", "deactivate", "add_admin", "MemberError", "destination", "choose_channel"]


class MemberError(Exception):
    """A member action that cannot be done: 'not_found', 'self', 'already_left', 'exists', 'no_unit'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MemberView:
    """What handlers need of the person behind an update, detached from the session."""

    id: int
    telegram_user_id: int | None
    chat_id: int | None
    full_name: str
    role: str
    unit_id: int | None
    unit_code: str | None
    unit_name: str | None
    joined_at: datetime
    zalo_user_id: str | None = None
    zalo_chat_id: str | None = None
    channel: str = "telegram"
    telegram_accepted_at: datetime | None = None
    zalo_accepted_at: datetime | None = None
    # An admin's or leader's reach (bot.services.scope); None: the whole tree.
    scope_unit_id: int | None = None


def view_of(member: Member) -> MemberView:
    unit = member.unit
    return MemberView(
        id=member.id,
        telegram_user_id=member.telegram_user_id,
        chat_id=member.chat_id,
        full_name=member.full_name,
        role=member.role,
        unit_id=member.unit_id,
        unit_code=unit.code if unit else None,
        unit_name=unit.name if unit else None,
        joined_at=member.joined_at,
        zalo_user_id=member.zalo_user_id,
        zalo_chat_id=member.zalo_chat_id,
        channel=member.channel,
        telegram_accepted_at=member.telegram_accepted_at,
        zalo_accepted_at=member.zalo_accepted_at,
        scope_unit_id=member.scope_unit_id,
    )


CHANNELS = ("telegram", "zalo")


def destination(member) -> dict:  # noqa: ANN001 - a Member, a MemberView or a row with these columns
    """Where the outbox sends this person's broadcasts, nudges and digests: their chosen channel,
    or the other one when they have no chat on it. Keys fit outbox.enqueue / enqueue_many."""
    zalo = getattr(member, "zalo_chat_id", None)
    telegram = getattr(member, "chat_id", None)
    if zalo and (getattr(member, "channel", "telegram") == "zalo" or telegram is None):
        return {"channel": "zalo", "chat_id": None, "address": zalo}
    return {"channel": "telegram", "chat_id": telegram, "address": None}


# The columns destination() reads, for queries that select columns rather than whole members.
DESTINATION_COLUMNS = (Member.chat_id, Member.zalo_chat_id, Member.channel)


async def choose_channel(session: AsyncSession, member_id: int, channel: str) -> Member:
    """Send this member's messages on `channel`; MemberError('no_chat') when they have no chat there."""
    if channel not in CHANNELS:
        raise MemberError("unknown_channel")
    member = await session.get(Member, member_id)
    if member is None or member.left_at is not None:
        raise MemberError("not_found")
    if (member.zalo_chat_id if channel == "zalo" else member.chat_id) is None:
        raise MemberError("no_chat")
    if member.channel != channel:
        member.channel = channel
        audit.record(session, "member.channel", actor=member, subject=member, channel=channel)
    return member


async def leave(session: AsyncSession, member_id: int) -> Member:
    member = await session.get(Member, member_id)
    if member is None or member.left_at is not None:
        raise MemberError("already_left")
    member.left_at = clock.now()
    audit.record(session, "member.left", actor=member, subject=member)
    return member


async def deactivate(session: AsyncSession, admin_id: int, member_id: int) -> Member:
    member = await session.scalar(
        select(Member).options(selectinload(Member.unit)).where(Member.id == member_id)
    )
    if member is None:
        raise MemberError("not_found")
    if member.id == admin_id:
        raise MemberError("self")
    if member.left_at is not None:
        raise MemberError("already_left")
    member.left_at = clock.now()
    admin = await session.get(Member, admin_id)
    audit.record(session, "member.deactivated", actor=admin, subject=member)
    return member


async def active_members(session: AsyncSession, unit_code: str | None = None,
                         reach: scope.Scope = scope.WHOLE_TREE) -> list[Member]:
    """Active members (of one unit), those in reach only: officers of its units, admins and
    leaders whose own reach is inside it."""
    query = (
        select(Member)
        .options(selectinload(Member.unit))
        .where(Member.left_at.is_(None))
        .order_by(Member.role, Member.id)
    )
    if not reach.whole_tree:
        query = query.where(or_(and_(Member.role == "officer", reach.units_clause(Member.unit_id)),
                                and_(Member.role != "officer", reach.units_clause(Member.scope_unit_id))))
    if unit_code:
        query = query.join(Unit, Member.unit_id == Unit.id).where(func.upper(Unit.code) == unit_code.strip().upper())
    return list((await session.scalars(query)).all())


async def office(session: AsyncSession, owner_unit_id: int | None, role: str = "admin") -> list[Member]:
    """The active admins (or leaders) of one level's office: those of a campaign's owner (None:
    the top office), who are told of its nominations, reports and council sessions."""
    return list((await session.scalars(
        select(Member).where(Member.role == role, Member.left_at.is_(None), scope.office_clause(owner_unit_id))
        .order_by(Member.id))).all())


async def campaign_office(session: AsyncSession, campaign_id: int, role: str = "admin") -> list[Member]:
    owner = await session.scalar(select(Campaign.owner_unit_id).where(Campaign.id == campaign_id))
    return await office(session, owner, role)


async def add_admin(
    session: AsyncSession, *, telegram_user_id: int, full_name: str, unit: Unit | None,
    scope_unit_id: int | None = None,
) -> Member:
    """Bind a known Telegram account as admin directly (bootstrap, from the CLI)."""
    if await active_member(session, telegram_user_id) is not None:
        raise MemberError("exists")
    member = Member(
        telegram_user_id=telegram_user_id,
        chat_id=telegram_user_id,  # a private chat's id is the user's id
        full_name=full_name.strip(),
        unit_id=unit.id if unit else None,
        role="admin",
        scope_unit_id=scope_unit_id,
        joined_at=clock.now(),
    )
    session.add(member)
    await session.flush()
    member.unit = unit
    audit.record(session, "member.admin_added", actor_label="cli", subject=member)
    return member


async def set_reachable(session: AsyncSession, chat_id: int | str, reachable: bool, channel: str = "telegram") -> list[int]:
    """Mark every active member in that chat (un)reachable; returns their ids."""
    in_chat = Member.zalo_chat_id == str(chat_id) if channel == "zalo" else Member.chat_id == chat_id
    result = await session.execute(
        update(Member)
        .where(in_chat, Member.left_at.is_(None), Member.reachable.is_not(reachable))
        .values(reachable=reachable)
        .returning(Member.id)
    )
    return list(result.scalars().all())
