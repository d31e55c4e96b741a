"""Deadline nudges: time travel through the simulator, quiet hours, downtime, and the plan itself."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from bot import clock, jobs
from bot.config import NudgeSettings, QuietHours, Settings
from bot.services import campaigns, nudges, report_periods
from storage.models import Member, Nudge, ReportPeriod
from tests.conftest import add_admin, make_invite, texts_of

VN = clock.LOCAL_TZ
ADMIN, LEADER = 5001, 5002
LB1, XD1, CM1 = 5101, 5102, 5103
NUDGE = "Nhắc báo cáo"
OVERDUE = "Báo cáo quá hạn"


def at(day: int, month: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


async def join(bot, user_id: int, unit: str | None, role: str = "officer") -> None:
    replies = texts_of(await bot.join(user_id, await make_invite(bot.db, unit, role)))
    assert "Chào mừng" in replies[0]


async def launch_six_monthly(db, codes=("LB", "XD", "CM")) -> tuple[int, int]:
    """A campaign over 2026 with a 6-monthly rule, launched 01/05; its periods confirmed. → (campaign, sơ kết period)."""
    clock.set_now(at(1, 5))
    settings = Settings()
    async with db.session() as session:
        admin = await session.scalar(select(Member.id).where(Member.role == "admin"))
        result = await campaigns.launch(session, {
            "title": "Phong trào thi đua thực hiện chuyển đổi số năm 2026", "reporting_cadence": "6-monthly",
            "period_start": "2026-01-01", "period_end": "2026-12-31", "target_mode": "units",
            "target_units": list(codes),
        }, admin)
        campaign = await session.get(campaigns.Campaign, result.campaign_id)
        periods = await report_periods.ensure_proposed(session, campaign, settings)
        await report_periods.confirm(session, campaign.id, settings)
        semi = next(p for p in periods if p.kind == "semiannual")
        assert semi.due_on == date(2026, 6, 15)
        return campaign.id, semi.id


async def tick(bot, moment: datetime) -> jobs.TickReport:
    clock.set_now(moment)
    return await jobs.tick(bot.app, bot.db, bot.settings)


def nudges_to(bot, chat_id: int) -> list[str]:
    return [t for t in texts_of(bot.sim.messages(chat_id)) if NUDGE in t or OVERDUE in t]


@pytest.fixture
async def people(bot):
    await add_admin(bot.db, ADMIN)
    await bot.say(ADMIN, "/whoami")  # the admin's chat exists for the simulator
    await join(bot, LEADER, "DN", "leader")
    for uid, unit in ((LB1, "LB"), (XD1, "XD"), (CM1, "CM")):
        await join(bot, uid, unit)
    return bot


async def test_units_without_report_are_nudged_before_on_and_after_the_due_date_then_leaders_told(people):
    bot = people
    _, period_id = await launch_six_monthly(bot.db)

    # 08/06 09:00: the 7-day nudge to every targeted unit, with a button that opens /report.
    await tick(bot, at(8, 6))
    for uid in (LB1, XD1, CM1):
        [text] = nudges_to(bot, uid)
        assert "Sơ kết 6 tháng đầu năm 2026" in text and "chuyển đổi số" in text
        assert "Hạn nộp: 15/06/2026 (còn 7 ngày)" in text
        nudge = next(m for m in bot.sim.messages(uid) if NUDGE in (m.get("text") or ""))
        assert nudge["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"rep:{period_id}"

    # 10/06: Phường Long Bình reports; it hears nothing more.
    clock.set_now(at(10, 6))
    async with bot.db.session() as session:
        lb = await session.scalar(select(Member.unit_id).where(Member.telegram_user_id == LB1))
        await report_periods.submit_report(session, period_id, lb, None, "Đã triển khai chuyển đổi số ở 12 khu phố.")

    for moment in (at(11, 6), at(12, 6), at(13, 6), at(15, 6), at(16, 6), at(18, 6), at(20, 6), at(22, 6), at(23, 6)):
        await tick(bot, moment)
    assert len(nudges_to(bot, LB1)) == 1

    late = nudges_to(bot, XD1)
    assert len(late) == 1 + 1 + 1 + 3  # 7 days, 3 days, the day itself (14/06 is a Sunday), 3 overdue
    assert "Hạn nộp: 15/06/2026 (còn 3 ngày)" in late[1]
    assert "hạn là hôm nay" in late[2]
    assert OVERDUE in late[3] and "đã trễ 1 ngày" in late[3]
    assert nudges_to(bot, CM1) == [t.replace("Xã Xuân Đường", "Xã Cẩm Mỹ") for t in late]

    # After the last overdue nudge (20/06) the leaders get one message naming exactly the late units.
    escalations = [t for t in texts_of(bot.sim.messages(LEADER)) if "chưa nộp báo cáo" in t]
    assert len(escalations) == 1
    assert "2 đơn vị chưa nộp báo cáo Sơ kết 6 tháng đầu năm 2026" in escalations[0]
    assert "• Xã Cẩm Mỹ" in escalations[0] and "• Xã Xuân Đường" in escalations[0]
    assert "Long Bình" not in escalations[0]
    # The office is told too: the same message to the admin.
    assert [t for t in texts_of(bot.sim.messages(ADMIN)) if "chưa nộp báo cáo" in t] == escalations


async def test_no_nudge_in_quiet_hours_or_on_sunday(people):
    bot = people
    await launch_six_monthly(bot.db)
    # The 7-day nudge was due 08/06 08:00; nobody ticked that day until 22:00.
    report = await tick(bot, at(8, 6, 22))
    assert report.nudges.quiet and nudges_to(bot, XD1) == []
    await tick(bot, at(9, 6, 7, 29))
    assert nudges_to(bot, XD1) == []
    await tick(bot, at(9, 6, 7, 30))
    assert len(nudges_to(bot, XD1)) == 1

    # 14/06 is a Sunday: no 1-day nudge then; Monday is the due day, whose nudge says so.
    await tick(bot, at(12, 6))
    await tick(bot, at(14, 6, 10))
    assert len(nudges_to(bot, XD1)) == 2
    await tick(bot, at(15, 6, 7, 45))
    assert len(nudges_to(bot, XD1)) == 2
    await tick(bot, at(15, 6, 8))
    assert len(nudges_to(bot, XD1)) == 3 and "hạn là hôm nay" in nudges_to(bot, XD1)[-1]


async def test_after_downtime_each_missing_unit_gets_one_catch_up_nudge(people):
    bot = people
    _, period_id = await launch_six_monthly(bot.db)
    await tick(bot, at(8, 6))
    clock.set_now(at(11, 6))
    async with bot.db.session() as session:
        cm = await session.scalar(select(Member.unit_id).where(Member.telegram_user_id == CM1))
        await report_periods.submit_report(session, period_id, cm, None, "Báo cáo sơ kết của Xã Cẩm Mỹ, đủ nội dung.")

    # No ticks from 09/06 to 14/06; on 15/06 09:00 the 3-day, 1-day and due-day steps are all due.
    report = await tick(bot, at(15, 6))
    for uid in (LB1, XD1):
        texts = nudges_to(bot, uid)
        assert len(texts) == 2 and "hạn là hôm nay" in texts[-1]
    assert len(nudges_to(bot, CM1)) == 1  # reported meanwhile: nothing
    assert report.nudges.sent == 2
    async with bot.db.session() as session:
        unsent = await session.scalar(
            select(func.count()).select_from(Nudge).where(Nudge.period_id == period_id, Nudge.sent_at.is_(None),
                                                          Nudge.due_at <= clock.now())
        )
    assert unsent == 0


OPENED = "Đã mở kỳ báo cáo"


def opened_to(bot, chat_id: int) -> list[dict]:
    return [m for m in bot.sim.messages(chat_id) if OPENED in (m.get("text") or "")]


async def test_officers_are_told_once_when_a_period_opens_and_again_if_its_opening_moves(people):
    bot = people
    cid, period_id = await launch_six_monthly(bot.db)
    await tick(bot, at(15, 5))  # the sơ kết opens on 16/05 (30 days before 15/06)
    assert all(opened_to(bot, uid) == [] for uid in (LB1, XD1, CM1))

    await tick(bot, at(16, 5, 7))  # before the quiet hours end: nothing yet
    assert opened_to(bot, XD1) == []
    await tick(bot, at(16, 5, 9))
    for uid, unit in ((LB1, "Phường Long Bình"), (XD1, "Xã Xuân Đường"), (CM1, "Xã Cẩm Mỹ")):
        [notice] = opened_to(bot, uid)
        assert notice["text"] == (
            "📬 Đã mở kỳ báo cáo: Sơ kết 6 tháng đầu năm 2026\n"
            "Phong trào: Phong trào thi đua thực hiện chuyển đổi số năm 2026\n"
            f"Đơn vị: {unit}\n"
            "Hạn nộp: 15/06/2026 (còn 30 ngày).\n"
            f"Bấm “📝 Gửi báo cáo” hoặc gõ /report {period_id} để gửi."
        )
        assert notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"rep:{period_id}"
    assert opened_to(bot, LEADER) == [] and opened_to(bot, ADMIN) == []  # the office is not a unit

    for moment in (at(16, 5, 10), at(18, 5), at(20, 5)):
        await tick(bot, moment)
    assert [len(opened_to(bot, uid)) for uid in (LB1, XD1, CM1)] == [1, 1, 1]

    # The due date moves to 15/07: the period now opens on 15/06 and is announced again then,
    # with its new due date.
    clock.set_now(at(20, 5))
    async with bot.db.session() as session:
        period = await session.get(ReportPeriod, period_id)
        await report_periods.set_due(session, period, date(2026, 7, 15), Settings())
        assert (period.opens_on, period.opened_notice_at) == (date(2026, 6, 15), None)
    await tick(bot, at(13, 6, 9))
    assert len(opened_to(bot, XD1)) == 1
    await tick(bot, at(15, 6, 9))
    assert len(opened_to(bot, XD1)) == 2 and "Hạn nộp: 15/07/2026 (còn 30 ngày)." in opened_to(bot, XD1)[-1]["text"]
    async with bot.db.session() as session:
        assert (await session.get(ReportPeriod, period_id)).opened_notice_at == at(15, 6, 9)


async def test_a_period_confirmed_when_its_nudges_have_begun_is_not_announced(people):
    bot = people
    cid, period_id = await launch_six_monthly(bot.db)
    await tick(bot, at(8, 6))  # the bot was down from 01/05: the 7-day nudge says it all
    assert opened_to(bot, XD1) == [] and len(nudges_to(bot, XD1)) == 1
    async with bot.db.session() as session:
        assert (await session.get(ReportPeriod, period_id)).opened_notice_at is not None  # claimed, not sent


# --- the plan, without Telegram ------------------------------------------------------------------


def test_steps_follow_the_policy():
    plan = nudges.steps(date(2026, 6, 15), NudgeSettings())
    assert plan == [
        ("before-7", date(2026, 6, 8)), ("before-3", date(2026, 6, 12)), ("before-1", date(2026, 6, 14)),
        ("due", date(2026, 6, 15)), ("after-1", date(2026, 6, 16)), ("after-3", date(2026, 6, 18)),
        ("after-5", date(2026, 6, 20)),
    ]
    assert nudges.steps(date(2026, 6, 15), NudgeSettings(before_days=(2,), on_due_day=False, after_times=0)) == [
        ("before-2", date(2026, 6, 13))
    ]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(8, 6, 9), at(8, 6, 9)),  # Monday morning: now
        (at(8, 6, 22), at(9, 6, 7, 30)),  # late evening: next morning
        (at(8, 6, 6), at(8, 6, 7, 30)),  # too early: this morning
        (at(13, 6, 20), at(15, 6, 7, 30)),  # Saturday 20:00: Sunday skipped
        (at(14, 6, 10), at(15, 6, 7, 30)),  # Sunday
    ],
)
def test_next_allowed_moves_out_of_quiet_hours(moment, expected):
    assert nudges.next_allowed(moment, QuietHours()) == expected


def test_next_allowed_on_sundays_when_allowed():
    assert nudges.next_allowed(at(14, 6, 10), QuietHours(no_sundays=False)) == at(14, 6, 10)


async def test_a_period_is_planned_once_per_unit_and_step(seeded):
    db = seeded
    async with db.session() as session:
        await add_admin_in(session)
    _, period_id = await launch_six_monthly(db)
    async with db.session() as session:
        period = await session.get(ReportPeriod, period_id)
        await nudges.plan(session, period, await report_periods.targeted_unit_ids(session, period.campaign_id), Settings())
        count = await session.scalar(select(func.count()).select_from(Nudge).where(Nudge.period_id == period_id))
    assert count == 3 * 6  # the 1-day step falls on a Sunday and gives way to the due day's


async def add_admin_in(session) -> None:
    from bot.services import members, units

    await members.add_admin(session, telegram_user_id=1, full_name="Admin", unit=await units.unit_by_code(session, "SNV"))


# --- across processes ----------------------------------------------------------------------------


async def seed_many_units(db, count: int, first_chat: int) -> tuple[int, list[int]]:
    """`count` units with one officer each, targeted by a 6-monthly campaign whose periods are confirmed."""
    from storage.models import Campaign, CampaignUnit, Unit

    clock.set_now(at(1, 5))
    chats = list(range(first_chat, first_chat + count))
    async with db.session() as session:
        campaign = Campaign(title="Phong trào thi đua chuyển đổi số năm 2026", reporting_cadence="6-monthly",
                            period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), launched_at=clock.now())
        session.add(campaign)
        await session.flush()
        for i, chat in enumerate(chats):
            unit = Unit(code=f"U{i:04d}", name=f"Xã số {i}", kind="xã")
            session.add(unit)
            await session.flush()
            session.add(CampaignUnit(campaign_id=campaign.id, unit_id=unit.id))
            session.add(Member(telegram_user_id=chat, chat_id=chat, full_name=f"Cán bộ {i}", unit_id=unit.id, role="officer"))
        await report_periods.ensure_proposed(session, campaign, Settings())
        await report_periods.confirm(session, campaign.id, Settings())
        return campaign.id, chats


async def test_the_tick_command_sends_due_nudges_and_says_so(db, db_url, tmp_path):
    from devkit.simulator import BotApiSimulator
    from tests.conftest import USERNAME
    from tests.test_outbox_processes import bot_env, run_cli

    _, chats = await seed_many_units(db, 3, 700_001)
    async with BotApiSimulator(bot_username=USERNAME) as sim:
        for chat in chats:
            sim.add_user(chat, f"Cán bộ {chat}")
        env = bot_env(tmp_path, db_url, sim, "")
        code, out = await run_cli(["tick", "--now", "2026-06-08T22:00:00+07:00"], env)
        assert code == 0 and "ngoài giờ gửi" in out, out
        code, out = await run_cli(["tick", "--now", "2026-06-09T07:30:00+07:00"], env)
        assert code == 0 and "Nhắc báo cáo: 3 lượt nhắc, 0 lượt bỏ qua, 0 kỳ báo lãnh đạo." in out, out
        assert all(len(sim.messages(chat)) == 1 for chat in chats)


async def test_two_processes_ticking_on_postgresql_send_each_nudge_once(db, db_url, tmp_path):
    from storage.db import is_sqlite

    if is_sqlite(db_url):
        pytest.skip("two processes claiming rows concurrently is PostgreSQL's case; set TEST_DATABASE_URL")
    import asyncio

    from devkit.simulator import BotApiSimulator
    from tests.conftest import USERNAME
    from tests.test_outbox_processes import bot_env, run_cli

    _, chats = await seed_many_units(db, 300, 800_001)
    async with BotApiSimulator(bot_username=USERNAME, latency=0.01) as sim:
        for chat in chats:
            sim.add_user(chat, f"Cán bộ {chat}")
        env = bot_env(tmp_path, db_url, sim, "rate_per_second = 100\nconcurrency = 16")
        # Both wake after downtime on 15/06: three steps are due for every unit, one goes out.
        runs = await asyncio.gather(*(run_cli(["tick", "--now", "2026-06-15T09:00:00+07:00"], env) for _ in range(2)))
        assert all(code == 0 for code, _ in runs), runs
        assert [len(sim.messages(chat)) for chat in chats] == [1] * len(chats)
        async with db.session() as session:
            sent = await session.scalar(select(func.count()).select_from(Nudge).where(Nudge.outcome == "sent"))
        assert sent == len(chats)


async def test_after_an_outage_the_stale_nudge_still_queued_is_superseded_by_the_overdue_one(db, db_url, sim):
    from telegram import Bot

    from storage.models import OutboxMessage, Unit
    from tests.conftest import TOKEN, make_settings

    _, chats = await seed_many_units(db, 4, 960_001)
    for chat in chats:
        sim.add_user(chat, f"Cán bộ {chat}")
    settings = make_settings(db_url, sim)
    # 08/06 09:00: the 7-day nudges are queued; the channel is down, nothing is sent.
    clock.set_now(at(8, 6))
    async with db.session() as session:
        assert (await nudges.send_due(session, settings)).messages == 4
    # 10/06: Xã số 3 reports meanwhile: its queued nudge is dropped at once.
    clock.set_now(at(10, 6))
    async with db.session() as session:
        unit = await session.scalar(select(Unit.id).where(Unit.code == "U0003"))
        period = await session.scalar(select(ReportPeriod.id).where(ReportPeriod.kind == "semiannual"))
        await report_periods.submit_report(session, period, unit, None, "Báo cáo sơ kết của Xã số 3, đủ nội dung.")
    # 16/06 09:00, the day after the due date: the channel is back and the bot ticks.
    clock.set_now(at(16, 6))
    async with Bot(TOKEN, base_url=sim.base_url, base_file_url=sim.base_file_url) as bot:
        report = await jobs.tick(bot, db, settings)
    assert report.outbox.sent == 3
    for chat in chats[:3]:
        [text] = texts_of(sim.messages(chat))
        assert OVERDUE in text and "Hạn nộp: 15/06/2026 (đã trễ 1 ngày)." in text and "còn 7 ngày" not in text
    assert sim.messages(chats[3]) == []
    async with db.session() as session:
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "report_nudge")
                                      .order_by(OutboxMessage.id))).all()
    assert [(r.status, "còn 7 ngày" in r.payload["text"]) for r in rows] == [("superseded", True)] * 4 + [("sent", False)] * 3
    assert rows[0].sent_at is None and rows[0].topic == nudges.topic(period, rows[0].member_id)
