"""What a person feels while a launch goes out: officers filling in a nomination during a
2,000-chat broadcast, through the channel's one sending budget.

    python -m bench.replies_during_broadcast                    # 2,000 chats, 50 officers, SQLite
    python -m bench.replies_during_broadcast --chats 500 --officers 20
    python -m bench.replies_during_broadcast --database-url postgresql://postgres@127.0.0.1:5432/bench

The bot — the real Application as `python -m bot run` builds it, with its sending budget — runs
in a process of its own against the Bot API simulator set like Telegram (30 messages/s overall
as a sliding second, 1/s per chat, 50 ms latency). A launch is queued to every chat (the text
with its button, then the document: what a launch sends); once it is draining, `--officers` of
those officers each send the ten replies of an individual nomination, thinking 2–6 s before each
(a person reads and types). Prints the p50/p95 of the time from an officer's message to the
bot's answer; while the officers were at it, the broadcast's messages/s as a fraction of what
the replies left of the 30/s; the whole launch's pace; the 429s the simulator answered (no faults
are injected: every one is the bot's own pacing); messages lost and duplicated.
A PostgreSQL database given here is emptied first.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import forms
from bench.launch import enqueue_launch, is_launch_message, launch_received
from bot.config import Settings
from devkit.simulator import BotApiSimulator
from storage import migrate
from storage.db import Database, empty_scratch_database, is_sqlite

LIMIT = 30
LATENCY = 0.05
THINK = (2.0, 6.0)


class ReplySimulator(forms.BenchSimulator):
    """An officer waits for the bot's answer, not for the launch's messages to them; and the
    time of each message is kept, by kind."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.launch_times: list[float] = []
        self.answer_times: list[float] = []

    async def _publish(self, message: dict[str, Any]) -> None:
        if is_launch_message(message):
            self.launch_times.append(time.monotonic())
            await BotApiSimulator._publish(self, message)  # not an answer: no waiter wakes
            return
        self.answer_times.append(time.monotonic())
        await super()._publish(message)


def _within(times: list[float], start: float, end: float) -> int:
    return sum(1 for at in times if start <= at <= end)


async def run(chats: int, officers: int, database_url: str | None, seed: int = 1) -> dict[str, Any]:
    folder = tempfile.TemporaryDirectory(prefix="thidua-bench-")
    url = database_url or f"sqlite:///{Path(folder.name) / 'bench.db'}"
    db = Database(url)
    await empty_scratch_database(db)
    await migrate.upgrade(db)
    users = await forms._seed(db, chats, per_unit=2)  # noqa: SLF001 - the bench's own helper
    await enqueue_launch(db, users)
    await db.dispose()
    rng = random.Random(seed)
    typing = users[:: max(1, len(users) // officers)][:officers]

    async with ReplySimulator(bot_username="thidua_bench_bot", global_rate=LIMIT, per_chat_rate=1,
                              latency=LATENCY) as sim:
        for uid in users:
            sim.add_user(uid, f"Cán bộ {uid}")
        spawn = multiprocessing.get_context("spawn")
        conn, child_conn = spawn.Pipe()
        args = (url, sim.base_url, sim.base_file_url, Settings.concurrent_updates, True)  # the budget on
        process = spawn.Process(target=forms._bot_process, args=(child_conn, args), name="bench-bot")  # noqa: SLF001
        process.start()
        child_conn.close()
        await asyncio.to_thread(conn.recv)  # "ready"
        while len(sim.launch_times) < 200:  # the launch is in full swing
            await asyncio.sleep(0.05)

        waits: list[float] = []

        async def officer(uid: int) -> None:
            for message in forms.SCRIPT:
                await asyncio.sleep(rng.uniform(*THINK))
                sent = time.monotonic()
                await sim.answer(uid, message)
                waits.append(time.monotonic() - sent)

        typing_from = time.monotonic()
        await asyncio.gather(*(officer(uid) for uid in typing))
        typing_until = time.monotonic()
        deadline = time.monotonic() + 900
        while len(sim.launch_times) < 2 * len(users) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # anything sent twice arrives too
        conn.send("stop")
        await asyncio.to_thread(conn.recv)
        process.join()
        received = launch_received(sim, users)
        answers = sum(1 for uid in typing for m in sim.messages(uid) if not is_launch_message(m))
        launch_seconds = sim.launch_times[-1] - sim.launch_times[0]
        until = min(typing_until, sim.launch_times[-1])  # while both the officers and the launch ran
        window = until - typing_from
        launch_in_window = _within(sim.launch_times, typing_from, until)
        answers_in_window = _within(sim.answer_times, typing_from, until)
        rate_limited = sim.stats["rate_limited"]
    folder.cleanup()
    left_over = LIMIT - answers_in_window / window
    return {
        "engine": "SQLite" if is_sqlite(url) else "PostgreSQL", "chats": len(users), "officers": len(typing),
        "reply_p50": forms._pct(waits, 50), "reply_p95": forms._pct(waits, 95),  # noqa: SLF001
        "replies": len(waits), "answers": answers, "expected_answers": len(typing) * len(forms.SCRIPT),
        "window": window, "answers_per_second": answers_in_window / window,
        "broadcast_per_second": launch_in_window / window,
        "fraction_of_left_over": launch_in_window / window / left_over,
        "launch_seconds": launch_seconds, "launch_per_second": len(sim.launch_times) / launch_seconds,
        "rate_limited": rate_limited, **received,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=2000, help="officers the launch goes to")
    parser.add_argument("--officers", type=int, default=50, help="of them, how many fill in a nomination meanwhile")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    r = asyncio.run(run(args.chats, args.officers, args.database_url))
    print(f"{r['engine']}: a launch to {r['chats']} chats (text with its button, then the document) while "
          f"{r['officers']} officers each send the {len(forms.SCRIPT)} replies of a nomination")
    print(f"officer's message → bot's answer: p50 {r['reply_p50']:.2f} s, p95 {r['reply_p95']:.2f} s "
          f"({r['replies']} replies; answers received {r['answers']} of {r['expected_answers']})")
    print(f"while they typed and the launch ran ({r['window']:.0f} s): answers {r['answers_per_second']:.1f}/s, broadcast "
          f"{r['broadcast_per_second']:.1f}/s = {r['fraction_of_left_over']:.3f} of the "
          f"{LIMIT - r['answers_per_second']:.1f}/s the answers left of {LIMIT}/s")
    print(f"whole launch: {2 * r['chats']} messages in {r['launch_seconds']:.1f} s = {r['launch_per_second']:.1f}/s "
          f"= {r['launch_per_second'] / LIMIT:.3f} of the limit (answers included in the same budget)")
    print(f"429s from the bot's own pacing: {r['rate_limited']}; launch messages lost: {r['lost']}, "
          f"duplicated: {r['duplicated']}")


if __name__ == "__main__":
    main()
