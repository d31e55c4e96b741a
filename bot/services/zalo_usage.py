"""Zalo's monthly message budget (zalo.monthly_quota): every Zalo message counted per calendar
month (Asia/Ho_Chi_Minh), in the database, so that several bot processes together stay within it.

A send claims its messages first — one conditional UPDATE … SET sent = sent + n WHERE sent + n <=
limit, RETURNING the new count — and goes out only if the claim won; what did not reach the chat
is given back. The policy (README "Hạn mức tin Zalo mỗi tháng"):

- the outbox (broadcasts, nudges, digests, notices) may use the quota minus a reserve of
  REPLY_RESERVE_PERCENT; replies to a person who is writing (and the outbox's "reply" rows, the
  replies Zalo could not take at once) may use all of it; at the quota nothing more is sent, and
  outbox rows wait, pending, for the next month;
- when the month's count reaches WARN_PERCENT of the quota the admins are told once (claimed on
  the month's row, so once whatever the number of processes);
- near the budget (`near_budget`) one person's nudges of a day are queued as one message
  (bot.services.nudges).

Channel-neutral: "zalo" is the outbox's channel name; nothing here talks to Zalo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.config import Settings
from bot.services import outbox
from bot.services.members import DESTINATION_COLUMNS, destination
from bot.texts import zalo as zt
from storage.db import insert_ignoring
from storage.models import Member, OutboxMessage, ZaloUsage

CHANNEL = "zalo"
WARN_PERCENT = 80
REPLY_RESERVE_PERCENT = 5
REPLY_KINDS = ("reply",)  # outbox rows that are replies: they may use the reserve


def month_of(moment: datetime) -> str:
    """The calendar month (local time) a moment falls in: "2026-12"."""
    return clock.local(moment).strftime("%Y-%m")


def next_month_start(moment: datetime) -> datetime:
    """00:00 local on the first day of the month after `moment`'s, as aware UTC."""
    local = clock.local(moment)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 1, tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def reserve(quota: int) -> int:
    """Messages at the end of the quota kept for replies (at least one when there is a quota)."""
    return 0 if quota <= 0 else max(1, -(-quota * REPLY_RESERVE_PERCENT // 100))


def warn_at(quota: int) -> int:
    return -(-quota * WARN_PERCENT // 100)


def limit_for(quota: int, *, reply: bool) -> int | None:
    """The month's count a send may bring the total to: None = no limit."""
    if quota <= 0:
        return None
    return quota if reply else quota - reserve(quota)


async def _ensure_month(session: AsyncSession, month: str) -> None:
    await session.execute(insert_ignoring(session, ZaloUsage, ["month"]).values(month=month, sent=0))


async def claim(session: AsyncSession, quota: int, count: int, moment: datetime, *, reply: bool) -> int | None:
    """Count `count` messages about to be sent in `moment`'s month; the month's new total, or
    None when they would pass the limit (nothing counted then). Atomic: of two processes racing
    for the last message, one wins."""
    month = month_of(moment)
    await _ensure_month(session, month)
    statement = update(ZaloUsage).where(ZaloUsage.month == month)
    limit = limit_for(quota, reply=reply)
    if limit is not None:
        statement = statement.where(ZaloUsage.sent + count <= limit)
    return await session.scalar(statement.values(sent=ZaloUsage.sent + count).returning(ZaloUsage.sent))


async def give_back(session: AsyncSession, month: str, count: int) -> None:
    """Messages claimed but not sent (Zalo refused them): no longer counted."""
    if count > 0:
        await session.execute(
            update(ZaloUsage).where(ZaloUsage.month == month)
            .values(sent=case((ZaloUsage.sent > count, ZaloUsage.sent - count), else_=0))
        )


async def warn_if_due(session: AsyncSession, quota: int, sent: int, moment: datetime) -> bool:
    """At WARN_PERCENT of the quota, once a month: queue the warning to every admin on their own
    channel. True if this call claimed the month's warning."""
    if quota <= 0 or sent < warn_at(quota):
        return False
    month = month_of(moment)
    claimed = await session.execute(
        update(ZaloUsage).where(ZaloUsage.month == month, ZaloUsage.warned_at.is_(None))
        .values(warned_at=clock.now())
    )
    if claimed.rowcount != 1:
        return False
    admins = (await session.execute(
        select(Member.id, *DESTINATION_COLUMNS).where(Member.role == "admin", Member.left_at.is_(None))
        .order_by(Member.id)
    )).all()
    text = zt.quota_warning(month, sent, quota)
    await outbox.enqueue_many(session, [
        {**destination(admin), "member_id": admin.id, "dedupe_key": f"zalo-quota:{month}:{admin.id}",
         "payload": {"method": "sendMessage", "text": text}}
        for admin in admins
    ], kind="zalo_quota_warning")
    return True


async def sent_in(session: AsyncSession, month: str) -> int:
    return await session.scalar(select(ZaloUsage.sent).where(ZaloUsage.month == month)) or 0


async def queued(session: AsyncSession) -> int:
    """Zalo messages waiting in the outbox (pending or being sent), due or not."""
    return await outbox.unsent_count(session, CHANNEL)


@dataclass(frozen=True)
class Usage:
    month: str
    sent: int
    quota: int  # 0: no limit
    queued: int

    @property
    def line(self) -> str:
        return zt.usage_line(self.month, self.sent, self.quota, self.queued)


async def usage(session: AsyncSession, settings: Settings, moment: datetime | None = None) -> Usage:
    """This month's Zalo usage, for the admins' /status."""
    month = month_of(moment or clock.now())
    return Usage(month, await sent_in(session, month), settings.zalo.monthly_quota, await queued(session))


async def status_line(session: AsyncSession, settings: Settings) -> str | None:
    """The admins' line in /status, or None when Zalo is not used (no token and nothing sent)."""
    found = await usage(session, settings)
    if not settings.zalo.enabled and not found.sent and not found.queued:
        return None
    return found.line


async def near_budget(session: AsyncSession, settings: Settings, moment: datetime, adding: int) -> bool:
    """Near the budget: the month's count has reached the warning mark, or what is sent, what
    waits in the outbox and the `adding` messages about to be queued would together pass what
    the outbox may use this month."""
    quota = settings.zalo.monthly_quota
    if quota <= 0:
        return False
    sent = await sent_in(session, month_of(moment))
    if sent >= warn_at(quota):
        return True
    waiting = await session.scalar(
        select(func.count()).where(OutboxMessage.channel == CHANNEL,
                                   OutboxMessage.status.in_((outbox.PENDING, outbox.SENDING)))
    ) or 0
    return sent + waiting + adding > limit_for(quota, reply=False)


async def admin_note(session: AsyncSession, settings: Settings, role: str) -> str:
    """What /status adds for an admin: a blank line and the month's Zalo usage ("" otherwise)."""
    line = await status_line(session, settings) if role == "admin" else None
    return f"\n\n{line}" if line else ""
