"""The inbox: every incoming update, stored before the platform is told it was received.

Channel-neutral (no telegram import). Functions take an AsyncSession and plain values and never
commit. A row goes pending → handling (claimed by one process, under a lease it renews) →
handled, or parked after failing; one chat's rows are claimed one at a time, in arrival order,
whichever process claims them (`claim`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import texts
from bot.services import outbox
from bot.services.members import destination
from storage.db import insert_ignoring
from storage.models import InboxUpdate, Member

PENDING, HANDLING, HANDLED, PARKED = "pending", "handling", "handled", "parked"
ERROR_LIMIT = 1000


@dataclass(frozen=True)
class Incoming:
    """One update as a channel adapter hands it over: its key, whose turn it takes, the raw JSON."""

    channel: str
    update_key: str
    chat_key: str
    payload: dict[str, Any]


async def store(session: AsyncSession, updates: Iterable[Incoming], now: datetime) -> int:
    """Insert the updates not stored yet (the same key again is a no-op); returns how many were new."""
    rows = [{"channel": u.channel, "update_key": u.update_key[:64], "chat_key": u.chat_key[:64],
             "payload": u.payload, "status": PENDING, "attempts": 0, "received_at": now} for u in updates]
    if not rows:
        return 0
    new = 0
    for row in rows:  # one statement each: RETURNING tells which were new on both engines
        statement = (insert_ignoring(session, InboxUpdate, ["channel", "update_key"]).values(**row)
                     .returning(InboxUpdate.id))
        if await session.scalar(statement) is not None:
            new += 1
    return new


def _claimable(now: datetime):
    """A row that may be (re)claimed: pending and not waiting out a retry, or handling under a
    lease that ran out (its process died)."""
    return or_(
        and_(InboxUpdate.status == PENDING,
             or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until <= now)),
        and_(InboxUpdate.status == HANDLING, InboxUpdate.lease_until <= now),
    )


async def claim(session: AsyncSession, worker: str, now: datetime, limit: int, *, lease_seconds: float,
                busy_chats: Iterable[tuple[str, str]] = (),
                channels: Iterable[str] | None = None) -> list[InboxUpdate]:
    """Claim up to `limit` rows, each the earliest unfinished row of its chat.

    A chat with an earlier row pending or being handled anywhere has nothing claimable, so one
    person's updates are handled strictly in arrival order across processes; the conditional
    UPDATE makes only one process win a row. `channels`: only rows this process can handle (a
    Zalo-only process and a Telegram one may share a database)."""
    if limit <= 0:
        return []
    earlier = aliased(InboxUpdate)
    blocked = exists().where(
        earlier.channel == InboxUpdate.channel, earlier.chat_key == InboxUpdate.chat_key,
        earlier.id < InboxUpdate.id, earlier.status.in_((PENDING, HANDLING)))
    busy = set(busy_chats)
    candidates = (await session.execute(
        select(InboxUpdate.id, InboxUpdate.channel, InboxUpdate.chat_key)
        .where(_claimable(now), ~blocked,
               *([InboxUpdate.channel.in_(list(channels))] if channels is not None else []))
        .order_by(InboxUpdate.id).limit(limit + len(busy))
    )).all()
    claimed: list[int] = []
    until = now + timedelta(seconds=lease_seconds)
    for row_id, channel, chat_key in candidates:
        if (channel, chat_key) in busy or len(claimed) >= limit:
            continue
        won = await session.execute(
            update(InboxUpdate).where(InboxUpdate.id == row_id, _claimable(now))
            .values(status=HANDLING, claimed_by=worker, lease_until=until, attempts=InboxUpdate.attempts + 1)
        )
        if won.rowcount == 1:
            claimed.append(row_id)
    if not claimed:
        return []
    rows = (await session.scalars(select(InboxUpdate).where(InboxUpdate.id.in_(claimed))
                                  .order_by(InboxUpdate.id))).all()
    return list(rows)


async def renew(session: AsyncSession, worker: str, ids: Sequence[int], until: datetime) -> None:
    """Keep the lease of rows this process is still handling."""
    if ids:
        await session.execute(update(InboxUpdate).where(
            InboxUpdate.id.in_(ids), InboxUpdate.claimed_by == worker, InboxUpdate.status == HANDLING,
        ).values(lease_until=until))


def _payload(keep: bool) -> dict[str, Any]:
    return {} if keep else {"payload": {}}


async def mark_handled(session: AsyncSession, row_id: int, worker: str, now: datetime, *,
                       keep_payload: bool = True) -> bool:
    """Done. False when the row was meanwhile taken over by another process (lease lost).
    keep_payload=False: a stranger's update, only its keys are kept (bot.first_contact)."""
    done = await session.execute(update(InboxUpdate).where(
        InboxUpdate.id == row_id, InboxUpdate.claimed_by == worker, InboxUpdate.status == HANDLING,
    ).values(status=HANDLED, handled_at=now, lease_until=None, error=None, **_payload(keep_payload)))
    return done.rowcount == 1


