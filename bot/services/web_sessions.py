"""Sign-in to the web pages through the chat: a one-time link (/web) becomes a browser session.

No passwords. A link is a random token shown once in the member's own chat; only its SHA-256 is
stored, it works once and for `signin_minutes`. Opening it starts a session: another random token
in an HttpOnly cookie (hash stored), with its own CSRF token, ending after `session_hours`, at
sign-out, or at once when the member leaves, is deactivated or erased (the member is looked up on
every request, so no list of sessions needs to be kept in step).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import clock
from bot.services import audit
from bot.services.members import MemberView, view_of
from storage.models import Member, WebSession, WebSignin

SIGNIN_PATH = "/web/signin/"


class SigninError(Exception):
    """A sign-in link that opens nothing: 'unknown', 'used', 'expired' or 'inactive'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Signed:
    """A browser session: the cookie's token (shown once), where to go, and who."""

    token: str
    next_path: str
    member: MemberView


@dataclass(frozen=True)
class Current:
    """The member behind a request's cookie, and the session's CSRF token."""

    member: MemberView
    csrf_token: str
    token_hash: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _safe_path(path: str) -> str:
    """Only our own pages: a path under /web, never another site (//evil, /\\evil, http:…)."""
    if not path.startswith("/web") or path.startswith("//") or "\\" in path or len(path) > 255:
        return "/web"
    return path


async def issue_signin(session: AsyncSession, member_id: int, minutes: int, next_path: str = "/web") -> str:
    """A new one-time token for `member_id`, valid `minutes`; the link is SIGNIN_PATH + token."""
    token = secrets.token_urlsafe(24)
    now = clock.now()
    session.add(WebSignin(token_hash=_hash(token), member_id=member_id, next_path=_safe_path(next_path),
                          created_at=now, expires_at=now + timedelta(minutes=minutes)))
    return token


def signin_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{SIGNIN_PATH}{token}"


async def _active(session: AsyncSession, member_id: int) -> Member | None:
    member = await session.scalar(select(Member).where(Member.id == member_id)
                                  .options(selectinload(Member.unit)))
    return member if member is not None and member.left_at is None else None


async def redeem(session: AsyncSession, token: str, hours: int) -> Signed:
    """Use a sign-in token (once) and open a session; SigninError when it opens nothing."""
    now = clock.now()
    # Claimed with a conditional UPDATE: two browsers opening one link at once get one session.
    claimed = await session.execute(
        update(WebSignin)
        .where(WebSignin.token_hash == _hash(token), WebSignin.used_at.is_(None), WebSignin.expires_at > now)
        .values(used_at=now)
        .returning(WebSignin.member_id, WebSignin.next_path)
    )
    row = claimed.first()
    if row is None:
        signin = await session.get(WebSignin, _hash(token))
        if signin is None:
            raise SigninError("unknown")
        raise SigninError("used" if signin.used_at is not None else "expired")
    member_id, next_path = row
    member = await _active(session, member_id)
    if member is None:
        raise SigninError("inactive")
    cookie = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(cookie), member_id=member_id, csrf_token=secrets.token_urlsafe(24),
                           created_at=now, expires_at=now + timedelta(hours=hours)))
    audit.record(session, "web.signed_in", actor=member)
    return Signed(token=cookie, next_path=next_path, member=view_of(member))


async def current(session: AsyncSession, cookie: str | None) -> Current | None:
    """The session behind a cookie, if it is live and its member still active."""
    if not cookie or len(cookie) > 128:
        return None
    row = await session.get(WebSession, _hash(cookie))
    if row is None or row.ended_at is not None or row.expires_at <= clock.now():
        return None
    member = await _active(session, row.member_id)
    if member is None:
        return None
    return Current(member=view_of(member), csrf_token=row.csrf_token, token_hash=row.token_hash)


async def end(session: AsyncSession, token_hash: str) -> None:
    await session.execute(update(WebSession).where(WebSession.token_hash == token_hash, WebSession.ended_at.is_(None))
                          .values(ended_at=clock.now()))


async def forget(session: AsyncSession, member_ids) -> None:  # noqa: ANN001 - ids
    """/forget: their sessions and links go (the foreign keys cascade too, where they are enforced)."""
    quiet = {"synchronize_session": False}
    await session.execute(delete(WebSession).where(WebSession.member_id.in_(member_ids)).execution_options(**quiet))
    await session.execute(delete(WebSignin).where(WebSignin.member_id.in_(member_ids)).execution_options(**quiet))
