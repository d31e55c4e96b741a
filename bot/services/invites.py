"""One-time invite codes that bind a person's chat to a unit and a role."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from bot import clock
from bot.services import audit
from storage.models import ROLES, Invite, Member

# No 0/O, 1/I/L: codes are sometimes read aloud over the phone and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{4,64}$")


class InviteError(Exception):
    """Why a code cannot be used: 'unknown', 'used', 'expired', 'unit_inactive', 'already_member'.

    For 'already_member', `role` and `unit_name` say what the person already is (plain values:
    the session is rolled back when this propagates).
    """

    def __init__(self, reason: str, role: str | None = None, unit_name: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.role = role
        self.unit_name = unit_name


@dataclass(frozen=True)
class NewInvite:
    code: str
    role: str
    unit_code: str | None
    expires_at_iso: str


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    return text.strip().upper()


async def create_invites(
    session: AsyncSession,
    *,
    role: str,
    unit_id: int | None,
    count: int = 1,
    expires_days: int = 14,
    created_by: Member | None = None,
    actor_label: str | None = None,
) -> list[Invite]:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    expires_at = clock.now() + timedelta(days=expires_days)
    invites = [Invite(code=new_code(), unit_id=unit_id, role=role, expires_at=expires_at) for _ in range(count)]
    session.add_all(invites)
    await session.flush()
    audit.record(
        session,
        "invite.created",
        actor=created_by,
        actor_label=actor_label,
        role=role,
        unit_id=unit_id,
        count=count,
        invite_ids=[i.id for i in invites],
    )
    return invites


# Built once: the access gate runs the first on every update, and building a statement costs
# about as much as running it.
_ACTIVE_BY_TELEGRAM = (select(Member).options(joinedload(Member.unit))
                       .where(Member.telegram_user_id == bindparam("user"), Member.left_at.is_(None)))
_ACTIVE_BY_ZALO = (select(Member).options(joinedload(Member.unit))
                   .where(Member.zalo_user_id == bindparam("user"), Member.left_at.is_(None)))


async def active_member(session: AsyncSession, telegram_user_id: int) -> Member | None:
    return await session.scalar(_ACTIVE_BY_TELEGRAM, {"user": telegram_user_id})


async def active_zalo_member(session: AsyncSession, zalo_user_id: str) -> Member | None:
    return await session.scalar(_ACTIVE_BY_ZALO, {"user": zalo_user_id})


LINK_CODE_HOURS = 24


async def create_link_code(session: AsyncSession, member_id: int) -> Invite:
    """A one-time code the member types on their other channel to be the same member there."""
    member = await session.get(Member, member_id)
    invite = Invite(code=new_code(), unit_id=member.unit_id, role=member.role, link_member_id=member.id,
                    expires_at=clock.now() + timedelta(hours=LINK_CODE_HOURS))
    session.add(invite)
    await session.flush()
    audit.record(session, "invite.link_created", actor=member, subject=member, invite_id=invite.id)
    return invite


async def redeem(
    session: AsyncSession, code: str, *, full_name: str,
    telegram_user_id: int | None = None, chat_id: int | None = None,
    zalo_user_id: str | None = None, zalo_chat_id: str | None = None,
) -> Member:
    """Consume the invite and create the membership, or raise InviteError saying why not.

    The person is identified on one channel: Telegram (user and chat id) or Zalo (string ids).
    A link code (Invite.link_member_id) adds this channel to that existing member instead.
    """
    zalo = zalo_user_id is not None
    code = normalise_code(code)
    existing = await (active_zalo_member(session, zalo_user_id) if zalo else active_member(session, telegram_user_id))
    if existing is not None:
        unit_name = existing.unit.name if existing.unit else None
        raise InviteError("already_member", existing.role, unit_name)
    if not CODE_RE.match(code):
        raise InviteError("unknown")
    invite = await session.scalar(
        select(Invite).options(selectinload(Invite.unit)).where(Invite.code == code)
    )
    now = clock.now()
    if invite is None:
        raise InviteError("unknown")
    if invite.used_at is not None:
        raise InviteError("used")
    if invite.expires_at <= now:
        raise InviteError("expired")
    if invite.unit is not None and not invite.unit.active:
        raise InviteError("unit_inactive")
    if invite.link_member_id is not None:
        member = await session.get(Member, invite.link_member_id)
        if member is None or member.left_at is not None:
            raise InviteError("unknown")
        if zalo:
            member.zalo_user_id, member.zalo_chat_id = zalo_user_id, zalo_chat_id
        else:
            member.telegram_user_id, member.chat_id = telegram_user_id, chat_id
        member.reachable = True
    else:
        member = Member(
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            zalo_user_id=zalo_user_id,
            zalo_chat_id=zalo_chat_id,
            channel="zalo" if zalo else "telegram",  # the channel they joined on, until they choose
            full_name=full_name.strip()[:255] or str(zalo_user_id if zalo else telegram_user_id),
            unit_id=invite.unit_id,
            role=invite.role,
            reachable=True,
            joined_at=now,
        )
        session.add(member)
    await session.flush()
    # Claim the code with a conditional UPDATE so two people pressing the same link at once
    # cannot both join on it.
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_at=now, used_by_member_id=member.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InviteError("used")
    member.unit = invite.unit
    action = "member.linked" if invite.link_member_id is not None else "member.joined"
    audit.record(session, action, actor=member, subject=member, invite_id=invite.id, role=member.role,
                 channel="zalo" if zalo else "telegram")
    return member
