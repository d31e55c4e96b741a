"""First contact: which channel accounts the bot has told what it is and what it keeps.

Channel-neutral (no channel code). A row is a channel, the person's user id there and when they
were told — nothing else, except, while they are asked to confirm a join they began before being
told (a deep link's `/start CODE` as their first message), the invite code they sent. Functions
take an AsyncSession and plain values and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring
from storage.models import FirstContact

CHANNELS = ("telegram", "zalo")


def _key(user_id: int | str) -> str:
    return str(user_id)[:64]


async def was_told(session: AsyncSession, channel: str, user_id: int | str) -> bool:
    """Whether this account has been shown the notice on this channel."""
    return await session.get(FirstContact, (channel, _key(user_id))) is not None


async def record_told(session: AsyncSession, channel: str, user_id: int | str, now: datetime,
                      pending_code: str | None = None) -> bool:
    """Note that the notice was shown (with the code they are asked to confirm joining with, if
    any). True when this was their first contact on the channel; told again, the first time is kept."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    statement = (insert_ignoring(session, FirstContact, ["channel", "user_key"])
                 .values(channel=channel, user_key=_key(user_id), told_at=now, pending_code=pending_code)
                 .returning(FirstContact.user_key))
    return await session.scalar(statement) is not None


async def pending_code(session: AsyncSession, channel: str, user_id: int | str) -> str | None:
    """The code held while they are asked to confirm (kept until a join uses it up: a confirm
    handled again after a failure finds it still there)."""
    row = await session.get(FirstContact, (channel, _key(user_id)))
    return row.pending_code if row is not None else None


async def clear_pending_code(session: AsyncSession, channel: str, user_id: int | str) -> None:
    await session.execute(update(FirstContact)
                          .where(FirstContact.channel == channel, FirstContact.user_key == _key(user_id))
                          .values(pending_code=None).execution_options(synchronize_session=False))


def _of(telegram_user_ids: Iterable[int], zalo_user_ids: Iterable[str]):
    tg = [_key(i) for i in telegram_user_ids]
    zl = [_key(i) for i in zalo_user_ids]
    return or_((FirstContact.channel == "telegram") & FirstContact.user_key.in_(tg),
               (FirstContact.channel == "zalo") & FirstContact.user_key.in_(zl))


async def told_at(session: AsyncSession, telegram_user_ids: Iterable[int],
                  zalo_user_ids: Iterable[str]) -> dict[str, datetime]:
    """When these accounts were first told, per channel (the earliest, over several accounts)."""
    rows = (await session.execute(select(FirstContact.channel, FirstContact.told_at)
                                  .where(_of(telegram_user_ids, zalo_user_ids)))).all()
    out: dict[str, datetime] = {}
    for channel, at in rows:
        out[channel] = min(at, out.get(channel, at))
    return out


async def forget(session: AsyncSession, telegram_user_ids: Iterable[int], zalo_user_ids: Iterable[str]) -> None:
    """Erase these accounts' rows (with /forget: told again if they ever write again)."""
    await session.execute(delete(FirstContact).where(_of(telegram_user_ids, zalo_user_ids))
                          .execution_options(synchronize_session=False))
