"""The outbox across real processes: a bot killed mid-broadcast, two bots on one database."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.launch import enqueue_launch, launch_received
from bot import clock
from bot.services import outbox
from devkit.simulator import BotApiSimulator
from storage.db import is_sqlite
from storage.models import OutboxMessage
from tests.conftest import TOKEN, USERNAME

# Bot processes timed against the wall clock: alone on the machine (tests/conftest.py).
pytestmark = pytest.mark.exclusive

ROOT = Path(__file__).resolve().parents[1]


def bot_env(tmp_path: Path, db_url: str, sim: BotApiSimulator, outbox_config: str) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\nusername = "{USERNAME}"\n\n[outbox]\n{outbox_config}\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_") and k != "TELEGRAM_BOT_TOKEN"}
    env.update({
        "PYTHONPATH": str(ROOT),
        "THIDUA_CONFIG": str(config),
        "THIDUA_DATABASE_URL": db_url,
        "THIDUA_BOT_API_URL": sim.base_url,
        "THIDUA_BOT_FILE_URL": sim.base_file_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "THIDUA_WEB_PORT": "0",  # several bots on this machine: each its own web port
    })
    return env


async def start_bot(args: list[str], env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, env=env, cwd=ROOT, stdout=out, stderr=asyncio.subprocess.STDOUT
        )


async def run_cli(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode()


async def eventually(condition: Callable[[], object], timeout: float, what: str, log: Path | None = None) -> None:
    """Poll (sim counters, the database) until condition() holds, or fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise AssertionError(f"timed out waiting for {what}\n{tail}")
        await asyncio.sleep(0.05)


async def enqueue_one_each(db, chats: list[int], body: str) -> None:
    async with db.session() as session:
        await outbox.enqueue_many(
            session, [{"chat_id": c, "payload": {"method": "sendMessage", "text": body}} for c in chats], kind="notice"
        )


async def officers_get_a_launch(sim: BotApiSimulator, db, chats: list[int]) -> None:
    for chat in chats:
        sim.add_user(chat, f"Cán bộ {chat}")
    await enqueue_launch(db, chats)


async def count_status(db, status: str) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).where(OutboxMessage.status == status))


async def test_a_bot_killed_mid_broadcast_resumes_and_sends_everything(db, db_url, tmp_path):
    chats = list(range(100_001, 100_501))
    async with BotApiSimulator(bot_username=USERNAME, latency=0.05) as sim:
        for chat in chats:
            sim.add_user(chat, f"Cán bộ {chat}")
        await enqueue_one_each(db, chats, "Phát động phong trào thi đua năm 2026")
        env = bot_env(tmp_path, db_url, sim, "rate_per_second = 100\nper_chat_per_second = 1\n"
                                             "lease_seconds = 3\ntick_seconds = 1\nconcurrency = 16")
        log = tmp_path / "bot.log"

        first = await start_bot(["run"], env, log)
        try:
            await eventually(lambda: sim.stats["messages_sent"] >= 100, 30, "100 messages sent", log)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        in_flight = await count_status(db, "sending")
        assert in_flight > 0, "the kill should catch some messages mid-send"
        assert sim.stats["messages_sent"] < len(chats)

        second = await start_bot(["run"], env, log)
        try:
            await eventually(lambda: all(sim.messages(c) for c in chats), 60, "every chat served", log)
            await eventually(lambda: _all_sent(db, len(chats)), 10, "every row recorded as sent", log)
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 20)

        received = {chat: len(sim.messages(chat)) for chat in chats}
        assert all(received.values())
        duplicates = sum(received.values()) - len(chats)
        assert duplicates <= in_flight, (duplicates, in_flight)


async def _all_sent(db, expected: int) -> bool:
    return await count_status(db, "sent") == expected


async def test_two_bots_on_one_postgresql_database_never_send_a_message_twice(db, db_url, tmp_path):
    if is_sqlite(db_url):
        pytest.skip("two processes claiming rows concurrently is PostgreSQL's case; set TEST_DATABASE_URL")
    chats = list(range(200_001, 200_301))
    async with BotApiSimulator(bot_username=USERNAME, latency=0.05) as sim:
        for chat in chats:
            sim.add_user(chat, f"Cán bộ {chat}")
        await enqueue_one_each(db, chats, "Báo cáo sơ kết 6 tháng")
        env = bot_env(tmp_path, db_url, sim, "rate_per_second = 30\nconcurrency = 16")

        (code_a, out_a), (code_b, out_b) = await asyncio.gather(run_cli(["tick"], env), run_cli(["tick"], env))

        assert code_a == 0 and code_b == 0, out_a + out_b
        assert [len(sim.messages(chat)) for chat in chats] == [1] * len(chats)
        assert await count_status(db, "sent") == len(chats)
        async with db.session() as session:
            workers = set((await session.scalars(select(OutboxMessage.claimed_by))).all())
        assert len(workers) == 2, (out_a, out_b)


