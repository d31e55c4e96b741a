"""The forms load benchmark runs end to end (small), and the SQLite pool settings it led to keep
returned connections clean."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from bench import forms
from storage.db import Database


@pytest.mark.parametrize("one_process", [False, True], ids=["bot-in-own-process", "one-process"])
async def test_bench_forms_small_run(one_process: bool) -> None:
    result = await forms.run(4, None, concurrent_updates=1, rate_limit=False, per_unit=2, one_process=one_process)
    assert result["updates"] == 4 * len(forms.SCRIPT)
    assert result["replies"] == result["updates"]  # one answer per step, nothing else
    assert result["confirmed"] == result["submitted"] == 4
    assert result["per_second"] > 0 and result["cpu_per_update"] > 0
    assert result["per_poll"] >= 1  # every update was fetched by some getUpdates


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite pool settings")
async def test_sqlite_connection_returned_mid_transaction_is_rolled_back(tmp_path: Path) -> None:
    path = tmp_path / "pool.db"
    db = Database(f"sqlite:///{path}")
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))

    def write_behind_sqlalchemys_back(sync_conn) -> None:  # noqa: ANN001
        # A write on the DBAPI connection that SQLAlchemy's Connection does not know about: only
        # the pool's reset can end this transaction.
        sync_conn.connection.dbapi_connection.cursor().execute("INSERT INTO t VALUES (1)")

    async with db.engine.connect() as conn:
        await conn.run_sync(write_behind_sqlalchemys_back)
    # The write lock is free again (another writer gets in at once) and the row was not kept.
    other = sqlite3.connect(path, timeout=0.2)
    other.execute("BEGIN IMMEDIATE")
    other.rollback()
    other.close()
    async with db.session() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 0
    await db.dispose()
