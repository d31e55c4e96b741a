"""Zalo's monthly message budget end to end (the Zalo simulator, the real channel and drain), Zalo's
ok:false answers by error code, and the counting itself."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot import clock
from bot.config import DigestSettings, NudgeSettings, QuietHours, Settings, ZaloSettings
from bot.services import campaigns, outbox, report_periods, zalo_usage
from devkit.simulator.zalo import ZaloApiSimulator
from bot.texts import zalo as zt
from storage.models import Campaign, Member, OutboxMessage, ZaloUsage
from tests.conftest import Bot, add_admin, make_invite, make_settings, texts_of
from tests.test_zalo_channel import ZaloHarness, at, zalo_settings, zbot  # noqa: F401 - a fixture

ADMIN_TG, ADMIN_ZALO = 1001, "8800000000000099"
OFFICERS = {f"88000000000001{i:02d}": unit for i, unit in enumerate(["LB"] * 4 + ["XD"] * 3 + ["CM"] * 3)}
NUDGE_WORDS = ("Nhắc báo cáo", "Báo cáo quá hạn")


def quota_settings(db_url, sim, zalo, quota: int) -> Settings:
    base = zalo_settings(make_settings(db_url, sim), zalo, monthly_quota=quota)
    # Five nudges per period: 12, 14, 15 (due), 16 and 18 June 2026.
    return base.with_overrides(
        nudges=NudgeSettings(before_days=(3, 1), on_due_day=True, after_every_days=2, after_times=2, escalate=False),
        quiet_hours=QuietHours(no_sundays=False), digest=DigestSettings(default="off"),
    )


class OneProcess(ZaloHarness):
    """Both channels in the bot's one process (the Application's tick drains Zalo too)."""

    def __init__(self, zalo: ZaloApiSimulator, telegram: Bot) -> None:
        self.sim, self.db, self.settings = zalo, telegram.db, telegram.settings
        self.channel = telegram.app.bot_data["zalo"]
        self._seen = {}


async def usage_of(db, month: str) -> int:
    async with db.session() as session:
        return await zalo_usage.sent_in(session, month)


async def test_with_a_quota_of_100_and_150_nudges_due_at_most_100_go_combined_near_the_end_and_admins_are_warned_once(
        seeded, zalo, sim, db_url):
    settings = quota_settings(db_url, sim, zalo, 100)
    bot = Bot(sim=sim, db=seeded, settings=settings, tracker=None)
    await bot.start()
    z = OneProcess(zalo, bot)
    try:
        clock.set_now(at(4, 5))
        await add_admin(z.db, ADMIN_TG)
        await bot.say(ADMIN_TG, "/help")  # the simulator knows a chat once its person has written
        assert "Chào mừng" in (await z.join(ADMIN_ZALO, await make_invite(z.db, 'SNV', 'admin')))[0]
        for user, unit in OFFICERS.items():
            assert "Chào mừng" in (await z.join(user, await make_invite(z.db, unit, 'officer')))[0]
        periods = []
        for n in range(3):
            async with z.db.session() as session:
                admin = await session.scalar(select(Member.id).where(Member.telegram_user_id == ADMIN_TG))
                launched = await campaigns.launch(session, {
                    "title": f"Phong trào thi đua số {n + 1} năm 2026", "reporting_cadence": "6-monthly",
                    "period_start": "2026-01-01", "period_end": "2026-12-31", "target_mode": "units",
                    "target_units": ["LB", "XD", "CM"]}, admin)
                campaign = await session.get(Campaign, launched.campaign_id)
                proposed = await report_periods.ensure_proposed(session, campaign, settings)
                await report_periods.confirm(session, campaign.id, settings)
                periods.append(next(p.id for p in proposed if p.kind == "semiannual"))
        await z.tick(at(4, 5, 9, 1), app=bot.app)  # the launches go out in May, counted for May
        # Every message Zalo took is counted: 11 first-contact notices, the welcomes (the admin's, with
        # the help, in two pieces) and the 30 launches.
        assert await usage_of(z.db, "2026-05") == len(z.sim.all_sent()) == 11 + 12 + 30
        for user in [ADMIN_ZALO, *OFFICERS]:
            z.new(user)

        # 150 nudges fall due in June: 10 officers × 3 periods × 5 steps.
        sent_by_day = {}
        for day in (12, 14, 15, 16, 18):
            await z.tick(at(day, 6, 9), app=bot.app)
            sent_by_day[day] = {user: texts_of(z.new(user)) for user in [ADMIN_ZALO, *OFFICERS]}
        june = sum(len(texts) for by_user in sent_by_day.values() for texts in by_user.values())
        assert june == await usage_of(z.db, "2026-06") == 95  # the last 5 kept for replies

        # Far from the budget each period's nudge is its own message; near it, one a day per person.
        for day in (12, 14, 15):
            assert all(len([t for t in texts if t.startswith(("⏰", "❗"))]) == 3
                       for user, texts in sent_by_day[day].items() if user != ADMIN_ZALO)
        combined = [t for texts in sent_by_day[16].values() for t in texts if "kỳ báo cáo cần nộp" in t]
        assert len(combined) == 4, sent_by_day[16]
        for text in combined:
            assert all(f"Gõ “báo cáo {p}”" in text for p in periods) and "có 3 kỳ báo cáo cần nộp" in text
            assert "❗ Báo cáo quá hạn" in text and "đã trễ 1 ngày" in text
        assert not any(t for texts in sent_by_day[18].values() for t in texts)

        # One warning at 80, to each admin on their own channel (the Zalo one read it on 15/06).
        warnings = [t for by_user in sent_by_day.values() for t in by_user[ADMIN_ZALO]]
        assert len(warnings) == 1 and "Zalo tháng 06/2026: bot đã gửi 80/100 tin, 80 %" in warnings[0]
        async with z.db.session() as session:
            told = (await session.execute(select(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.error)
                                          .where(OutboxMessage.kind == "zalo_quota_warning"))).all()
        on_telegram = [t for t in texts_of(bot.sim.messages(ADMIN_TG)) if "80/100" in t]
        assert len(on_telegram) == 1, told

        # Nothing lost: the rest waits, pending, for July (07:30 on the 1st, the quiet hours' start).
        async with z.db.session() as session:
            waiting = (await session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "zalo",
                                                                          OutboxMessage.status != "sent"))).all()
            assert len(waiting) == 16 and {r.status for r in waiting} == {"pending"}
            assert {clock.local(r.next_attempt_at) for r in waiting} == {at(1, 7, 7, 30)}
            assert all(r.attempts == 0 for r in waiting)
        status = texts_of(await bot.say(ADMIN_TG, "/status"))[0]
        assert "Zalo tháng 06/2026: đã gửi 95/100 tin (95 %), 16 tin đang chờ gửi" in status

        # The month turns: what waited goes out, counted for July.
        await z.tick(at(1, 7, 9), app=bot.app)
        july = [t for user in OFFICERS for t in texts_of(z.new(user))]
        assert len(july) == 16 and all("kỳ báo cáo cần nộp" in t for t in july)
        assert await usage_of(z.db, "2026-07") == 16
        async with z.db.session() as session:
            assert await outbox.unsent_count(session, "zalo") == 0
            assert await session.scalar(select(func.count()).where(OutboxMessage.status == "failed")) == 0
    finally:
        await bot.stop()


async def test_a_429_keeps_the_rows_queued_and_backs_off_longer_each_time_without_asking_zalo_meanwhile(zbot):
    z = zbot
    user = "8800000000000001"
    clock.set_now(at(1, 5))
    await z.join(user, await make_invite(z.db, 'LB', 'officer'))
    async with z.db.session() as session:
        for n in (1, 2, 3):
            await outbox.enqueue(session, chat_id=None, channel="zalo", address=user, kind="notice",
                                 payload={"method": "sendMessage", "text": f"Thông báo số {n}"})
    z.sim.inject_faults("sendMessage", 429, count=2, description="Quota exceeded")
    asked = lambda: z.sim.stats["requests"]["sendMessage"]  # noqa: E731
    before = asked()
    start = at(1, 5, 9, 1)

    report = await z.tick(start)
    assert (report.zalo.sent, report.zalo.failed, asked() - before) == (0, 0, 1)  # one 429; the rest held
    async with z.db.session() as session:
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice")
                                      .order_by(OutboxMessage.id))).all()
        assert [(r.status, r.attempts) for r in rows] == [("pending", 0)] * 3
        assert all(r.next_attempt_at == start + timedelta(seconds=30) for r in rows)
    assert (await z.tick(start + timedelta(seconds=20))).zalo.sent == 0 and asked() - before == 1

    await z.tick(start + timedelta(seconds=31))  # the second 429: now a minute
    assert asked() - before == 2
    assert (await z.tick(start + timedelta(seconds=80))).zalo.sent == 0 and asked() - before == 2
    report = await z.tick(start + timedelta(seconds=92))
    assert report.zalo.sent == 3
    assert texts_of(z.new(user)) == ["Thông báo số 1", "Thông báo số 2", "Thông báo số 3"]
    assert await usage_of(z.db, "2026-05") == 2 + 3  # the notice, the welcome and the three; the refused not counted


async def test_a_refused_token_is_said_loudly_once_and_nothing_is_retried_until_a_restart_with_the_right_one(
        seeded, zalo, sim, db_url, caplog):
    right = zalo_settings(make_settings(db_url, sim), zalo)
    wrong = right.with_overrides(zalo=ZaloSettings(**{**right.zalo.__dict__, "token": "777000000000000001:wrong"}))
    clock.set_now(at(1, 5))
    async with seeded.session() as session:
        await outbox.enqueue(session, chat_id=None, channel="zalo", address="8800000000000001", kind="notice",
                             payload={"method": "sendMessage", "text": "Thông báo"})
    zalo.add_user("8800000000000001", "Cán bộ")
    z = ZaloHarness(zalo, seeded, wrong)
    with caplog.at_level(logging.INFO):
        await z.channel.start()
        try:
            for minute in (1, 2, 30):
                assert (await z.tick(at(1, 5, 9, minute))).zalo.sent == 0
            await asyncio.sleep(1.5)  # polling had its chances
        finally:
            await z.channel.stop()
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR and "token was refused" in r.getMessage()]
    assert len(loud) == 1 and "ZALO_BOT_TOKEN" in loud[0].getMessage()
    assert zalo.stats["requests"]["sendMessage"] == 0 and zalo.stats["requests"]["getUpdates"] <= 1
    async with seeded.session() as session:
        row = await session.scalar(select(OutboxMessage))
        assert (row.status, row.attempts) == ("pending", 0)

    z = ZaloHarness(zalo, seeded, right)  # restarted with the right token
    await z.channel.start()
    try:
        assert (await z.tick(at(1, 5, 10))).zalo.sent == 1
        assert texts_of(zalo.messages("8800000000000001")) == ["Thông báo"]
    finally:
        await z.channel.stop()


async def test_a_reply_may_use_the_reserve_and_past_the_quota_is_not_sent_nor_queued(seeded, zalo, sim, db_url):
    settings = zalo_settings(make_settings(db_url, sim), zalo, monthly_quota=20)
    z = ZaloHarness(zalo, seeded, settings)
    await z.channel.start()
    try:
        clock.set_now(at(1, 5))
        async with z.db.session() as session:  # the outbox has used its part: 20 - 1 reserved
            assert await zalo_usage.claim(session, 20, 19, clock.now(), reply=False) == 19
            assert await zalo_usage.claim(session, 20, 1, clock.now(), reply=False) is None
        assert "tham gia MÃ_MỜI" in (await z.say("8800000000000001", "trợ giúp"))[0]  # the reserve
        assert await z.say("8800000000000001", "trợ giúp") == []  # past the quota: nothing
        async with z.db.session() as session:
            assert await zalo_usage.sent_in(session, "2026-05") == 20
            assert await outbox.unsent_count(session, "zalo") == 0
    finally:
        await z.channel.stop()


# --- the counting ------------------------------------------------------------------------------


async def test_claims_stop_at_the_limit_the_outbox_keeps_a_reserve_and_what_did_not_go_is_given_back(db):
    moment = at(15, 12)
    async with db.session() as session:
        assert await zalo_usage.claim(session, 100, 90, moment, reply=False) == 90
        assert await zalo_usage.claim(session, 100, 6, moment, reply=False) is None  # 96 > 95
        assert await zalo_usage.claim(session, 100, 5, moment, reply=False) == 95
        assert await zalo_usage.claim(session, 100, 1, moment, reply=False) is None
        assert await zalo_usage.claim(session, 100, 5, moment, reply=True) == 100
        assert await zalo_usage.claim(session, 100, 1, moment, reply=True) is None
        await zalo_usage.give_back(session, "2026-12", 3)
        assert await zalo_usage.sent_in(session, "2026-12") == 97
        assert await zalo_usage.claim(session, 0, 1000, moment, reply=False) == 1097  # 0: counted, no limit
    assert (zalo_usage.reserve(3000), zalo_usage.reserve(10), zalo_usage.warn_at(3000)) == (150, 1, 2400)


async def test_months_are_local_calendar_months(db):
    last_minute = datetime(2026, 11, 30, 23, 59, tzinfo=clock.LOCAL_TZ)
    assert zalo_usage.month_of(last_minute) == "2026-11"
    assert zalo_usage.month_of(last_minute + timedelta(minutes=1)) == "2026-12"  # 30/11 17:00 UTC
    assert zalo_usage.next_month_start(datetime(2026, 12, 31, 20, tzinfo=clock.LOCAL_TZ)) == datetime(
        2027, 1, 1, tzinfo=clock.LOCAL_TZ)
    async with db.session() as session:
        await zalo_usage.claim(session, 10, 10, last_minute, reply=True)
        assert await zalo_usage.claim(session, 10, 1, last_minute, reply=True) is None
        assert await zalo_usage.claim(session, 10, 1, last_minute + timedelta(minutes=1), reply=True) == 1


async def test_racing_processes_never_pass_the_quota_and_the_warning_is_claimed_once(db):
    moment = at(15, 12)
    await add_admin(db, ADMIN_TG)

    async def one() -> int | None:
        async with db.session() as session:
            total = await zalo_usage.claim(session, 20, 1, moment, reply=False)
            if total is not None:
                await zalo_usage.warn_if_due(session, 20, total, moment)
            return total

    results = await asyncio.gather(*(one() for _ in range(30)))
    assert sorted(r for r in results if r is not None) == list(range(1, 20))  # 20 - 1 reserved
    async with db.session() as session:
        assert await session.scalar(select(ZaloUsage.sent)) == 19
        warnings = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "zalo_quota_warning"))).all()
        assert len(warnings) == 1 and "16/20 tin" in warnings[0].payload["text"]  # at 80 % of 20
        assert not await zalo_usage.warn_if_due(session, 20, 19, moment)


async def test_near_the_budget_counts_what_is_sent_and_what_waits(db):
    settings = Settings(zalo=ZaloSettings(monthly_quota=100))
    moment = at(15, 12)
    async with db.session() as session:
        assert not await zalo_usage.near_budget(session, Settings(), moment, 10_000)  # no quota
        await zalo_usage.claim(session, 100, 50, moment, reply=False)
        assert not await zalo_usage.near_budget(session, settings, moment, 45)
        assert await zalo_usage.near_budget(session, settings, moment, 46)  # 50 + 46 > 95
        await outbox.enqueue(session, chat_id=None, channel="zalo", address="z1", kind="notice",
                             payload={"method": "sendMessage", "text": "x"})
        assert await zalo_usage.near_budget(session, settings, moment, 45)
        await zalo_usage.claim(session, 100, 30, moment, reply=False)
        assert await zalo_usage.near_budget(session, settings, moment, 0)  # 80: the warning mark


def test_the_admins_line_is_vietnamese():
    assert zt.usage_line("2026-12", 1234, 3000, 0) == "Zalo tháng 12/2026: đã gửi 1.234/3.000 tin (41 %)"
    assert zt.usage_line("2026-12", 3000, 3000, 25) == (
        "Zalo tháng 12/2026: đã gửi 3.000/3.000 tin (100 %), 25 tin đang chờ gửi — đã hết hạn mức, tin chờ sang tháng sau")
    assert zt.usage_line("2027-01", 7, 0, 0) == "Zalo tháng 01/2027: đã gửi 7 tin (không đặt hạn mức)"
