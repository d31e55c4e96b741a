"""Cascading campaigns at the size of a province since 1 July 2025: 1 tỉnh + 98 xã + 14 sở, each
xã with 20 units of its own (2,073 units), two officers per unit (about 4,150), one admin per xã's
office. The province launches to its xã and sở; every xã launches its implementing plan to its
own units. Prints the time each launch takes to queue, how long its broadcast takes at the sending
budget (and, for the province's, the real drain through the Bot API simulator at Telegram's
limits), and the p95 of the province's roll-up (/campaign and /status: per xã, launched or not,
and its units' counts) and the time of its digest.

    python bench/cascade.py [--xa 98] [--so 14] [--per-xa 20] [--repeat 20] [--database-url URL]

The database defaults to a throw-away SQLite file; a --database-url must be a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot import clock, jobs  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.limits import RateLimiter  # noqa: E402
from bot.sending_budget import DatabaseSchedule  # noqa: E402
from bot.services import campaigns, cascade, digest_sending, outbox, report_periods  # noqa: E402
from devkit.simulator import BotApiSimulator  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database, empty_scratch_database  # noqa: E402
from storage.models import Campaign, CampaignUnit, Member, Nomination, OutboxMessage, Unit  # noqa: E402

TOKEN = "123456:CASCADE-BENCH"
KINDS = ("thôn", "ấp", "trường học", "đoàn thể", "cơ quan")


async def seed(db: Database, xa: int, so: int, per_xa: int) -> tuple[int, list[int], list[int]]:
    """The tree and its people, in bulk; returns the province admin's id, the xã admins' ids and
    every officer's chat id."""
    units, members = [], []
    units.append({"id": 1, "code": "TINH", "name": "UBND tỉnh", "kind": "tỉnh", "parent_id": None})
    next_id = 2
    xa_ids = []
    for i in range(xa):
        xa_id = next_id
        next_id += 1
        xa_ids.append(xa_id)
        units.append({"id": xa_id, "code": f"X{i:03d}", "name": f"Xã số {i + 1}", "kind": "xã", "parent_id": 1})
        for j in range(per_xa):
            units.append({"id": next_id, "code": f"X{i:03d}-{j:02d}", "name": f"Đơn vị {j + 1} của xã {i + 1}",
                          "kind": KINDS[j % len(KINDS)], "parent_id": xa_id})
            next_id += 1
    for k in range(so):
        units.append({"id": next_id, "code": f"S{k:02d}", "name": f"Sở số {k + 1}", "kind": "sở", "parent_id": 1})
        next_id += 1
    chat = 10_000_000
    officers = []
    for u in units[1:]:
        for _ in range(2):
            chat += 1
            officers.append(chat)
            members.append({"telegram_user_id": chat, "chat_id": chat, "full_name": f"Cán bộ {chat}",
                            "unit_id": u["id"], "role": "officer", "joined_at": clock.now()})
    admins = [{"telegram_user_id": 1, "chat_id": 1, "full_name": "Văn phòng tỉnh", "unit_id": 1, "role": "admin",
               "joined_at": clock.now()}]
    admins += [{"telegram_user_id": 2 + n, "chat_id": 2 + n, "full_name": f"Văn phòng xã {n + 1}", "unit_id": uid,
                "role": "admin", "scope_unit_id": uid, "joined_at": clock.now()} for n, uid in enumerate(xa_ids)]
    async with db.session() as session:
        await session.execute(insert(Unit), units)
        await session.execute(insert(Member), members + admins)
    async with db.session() as session:
        province = await session.scalar(select(Member.id).where(Member.telegram_user_id == 1))
        xa_admins = list((await session.scalars(select(Member.id).where(Member.scope_unit_id.is_not(None))
                                                .order_by(Member.id))).all())
    return province, xa_admins, officers


ANSWERS = {"title": "Phong trào thi đua “Chung sức xây dựng nông thôn mới” năm 2026", "reporting_cadence": "6-monthly",
           "period_start": "2026-06-01", "period_end": "2027-12-31", "reward_forms": ["Giấy khen", "Bằng khen"]}


async def drain(db: Database, settings: Settings, sim: BotApiSimulator) -> float:
    """The running bot's drain (one limiter, its slots in the database) until the outbox is empty."""
    limiter = RateLimiter.from_settings(settings.outbox, schedule=DatabaseSchedule("telegram", db))
    request = HTTPXRequest(connection_pool_size=settings.outbox.concurrency * 2)
    started = time.monotonic()
    async with Bot(TOKEN, base_url=sim.base_url, base_file_url=sim.base_file_url, request=request) as bot:
        while True:
            report = await jobs.drain_outbox(bot, db, settings, worker_id="bench", limiter=limiter)
            if report.left == 0:
                return time.monotonic() - started
            async with db.session() as session:
                due = await outbox.next_due_at(session)
            if due is not None:
                await asyncio.sleep(min(max((due - clock.now()).total_seconds(), 0.01), 0.5))


