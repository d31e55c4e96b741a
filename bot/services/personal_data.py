"""What we hold about a person (PDPL 91/2025): hand it over on request, erase it on request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import clock
from bot.services import audit
from storage.models import AuditEntry, Invite, Member

ERASED_LABEL = "người dùng đã xóa dữ liệu"


async def _memberships(session: AsyncSession, telegram_user_id: int) -> list[Member]:
    return list(
        (
            await session.scalars(
                select(Member)
                .options(selectinload(Member.unit))
                .where(Member.telegram_user_id == telegram_user_id)
                .order_by(Member.joined_at)
            )
        ).all()
    )


async def export(session: AsyncSession, telegram_user_id: int) -> dict[str, Any]:
    """Everything stored about this Telegram account, as plain JSON-able data."""
    memberships = await _memberships(session, telegram_user_id)
    ids = [m.id for m in memberships]
    entries = (
        await session.scalars(
            select(AuditEntry)
            .where(or_(AuditEntry.actor_member_id.in_(ids), AuditEntry.subject_member_id.in_(ids)))
            .order_by(AuditEntry.at)
        )
    ).all()
    return {
        "telegram_user_id": telegram_user_id,
        "memberships": [
            {
                "full_name": m.full_name,
                "chat_id": m.chat_id,
                "unit": {"code": m.unit.code, "name": m.unit.name} if m.unit else None,
                "role": m.role,
                "reachable": m.reachable,
                "joined_at": m.joined_at.isoformat(),
                "left_at": m.left_at.isoformat() if m.left_at else None,
            }
            for m in memberships
        ],
        "activity": [{"at": e.at.isoformat(), "action": e.action} for e in entries],
        "exported_at": clock.now().isoformat(),
    }


async def forget(session: AsyncSession, telegram_user_id: int) -> int:
    """Delete the person's memberships; keep audit entries with the person anonymised.

    Returns how many memberships were erased.
    """
    ids = [m.id for m in await _memberships(session, telegram_user_id)]
    if not ids:
        return 0
    await session.execute(
        update(AuditEntry)
        .where(AuditEntry.actor_member_id.in_(ids))
        .values(actor_member_id=None, actor_label=ERASED_LABEL)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(AuditEntry)
        .where(AuditEntry.subject_member_id.in_(ids))
        .values(subject_member_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Invite)
        .where(Invite.used_by_member_id.in_(ids))
        .values(used_by_member_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(Member).where(Member.id.in_(ids)).execution_options(synchronize_session=False))
    audit.record(session, "member.erased", actor_label=ERASED_LABEL, memberships=len(ids))
    return len(ids)
