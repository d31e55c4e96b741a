"""Alembic migrations, both ways: at bot start, by `python -m bot db upgrade [REV]` and by
`python -m bot db downgrade REV`.

Each migration runs in its own transaction (storage/migrations/env.py), on SQLite too (the
migration engine of storage.db): one that fails leaves the database at the revision before it,
with nothing half-made.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from storage.db import Database, create_migration_engine

MIGRATIONS = Path(__file__).with_name("migrations")
BASE = "base"


class MigrationRefused(Exception):
    """A downgrade that would lose what the older schema cannot hold; `text` says so in Vietnamese."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class UnknownRevision(Exception):
    pass


class InvalidTarget(Exception):
    """Alembic cannot go from the current revision to the one asked (e.g. a downgrade upwards)."""


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def revisions() -> list[str]:
    """Every revision, oldest first (they are numbered)."""
    script = ScriptDirectory.from_config(alembic_config())
    return sorted(rev.revision for rev in script.walk_revisions())


def check_revision(revision: str) -> None:
    """Raise UnknownRevision unless `revision` names a migration, "heads"/"head" or "base"."""
    if revision in ("heads", "head", BASE):
        return
    if revision not in revisions():
        raise UnknownRevision(revision)


def _command(connection: Connection, action: Callable[[Config, str], None], revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    try:
        action(cfg, revision)
    except CommandError as exc:
        raise InvalidTarget(str(exc)) from exc


async def _migrate(db: Database, action: Callable[[Config, str], None], revision: str) -> None:
    check_revision(revision)
    engine = create_migration_engine(db.url)
    try:
        async with engine.connect() as conn:
            # Not in a transaction here: env.py gives each migration its own.
            await conn.run_sync(_command, action, revision)
    finally:
        await engine.dispose()


async def upgrade(db: Database, revision: str = "heads") -> None:
    """Bring the schema up to `revision`, one transaction per migration.

    "heads": features developed side by side may add migrations on separate branches.
    """
    await _migrate(db, command.upgrade, revision)


async def downgrade(db: Database, revision: str) -> None:
    """Take the schema down to `revision` ("base": no table of the bot left), one transaction per
    migration; MigrationRefused if a step would lose data its older schema cannot hold."""
    await _migrate(db, command.downgrade, revision)


def _current(connection: Connection) -> str | None:
    heads = MigrationContext.configure(connection).get_current_heads()
    return ", ".join(sorted(heads)) or None


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current)
