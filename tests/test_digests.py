"""Leadership digests: scheduled through the tick (time travel), on demand, settings, files, limits."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import clock, jobs
from bot.texts import digests as digest_texts
from bot.config import DigestSettings, QuietHours, Settings
from bot.services import digest_sending, digests, report_periods
from devkit.sample_campaign import seed
from storage.models import DigestSubscription, Member
from tests.conftest import add_admin, make_invite, texts_of

VN = clock.LOCAL_TZ
ADMIN, LEADER, OFFICER = 7001, 7002, 7101
HEAD = "BẢN TIN THI ĐUA"


def at(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


async def tick(bot, moment: datetime) -> jobs.TickReport:
    clock.set_now(moment)
    return await jobs.tick(bot.app, bot.db, bot.settings)


def digests_to(bot, chat_id: int) -> tuple[list[str], list[dict]]:
    sent = bot.sim.messages(chat_id)
    return [m["text"] for m in sent if HEAD in (m.get("text") or "")], [m for m in sent if "photo" in m]


@pytest.fixture
async def people(bot):
    clock.set_now(at(25, 11, 10))
    await add_admin(bot.db, ADMIN)
    await bot.say(ADMIN, "/whoami")  # the admin's chat exists on the simulator
    for uid, unit, role in ((LEADER, "DN", "leader"), (OFFICER, "LB", "officer")):
        replies = texts_of(await bot.join(uid, await make_invite(bot.db, unit, role)))
        assert "Chào mừng" in replies[0]
    async with bot.db.session() as session:
        sample = await seed(session, units=12, nominations=20, reports=8, with_heads=False)
    bot.sample = sample
    return bot


async def test_each_leader_gets_one_weekly_digest_and_chart_at_monday_0730_once(people):
    bot = people
    await tick(bot, at(29, 11, 19))  # Sunday evening: schedules made, nothing due
    await tick(bot, at(30, 11, 7, 29))
    assert digests_to(bot, LEADER) == ([], [])

    report = await tick(bot, at(30, 11, 7, 30))
    assert report.digests.sent == 2  # the leader and the admin
    for chat in (LEADER, ADMIN):
        texts, photos = digests_to(bot, chat)
        assert len(texts) == 1 and len(photos) == 1, chat
        png = bot.sim.file_content(photos[0]["photo"][-1]["file_id"])
        assert png.startswith(b"\x89PNG")
        assert "Biểu đồ kèm bản tin thi đua 30/11/2026" in photos[0]["caption"]
    [text] = digests_to(bot, LEADER)[0]
    cid = bot.sample.campaign_id
    assert f"📊 BẢN TIN THI ĐUA 30/11/2026" in text
    assert f"#{cid} «Phong trào thi đua “Chuyển đổi số vì nhân dân phục vụ” năm 2026»" in text
    assert "• Xác nhận phát động: 8/12 đơn vị" in text
    assert "• Tổng kết năm 2026 (hạn 05/12/2026, còn 5 ngày): đã nộp 0/12" in text
    assert "Kỳ trước — Sơ kết 6 tháng đầu năm 2026: còn 4 đơn vị chưa nộp" in text
    assert "• Hạn tới: Tổng kết năm 2026 05/12/2026." in text
    assert digests_to(bot, OFFICER) == ([], [])  # officers get no digest

    for moment in (at(30, 11, 7, 31), at(30, 11, 9), at(6, 12, 19)):
        await tick(bot, moment)
    assert [len(x) for x in digests_to(bot, LEADER)] == [1, 1]
    await tick(bot, at(7, 12, 7, 30))  # the next Monday: the next one
    assert [len(x) for x in digests_to(bot, LEADER)] == [2, 2]


async def test_digest_on_demand_gives_the_same_and_officers_are_refused(people):
    bot = people
    await tick(bot, at(30, 11, 7, 30))
    [scheduled] = digests_to(bot, LEADER)[0]
    clock.set_now(at(30, 11, 9))
    replies = await bot.say(LEADER, "/digest")
    [text] = [m["text"] for m in replies if "text" in m]
    # The same campaign section; only the "changes since" line differs (since 07:30 today).
    assert text.split("\n", 2)[2] == scheduled.split("\n", 2)[2]
    assert "thay đổi từ 07:30 30/11/2026" in text
    assert any("photo" in m for m in replies)

    for command in ("/digest", "/export 1", "/report_docx 1 1", "/digest_settings"):
        refused = texts_of(await bot.say(OFFICER, command))
        assert refused == ["Chức năng này dành cho quản trị, lãnh đạo. Gõ /help để xem các lệnh của bạn."], command


async def test_digest_settings_daily_then_off(people):
    bot = people
    clock.set_now(at(30, 11, 10))
    shown = (await bot.say(LEADER, "/digest_settings"))[-1]
    assert "hằng tuần, bản tiếp theo lúc 07:30 thứ Hai 30/11/2026" not in shown["text"]  # already past
    assert "hằng tuần, bản tiếp theo lúc 07:30 thứ Hai 07/12/2026" in shown["text"]
    buttons = {b["text"]: b["callback_data"] for row in shown["reply_markup"]["inline_keyboard"] for b in row}
    assert buttons == {"Hằng ngày": "c:digest_settings:ngày", "✅ Hằng tuần": "c:digest_settings:tuần",
                       "Tắt": "c:digest_settings:tắt"}
    saved = texts_of(await bot.press(LEADER, shown["message_id"], buttons["Hằng ngày"]))
    assert saved == ["✅ Đã đặt bản tin thi đua: hằng ngày, bản tiếp theo lúc 07:30 thứ Ba 01/12/2026."]
    edited = next(m for m in bot.sim.messages(LEADER) if m["message_id"] == shown["message_id"])
    assert [b["text"] for b in edited["reply_markup"]["inline_keyboard"][0]] == ["✅ Hằng ngày", "Hằng tuần", "Tắt"]

    await tick(bot, at(1, 12, 7, 30))
    assert len(digests_to(bot, LEADER)[0]) == 1
    assert texts_of(await bot.say(LEADER, "/digest_settings tắt")) == ["✅ Đã đặt bản tin thi đua: tắt."]
    async with bot.db.session() as session:
        sub = await session.scalar(select(DigestSubscription).join(Member).where(Member.telegram_user_id == LEADER))
        assert (sub.frequency, sub.next_at) == ("off", None)
    await tick(bot, at(2, 12, 7, 30))
    assert len(digests_to(bot, LEADER)[0]) == 1
    bad = texts_of(await bot.say(LEADER, "/digest_settings hằng giờ"))
    assert bad == ["Không hiểu “hằng giờ”. Gõ /digest_settings ngày, /digest_settings tuần hoặc /digest_settings tắt."]


async def test_a_digest_due_while_the_bot_was_down_waits_for_the_next_working_moment(people):
    bot = people
    clock.set_now(at(25, 11, 10))
    await bot.say(LEADER, "/digest_settings ngày")  # the next one: Thursday 26/11 07:30
    await tick(bot, at(26, 11, 7, 30))
    assert len(digests_to(bot, LEADER)[0]) == 1

    # Down from Thursday morning: Friday's digest is due when the bot comes back on Saturday at
    # 22:00, in the quiet hours; Sunday is a quiet day. It goes out on Monday at 07:30, once.
    report = await tick(bot, at(28, 11, 22))
    assert report.digests.quiet and len(digests_to(bot, LEADER)[0]) == 1
    await tick(bot, at(29, 11, 10))
    assert len(digests_to(bot, LEADER)[0]) == 1
    await tick(bot, at(30, 11, 7, 30))
    texts = digests_to(bot, LEADER)[0]
    assert len(texts) == 2 and "thay đổi từ 07:30 26/11/2026 đến nay" in texts[-1]
    await tick(bot, at(30, 11, 9))
    assert len(digests_to(bot, LEADER)[0]) == 2
    async with bot.db.session() as session:
        sub = await session.scalar(select(DigestSubscription).join(Member).where(Member.telegram_user_id == LEADER))
        assert sub.next_at == at(1, 12, 7, 30)


def test_a_weekly_digest_set_for_sunday_comes_on_monday_morning():
    cfg = DigestSettings(weekday=6)
    assert digests.next_slot(at(24, 11, 10), "weekly", cfg, QuietHours()) == at(30, 11, 7, 30).astimezone(UTC)
    assert digests.next_slot(at(24, 11, 10), "weekly", cfg, QuietHours(no_sundays=False)) == \
        at(29, 11, 7, 30).astimezone(UTC)


async def test_export_and_report_docx_send_files_that_read_back(people):
    import docx
    import openpyxl

    bot = people
    cid = bot.sample.campaign_id
    clock.set_now(at(30, 11, 10))
    [sent] = [m for m in await bot.say(LEADER, f"/export {cid}") if "document" in m]
    assert sent["document"]["file_name"] == f"phong-trao-{cid}-tong-hop-2026-11-30.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(bot.sim.file_content(sent["document"]["file_id"])))
    assert book.sheetnames == ["Điển hình", "Báo cáo", "Xác nhận"]

    listing = texts_of(await bot.say(LEADER, f"/report_docx {cid}"))[-1]
    async with bot.db.session() as session:
        semi, annual = [p.id for p in await report_periods.periods_of(session, cid)][:2]
    assert f"#{semi} Sơ kết 6 tháng đầu năm 2026 (hạn 15/06/2026)" in listing and f"#{annual} Tổng kết năm 2026" in listing
    assert "không có kỳ “77”" in texts_of(await bot.say(LEADER, f"/report_docx {cid} 77"))[-1]
    assert "Không có phong trào #999" in texts_of(await bot.say(LEADER, "/export 999"))[-1]
    [sent] = [m for m in await bot.say(ADMIN, f"/report_docx {cid} #{semi}") if "document" in m]
    paper = docx.Document(io.BytesIO(bot.sim.file_content(sent["document"]["file_id"])))
    body = "\n".join(p.text for p in paper.paragraphs)
    assert "Sơ kết 6 tháng đầu năm 2026" in body


# --- the digest without Telegram ------------------------------------------------------------------


async def test_a_campaign_with_400_missing_units_fits_one_message_and_says_how_many_more(db):
    clock.set_now(at(30, 11, 7, 30))
    async with db.session() as session:
        await seed(session, units=400, nominations=50, reports=0)
    async with db.session() as session:
        now = clock.now()
        rendered = await digest_sending.render(session, now, now - timedelta(days=7))
    text = rendered.text
    assert len(text) <= 4096
    assert "chưa nộp 400" in text and "Chưa nộp (400 đơn vị):" in text
    more = [int(n) for n in re.findall(r"và (\d+) đơn vị khác", text)]
    listed = re.findall(r"(?:Xã|Phường|Cơ quan|Trường|Đoàn thể) số \d+", text)
    assert more and sum(more) + len(listed) == 400  # every unit is either named or counted
    for line in text.splitlines():  # whole names only: each group line ends on a name or a count
        if line.startswith("  – "):
            assert re.search(r"(số \d+|đơn vị khác|\d+ đơn vị)$", line), line
    assert rendered.chart.startswith(b"\x89PNG")


def test_many_campaigns_are_cut_whole_and_counted():
    from bot.services.digests import CampaignDigest
    from collections import Counter
    from storage.models import Campaign

    items = [CampaignDigest(Campaign(id=i, title=f"Phong trào thi đua số {i} " + "rất dài " * 12), 10, 5, None, [],
                            Counter({"submitted": 3}), [], 0, [], []) for i in range(1, 60)]
    now = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
    text = digest_texts.digest(items, now, now - timedelta(days=7))
    assert len(text) <= 4096
    shown = len(re.findall(r"^#\d+ «", text, flags=re.M))
    assert f"… và {59 - shown} phong trào khác: /campaigns" in text


@pytest.mark.parametrize("after,frequency,expected", [
    (at(24, 11, 10), "weekly", at(30, 11, 7, 30)),  # Tuesday → Monday
    (at(30, 11, 7, 30), "weekly", at(7, 12, 7, 30)),  # strictly after
    (at(30, 11, 7, 29), "weekly", at(30, 11, 7, 30)),
    (at(28, 11, 9), "daily", at(30, 11, 7, 30)),  # Saturday → Monday: no Sundays
    (at(24, 11, 6), "daily", at(24, 11, 7, 30)),
])
def test_next_digest_slot(after, frequency, expected):
    assert digests.next_slot(after, frequency, DigestSettings(), QuietHours()) == expected.astimezone(UTC)


def test_a_digest_time_in_quiet_hours_waits_for_them_to_end():
    cfg = DigestSettings(at=datetime(2026, 1, 1, 6, 0).time())
    assert digests.next_slot(at(24, 11, 10), "daily", cfg, QuietHours()) == at(25, 11, 7, 30).astimezone(UTC)


async def test_a_due_digest_is_claimed_once(seeded):
    db = seeded
    clock.set_now(at(30, 11, 7, 30))
    async with db.session() as session:
        await seed(session, units=3)
    cfg, quiet = DigestSettings(), QuietHours()
    async with db.session() as session:
        assert await digests.ensure_subscriptions(session, cfg, quiet, clock.now()) == 3
    async with db.session() as first, db.session() as second:
        won_first = await digests.claim_due(first, cfg, quiet, clock.now())
        await first.commit()
        won_second = await digests.claim_due(second, cfg, quiet, clock.now())
    assert len(won_first) == 3 and won_second == []


def test_config_reads_the_digest_schedule_and_names_a_wrong_key(tmp_path):
    from bot.config import ConfigError, load_settings

    path = tmp_path / "config.toml"
    path.write_text('[digest]\ndefault = "daily"\nweekday = "friday"\nat = "16:00"\n', encoding="utf-8")
    cfg = load_settings(path, env={}).digest
    assert (cfg.default, cfg.weekday, cfg.at.hour) == ("daily", 4, 16)
    path.write_text('[digest]\nweekday = "thứ hai"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="digest.weekday"):
        load_settings(path, env={})
    assert Settings().digest.default == "weekly"


async def test_the_digest_and_export_commands_write_what_would_be_sent(db, db_url, tmp_path):
    import docx
    import openpyxl

    from tests.test_cli import run

    async with db.session() as session:
        sample = await seed(session, units=30, nominations=60, reports=20)
    env = {"THIDUA_DATABASE_URL": db_url}
    out = tmp_path / "ban-tin"
    result = run(["digest", "--now", "2026-11-30T07:30", "--out", str(out)], env_extra=env)
    assert result.returncode == 0, result.stderr
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert text.startswith("📊 BẢN TIN THI ĐUA 30/11/2026") and "• Xác nhận phát động: 20/30 đơn vị" in text
    assert (out / "chart.png").read_bytes().startswith(b"\x89PNG")

    xlsx, paper = tmp_path / "pt.xlsx", tmp_path / "pt.docx"
    cid = str(sample.campaign_id)
    assert run(["export", "--campaign", cid, "--format", "xlsx", "--out", str(xlsx)], env_extra=env).returncode == 0
    assert openpyxl.load_workbook(xlsx)["Xác nhận"].max_row == 7 + 30  # title rows, header, 30 units
    missing = run(["export", "--campaign", cid, "--format", "docx", "--out", str(paper)], env_extra=env)
    assert missing.returncode == 2 and "cần --period" in missing.stderr
    assert run(["export", "--campaign", cid, "--format", "docx", "--period", "2", "--out", str(paper)],
               env_extra=env).returncode == 0
    assert "Tổng kết năm 2026" in "\n".join(p.text for p in docx.Document(paper).paragraphs)
    unknown = run(["export", "--campaign", "999", "--format", "xlsx", "--out", str(xlsx)], env_extra=env)
    assert unknown.returncode == 1 and "Không có phong trào #999" in unknown.stderr
    nowhere = run(["export", "--campaign", cid, "--format", "xlsx", "--out", str(tmp_path / "khong-co" / "a.xlsx")],
                  env_extra=env)
    assert nowhere.returncode == 2 and "Traceback" not in nowhere.stderr
    assert nowhere.stderr.strip() == (f"Không ghi được {tmp_path / 'khong-co' / 'a.xlsx'}: thư mục "
                                      f"{tmp_path / 'khong-co'} không có. Tạo thư mục trước, hoặc chọn đường dẫn khác.")
    bad_period = run(["export", "--campaign", cid, "--format", "docx", "--period", "9", "--out", str(paper)],
                     env_extra=env)
    assert bad_period.returncode == 1 and "--period <số kỳ> (số sau dấu #)" in bad_period.stderr
    assert "/report_docx" not in bad_period.stderr


async def test_a_schedule_made_by_the_tick_and_by_the_person_at_once_is_made_once(seeded, db_url):
    """The tick's ensure_subscriptions and a leader's own /digest_settings both add the missing
    schedule: the second waits for the first's row and keeps it (no unique-constraint error)."""
    import asyncio

    from storage.db import is_sqlite

    if is_sqlite(db_url):
        pytest.skip("two writers at once is PostgreSQL's case (SQLite runs one writer at a time)")
    await add_admin(seeded, 4242)
    cfg, quiet = DigestSettings(), QuietHours()
    async with seeded.session() as first, seeded.session() as second:
        member_id = await first.scalar(select(Member.id).where(Member.telegram_user_id == 4242))
        mine = await digests.subscription(first, member_id, cfg, quiet)  # flushed, not committed
        tick = asyncio.create_task(digests.ensure_subscriptions(second, cfg, quiet, clock.now()))
        await asyncio.sleep(0.5)  # the tick's INSERT waits on the uncommitted row
        assert not tick.done()
        await first.commit()
        await tick  # ON CONFLICT DO NOTHING: no error, the person's row stays
        await second.commit()
    async with seeded.session() as session:
        rows = (await session.scalars(select(DigestSubscription).where(DigestSubscription.member_id == member_id))).all()
    assert [r.id for r in rows] == [mine.id]


