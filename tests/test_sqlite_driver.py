"""storage.sqlite_driver (aiosqlite, one trip to its thread per statement) under SQLAlchemy: what
statements report back is what sqlite3 reports, errors arrive as SQLAlchemy's, and a write is only
kept once committed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import sqlite_driver
from storage.db import Database


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'driver.db'}")
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, n INTEGER)"))
    yield database
    await database.dispose()


async def test_rows_counts_and_ids_are_what_sqlite_reports(db: Database) -> None:
    async with db.engine.begin() as conn:
        # executemany
        many = await conn.execute(text("INSERT INTO t (name, n) VALUES (:name, :n)"),
                                  [{"name": f"xã {i}", "n": i} for i in range(5)])
        assert many.rowcount == 5
        one = await conn.execute(text("INSERT INTO t (name, n) VALUES ('phường', 10)"))
        assert one.lastrowid == 6
        returned = await conn.execute(text("UPDATE t SET n = n + 1 WHERE n >= 3 RETURNING id, n"))
        assert sorted(returned.all()) == [(4, 4), (5, 5), (6, 11)]
        changed = await conn.execute(text("UPDATE t SET n = 0 WHERE n < 2"))
        assert changed.rowcount == 2
        rows = await conn.execute(text("SELECT name FROM t ORDER BY id"))
        assert rows.fetchone() == ("xã 0",)
        assert rows.fetchmany(2) == [("xã 1",), ("xã 2",)]
        assert rows.fetchall() == [("xã 3",), ("xã 4",), ("phường",)]
        assert (await conn.execute(text("SELECT name FROM t WHERE n = -1"))).first() is None


async def test_errors_arrive_as_sqlalchemys_and_a_rolled_back_write_is_gone(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.session() as session:
            await session.execute(text("INSERT INTO t (name) VALUES ('a')"))
            await session.execute(text("INSERT INTO t (name) VALUES ('a')"))  # UNIQUE
    with pytest.raises(OperationalError):
        async with db.session() as session:
            await session.execute(text("SELECT nothing FROM nowhere"))
    async with db.session() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 0
        await session.execute(text("INSERT INTO t (name) VALUES ('b')"))
    # Committed: another connection (plain sqlite3) sees it.
    with sqlite3.connect(db.engine.url.database) as other:
        assert other.execute("SELECT name FROM t").fetchall() == [("b",)]


async def test_the_driver_alone_opens_runs_and_closes(tmp_path: Path) -> None:
    connection = await sqlite_driver.connect(str(tmp_path / "alone.db"))
    cursor = connection.cursor()
    await cursor.execute("CREATE TABLE u (x)")
    assert cursor.description is None
    await cursor.execute("SELECT 1, 'một'")
    assert cursor.description[1][0] == "'một'" and await cursor.fetchall() == [(1, "một")]
    await connection.close()
