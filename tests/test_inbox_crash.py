"""kill -9 with an update in flight, for each way updates come in: Telegram long polling, Telegram
webhook, Zalo long polling, Zalo webhook. The real `python -m bot run` in its own process; after a
restart every update is handled exactly once (the draft took the answer once, the inbox row is
handled, the form goes on from the right question)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services import units
from devkit.simulator import BotApiSimulator, ZaloApiSimulator
from storage import migrate
from storage.db import Database, empty_scratch_database
from storage.models import Campaign, CampaignUnit, FormDraft, InboxUpdate, Member, Unit
from tests.conftest import TOKEN, UNITS_CSV, USERNAME, ZALO_TOKEN, free_port

# Bot processes timed against the wall clock: alone on the machine (tests/conftest.py).
pytestmark = pytest.mark.exclusive

ROOT = Path(__file__).resolve().parents[1]
TELEGRAM_OFFICER = 3001
ZALO_OFFICER = "8100000000000000001"
NAME = "Nguyễn Văn An"
PATHS = ("telegram-polling", "telegram-webhook", "zalo-polling", "zalo-webhook")


async def eventually(condition: Callable[[], object], timeout: float, what: str, log: Path,
                     extra: Callable[[], object] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; {extra()}; bot log:\n{log.read_text(errors='replace')[-4000:]}")


async def seed(db: Database, zalo: bool) -> None:
    """Units, an officer of Phường Long Bình (on the channel under test), a campaign launched there."""
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(UNITS_CSV))
    async with db.session() as session:
        lb = await session.scalar(select(Unit.id).where(Unit.code == "LB"))
        if zalo:
            session.add(Member(zalo_user_id=ZALO_OFFICER, zalo_chat_id=ZALO_OFFICER, channel="zalo",
                               full_name="Trần Thị Mai", unit_id=lb, role="officer"))
        else:
            session.add(Member(telegram_user_id=TELEGRAM_OFFICER, chat_id=TELEGRAM_OFFICER, full_name="Trần Thị Mai",
                               unit_id=lb, role="officer"))
        campaign = Campaign(title="Phong trào thi đua chuyển đổi số năm 2026", reward_forms=["Giấy khen"])
        session.add(campaign)
        await session.flush()
        from bot import clock

        campaign.launched_at = clock.now()
        session.add(CampaignUnit(campaign_id=campaign.id, unit_id=lb))


class Channel:
    """One entry path: the simulator, the bot's environment, and how a person talks to it."""

    def __init__(self, path: str, tmp_path: Path, db_url: str, tg: BotApiSimulator, zl: ZaloApiSimulator) -> None:
        self.path, self.tg, self.zl = path, tg, zl
        self.zalo = path.startswith("zalo")
        port = free_port()
        config = ['[bot]', f'username = "{USERNAME}"', '', '[inbox]', 'lease_seconds = 30']
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("THIDUA_", "TELEGRAM_", "ZALO_"))}
        env.update({"PYTHONPATH": str(ROOT), "THIDUA_DATABASE_URL": db_url})
        if self.zalo:
            env.update({"ZALO_BOT_TOKEN": ZALO_TOKEN, "THIDUA_ZALO_API_URL": zl.base_url})
            config += ['[zalo]', 'listen = "127.0.0.1"', f'port = {port}',
                       f'public_base_url = "http://127.0.0.1:{port}"', 'link_secret = "' + "s" * 32 + '"']
            if path == "zalo-webhook":
                config += [f'webhook_url = "http://127.0.0.1:{port}/zalo/webhook"',
                           'webhook_secret = "zalo-webhook-secret-1"']
        else:
            env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "THIDUA_BOT_API_URL": tg.base_url, "THIDUA_WEB_PORT": "0",
                        "THIDUA_BOT_FILE_URL": tg.base_file_url})
            if path == "telegram-webhook":
                config += ['[webhook]', f'url = "http://127.0.0.1:{port}"', 'listen = "127.0.0.1"', f'port = {port}']
        (tmp_path / "config.toml").write_text("\n".join(config) + "\n", encoding="utf-8")
        env["THIDUA_CONFIG"] = str(tmp_path / "config.toml")
        self.env = env
        self.log = tmp_path / "bot.log"

    async def start(self) -> asyncio.subprocess.Process:
        with self.log.open("ab") as out:
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "-v", "run", env=self.env, cwd=ROOT, stdout=out,
                stderr=asyncio.subprocess.STDOUT)

    def say(self, text: str) -> None:
        if self.zalo:
            self.zl.send_text(ZALO_OFFICER, text)
        else:
            self.tg.send_text(TELEGRAM_OFFICER, text)

    def texts(self) -> list[str]:
        if self.zalo:
            return [m.get("text") or "" for m in self.zl.messages(ZALO_OFFICER)]
        return [m.get("text") or "" for m in self.tg.messages(TELEGRAM_OFFICER)]

    def slow_replies(self, seconds: float) -> None:
        (self.zl if self.zalo else self.tg).method_delays["sendMessage"] = seconds

    async def answered(self, words: str, after: int) -> None:
        await eventually(lambda: any(words in t for t in self.texts()[after:]), 30, f"an answer with {words!r}",
                         self.log, lambda: self.texts())