async def queued(db: Database) -> int:
    async with db.session() as session:
        return len((await session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None)))).all())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xa", type=int, default=98)
    parser.add_argument("--so", type=int, default=14)
    parser.add_argument("--per-xa", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/cascade.db"
        db = Database(url)
        await empty_scratch_database(db)
        await migrate.upgrade(db)
        province, xa_admins, officers = await seed(db, args.xa, args.so, args.per_xa)
        print(f"{1 + args.xa * (1 + args.per_xa) + args.so:,} units, {len(officers):,} officers, "
              f"{len(xa_admins)} xã offices")
        sim = BotApiSimulator(global_rate=30, per_chat_rate=1, latency=0.05)
        await sim.start()
        for chat in officers:
            sim.add_user(chat, f"Cán bộ {chat}")
        settings = Settings(token=TOKEN, api_base_url=sim.base_url, api_file_url=sim.base_file_url, database_url=url)
        rate = settings.outbox.rate_per_second
        try:
            started = time.perf_counter()
            async with db.session() as session:
                top = await campaigns.launch(session, {**ANSWERS, "doc_number": "5232/KH-UBND", "target_mode": "kind",
                                                       "target_kinds": ["xã", "sở"]}, province)
            took = time.perf_counter() - started
            rows = await queued(db)
            print(f"province launch: {top.units} units, {top.officers} officers, {rows:,} messages queued in "
                  f"{took:.2f} s; at the budget ({rate}/s) ≥ {rows / rate:.1f} s")
            sent = await drain(db, settings, sim)
            print(f"  drained through the simulator (30/s, 1/s per chat, 50 ms) in {sent:.1f} s = "
                  f"{rows / sent:.1f} msg/s")

            times = []
            for admin in xa_admins:
                started = time.perf_counter()
                async with db.session() as session:
                    await campaigns.launch(session, {**ANSWERS, "target_mode": "all",
                                                     "parent_campaign_id": top.campaign_id}, admin)
                times.append(time.perf_counter() - started)
            rows = await queued(db)
            print(f"{len(xa_admins)} xã launches ({args.per_xa} units each): each queued in p50 "
                  f"{statistics.median(times) * 1000:.0f} ms, p95 {sorted(times)[int(len(times) * 0.95) - 1] * 1000:.0f} ms; "
                  f"{rows:,} messages in all, at the budget ({rate}/s) ≥ {rows / rate:.0f} s "
                  f"(≈ {rows / len(xa_admins) / rate:.1f} s per xã's broadcast alone)")

            # Some of it done: acknowledgements and a nomination per xã's unit, so the counts are real.
            async with db.session() as session:
                child_ids = list((await session.scalars(select(Campaign.id).where(
                    Campaign.parent_campaign_id == top.campaign_id))).all())
                for cid in child_ids[: len(child_ids) // 2]:
                    rows_ = (await session.execute(select(CampaignUnit).where(
                        CampaignUnit.campaign_id == cid))).scalars().all()
                    for cu in rows_:
                        cu.acknowledged_at = clock.now()
                        session.add(Nomination(campaign_id=cid, unit_id=cu.unit_id, kind="individual",
                                               full_name="Nguyễn Văn An", summary="Thành tích", status="submitted", sector="Giáo dục",
                                               reward_form="Giấy khen", period_key="2026",
                                               created_at=clock.now(), updated_at=clock.now()))
                await report_periods.ensure_proposed(session, await session.get(Campaign, top.campaign_id),
                                                     settings)

            spans = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                async with db.session() as session:
                    await campaigns.unit_statuses(session, top.campaign_id)
                    await report_periods.campaign_status(session, top.campaign_id)
                    children = await cascade.rollup(session, top.campaign_id)
                spans.append(time.perf_counter() - started)
            launched = sum(1 for c in children if c.child_campaign_id)
            spans.sort()
            p95 = spans[max(int(len(spans) * 0.95) - 1, 0)]
            print(f"province roll-up (/campaign + /status, {len(children)} units, {launched} launched): "
                  f"p50 {statistics.median(spans) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (goal < 1000 ms)")

            now = clock.now()
            started = time.perf_counter()
            async with db.session() as session:
                rendered = await digest_sending.render(session, now, now - timedelta(days=7))
            print(f"province digest: {time.perf_counter() - started:.2f} s ({len(rendered.text):,} characters, "
                  f"chart {len(rendered.chart or b''):,} bytes)")
        finally:
            await sim.stop()
            await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