async def test_the_tick_command_sends_what_is_due_and_says_so(db, db_url, tmp_path):
    tomorrow = clock.now() + timedelta(days=1)
    async with BotApiSimulator(bot_username=USERNAME) as sim:
        sim.add_user(301, "Lan")
        sim.add_user(302, "Hùng")
        sim.block_user(302)
        async with db.session() as session:
            await outbox.enqueue(session, chat_id=301, payload={"method": "sendMessage", "text": "Hôm nay"}, kind="notice")
            await outbox.enqueue(session, chat_id=302, payload={"method": "sendMessage", "text": "Bị chặn"}, kind="notice")
            await outbox.enqueue(session, chat_id=301, payload={"method": "sendMessage", "text": "Ngày mai"},
                                 kind="notice", not_before=tomorrow)
        env = bot_env(tmp_path, db_url, sim, "")

        code, out = await run_cli(["tick"], env)
        assert code == 0, out
        assert "Đã gửi 1 tin, 0 tin chờ gửi lại, 1 tin lỗi." in out and "Còn 1 tin trong hàng đợi." in out
        assert [m["text"] for m in sim.messages(301)] == ["Hôm nay"]

        code, out = await run_cli(["tick", "--now", tomorrow.isoformat()], env)
        assert code == 0 and "Đã gửi 1 tin, 0 tin chờ gửi lại, 0 tin lỗi." in out, out
        assert [m["text"] for m in sim.messages(301)] == ["Hôm nay", "Ngày mai"]

        code, out = await run_cli(["tick", "--now", "ngày mai"], env)
        assert code == 2 and "--now" in out


async def test_sigterm_during_a_2000_chat_launch_stops_within_5_s_and_a_restart_sends_the_rest_once(
        db, db_url, tmp_path):
    chats = list(range(300_001, 302_001))
    async with BotApiSimulator(bot_username=USERNAME, per_chat_rate=1, latency=0.01) as sim:
        await officers_get_a_launch(sim, db, chats)
        # Faster than Telegram so that the test takes seconds; the per-chat second is Telegram's.
        env = bot_env(tmp_path, db_url, sim, "rate_per_second = 300\ntick_seconds = 1\nconcurrency = 32")
        log = tmp_path / "bot.log"

        first = await start_bot(["run"], env, log)
        try:
            await eventually(lambda: sim.stats["messages_sent"] >= 500, 120, "500 messages sent", log)
            first.send_signal(signal.SIGTERM)
            stopped = time.monotonic()
            await asyncio.wait_for(first.wait(), 20)
            took = time.monotonic() - stopped
        finally:
            if first.returncode is None:
                first.kill()
                await first.wait()
        assert took < 5, f"stopped in {took:.1f} s\n{log.read_text(errors='replace')[-3000:]}"
        assert first.returncode == 0, log.read_text(errors="replace")[-3000:]
        sent_before = sim.stats["messages_sent"]
        assert sent_before < 2 * len(chats), "the stop should come mid-launch"
        assert await count_status(db, "sending") == 0  # claimed, not sent: back to pending

        second = await start_bot(["run"], env, log)
        try:
            await eventually(lambda: _all_sent(db, 2 * len(chats)), 300, "every row sent", log)  # ~20 s idle
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 20)
        assert launch_received(sim, chats) == {"delivered": 2 * len(chats), "lost": 0, "duplicated": 0}
        assert sim.stats["rate_limited"] == 0


async def test_two_bots_on_one_postgresql_database_keep_telegrams_30_a_second_together(db, db_url, tmp_path):
    if is_sqlite(db_url):
        pytest.skip("several bot processes share one PostgreSQL database; set TEST_DATABASE_URL")
    chats = list(range(400_001, 400_601))
    # No overall limit at the simulator: it counts what arrives, so a second over 30 shows.
    async with BotApiSimulator(bot_username=USERNAME, per_chat_rate=1, latency=0.05) as sim:
        await officers_get_a_launch(sim, db, chats)
        env = bot_env(tmp_path, db_url, sim, "rate_per_second = 30\ntick_seconds = 1")
        logs = [tmp_path / "bot-a.log", tmp_path / "bot-b.log"]
        bots = [await start_bot(["run"], env, log) for log in logs]
        try:
            await eventually(lambda: _all_sent(db, 2 * len(chats)), 300, "every row sent", logs[0])
        finally:
            for process in bots:
                process.send_signal(signal.SIGTERM)
            for process in bots:
                await asyncio.wait_for(process.wait(), 20)
        async with db.session() as session:
            workers = {w.rsplit("-", 1)[0] for w in (await session.scalars(select(OutboxMessage.claimed_by))).all()}
        assert len(workers) == 2  # both processes sent
        assert launch_received(sim, chats) == {"delivered": 2 * len(chats), "lost": 0, "duplicated": 0}
        assert sim.busiest_second() <= 30, sim.busiest_second()
        assert sim.stats["rate_limited"] == 0
