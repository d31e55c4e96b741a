"""The office is told of the reports that arrive: one message per report when few come, one
message listing the units when many come at once; through the tick and the simulator."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select

from bot import clock, jobs
from bot.services import report_notices, report_periods
from storage.models import Campaign, Member, OutboxMessage, Report, ReportPeriod
from tests.conftest import add_admin, make_invite, texts_of
from tests.test_nudges import seed_many_units
from tests.test_reports import launch, period_id

VN = clock.LOCAL_TZ
ADMIN, LEADER = 6501, 6502
LB1, XD1 = 6601, 6602
RECEIVED = "đã nộp báo cáo"


def at(day: int, month: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


async def tick(bot, moment: datetime) -> jobs.TickReport:
    clock.set_now(moment)
    return await jobs.tick(bot.app, bot.db, bot.settings)


def received_by(bot, chat_id: int) -> list[str]:
    return [t for t in texts_of(bot.sim.messages(chat_id)) if t.startswith("📨") and RECEIVED in t]


async def told(bot, chat_id: int, count: int) -> list[str]:
    """The office's notices once there are `count` (the bot's own tick, running beside the
    test's, may be the one that claims and sends them)."""
    async with asyncio.timeout(10):
        while len(received_by(bot, chat_id)) < count:
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # and no more come
    return received_by(bot, chat_id)


@pytest.fixture
async def people(bot):
    clock.set_now(at(1, 5))
    await add_admin(bot.db, ADMIN)
    await bot.say(ADMIN, "/whoami")  # the admin's chat exists for the simulator
    for uid, unit, role in ((LEADER, "DN", "leader"), (LB1, "LB", "officer"), (XD1, "XD", "officer")):
        assert "Chào mừng" in texts_of(await bot.join(uid, await make_invite(bot.db, unit, role)))[0]
    return bot


async def submit(db, period: int, user_id: int, summary: str) -> None:
    async with db.session() as session:
        unit = await session.scalar(select(Member.unit_id).where(Member.telegram_user_id == user_id))
        await report_periods.submit_report(session, period, unit, None, summary)


async def test_each_report_that_arrives_is_told_to_the_admins_once(people):
    bot = people
    cid = await launch(bot.db, ["LB", "XD"])
    await bot.say(ADMIN, f"/confirm_periods {cid}")
    await bot.say(ADMIN, f"/confirm_periods {cid}")
    semi = await period_id(bot.db, cid, "semiannual")

    clock.set_now(at(10, 6, 9))
    await submit(bot.db, semi, LB1, "Đã triển khai chuyển đổi số ở 12 khu phố.")
    clock.set_now(at(10, 6, 9, 3))
    await submit(bot.db, semi, XD1, "Báo cáo sơ kết lần một của Xã Xuân Đường.")
    await tick(bot, at(10, 6, 9, 5))  # the first has waited five minutes: more may come
    assert received_by(bot, ADMIN) == []

    await tick(bot, at(10, 6, 9, 10))
    assert await told(bot, ADMIN, 2) == [
        "📨 Phường Long Bình đã nộp báo cáo Sơ kết 6 tháng đầu năm 2026 lúc 09:00 10/06/2026 (đúng hạn).\n"
        "Phong trào #1: Phong trào thi đua chuyển đổi số năm 2026\n"
        "Đã nộp 2/2 đơn vị. Xem tình hình: /status 1.",
        "📨 Xã Xuân Đường đã nộp báo cáo Sơ kết 6 tháng đầu năm 2026 lúc 09:03 10/06/2026 (đúng hạn).\n"
        "Phong trào #1: Phong trào thi đua chuyển đổi số năm 2026\n"
        "Đã nộp 2/2 đơn vị. Xem tình hình: /status 1.",
    ]
    assert received_by(bot, LEADER) == [] and received_by(bot, LB1) == []  # the office only

    # A corrected report, late, on the evening of 17/06: told the next morning, once.
    clock.set_now(at(17, 6, 21))
    await submit(bot.db, semi, XD1, "Báo cáo sơ kết lần hai, đã sửa số liệu.")
    await tick(bot, at(17, 6, 21, 30))  # quiet hours
    assert len(received_by(bot, ADMIN)) == 2
    for moment in (at(18, 6, 7, 30), at(18, 6, 8), at(18, 6, 9)):
        await tick(bot, moment)
    notices = await told(bot, ADMIN, 3)
    assert len(notices) == 3
    assert notices[-1].startswith("📨 Xã Xuân Đường đã nộp báo cáo Sơ kết 6 tháng đầu năm 2026 lúc 21:00 17/06/2026 "
                               "(trễ 2 ngày, gửi lại thay bản trước).")
    async with bot.db.session() as session:
        assert all(r.office_told_at is not None for r in await session.scalars(select(Report)))


async def test_many_reports_at_once_are_one_message_per_admin_naming_the_units(people):
    bot = people
    _, chats = await seed_many_units(bot.db, 12, 940_001)
    for chat in chats:
        bot.sim.add_user(chat, f"Cán bộ {chat}")
    async with bot.db.session() as session:
        campaign = await session.scalar(select(Campaign.id).order_by(Campaign.id.desc()))
        semi = await session.scalar(select(ReportPeriod.id).where(ReportPeriod.campaign_id == campaign,
                                                                  ReportPeriod.kind == "semiannual"))
    for i, chat in enumerate(chats):
        clock.set_now(at(10, 6, 10, i % 6))
        await submit(bot.db, semi, chat, f"Báo cáo sơ kết của xã số {i}, đủ các nội dung.")
    await tick(bot, at(10, 6, 10, 12))
    [text] = await told(bot, ADMIN, 1)
    head, rest = text.split(": ", 1)
    assert head == "📨 12 đơn vị đã nộp báo cáo Sơ kết 6 tháng đầu năm 2026"
    names, tail = rest.split(".\n")
    assert names.endswith(" và 2 đơn vị khác") and len(names.split(", ")) == 10
    assert tail == (f"Phong trào #{campaign}: Phong trào thi đua chuyển đổi số năm 2026 — đã nộp 12/12 đơn vị. "
                    f"Xem tình hình: /status {campaign}.")
    async with bot.db.session() as session:
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == report_notices.RECEIVED_KIND))).all()
        assert len(rows) == 1
        assert all(r.office_told_at is not None for r in await session.scalars(select(Report)))
