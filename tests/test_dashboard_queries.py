"""The dashboard's figures come from a fixed number of queries, whatever the number of units:
six, and one per confirmed report period (bot/services/dashboard.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event

from bot import clock
from bot.services import dashboard
from devkit.sample_campaign import seed

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=clock.LOCAL_TZ)


async def _queries(db, campaign_id: int, filters: dashboard.Filters) -> tuple[int, int]:  # noqa: ANN001
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.session() as session:
            board = await dashboard.campaign_dashboard(session, campaign_id, filters, NOW.date())
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")]), len(board.rows)


async def test_the_number_of_queries_does_not_grow_with_the_units(db):
    clock.set_now(NOW)
    async with db.session() as session:
        small = await seed(session, units=5, nominations=10, reports=5, delivered=5)
        large = await seed(session, units=120, nominations=400, reports=200, delivered=100, code_prefix="L",
                           with_heads=False)
    assert await _queries(db, small.campaign_id, dashboard.Filters()) == (6 + 2, 5)
    assert await _queries(db, large.campaign_id, dashboard.Filters()) == (6 + 2, 120)
    one_period = dashboard.Filters(period_id=large.period_ids[0])
    assert await _queries(db, large.campaign_id, one_period) == (6 + 1, 120)
