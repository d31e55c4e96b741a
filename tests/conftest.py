"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), the Bot API simulator, and the real bot running against both."""

from __future__ import annotations

import asyncio

import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot import clock
from bot.app import build_application, start_bot, stop_bot
from bot.config import Settings, WebSettings
from bot.services import invites, members, units
from devkit.simulator import BotApiSimulator, InboxTracker
from devkit.simulator.zalo import ZaloApiSimulator
from storage import migrate
from storage.db import Database, empty_scratch_database

TOKEN = "123456:TEST-TOKEN-thidua-simulator"
USERNAME = "thidua_test_bot"
ZALO_TOKEN = "777000000000000001:zalo-test-token"

UNITS_CSV = """code,name,kind,parent_code
DN,UBND tỉnh Đồng Nai,tỉnh,
SNV,Sở Nội vụ,cơ quan,DN
LB,Phường Long Bình,phường,DN
XD,Xã Xuân Đường,xã,DN
CM,Xã Cẩm Mỹ,xã,DN
"""


def _worker_database(url: str, worker: str) -> str:
    """TEST_DATABASE_URL's database for one pytest-xdist worker (`test` → `test_gw1`), created
    the first time: workers running at once must not drop each other's schema."""
    import asyncpg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"

    async def create() -> None:
        conn = await asyncpg.connect(host=base.host, port=base.port or 5432, user=base.username,
                                     password=base.password, database=base.database)
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker:
        return _worker_database(url, worker)
    return url


@pytest.fixture
def db_url(tmp_path: Path, pg_url: str | None) -> str:
    """A database no other test has touched (on PostgreSQL: this worker's, emptied first)."""
    if not pg_url:
        return f"sqlite:///{tmp_path / 'test.db'}"
    return pg_url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await empty_scratch_database(database)
    await migrate.upgrade(database)
    yield database
    await database.dispose()


@pytest.fixture(autouse=True)
def _machine_share(request, tmp_path_factory):  # noqa: ANN001, ANN201 - pytest's
    """With several xdist workers, a test marked `exclusive` (bot processes started, killed and
    timed against the wall clock) runs alone on the machine: it takes the run's lock exclusively,
    every other test shares it. Timing promises (stop within 5 s, nothing sent twice at SIGTERM)
    are checked without two other tests loading the same two cores."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    import fcntl

    lock = tmp_path_factory.getbasetemp().parent / "machine.lock"
    exclusive = request.node.get_closest_marker("exclusive") is not None
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield  # closing the file releases the lock


@pytest.fixture(autouse=True)
def _release_clock():
    yield
    clock.set_now(None)


@pytest.fixture
async def seeded(db: Database) -> Database:
    """Sample units, as `python -m bot units import` would leave them."""
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(UNITS_CSV))
    return db


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator(bot_username=USERNAME) as simulator:
        yield simulator


@pytest.fixture
async def browser():  # noqa: ANN201 - a playwright Browser
    """Debian's Chromium, headless (tests/web.py)."""
    from playwright.async_api import async_playwright

    from tests.web import chromium_path

    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=chromium_path(), headless=True,
                                           args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        await launched.close()


@pytest.fixture
async def zalo() -> AsyncIterator[ZaloApiSimulator]:
    async with ZaloApiSimulator(token=ZALO_TOKEN) as simulator:
        simulator.webhook_retry_delay = 0.01
        yield simulator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(db_url: str, sim: BotApiSimulator) -> Settings:
    return Settings(
        token=TOKEN,
        bot_username=USERNAME,
        api_base_url=sim.base_url,
        api_file_url=sim.base_file_url,
        database_url=db_url,
        organisation_name="Hội đồng Thi đua – Khen thưởng tỉnh Đồng Nai",
        web=WebSettings(listen="127.0.0.1", port=free_port()),  # the web pages (tests/web.py)
    )


@dataclass
class Bot:
    """The real Application polling the simulator; acts as people and reads what they get."""

    sim: BotApiSimulator
    db: Database
    settings: Settings
    tracker: InboxTracker
    app: object = None
    _seen: dict[int, int] = field(default_factory=dict)

    async def start(self) -> None:
        """At the production settings (bot.concurrent_updates, the real sending budget)."""
        self.tracker = InboxTracker()
        self.app = build_application(self.settings, observer=self.tracker)
        await start_bot(self.app, poll_timeout=1)

    async def stop(self) -> None:
        await stop_bot(self.app)

    async def _after(self, chat_id: int, update_id: int) -> list[dict]:
        await self.tracker.wait_processed(update_id, timeout=10)
        return self.new_messages(chat_id)

    def new_messages(self, chat_id: int) -> list[dict]:
        """Messages to chat_id since the last call (edits of older ones not included)."""
        sent = self.sim.messages(chat_id)
        start = self._seen.get(chat_id, 0)
        self._seen[chat_id] = len(sent)
        return sent[start:]

    async def wait_new(self, chat_id: int, timeout: float = 10.0) -> list[dict]:
        """The next messages to chat_id that come through the outbox (not as a direct reply)."""
        async with asyncio.timeout(timeout):
            while len(self.sim.messages(chat_id)) <= self._seen.get(chat_id, 0):
                await asyncio.sleep(0.02)
        return self.new_messages(chat_id)

    async def say(self, user_id: int, text: str) -> list[dict]:
        """Send text as the person; return the bot's messages to them once it has handled it."""
        self.new_messages(user_id)
        return await self._after(user_id, self.sim.send_text(user_id, text))

    async def press(self, user_id: int, message_id: int, data: str) -> list[dict]:
        self.new_messages(user_id)
        return await self._after(user_id, self.sim.press_button(user_id, message_id, data=data))

    async def join(self, user_id: int, code: str) -> list[dict]:
        """Open an invite link (`/start CODE`) as a person would: a stranger's first message gets
        the notice with its “Đồng ý và tham gia” button, which they press; the bot's messages
        after that (the welcome, or why the code was refused)."""
        replies = await self.say(user_id, f"/start {code}")
        if len(replies) == 1 and (replies[0].get("reply_markup") or {}).get("inline_keyboard", [[{}]])[0][0].get(
                "callback_data") == "c:consent:":
            assert "trợ lý tự động" in replies[0]["text"] and "Bạn vừa gửi mã mời" in replies[0]["text"]
            return await self.press(user_id, replies[0]["message_id"], "c:consent:")
        return replies

    async def send_file(self, user_id: int, filename: str, content: bytes, mime: str | None = None) -> list[dict]:
        self.new_messages(user_id)
        return await self._after(user_id, self.sim.send_document(user_id, filename, content, mime_type=mime))


@pytest.fixture
async def bot(seeded: Database, sim: BotApiSimulator, db_url: str) -> AsyncIterator[Bot]:
    harness = Bot(sim=sim, db=seeded, settings=make_settings(db_url, sim), tracker=None)
    await harness.start()
    yield harness
    await harness.stop()


async def make_invite(db: Database, unit_code: str | None, role: str, **kw) -> str:
    async with db.session() as session:
        unit = await units.unit_by_code(session, unit_code) if unit_code else None
        made = await invites.create_invites(session, role=role, unit_id=unit.id if unit else None, **kw)
        return made[0].code


async def add_admin(db: Database, user_id: int, name: str = "Nguyễn Thị Lan") -> None:
    async with db.session() as session:
        await members.add_admin(session, telegram_user_id=user_id, full_name=name, unit=await units.unit_by_code(session, "SNV"))


def texts_of(messages: list[dict]) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in messages]