async def release(session: AsyncSession, worker: str, ids: Sequence[int], *, not_before: datetime | None = None,
                  error: str | None = None, count_attempt: bool = False) -> None:
    """Give rows back (the bot is stopping, or a transient failure): pending again, first in their
    chat's line. A stop does not count as an attempt."""
    if not ids:
        return
    values: dict[str, Any] = {"status": PENDING, "claimed_by": None, "lease_until": not_before}
    if error is not None:
        values["error"] = error[:ERROR_LIMIT]
    if not count_attempt:
        values["attempts"] = InboxUpdate.attempts - 1
    await session.execute(update(InboxUpdate).where(
        InboxUpdate.id.in_(ids), InboxUpdate.claimed_by == worker, InboxUpdate.status == HANDLING,
    ).values(**values))


async def park(session: AsyncSession, row: InboxUpdate, worker: str, error: str, now: datetime, *,
               keep_payload: bool = True) -> bool:
    """Set the row aside with its error (the chat's later rows go on) and tell the admins, once
    per channel and hour however many rows are parked. False if the row was not ours any more."""
    parked = await session.execute(update(InboxUpdate).where(
        InboxUpdate.id == row.id, InboxUpdate.claimed_by == worker, InboxUpdate.status == HANDLING,
    ).values(status=PARKED, error=error[:ERROR_LIMIT], lease_until=None, handled_at=now, **_payload(keep_payload)))
    if parked.rowcount != 1:
        return False
    admins = (await session.scalars(select(Member).where(Member.role == "admin", Member.left_at.is_(None))
                                    .order_by(Member.id))).all()
    hour = now.strftime("%Y%m%d%H")
    text = texts.INBOX_PARKED.format(channel=texts.CHANNEL_NAMES.get(row.channel, row.channel), row_id=row.id,
                                     error=error[:300])
    for admin in admins:
        await outbox.enqueue(session, **destination(admin), member_id=admin.id, kind="inbox_parked",
                             dedupe_key=f"inbox-parked:{row.channel}:{hour}:{admin.id}",
                             payload={"method": "sendMessage", "text": text})
    return True


async def release_dead(session: AsyncSession, holders: Iterable[str]) -> int:
    """Rows claimed by processes known to be dead (this host, a pid no longer running): pending
    again at once, without waiting for their lease."""
    holders = list(holders)
    if not holders:
        return 0
    done = await session.execute(update(InboxUpdate).where(
        InboxUpdate.status == HANDLING, InboxUpdate.claimed_by.in_(holders),
    ).values(status=PENDING, claimed_by=None, lease_until=None))
    return done.rowcount or 0


async def holders(session: AsyncSession) -> list[str]:
    """Who holds rows being handled."""
    return list((await session.scalars(
        select(InboxUpdate.claimed_by).where(InboxUpdate.status == HANDLING).distinct())).all())


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget handled rows older than the retention period (parked ones stay for the admins)."""
    done = await session.execute(delete(InboxUpdate).where(
        InboxUpdate.status == HANDLED, InboxUpdate.received_at < before))
    return done.rowcount or 0


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = (await session.execute(select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status))).all()
    return {status: n for status, n in rows}
