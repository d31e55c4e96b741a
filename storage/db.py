"""Engine and session setup. Storage code never commits: the caller's `session()` block does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool


def async_url(url: str) -> str:
    """Map a plain database URL to the async driver we ship (aiosqlite / asyncpg)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres") and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def insert_ignoring(session: AsyncSession, model, keys: list[str]):  # noqa: ANN001, ANN201 - a model; an Insert
    """INSERT … ON CONFLICT (keys) DO NOTHING on the session's engine (SQLite or PostgreSQL): a row
    two writers may add at once is added once, and neither fails."""
    from sqlalchemy.dialects import postgresql, sqlite

    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing(index_elements=keys)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _set_pragmas(dbapi_conn, *, foreign_keys: bool) -> None:  # noqa: ANN001 - DBAPI connection
    # Foreign keys are off by default in SQLite; WAL lets the CLI read while the bot writes;
    # busy_timeout makes a second writer wait instead of failing at once.
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI connection
    _set_pragmas(dbapi_conn, foreign_keys=True)


def create_engine(url: str) -> AsyncEngine:
    if is_sqlite(url):
        _ensure_sqlite_folder(url)
        engine = create_async_engine(async_url(url))
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(async_url(url), pool_pre_ping=True)


def _sqlite_migration_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI connection
    # pysqlite/aiosqlite would commit before every DDL statement and BEGIN only before DML: with
    # isolation_level None it leaves transactions alone, and the "begin" listener below emits them,
    # so a migration's DDL (a batch copy included) is kept or rolled back whole (SQLAlchemy's
    # "Serializable isolation / Savepoints / Transactional DDL" recipe for pysqlite and aiosqlite).
    # Foreign keys are off: a batch copy drops the old table, which with them on would cascade
    # into the tables pointing at it. The pragma is a no-op inside a transaction, so it is set
    # here, before any BEGIN; migrations/env.py checks the keys before each migration commits.
    dbapi_conn.isolation_level = None
    _set_pragmas(dbapi_conn, foreign_keys=False)


def _begin_immediately(conn) -> None:  # noqa: ANN001 - SQLAlchemy Connection
    # IMMEDIATE: take the write lock at the start, so a bot writing meanwhile waits (busy_timeout)
    # rather than the migration failing half-way on a lock it cannot upgrade to.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_migration_engine(url: str) -> AsyncEngine:
    """An engine for Alembic only: on SQLite, transactional DDL with foreign keys off (above). Its
    connections are closed when returned, so none outlives the migration with those settings."""
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    if is_sqlite(url):
        _ensure_sqlite_folder(url)
        event.listen(engine.sync_engine, "connect", _sqlite_migration_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediately)
    return engine


class Database:
    """Holds the engine; hands out one session per update or job."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._after_commit: list[Callable[[AsyncSession], object]] = []

    def after_commit(self, callback: Callable[[AsyncSession], object]) -> None:
        """Call `callback(session)` after each `session()` block commits; it may read session.info,
        where storage code leaves notes (the outbox: "outbox_queued")."""
        self._after_commit.append(callback)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed when the block ends normally, rolled back on error."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            for callback in self._after_commit:
                callback(session)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def empty_scratch_database(db: Database) -> None:
    """Drop everything in a PostgreSQL database's public schema (SQLite: nothing to do).

    Only for the scratch databases of tests and benchmarks: a fresh file is their SQLite equivalent.
    """
    if is_sqlite(db.url):
        return
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
