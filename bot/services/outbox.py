"""The outbox: every broadcast message is a row, claimed before it is sent.

Channel-neutral (no telegram import). Functions take an AsyncSession and plain values and never
commit: the caller's `db.session()` block does. A claim must be committed before the send, so
that two processes on one database never send the same row twice (see `claim_due`).

Payloads are JSON: `{"method": "sendMessage", "text": ..., "reply_markup"?: ..., "parse_mode"?: ...}`
or `{"method": "sendDocument" | "sendPhoto", "file_id": <StoredFile.id>, "caption"?: ...,
"reply_markup"?: ...}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import clock
from storage.models import Member, OutboxMessage

PENDING, SENDING, SENT, FAILED, SUPERSEDED = "pending", "sending", "sent", "failed", "superseded"
STATUSES = (PENDING, SENDING, SENT, FAILED, SUPERSEDED)
METHODS = ("sendMessage", "sendDocument", "sendPhoto")
ERROR_LIMIT = 1000

_OPTIONAL_KEYS = ("member_id", "campaign_id", "dedupe_key", "address", "topic")
CHUNK = 500  # topics per IN (…)


@dataclass(frozen=True)
class FailedChat:
    """A chat a campaign's message could not reach, and why."""

    outbox_id: int
    chat_id: int
    member_id: int | None
    error: str | None


def _insert(session: AsyncSession):
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING, in the session's dialect."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])


def _check_payload(payload: Mapping[str, Any]) -> None:
    method = payload.get("method")
    if method not in METHODS:
        raise ValueError(f"outbox payload method must be one of {METHODS}, not {method!r}")
    if method == "sendMessage" and not isinstance(payload.get("text"), str):
        raise ValueError("a sendMessage payload needs its text")
    if method != "sendMessage" and not isinstance(payload.get("file_id"), int):
        raise ValueError(f"a {method} payload needs file_id, the id of a StoredFile")


def _row(
    *, chat_id: int | None, payload: Mapping[str, Any], kind: str, channel: str, now: datetime,
    not_before: datetime | None, **optional: Any,
) -> dict[str, Any]:
    _check_payload(payload)
    if chat_id is None and not optional.get("address"):
        raise ValueError("an outbox message needs chat_id (Telegram) or address (other channels)")
    row = {
        "channel": channel,
        "chat_id": None if chat_id is None else int(chat_id),
        "kind": kind,
        "payload": dict(payload),
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "created_at": now,
    }
    for key in _OPTIONAL_KEYS:
        row[key] = optional.get(key)
    return row


# Left in session.info by enqueue: once the session commits, the bot drains at once (bot.app).
QUEUED = "outbox_queued"


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int | None,
    payload: Mapping[str, Any],
    kind: str,
    member_id: int | None = None,
    campaign_id: int | None = None,
    dedupe_key: str | None = None,
    channel: str = "telegram",
    address: str | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage | None:
    """Add one message; None when a row with the same dedupe_key already exists.

    To a person, pass `**members.destination(member)`: their chosen channel and chat there."""
    row = _row(chat_id=chat_id, payload=payload, kind=kind, channel=channel, now=clock.now(),
               not_before=not_before, member_id=member_id, campaign_id=campaign_id, dedupe_key=dedupe_key,
               address=address)
    new_id = await session.scalar(_insert(session).values(**row).returning(OutboxMessage.id))
    if new_id is None:
        return None
    session.info[QUEUED] = True
    return await session.get(OutboxMessage, new_id)


