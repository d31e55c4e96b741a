"""The tick's nudge step at scale: 3,321 units, 100,000 pending nudges, 5,000 of them due.

Times `bot.services.nudges.send_due` — find the due rows, skip what is stale, claim the rest with
the conditional UPDATE and queue one outbox message per officer — in one session, as the tick
runs it. Sending the queued messages is the outbox drain's work (see broadcast.py), not timed here.

    python bench/reminders.py [--units 3321] [--pending 100000] [--due 5000] [--database-url URL]

The database defaults to a throw-away SQLite file. A --database-url must be a scratch database:
the bench drops and recreates its public schema (PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from bot import clock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services import nudges  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database, empty_scratch_database  # noqa: E402
from storage.models import Campaign, CampaignUnit, Member, Nudge, OutboxMessage, ReportPeriod, Unit  # noqa: E402

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội: inside the sending hours
CHUNK = 5000


async def seed(db: Database, units: int, pending: int, due: int) -> None:
    async with db.session() as session:
        campaign = Campaign(title="Phong trào thi đua chuyển đổi số", reporting_cadence="6-monthly", launched_at=NOW)
        session.add(campaign)
        await session.flush()
        await session.execute(insert(Unit), [{"code": f"U{i:05d}", "name": f"Xã số {i}", "kind": "xã",
                                              "created_at": NOW} for i in range(units)])
        unit_ids = list((await session.scalars(select(Unit.id).order_by(Unit.id))).all())
        await session.execute(insert(CampaignUnit), [{"campaign_id": campaign.id, "unit_id": u} for u in unit_ids])
        await session.execute(insert(Member), [
            {"telegram_user_id": 50_000_000 + u, "chat_id": 50_000_000 + u, "full_name": f"Cán bộ {u}",
             "unit_id": u, "role": "officer", "joined_at": NOW} for u in unit_ids
        ])
        periods = -(-pending // units)
        await session.execute(insert(ReportPeriod), [
            {"campaign_id": campaign.id, "kind": "one-off", "label": f"Kỳ {p + 1}", "opens_on": date(2026, 5, 1),
             "due_on": date(2026, 6, 15) + timedelta(days=p), "confirmed_at": NOW, "created_at": NOW}
            for p in range(periods)
        ])
        period_ids = list((await session.scalars(select(ReportPeriod.id).order_by(ReportPeriod.id))).all())
        rows = []
        for n in range(pending):
            p, u = divmod(n, units)
            # The first `due` rows are due (one per period and unit, so each is sent); the rest later.
            at = NOW - timedelta(minutes=30) if n < due else NOW + timedelta(days=1 + p)
            rows.append({"period_id": period_ids[p], "unit_id": unit_ids[u], "step": "due", "due_at": at})
        for i in range(0, len(rows), CHUNK):
            await session.execute(insert(Nudge), rows[i:i + CHUNK])


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        await empty_scratch_database(db)
        await migrate.upgrade(db)
        started = time.perf_counter()
        await seed(db, args.units, args.pending, args.due)
        print(f"seeded {args.units} units, {args.pending} pending nudges ({args.due} due) "
              f"in {time.perf_counter() - started:.1f} s on {url.split(':', 1)[0]}")
        clock.set_now(NOW)
        settings = Settings(database_url=url)
        started = time.perf_counter()
        async with db.session() as session:
            report = await nudges.send_due(session, settings, NOW)
        elapsed = time.perf_counter() - started
        async with db.session() as session:
            queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
        print(f"nudge step: {elapsed:.3f} s — {report.sent} nudges sent, {report.skipped} skipped, "
              f"{queued} outbox messages queued ({report.sent / elapsed:,.0f} nudges/s)")
        started = time.perf_counter()
        async with db.session() as session:
            again = await nudges.send_due(session, settings, NOW)
        print(f"second tick at the same moment: {time.perf_counter() - started:.3f} s — {again.sent} nudges sent")
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=5000)
    parser.add_argument("--database-url")
    asyncio.run(main(parser.parse_args()))