@pytest.mark.parametrize("path", PATHS)
async def test_a_kill_with_an_answer_in_flight_loses_nothing_and_applies_it_once(path, tmp_path, db_url):
    db = Database(db_url)
    await empty_scratch_database(db)
    await migrate.upgrade(db)
    await seed(db, path.startswith("zalo"))
    async with BotApiSimulator(token=TOKEN, bot_username=USERNAME) as tg, ZaloApiSimulator(token=ZALO_TOKEN) as zl:
        zl.webhook_retry_delay = 0.05
        tg.webhook_retry_delay = 0.05
        ch = Channel(path, tmp_path, db_url, tg, zl)
        proc = await ch.start()
        try:
            ch.say("/nominate")
            await ch.answered("tập thể hay cá nhân", 0)
            ch.say("2")
            await ch.answered("họ và tên", 1)
            seen = len(ch.texts())

            async def handling() -> bool:
                async with db.session() as session:
                    return await session.scalar(select(func.count()).select_from(InboxUpdate).where(
                        InboxUpdate.status == "handling")) == 1

            ch.slow_replies(2.0)  # the answer's handling now takes 2 s: the bot waits on its reply
            ch.say(NAME)
            await eventually(handling, 15, "the answer being handled", ch.log)
            await asyncio.sleep(0.8)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            ch.slow_replies(0.0)

            proc = await ch.start()
            await ch.answered("Chức vụ", seen)  # the next question: the answer was not lost

            async def settled() -> bool:
                async with db.session() as session:
                    open_rows = await session.scalar(select(func.count()).select_from(InboxUpdate).where(
                        InboxUpdate.status.in_(("pending", "handling"))))
                    return open_rows == 0

            await eventually(settled, 15, "every update handled", ch.log)
            async with db.session() as session:
                draft = await session.scalar(select(FormDraft))
                keys = (await session.execute(select(InboxUpdate.update_key, InboxUpdate.status))).all()
            assert draft.answers["full_name"] == NAME
            assert "position" not in draft.answers  # not applied a second time, to the next question
            assert draft.path.count("full_name") == 1
            assert len(keys) == 3 and {status for _, status in keys} == {"handled"}  # stored once each

            # And the form goes on from there.
            seen = len(ch.texts())
            ch.say("Phó Chủ tịch UBND phường")
            await ch.answered("Nơi công tác", seen)
            async with db.session() as session:
                draft = await session.scalar(select(FormDraft))
            assert draft.answers["full_name"] == NAME and draft.answers["position"] == "Phó Chủ tịch UBND phường"
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 10)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
    await db.dispose()
