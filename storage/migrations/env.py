"""Alembic environment: shares the caller's connection, or opens one from the configured URL.

Each migration runs in its own transaction, on both engines (SQLite through the migration
engine of storage.db, which makes its DDL transactional): a failed one is rolled back whole and
the database stays at the revision before it.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _check_foreign_keys(*, ctx, step, heads, run_args) -> None:  # noqa: ANN001 - Alembic's callback
    # SQLite runs migrations with foreign keys off (storage.db.create_migration_engine): before the
    # migration's transaction commits, nothing may point at a row that is not there.
    broken = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"migration {step.up_revision_id or step.down_revision_ids} left broken foreign keys: "
                           f"{broken[:5]}")


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=sqlite,
        compare_type=True,
        transaction_per_migration=True,
        # Alembic assumes SQLite has no transactional DDL; through the migration engine it has.
        transactional_ddl=True,
        on_version_apply=[_check_foreign_keys] if sqlite else [],
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url() -> None:
    from bot.config import load_settings
    from storage.db import create_migration_engine

    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    engine = create_migration_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `python -m bot db upgrade`.")

connection = config.attributes.get("connection")
if connection is None:
    asyncio.run(_run_from_url())
else:
    _run(connection)
