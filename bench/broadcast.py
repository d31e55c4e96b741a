"""Broadcast throughput: our outbox drain vs. a plain python-telegram-bot loop.

Both send what a launch sends — to each of N private chats the campaign's text with its button,
then the plan document — through the Bot API simulator set like Telegram (30 messages/s overall
as a sliding 1-second window, 1/s per chat, 50 ms latency) with a few injected 429s and 500s,
and report messages/s, the fraction of the 30/s limit, and how many chats missed a message
(lost) or got one twice (duplicated).

    python bench/broadcast.py [--chats 2000] [--database-url URL] [--only ours|ptb] [--no-shared-budget]

The database defaults to a throw-away SQLite file. A --database-url must be a scratch database:
the bench migrates it and empties its outbox table.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete  # noqa: E402
from telegram import Bot, InlineKeyboardMarkup  # noqa: E402
from telegram.error import TelegramError  # noqa: E402
from telegram.ext import AIORateLimiter, ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bench.launch import BUTTON, DOCUMENT, LAUNCH_TEXT, enqueue_launch, launch_received  # noqa: E402
from bot import clock, jobs  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.limits import RateLimiter  # noqa: E402
from bot.sending_budget import DatabaseSchedule  # noqa: E402
from bot.services import outbox  # noqa: E402
from devkit.simulator import BotApiSimulator  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database, is_sqlite  # noqa: E402
from storage.models import OutboxMessage  # noqa: E402

TOKEN = "123456:BENCH-TOKEN-thidua-broadcast-xx"
LIMIT = 30
LATENCY = 0.05
FAULTS = {"429": 5, "500": 5}
FIRST_CHAT = 10_000_001


@dataclass
class Result:
    name: str
    chats: int
    seconds: float
    delivered: int
    lost: int
    duplicated: int
    rate_limited: int
    faults: int

    def print(self) -> None:
        rate = self.delivered / self.seconds
        print(
            f"{self.name}: {self.chats} chats × 2 messages in {self.seconds:.1f} s — {rate:.1f} msg/s = "
            f"{rate / LIMIT:.3f} of the {LIMIT}/s limit; lost {self.lost}, duplicated {self.duplicated}; "
            f"429s from pacing {self.rate_limited}, injected faults hit {self.faults}"
        )


async def simulator(chats: list[int]) -> BotApiSimulator:
    sim = BotApiSimulator(global_rate=LIMIT, per_chat_rate=1, latency=LATENCY)
    await sim.start()
    for chat in chats:
        sim.add_user(chat, f"Cán bộ {chat}")
    # Spread the faults over the run: each hits the first send to one chat.
    step = max(1, len(chats) // (sum(FAULTS.values()) + 1))
    targets = iter(chats[step::step])
    for kind, count in FAULTS.items():
        for _ in range(count):
            sim.inject_faults(kind, 1, chat_id=next(targets))
    return sim


def tally(name: str, sim: BotApiSimulator, chats: list[int], seconds: float) -> Result:
    received = launch_received(sim, chats)
    return Result(
        name=name,
        chats=len(chats),
        seconds=seconds,
        delivered=received["delivered"],
        lost=received["lost"],
        duplicated=received["duplicated"],
        rate_limited=sim.stats["rate_limited"],
        faults=sim.stats["faults_triggered"],
    )


async def bench_ours(chats: list[int], database_url: str, shared: bool = True) -> Result:
    db = Database(database_url)
    await migrate.upgrade(db)
    sim = await simulator(chats)
    settings = Settings(token=TOKEN, api_base_url=sim.base_url, api_file_url=sim.base_file_url,
                        database_url=database_url)
    try:
        async with db.session() as session:
            await session.execute(delete(OutboxMessage))
        started = time.monotonic()
        rows = await enqueue_launch(db, chats)
        print(f"  enqueued {rows} rows in {time.monotonic() - started:.2f} s")

        # As the running bot: one limiter per channel, its slots shared through the database.
        limiter = RateLimiter.from_settings(settings.outbox, schedule=DatabaseSchedule("telegram", db) if shared else None)
        request = HTTPXRequest(connection_pool_size=settings.outbox.concurrency * 2)
        async with Bot(TOKEN, base_url=sim.base_url, base_file_url=sim.base_file_url, request=request) as bot:
            started = time.monotonic()
            while True:
                report = await jobs.drain_outbox(bot, db, settings, worker_id="bench", limiter=limiter)
                if report.left == 0:
                    break
                async with db.session() as session:  # rows waiting for a retry: wait until due
                    due = await outbox.next_due_at(session)
                if due is not None:
                    await asyncio.sleep(min(max((due - clock.now()).total_seconds(), 0.01), 0.5))
            seconds = time.monotonic() - started
        return tally("ours (outbox drain)", sim, chats, seconds)
    finally:
        await sim.stop()
        await db.dispose()


async def bench_ptb(chats: list[int]) -> Result:
    sim = await simulator(chats)
    try:
        bot = ExtBot(TOKEN, base_url=sim.base_url, base_file_url=sim.base_file_url,
                     rate_limiter=AIORateLimiter(max_retries=3))
        markup = InlineKeyboardMarkup.de_json(BUTTON, None)

        async def send(chat: int) -> None:
            try:  # a plain loop has nowhere to keep a failed message: it is lost
                await bot.send_message(chat, LAUNCH_TEXT, reply_markup=markup)
                await bot.send_document(chat, DOCUMENT, filename="KH-108.pdf", caption="Kế hoạch")
            except TelegramError:
                pass

        async with bot:
            started = time.monotonic()
            await asyncio.gather(*(send(chat) for chat in chats))
            seconds = time.monotonic() - started
        return tally("plain PTB (gather + AIORateLimiter(max_retries=3))", sim, chats, seconds)
    finally:
        await sim.stop()


async def main() -> None:
    # PTB logs every give-up of its rate limiter with a traceback; the tally counts them instead.
    logging.getLogger("telegram.ext").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--database-url", help="scratch database (default: a temporary SQLite file)")
    parser.add_argument("--only", choices=["ours", "ptb"])
    parser.add_argument("--no-shared-budget", action="store_true",
                        help="on PostgreSQL too, pace in this process alone (no slots from the database)")
    args = parser.parse_args()
    chats = list(range(FIRST_CHAT, FIRST_CHAT + args.chats))
    print(f"{args.chats} private chats; simulator: {LIMIT}/s sliding window, 1/s per chat, "
          f"{LATENCY * 1000:.0f} ms latency, injected {FAULTS}")
    if args.only in (None, "ours"):
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{tmp}/bench.db"
            print(f"ours: database {url.split('@')[-1]}")
            shared = not args.no_shared_budget and not is_sqlite(url)  # as the running bot
            print(f"ours: send slots {'shared through the database' if shared else 'paced in this process'}")
            (await bench_ours(chats, url, shared=shared)).print()
    if args.only in (None, "ptb"):
        (await bench_ptb(chats)).print()


if __name__ == "__main__":
    asyncio.run(main())
