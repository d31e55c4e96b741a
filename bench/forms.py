"""Load benchmark: many officers each complete a nomination at the same time, through the Bot API
simulator and the real Application (handlers, access gate, form engine, database).

    python -m bench.forms                       # 500 officers, SQLite in a temporary folder
    python -m bench.forms --officers 200 --database-url postgresql://postgres@127.0.0.1:5432/bench
    python -m bench.forms --rate-limit          # with the sending budget, as `run` has it (~30/s)
    python -m bench.forms --concurrent-updates 1   # strictly one update at a time
    python -m bench.forms --one-process         # the bot on the simulator's event loop, as before

The bot runs in a process of its own and long-polls the simulator over HTTP, as a real bot polls
Telegram; the simulator and the officers (this process) do not eat into its event loop or its CPU.

Prints updates handled per second (all updates / wall time), and per form step the p50 / p95 of
the time the bot spends handling one update (from its turn to its end; with 2 at once each takes
longer), and of what an officer waits for: from sending a reply to receiving the bot's answer,
queueing included; the CPU time each process used per update; and how many updates each
getUpdates brought. Like the real configuration (config.toml's bot.concurrent_updates), the bot
handles 2 officers' updates at once, each officer's in order (`--concurrent-updates`).
By default without the sending budget (bot/sending_budget.py): it lets 30 requests with a chat_id
per second through (Telegram's limit) and every step answers with one message, so with it
(`--rate-limit`) the figure is Telegram's pace, ~30/s, not the bot's capacity.
A PostgreSQL database given here is emptied first.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import resource
import tempfile
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot import clock
from bot.app import build_application, start_bot, stop_bot, use_fast_event_loop
from bot.config import Settings
from bot.services import units
from devkit.simulator import BotApiSimulator
from storage import migrate
from storage.db import Database, empty_scratch_database, is_sqlite
from storage.models import Campaign, CampaignUnit, Member, Unit

TOKEN = "123456:BENCH-TOKEN"
SUMMARY = ("Chủ động tham mưu cải cách thủ tục hành chính, rút ngắn thời gian giải quyết hồ sơ từ 5 ngày "
           "xuống 2 ngày; vận động nhân dân hiến đất làm đường giao thông nông thôn.")
# One nomination, as an individual without evidence: 10 updates, each answered by one message.
SCRIPT = ("/nominate", "2", "Nguyễn Văn An", "Phó Chủ tịch UBND xã", "UBND xã", "1", SUMMARY, "1", "/skip", "gửi")
STEP_NAMES = ("open", "kind", "name", "position", "workplace", "sector", "summary", "reward", "evidence", "confirm")


class TimedProcessor:
    """An inbox observer recording when handling each update started and ended, by update_id.
    time.monotonic is one clock for every process on the machine, so the spans compare across them."""

    def __init__(self) -> None:
        self.spans: dict[int, tuple[float, float]] = {}
        self._started: dict[int, float] = {}

    def started(self, row: Any) -> None:  # its turn: the wait for it is in what the officer waits
        self._started[row.id] = time.monotonic()

    def finished(self, row: Any, outcome: str) -> None:
        started = self._started.pop(row.id, None)
        if started is not None and row.channel == "telegram":
            self.spans[int(row.update_key)] = (started, time.monotonic())


class BenchSimulator(BotApiSimulator):
    """The simulator, plus one waiter per chat that the bot's next message there resolves: an
    officer waits for the answer, as a person does (the simulator's wait_for wakes every waiter on
    every message, too slow for 500 at once)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reply_waiters: dict[int, asyncio.Future[None]] = {}

    async def _publish(self, message: dict[str, Any]) -> None:
        await super()._publish(message)
        waiter = self.reply_waiters.pop(message["chat"]["id"], None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    polls = 0  # getUpdates calls that brought updates
    polled = 0  # updates they brought

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        updates = await super()._get_updates(params)
        if updates:
            self.polls += 1
            self.polled += len(updates)
        return updates

    async def answer(self, user_id: int, text: str) -> int:
        """Send `text` as `user_id`; return its update_id once the bot has answered."""
        waiter = asyncio.get_running_loop().create_future()
        self.reply_waiters[user_id] = waiter
        update_id = self.send_text(user_id, text)
        await asyncio.wait_for(waiter, 600)
        return update_id


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads, aiosqlite's included
    return usage.ru_utime + usage.ru_stime


async def serve_bot(url: str, api_url: str, file_url: str, concurrent_updates: int, rate_limit: bool, *,
                    until_stopped: Callable[[], Awaitable[object]], ready: Callable[[], object]) -> dict[str, Any]:
    """The real Application long-polling the simulator at `api_url` until `until_stopped()` returns.
    Returns the handling spans and the CPU time this process used meanwhile."""
    settings = Settings(token=TOKEN, bot_username="thidua_bench_bot", api_base_url=api_url,
                        api_file_url=file_url, database_url=url, concurrent_updates=concurrent_updates)
    processor = TimedProcessor()
    app = build_application(settings, observer=processor)
    if not rate_limit:
        app.bot._rate_limiter = None  # noqa: SLF001 - a bench switch, to see the bot's own capacity
    await start_bot(app, poll_timeout=1)
    cpu = _cpu_seconds()
    ready()
    try:
        await until_stopped()
    finally:
        cpu = _cpu_seconds() - cpu
        await stop_bot(app)
    return {"spans": processor.spans, "cpu": cpu}


def _bot_process(conn: Connection, args: tuple) -> None:
    """The child process: the bot alone on its event loop. Says "ready", waits for "stop", answers
    with serve_bot's result."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # "skipped: tick still running" while draining

    async def serve() -> dict[str, Any]:
        return await serve_bot(*args, until_stopped=lambda: asyncio.to_thread(conn.recv),
                               ready=lambda: conn.send("ready"))

    use_fast_event_loop()  # as `python -m bot run` does
    conn.send(asyncio.run(serve()))


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
              per_unit: int, one_process: bool) -> dict[str, Any]:
    folder = tempfile.TemporaryDirectory(prefix="thidua-bench-")
    url = database_url or f"sqlite:///{Path(folder.name) / 'bench.db'}"
    db = Database(url)
    await empty_scratch_database(db)
    await migrate.upgrade(db)
    users = await _seed(db, officers, per_unit)
    await db.dispose()

    async with BenchSimulator(bot_username="thidua_bench_bot") as sim:
        for uid in users:
            sim.add_user(uid, f"Cán bộ {uid}")
        args = (url, sim.base_url, sim.base_file_url, concurrent_updates, rate_limit)
        if one_process:  # the bot shares this event loop with the simulator and the officers
            stop, ready = asyncio.Event(), asyncio.Event()
            bot = asyncio.create_task(serve_bot(*args, until_stopped=stop.wait, ready=ready.set))
            await asyncio.wait([bot, asyncio.create_task(ready.wait())], return_when=asyncio.FIRST_COMPLETED)
            if bot.done():
                bot.result()  # raises what stopped it
        else:
            spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited event loop
            conn, child_conn = spawn.Pipe()
            process = spawn.Process(target=_bot_process, args=(child_conn, args), name="bench-bot")
            process.start()
            child_conn.close()  # so that recv() fails instead of hanging if the child dies
            await asyncio.to_thread(conn.recv)  # "ready"
        handled: dict[int, list[int]] = {i: [] for i in range(len(SCRIPT))}
        waits: dict[int, list[float]] = {i: [] for i in range(len(SCRIPT))}

        async def officer(uid: int) -> None:
            for step, message in enumerate(SCRIPT):
                sent = time.monotonic()
                handled[step].append(await sim.answer(uid, message))
                waits[step].append(time.monotonic() - sent)

        started, cpu_before = time.monotonic(), _cpu_seconds()
        try:
            await asyncio.gather(*(officer(uid) for uid in users))
        finally:
            answered, cpu_here = time.monotonic(), _cpu_seconds() - cpu_before
            if one_process:
                stop.set()
                result = await bot
            else:
                conn.send("stop")
                result = await asyncio.to_thread(conn.recv)
                process.join()
        replies = [m.get("text") or "" for uid in users for m in sim.messages(uid)]
        per_poll = sim.polled / sim.polls if sim.polls else 0.0

    check = Database(url)
    async with check.session() as session:
        submitted = await session.scalar(text("SELECT count(*) FROM nominations WHERE status = 'submitted'"))
    await check.dispose()
    folder.cleanup()

    spans = result["spans"]
    total = sum(len(ids) for ids in handled.values())
    # The run ends when the last answer arrived or when the bot finished its last update, if later.
    wall = max(answered, *(spans[u][1] for ids in handled.values() for u in ids if u in spans)) - started
    handling = {u: end - begin for u, (begin, end) in spans.items()}
    steps = {}
    for i, name in enumerate(STEP_NAMES):
        times = [handling[u] for u in handled[i] if u in handling]
        steps[name] = {"handle_p50": _pct(times, 50), "handle_p95": _pct(times, 95),
                       "wait_p50": _pct(waits[i], 50), "wait_p95": _pct(waits[i], 95)}
    all_handling = list(handling.values())
    return {"updates": total, "wall": wall, "per_second": total / wall, "steps": steps,
            "handle_p50": _pct(all_handling, 50), "handle_p95": _pct(all_handling, 95),
            "cpu_per_update": result["cpu"] / total, "sim_cpu_per_update": cpu_here / total, "replies": len(replies),
            "confirmed": sum("Đã gửi đề xuất #" in r for r in replies), "submitted": submitted,
            "per_poll": per_poll, "engine": "SQLite" if is_sqlite(url) else "PostgreSQL"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--concurrent-updates", type=int, default=Settings.concurrent_updates,
                        help=f"updates of different officers the bot handles at once (config.toml's bot.concurrent_updates, "
                             f"default {Settings.concurrent_updates})")
    parser.add_argument("--rate-limit", action="store_true",
                        help="keep the sending budget (30 sends/s overall, Telegram's pace) instead of measuring the bot")
    parser.add_argument("--per-unit", type=int, default=2, help="officers per unit")
    parser.add_argument("--one-process", action="store_true",
                        help="run the bot on the simulator's event loop instead of in its own process")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(run(args.officers, args.database_url, args.concurrent_updates, args.rate_limit,
                             args.per_unit, args.one_process))
    ms = 1000
    print(f"{result['engine']}: {args.officers} officers × {len(SCRIPT)} steps = {result['updates']} updates "
          f"in {result['wall']:.1f} s (concurrent updates: {args.concurrent_updates}, "
          f"rate limiter: {'on' if args.rate_limit else 'off'}, "
          f"bot {'on the simulator’s event loop' if args.one_process else 'in its own process'})")
    print(f"updates handled per second: {result['per_second']:.0f}")
    print(f"time handling one update: p50 {result['handle_p50'] * ms:.1f} ms, p95 {result['handle_p95'] * ms:.1f} ms")
    if args.one_process:
        print(f"CPU time per update (bot, simulator and officers): {result['cpu_per_update'] * ms:.1f} ms")
    else:
        print(f"CPU time per update: bot process {result['cpu_per_update'] * ms:.1f} ms, "
              f"simulator and officers {result['sim_cpu_per_update'] * ms:.1f} ms")
    print(f"updates per getUpdates: {result['per_poll']:.1f}")
    print(f"{'step':<10} {'handle p50':>11} {'handle p95':>11} {'officer waits p50':>18} {'p95':>9}")
    for name, s in result["steps"].items():
        print(f"{name:<10} {s['handle_p50'] * ms:>9.1f}ms {s['handle_p95'] * ms:>9.1f}ms "
              f"{s['wait_p50'] * ms:>16.0f}ms {s['wait_p95'] * ms:>7.0f}ms")
    print(f"nominations confirmed in chat: {result['confirmed']}, stored as submitted: {result['submitted']}, "
          f"answers: {result['replies']} (expected {result['updates']})")


if __name__ == "__main__":
    main()
