"""Stored files: what the bot received or must give again, kept whole in the database."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from storage.models import StoredFile


async def store(session: AsyncSession, content: bytes, filename: str, mime_type: str | None, *,
                uploaded_by: int | None = None, now: datetime | None = None) -> StoredFile:
    """Add a file (flushed, so it has its id)."""
    stored = StoredFile(filename=filename[:255], mime_type=mime_type, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), content=content,
                        uploaded_by_member_id=uploaded_by, created_at=now or clock.now())
    session.add(stored)
    await session.flush()
    return stored
