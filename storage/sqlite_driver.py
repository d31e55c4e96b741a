"""aiosqlite with one trip to its thread per statement.

SQLAlchemy's aiosqlite adapter makes four trips to the connection's thread for every statement
(open a cursor, execute, fetch the rows, close the cursor), each a hand-off through a queue and
a wake-up of the event loop. With a handful of statements per update that was the largest cost of
the bot's event loop after SQLAlchemy itself (bench/forms.py). Here the connection is aiosqlite's
own (its thread, queue, commit, rollback and close) and only its cursor differs: `execute` runs
the statement, takes all its rows and closes the sqlite3 cursor in one trip, and the fetches
read what it took. The bot never streams results (no server-side cursors), so taking all rows
at once is what the adapter did anyway.

Given to SQLAlchemy through create_async_engine(async_creator=…), its documented way to supply
the driver's connection (storage.db).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable
from typing import Any

import aiosqlite


def _run(conn: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> tuple:
    """On the connection's thread: the statement, its rows, and what the cursor says after."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class Cursor:
    """The part of aiosqlite's cursor SQLAlchemy uses, one trip per execute."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.description: tuple | None = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: deque[Any] = deque()

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _run(self, sql: str, parameters: Any, many: bool) -> Cursor:
        description, self.rowcount, self.lastrowid, rows = await self._connection._execute(
            _run, self._connection._conn, sql, parameters, many)
        self.description, self._rows = description, deque(rows)
        return self

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Cursor:
        return await self._run(sql, () if parameters is None else parameters, False)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor:
        return await self._run(sql, parameters, True)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        rows = self._rows
        return [rows.popleft() for _ in range(min(size or self.arraysize, len(rows)))]

    async def fetchall(self) -> list[Any]:
        rows, self._rows = list(self._rows), deque()
        return rows

    async def close(self) -> None:
        self._rows.clear()


class Connection(aiosqlite.Connection):
    def cursor(self) -> Cursor:  # type: ignore[override] - no trip: the sqlite3 cursor lives in _run
        return Cursor(self)


def connect(database: str, **kwargs: Any) -> Connection:
    """Like aiosqlite.connect: await it (or let SQLAlchemy) to open the connection on its thread."""
    connection = Connection(lambda: sqlite3.connect(database, **kwargs), iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite: never keep the process alive
    return connection