async def enqueue_many(
    session: AsyncSession,
    messages: Iterable[Mapping[str, Any]],
    *,
    kind: str | None = None,
    campaign_id: int | None = None,
    channel: str = "telegram",
    not_before: datetime | None = None,
    supersede: bool = False,
) -> int:
    """Add many messages in one INSERT (batched by the driver); returns how many were new.

    Each message is a mapping with chat_id (or channel and address) and payload, and optionally
    kind, member_id, campaign_id, dedupe_key, topic; kind and campaign_id given here apply to those
    that lack them. Messages whose dedupe_key exists already are skipped. With `supersede`, the
    older rows still pending on a new message's topic are dropped (status superseded): after an
    outage a person gets the newest nudge or digest, not the stale one beside it.
    """
    now = clock.now()
    rows = []
    for message in messages:
        optional = {key: message.get(key) for key in _OPTIONAL_KEYS}
        if optional["campaign_id"] is None:
            optional["campaign_id"] = campaign_id
        message_kind = message.get("kind") or kind
        if not message_kind:
            raise ValueError("every outbox message needs a kind")
        rows.append(_row(chat_id=message.get("chat_id"), payload=message["payload"], kind=message_kind,
                         channel=message.get("channel") or channel, now=now,
                         not_before=message.get("not_before") or not_before, **optional))
    if not rows:
        return 0
    new_ids = [row[0] for row in (await session.execute(_insert(session).returning(OutboxMessage.id), rows)).all()]
    if new_ids:
        session.info[QUEUED] = True
    if supersede and new_ids:
        topics = sorted({row["topic"] for row in rows if row["topic"]})
        await supersede_older(session, topics, min(new_ids))
    return len(new_ids)


async def supersede_older(session: AsyncSession, topics: list[str], before_id: int | None = None) -> int:
    """Rows on these topics older than `before_id` (None: all of them) and still pending become
    superseded (never sent); returns how many. One being sent, or sent, is left as it is."""
    dropped = 0
    for i in range(0, len(topics), CHUNK):
        older = [] if before_id is None else [OutboxMessage.id < before_id]
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.topic.in_(topics[i:i + CHUNK]), OutboxMessage.status == PENDING, *older)
            .values(status=SUPERSEDED)
            .execution_options(synchronize_session=False)
        )
        dropped += result.rowcount or 0
    return dropped


def _due(now: datetime, lease_seconds: float, model=OutboxMessage):  # noqa: ANN001 - the model or an alias
    """Pending and due, or claimed by someone whose lease has run out (a crashed process)."""
    stale_before = now - timedelta(seconds=lease_seconds)
    return or_(
        and_(model.status == PENDING, model.next_attempt_at <= now),
        and_(model.status == SENDING, model.claimed_at < stale_before),
    )


def _chat_column(model, channel: str):
    """The column that names a row's chat: Telegram's chat id, or another channel's address."""
    return model.chat_id if channel == "telegram" else model.address


async def claim_due(
    session: AsyncSession, worker: str, now: datetime, limit: int, *, lease_seconds: float = 120,
    channel: str = "telegram", chat_gap_seconds: float = 0.0, group_per_minute: int | None = None,
    wall_now: datetime | None = None, in_flight: Iterable[int] = (),
) -> list[OutboxMessage]:
    """Claim up to `limit` due rows for `worker`; commit before sending them.

    At most one row per chat at a time, in the chat's order: a row is claimed only if no other
    row of its chat is being sent, no earlier row of its chat is due, and the chat's last message
    was sent at least `chat_gap_seconds` ago (a group: fewer than `group_per_minute` in the last
    minute). So a chat's second message waits in the table, not in a send slot, while other
    chats' rows go out; and several processes never send to one chat at once.

    `in_flight`: rows this process is still sending, never taken over by it, whatever their
    claim's age says (a moved clock can make a live claim look stale).

    The pacing is real time: `wall_now` is the real moment (`now` may be a moved clock, as in
    tests and `tick --now`), and only messages sent around it count — one stamped by a moved
    clock far from it does not hold its chat (the sender's own limiter still paces that chat).

    One conditional UPDATE … RETURNING: a row is returned only if this statement changed it, and
    the condition is re-checked on the row itself, so a row another worker claimed first (or
    already sent) is never returned. On PostgreSQL the candidates are picked with SKIP LOCKED so
    concurrent workers take different rows instead of queueing on the same ones, and in a
    MATERIALIZED CTE: as a plain `IN (subquery)` the planner may re-run the LIMITed subquery
    for every row it updates and claim the whole table.
    """
    due = _due(now, lease_seconds)
    other = aliased(OutboxMessage)
    stale_before = now - timedelta(seconds=lease_seconds)
    mine, theirs = _chat_column(OutboxMessage, channel), _chat_column(other, channel)
    held = [
        and_(other.status == SENDING, other.claimed_at >= stale_before),  # in flight
        and_(other.id < OutboxMessage.id, _due(now, lease_seconds, other)),  # the chat's earlier row first
    ]
    if chat_gap_seconds > 0 and wall_now is not None:
        gap = timedelta(seconds=chat_gap_seconds)
        held.append(and_(other.status == SENT, other.sent_at > wall_now - gap, other.sent_at <= wall_now + gap))
    free = ~select(other.id).where(other.channel == channel, theirs == mine, other.id != OutboxMessage.id,
                                   or_(*held)).exists()
    conditions = [due, OutboxMessage.channel == channel, free]
    in_flight = list(in_flight)
    if in_flight:
        conditions.append(OutboxMessage.id.not_in(in_flight))
    if group_per_minute is not None and wall_now is not None and channel == "telegram":
        minute = timedelta(minutes=1)
        sent_last_minute = (
            select(func.count()).where(other.channel == channel, other.chat_id == OutboxMessage.chat_id,
                                       other.status == SENT, other.sent_at > wall_now - minute,
                                       other.sent_at <= wall_now + minute)
            .scalar_subquery()
        )
        conditions.append(or_(OutboxMessage.chat_id >= 0, sent_last_minute < group_per_minute))
    candidates = (
        select(OutboxMessage.id)
        .where(*conditions)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    claimed = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(select(candidates.c.id)), due)
        .values(status=SENDING, claimed_at=now, claimed_by=worker, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return sorted(claimed.all(), key=lambda row: (row.next_attempt_at, row.id))


async def release_claims(session: AsyncSession, ids: Iterable[int], now: datetime) -> None:
    """Claimed rows that were never sent (the bot is stopping): back to pending, due now, their
    claim's attempt given back."""
    ids = list(ids)
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == SENDING)
            .values(status=PENDING, next_attempt_at=now, claimed_at=None, claimed_by=None,
                    attempts=case((OutboxMessage.attempts > 0, OutboxMessage.attempts - 1), else_=0))
        )


