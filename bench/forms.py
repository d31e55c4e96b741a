"""Load benchmark: many officers each complete a nomination at the same time, through the Bot API
simulator and the real Application (handlers, access gate, form engine, database).

    python -m bench.forms                       # 500 officers, SQLite in a temporary folder
    python -m bench.forms --officers 200 --database-url postgresql://postgres@127.0.0.1:5432/bench
    python -m bench.forms --no-rate-limit       # without python-telegram-bot's AIORateLimiter
    python -m bench.forms --concurrent-updates 8

Prints updates handled per second (all updates / wall time), and per form step the p50 / p95 of
the time the bot spends handling one update, and of what an officer waits for (queueing included).
The real configuration handles one update at a time (`concurrent_updates` off) and paces every
request that has a chat_id through AIORateLimiter (30 per second overall, Telegram's broadcast
limit): the defaults here measure that. A PostgreSQL database given here is emptied first.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot import clock
from bot.app import build_application, start_polling, stop_polling
from bot.config import Settings
from bot.services import units
from bot.simulator import BotApiSimulator, TrackingUpdateProcessor
from storage import migrate
from storage.db import Database, empty_scratch_database, is_sqlite
from storage.models import Campaign, CampaignUnit, Member, Unit

TOKEN = "123456:BENCH-TOKEN"
SUMMARY = ("Chủ động tham mưu cải cách thủ tục hành chính, rút ngắn thời gian giải quyết hồ sơ từ 5 ngày "
           "xuống 2 ngày; vận động nhân dân hiến đất làm đường giao thông nông thôn.")
# One nomination, as an individual without evidence: 10 updates.
SCRIPT = ("/nominate", "2", "Nguyễn Văn An", "Phó Chủ tịch UBND xã", "UBND xã", "1", SUMMARY, "1", "/skip", "gửi")
STEP_NAMES = ("open", "kind", "name", "position", "workplace", "sector", "summary", "reward", "evidence", "confirm")


class TimedProcessor(TrackingUpdateProcessor):
    """Records how long handling each update took, by update_id."""

    def __init__(self, max_concurrent_updates: int = 1) -> None:
        super().__init__(max_concurrent_updates)
        self.handling: dict[int, float] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            await super().do_process_update(update, coroutine)
        finally:
            update_id = getattr(update, "update_id", None)
            if isinstance(update_id, int):
                self.handling[update_id] = time.perf_counter() - started



async def _seed(db: Database, officers: int, per_unit: int) -> list[int]:
    """Units, officers (telegram ids from 100000) and one open campaign to every unit, no quota."""
    n_units = (officers + per_unit - 1) // per_unit
    csv = "code,name,kind,parent_code\nT,Tỉnh,tỉnh,\n" + "".join(f"X{i:04d},Xã số {i},xã,T\n" for i in range(n_units))
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(csv))
    async with db.session() as session:
        unit_ids = (await session.scalars(select(Unit.id).where(Unit.code != "T").order_by(Unit.code))).all()
        campaign = Campaign(title="Phong trào thi đua chuyển đổi số năm 2026", reward_forms=["Giấy khen", "Bằng khen"],
                            created_at=clock.now(), launched_at=clock.now())
        session.add(campaign)
        await session.flush()
        session.add_all(CampaignUnit(campaign_id=campaign.id, unit_id=u) for u in unit_ids)
        users = []
        for i in range(officers):
            uid = 100000 + i
            session.add(Member(telegram_user_id=uid, chat_id=uid, full_name=f"Cán bộ {i}",
                               unit_id=unit_ids[i // per_unit], role="officer", joined_at=clock.now()))
            users.append(uid)
    return users


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(officers: int, database_url: str | None, concurrent_updates: int, rate_limit: bool,
              per_unit: int) -> dict[str, Any]:
    folder = tempfile.TemporaryDirectory(prefix="thidua-bench-")
    url = database_url or f"sqlite:///{Path(folder.name) / 'bench.db'}"
    db = Database(url)
    await empty_scratch_database(db)
    await migrate.upgrade(db)
    users = await _seed(db, officers, per_unit)
    await db.dispose()

    async with BotApiSimulator(bot_username="thidua_bench_bot") as sim:
        settings = Settings(token=TOKEN, bot_username="thidua_bench_bot", api_base_url=sim.base_url,
                            api_file_url=sim.base_file_url, database_url=url)
        processor = TimedProcessor(concurrent_updates)
        app = build_application(settings, update_processor=processor)
        if not rate_limit:
            app.bot._rate_limiter = None  # noqa: SLF001 - a bench switch, to see the bot's own capacity
        await start_polling(app, poll_timeout=1)
        for uid in users:
            sim.add_user(uid, f"Cán bộ {uid}")
        waits: dict[int, list[float]] = {i: [] for i in range(len(SCRIPT))}
        handled: dict[int, list[int]] = {i: [] for i in range(len(SCRIPT))}

        async def officer(uid: int) -> None:
            for step, message in enumerate(SCRIPT):
                sent = time.perf_counter()
                update_id = sim.send_text(uid, message)
                await processor.wait_processed(update_id, timeout=600)
                waits[step].append(time.perf_counter() - sent)
                handled[step].append(update_id)

        started = time.perf_counter()
        try:
            await asyncio.gather(*(officer(uid) for uid in users))
        finally:
            wall = time.perf_counter() - started
            await stop_polling(app)
        done = [m for uid in users for m in sim.messages(uid) if "Đã gửi đề xuất #" in (m.get("text") or "")]

    check = Database(url)
    async with check.session() as session:
        submitted = await session.scalar(text("SELECT count(*) FROM nominations WHERE status = 'submitted'"))
    await check.dispose()
    folder.cleanup()
    total = sum(len(v) for v in handled.values())
    steps = {}
    for i, name in enumerate(STEP_NAMES):
        times = [processor.handling[u] for u in handled[i] if u in processor.handling]
        steps[name] = {"handle_p50": _pct(times, 50), "handle_p95": _pct(times, 95),
                       "wait_p50": _pct(waits[i], 50), "wait_p95": _pct(waits[i], 95)}
    all_handling = list(processor.handling.values())
    return {"updates": total, "wall": wall, "per_second": total / wall, "steps": steps,
            "handle_p50": _pct(all_handling, 50), "handle_p95": _pct(all_handling, 95),
            "confirmed": len(done), "submitted": submitted, "engine": "SQLite" if is_sqlite(url) else "PostgreSQL"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--concurrent-updates", type=int, default=1,
                        help="updates handled at once (the bot's configuration: 1)")
    parser.add_argument("--no-rate-limit", action="store_true", help="drop AIORateLimiter (30 sends/s overall)")
    parser.add_argument("--per-unit", type=int, default=2, help="officers per unit")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(run(args.officers, args.database_url, args.concurrent_updates, not args.no_rate_limit,
                             args.per_unit))
    ms = 1000
    print(f"{result['engine']}: {args.officers} officers × {len(SCRIPT)} steps = {result['updates']} updates "
          f"in {result['wall']:.1f} s (concurrent updates: {args.concurrent_updates}, "
          f"rate limiter: {'off' if args.no_rate_limit else 'on'})")
    print(f"updates handled per second: {result['per_second']:.0f}")
    print(f"time handling one update: p50 {result['handle_p50'] * ms:.1f} ms, p95 {result['handle_p95'] * ms:.1f} ms")
    print(f"{'step':<10} {'handle p50':>11} {'handle p95':>11} {'officer waits p50':>18} {'p95':>9}")
    for name, s in result["steps"].items():
        print(f"{name:<10} {s['handle_p50'] * ms:>9.1f}ms {s['handle_p95'] * ms:>9.1f}ms "
              f"{s['wait_p50'] * ms:>16.0f}ms {s['wait_p95'] * ms:>7.0f}ms")
    print(f"nominations confirmed in chat: {result['confirmed']}, stored as submitted: {result['submitted']}")


if __name__ == "__main__":
    main()
