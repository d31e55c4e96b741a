"""One-time invite codes that bind a person's chat to a unit and a role."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from bot import clock
from bot.services import audit, first_contact, outbox
from storage.models import ROLES, Invite, Member

# No 0/O, 1/I/L: codes are sometimes read aloud over the phone and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{4,64}$")


class InviteError(Exception):
    """Why a code cannot be used: 'unknown', 'used', 'expired', 'unit_inactive', 'already_member',
    or for a link code 'link_same_channel', 'link_identity_bound', 'link_used', 'link_expired'.

    For 'already_member', `role` and `unit_name` say what the person already is (plain values:
    the session is rolled back when this propagates). A refused link code carries `audit`, the
    details of the audit row the caller writes with record_refusal in a session of its own (the
    one that raised is rolled back); `here` and `other` name the channels for the refusal text.
    """

    def __init__(self, reason: str, role: str | None = None, unit_name: str | None = None, *,
                 audit: dict[str, Any] | None = None, here: str | None = None, other: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.role = role
        self.unit_name = unit_name
        self.audit = audit
        self.here = here
        self.other = other


class LinkError(Exception):
    """No link code for this member: 'complete' (already on both channels) or 'not_found'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    scope_unit_id: int | None = None,
) -> list[Invite]:
    """Invite codes; an admin's or leader's carries the reach its member gets (None: the whole tree)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    expires_at = clock.now() + timedelta(days=expires_days)
    scope_unit_id = scope_unit_id if role != "officer" else None
    invites = [Invite(code=new_code(), unit_id=unit_id, role=role, expires_at=expires_at, scope_unit_id=scope_unit_id)
               for _ in range(count)]
    session.add_all(invites)
    await session.flush()
    audit.record(
        session,
        "invite.created",
        actor=created_by,
        actor_label=actor_label,
        role=role,
        unit_id=unit_id,
        scope_unit_id=scope_unit_id,
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


CHANNELS = ("telegram", "zalo")
LINK_NOTICE_KIND = "link_notice"


def _other(channel: str) -> str:
    return "zalo" if channel == "telegram" else "telegram"


def _identity(member: Member, channel: str) -> str | int | None:
    return member.zalo_user_id if channel == "zalo" else member.telegram_user_id


async def create_link_code(session: AsyncSession, member_id: int, *, minutes: int = 15) -> Invite:
    """A one-time code the member types on their other channel, within `minutes`, to be the same
    member there. LinkError('complete') when they are on both channels already: a link code only
    ever adds the channel the member lacks, it never replaces one."""
    member = await session.get(Member, member_id)
    if member is None or member.left_at is not None:
        raise LinkError("not_found")
    missing = [c for c in CHANNELS if _identity(member, c) is None]
    if not missing:
        raise LinkError("complete")
    invite = Invite(code=new_code(), unit_id=member.unit_id, role=member.role, link_member_id=member.id,
                    expires_at=clock.now() + timedelta(minutes=minutes))
    session.add(invite)
    await session.flush()
    audit.record(session, "invite.link_created", actor=member, subject=member, invite_id=invite.id,
                 made_on=_other(missing[0]), for_channel=missing[0], minutes=minutes)
    return invite


def record_refusal(session: AsyncSession, error: InviteError) -> None:
    """The audit row of a refused link code (error.audit), in the caller's new session."""
    if error.audit:
        details = dict(error.audit)
        audit.record(session, "invite.link_refused", actor_label=details.pop("actor_label"),
                     subject=None, **details)