async def mark_sent(session: AsyncSession, id: int, message_id: int | None, now: datetime) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == id)
        .values(status=SENT, sent_at=now, telegram_message_id=message_id, error=None)
    )


async def mark_retry(
    session: AsyncSession, id: int, error: str | None, next_attempt_at: datetime, *, count_attempt: bool = True
) -> None:
    """Back to pending until next_attempt_at. count_attempt=False gives the claim's attempt back
    (a 429 or our own pacing is not the message's fault)."""
    values: dict[str, Any] = {
        "status": PENDING, "error": error[:ERROR_LIMIT] if error else None, "next_attempt_at": next_attempt_at,
    }
    if not count_attempt:
        values["attempts"] = case((OutboxMessage.attempts > 0, OutboxMessage.attempts - 1), else_=0)
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == id, OutboxMessage.status != SENT).values(**values)
    )


async def mark_failed(session: AsyncSession, id: int, error: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == id, OutboxMessage.status != SENT)
        .values(status=FAILED, error=error[:ERROR_LIMIT])
    )


async def follow_chat_migration(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: unsent rows and the members in it move to the new chat id."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status != SENT)
        .values(chat_id=new_chat_id)
    )
    await session.execute(update(Member).where(Member.chat_id == old_chat_id).values(chat_id=new_chat_id))


async def counts_for_campaign(session: AsyncSession, campaign_id: int) -> dict[str, int]:
    """{status: number of rows} for every status, zeros included."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.campaign_id == campaign_id)
        .group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: n for status, n in rows.all()})
    return counts


async def failed_chats_for_campaign(session: AsyncSession, campaign_id: int) -> list[FailedChat]:
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.chat_id, OutboxMessage.member_id, OutboxMessage.error)
        .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.status == FAILED)
        .order_by(OutboxMessage.id)
    )
    return [FailedChat(*row) for row in rows.all()]


async def unsent_count(session: AsyncSession, channel: str = "telegram") -> int:
    """Rows still to go out (pending or being sent), due or not."""
    return await session.scalar(
        select(func.count()).where(OutboxMessage.channel == channel, OutboxMessage.status.in_((PENDING, SENDING)))
    ) or 0


async def next_due_at(session: AsyncSession, channel: str = "telegram") -> datetime | None:
    """When the earliest pending row becomes due (None if nothing is pending)."""
    return await session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.channel == channel, OutboxMessage.status == PENDING
        )
    )
