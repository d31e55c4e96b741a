"""Alembic environment: shares the caller's connection, or opens one from the configured URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url() -> None:
    from bot.config import load_settings
    from storage.db import Database

    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await db.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `python -m bot db upgrade`.")

connection = config.attributes.get("connection")
if connection is None:
    asyncio.run(_run_from_url())
else:
    _run(connection)