async def _redeem_link(
    session: AsyncSession, invite: Invite, existing: Member | None, channel: str, user_id: str | int,
    chat_id: str | int | None, now: datetime,
) -> Member:
    """Add `channel` to the member who made the link code, or refuse (every refusal audited).

    Only the channel the owner does not have yet (so a code made on Telegram works only on Zalo and
    back), only for an identity no other member holds, once, before it expires."""
    owner = await session.scalar(select(Member).options(joinedload(Member.unit)).where(Member.id == invite.link_member_id))

    def refuse(reason: str) -> InviteError:
        actor = f"member:{existing.id}" if existing is not None else f"{channel}:{user_id}"
        return InviteError(reason, here=channel, other=_other(channel), audit={
            "actor_label": actor, "reason": reason, "invite_id": invite.id, "channel": channel,
            "owner_member_id": invite.link_member_id,
        })

    if owner is None or owner.left_at is not None:
        raise refuse("unknown")
    if invite.used_at is not None:
        raise refuse("link_used")
    if invite.expires_at <= now:
        raise refuse("link_expired")
    if _identity(owner, channel) is not None:
        raise refuse("link_same_channel")
    if existing is not None:
        raise refuse("link_identity_bound")
    if channel == "zalo":
        owner.zalo_user_id, owner.zalo_chat_id = str(user_id), chat_id
        owner.zalo_accepted_at = now  # shown this channel's notice first (bot.first_contact)
    else:
        owner.telegram_user_id, owner.chat_id = int(user_id), chat_id
        owner.telegram_accepted_at = now
    owner.reachable = True
    await session.flush()
    await _claim(session, invite, owner, now)
    audit.record(session, "member.linked", actor=owner, subject=owner, invite_id=invite.id, role=owner.role,
                 channel=channel)
    await first_contact.clear_pending_code(session, channel, user_id)  # a code held for confirming: used
    # The owner hears of it where they were before (the code's channel), through the outbox: if
    # someone else typed their code, this is how they find out.
    made_on = _other(channel)
    before = ({"channel": "zalo", "chat_id": None, "address": owner.zalo_chat_id} if made_on == "zalo"
              else {"channel": "telegram", "chat_id": owner.chat_id, "address": None})
    await outbox.enqueue(session, **before, member_id=owner.id, kind=LINK_NOTICE_KIND,
                         dedupe_key=f"linked:{invite.id}",
                         payload={"method": "sendMessage", "text": link_notice(channel, now)})
    return owner


def link_notice(channel: str, now: datetime) -> str:
    from bot import texts  # words live with the other user-facing strings

    return texts.LINK_NOTICE.format(channel=texts.CHANNEL_NAMES[channel], at=clock.fmt_datetime(now))


async def _claim(session: AsyncSession, invite: Invite, member: Member, now: datetime) -> None:
    """Claim the code with a conditional UPDATE so two people pressing the same link at once
    cannot both join on it."""
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_at=now, used_by_member_id=member.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InviteError("link_used" if invite.link_member_id is not None else "used")


async def redeem(
    session: AsyncSession, code: str, *, full_name: str,
    telegram_user_id: int | None = None, chat_id: int | None = None,
    zalo_user_id: str | None = None, zalo_chat_id: str | None = None,
) -> Member:
    """Consume the invite and create the membership, or raise InviteError saying why not.

    The person is identified on one channel: Telegram (user and chat id) or Zalo (string ids).
    Joining records their acceptance on that channel (the caller has shown them its notice).
    A link code (Invite.link_member_id) adds this channel to that existing member instead.
    """
    zalo = zalo_user_id is not None
    code = normalise_code(code)
    invite = None
    if CODE_RE.match(code):
        invite = await session.scalar(select(Invite).options(selectinload(Invite.unit)).where(Invite.code == code))
    existing = await (active_zalo_member(session, zalo_user_id) if zalo else active_member(session, telegram_user_id))
    now = clock.now()
    if invite is not None and invite.link_member_id is not None:
        channel = "zalo" if zalo else "telegram"
        return await _redeem_link(session, invite, existing, channel, zalo_user_id if zalo else telegram_user_id,
                                  zalo_chat_id if zalo else chat_id, now)
    if existing is not None:
        unit_name = existing.unit.name if existing.unit else None
        raise InviteError("already_member", existing.role, unit_name)
    if invite is None:
        raise InviteError("unknown")
    if invite.used_at is not None:
        raise InviteError("used")
    if invite.expires_at <= now:
        raise InviteError("expired")
    if invite.unit is not None and not invite.unit.active:
        raise InviteError("unit_inactive")
    member = Member(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        zalo_user_id=zalo_user_id,
        zalo_chat_id=zalo_chat_id,
        channel="zalo" if zalo else "telegram",  # the channel they joined on, until they choose
        full_name=full_name.strip()[:255] or str(zalo_user_id if zalo else telegram_user_id),
        unit_id=invite.unit_id,
        role=invite.role,
        scope_unit_id=invite.scope_unit_id if invite.role != "officer" else None,
        reachable=True,
        joined_at=now,
        # Only someone already shown the channel's notice gets here (bot.first_contact): joining is
        # their acceptance of what it said.
        telegram_accepted_at=None if zalo else now,
        zalo_accepted_at=now if zalo else None,
    )
    session.add(member)
    await session.flush()
    await _claim(session, invite, member, now)
    member.unit = invite.unit
    audit.record(session, "member.joined", actor=member, subject=member, invite_id=invite.id, role=member.role,
                 channel="zalo" if zalo else "telegram")
    await first_contact.clear_pending_code(session, "zalo" if zalo else "telegram",
                                           zalo_user_id if zalo else telegram_user_id)
    return member