async def test_a_digest_still_queued_when_the_next_is_due_is_superseded_by_it(seeded, db_url, sim):
    from telegram import Bot

    from storage.models import OutboxMessage
    from tests.conftest import TOKEN, make_settings

    clock.set_now(at(25, 11, 10))
    async with seeded.session() as session:
        await seed(session, units=6, nominations=4, reports=2, with_heads=False)
        session.add(Member(telegram_user_id=LEADER, chat_id=LEADER, full_name="Trần Văn Hùng", role="leader"))
    sim.add_user(LEADER, "Trần Văn Hùng")
    settings = make_settings(db_url, sim)
    # Monday 30/11 07:30: the weekly digest is queued, but the channel is down all week.
    clock.set_now(at(30, 11, 7, 30))
    async with seeded.session() as session:
        await digest_sending.send_due(session, settings)
    async with seeded.session() as session:
        assert (await digest_sending.send_due(session, settings)).sent == 0  # claimed once
    # Monday 07/12 07:30: back; the tick queues this week's digest and sends only it.
    clock.set_now(at(7, 12, 7, 30))
    async with Bot(TOKEN, base_url=sim.base_url, base_file_url=sim.base_file_url) as bot:
        report = await jobs.tick(bot, seeded, settings)
    assert report.digests.sent == 1
    texts = [m["text"] for m in sim.messages(LEADER) if HEAD in (m.get("text") or "")]
    assert len(texts) == 1 and texts[0].startswith("📊 BẢN TIN THI ĐUA 07/12/2026")
    assert len([m for m in sim.messages(LEADER) if "photo" in m]) == 1
    async with seeded.session() as session:
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")
                                      .order_by(OutboxMessage.id))).all()
    assert [r.status for r in rows] == ["superseded", "superseded", "sent", "sent"]
    assert "30/11/2026" in rows[0].payload["text"] and rows[0].topic == rows[2].topic
