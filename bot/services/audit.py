"""The audit log: every change of who may do what is written down with who did it and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from storage.models import AuditEntry, Member


def record(
    session: AsyncSession,
    action: str,
    *,
    actor: Member | None = None,
    actor_label: str | None = None,
    subject: Member | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the session (committed with the caller's unit of work).

    Details hold ids and codes, not names, so that erasing a person's data leaves no trace of them.
    """
    entry = AuditEntry(
        at=clock.now(),
        actor_member_id=actor.id if actor else None,
        actor_label=actor_label or (f"member:{actor.id}" if actor else "system"),
        action=action,
        subject_member_id=subject.id if subject else None,
        details=details,
    )
    session.add(entry)
    return entry
