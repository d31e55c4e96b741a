"""First contact (issue 14): a stranger's first message on each channel gets the notice (an
automated assistant of the organisation, what it stores and why, how to see and erase it, how to
join); nothing but their id is kept before they accept by joining; joining records when and on
which channel; /mydata shows it. Through both simulators, plus the service."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import column as sa_column
from sqlalchemy import insert, select
from sqlalchemy import table as sa_table

from bot import clock
from bot.services import first_contact, inbox
from devkit.simulator import BotApiSimulator
from storage import migrate
from storage.db import Database, empty_scratch_database
from storage.models import Base, FirstContact, InboxUpdate, Member
from tests.conftest import Bot, UNITS_CSV, make_invite, make_settings, texts_of
from tests.test_zalo_channel import zbot  # noqa: F401 - the Zalo channel fixture

ORG = "Hội đồng Thi đua – Khen thưởng tỉnh Đồng Nai"
TG_STRANGER = 7420000555  # large, as real Telegram ids are: no other number in the database looks like it
ZALO_STRANGER = "8812345678900555"
ODD_NAME = "Quách Thị Độc Nhất"  # their name, as the platform sends it
ODD_TEXT = "mật khẩu nhà tôi là Hoa Sen 7788"  # what they wrote


def telegram_notice_ok(text: str, confirm: bool = False) -> None:
    assert "trợ lý tự động" in text and ORG in text
    assert "họ tên, đơn vị" in text and "mã tài khoản và mã cuộc trò chuyện Telegram" in text
    assert "đề cử, báo cáo, tệp" in text and "phong trào thi đua của Văn phòng" in text
    assert "/mydata" in text and "/forget" in text
    # How to join: with the invite link or code, or — a code just sent — the button.
    assert ("Đồng ý và tham gia" in text) if confirm else ("/start MÃ_MỜI" in text)
    assert "Zalo" not in text  # what it keeps on THIS channel
    assert len(text) <= 2000


def zalo_notice_ok(text: str, confirm: bool = False) -> None:
    assert "trợ lý tự động" in text and ORG in text
    assert "mã người dùng và mã cuộc trò chuyện Zalo" in text and "đề cử, báo cáo, tệp" in text
    assert "“dữ liệu của tôi”" in text and "“xóa dữ liệu”" in text
    assert ("gõ “đồng ý”" in text) if confirm else ("tham gia MÃ_MỜI" in text)
    assert "Telegram" not in text and "/mydata" not in text
    assert len(text) <= 2000  # Zalo's limit for one message


def button_data(message: dict) -> list[str]:
    return [b["callback_data"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def member_of(db, **where) -> Member | None:
    async with db.session() as session:
        return await session.scalar(select(Member).filter_by(**where))


# --- Telegram -------------------------------------------------------------------------------------


async def test_telegram_first_message_gets_the_notice_then_the_short_answer_then_joining_records_acceptance(bot):
    bot.sim.add_user(TG_STRANGER, "Lê Thị Mai")
    notice = await bot.say(TG_STRANGER, "xin chào")
    assert len(notice) == 1 and button_data(notice[0]) == []  # no code sent: nothing to confirm
    telegram_notice_ok(notice[0]["text"])
    assert "Để tham gia" in notice[0]["text"]
    # Told once: the second message gets the short not-a-member answer.
    assert texts_of(await bot.say(TG_STRANGER, "/whoami")) == [
        "Bạn chưa tham gia bot nên chưa dùng được chức năng này. Hãy bấm vào đường link mời do "
        "Văn phòng gửi, hoặc gõ /start MÃ_MỜI."]

    # Having read the notice, a typed /start CODE joins at once: that is their acceptance.
    clock.set_now(datetime(2026, 5, 4, 2, 30, tzinfo=UTC))
    welcome = texts_of(await bot.say(TG_STRANGER, f"/start {await make_invite(bot.db, 'LB', 'officer')}"))
    assert len(welcome) == 1 and "Chào mừng Lê Thị Mai" in welcome[0]
    assert "Bot đã ghi nhận bạn đồng ý việc lưu dữ liệu này lúc 09:30 04/05/2026 trên Telegram." in welcome[0]
    member = await member_of(bot.db, telegram_user_id=TG_STRANGER)
    assert member.telegram_accepted_at == datetime(2026, 5, 4, 2, 30, tzinfo=UTC) and member.zalo_accepted_at is None

    # /mydata shows when they were told and when they accepted, in the summary and in the file.
    summary, document = await bot.say(TG_STRANGER, "/mydata")
    assert "Thông báo và đồng ý lưu dữ liệu:" in summary["text"]
    assert "• Telegram: được thông báo lúc" in summary["text"] and "đồng ý lúc 09:30 04/05/2026" in summary["text"]
    data = json.loads(bot.sim.file_content(document["document"]["file_id"]).decode("utf-8"))
    assert data["consent"]["telegram"]["accepted_at"] == "2026-05-04T02:30:00+00:00"
    assert data["consent"]["telegram"]["notice_shown_at"] is not None
    assert data["consent"]["zalo"] == {"notice_shown_at": None, "accepted_at": None}
    assert data["memberships"][0]["telegram_accepted_at"] == "2026-05-04T02:30:00+00:00"


async def test_a_deep_link_as_the_first_message_shows_the_notice_and_joins_only_once_confirmed(bot):
    bot.sim.add_user(TG_STRANGER, "Lê Thị Mai")
    code = await make_invite(bot.db, "XD", "officer")
    notice = await bot.say(TG_STRANGER, f"/start {code}")
    assert len(notice) == 1 and button_data(notice[0]) == ["c:consent:"]
    telegram_notice_ok(notice[0]["text"], confirm=True)
    assert "Bạn vừa gửi mã mời" in notice[0]["text"] and "Đồng ý và tham gia" in notice[0]["text"]
    # Nothing joined yet: only their id and the code they sent are held.
    assert await member_of(bot.db, telegram_user_id=TG_STRANGER) is None
    async with bot.db.session() as session:
        held = (await session.scalars(select(FirstContact))).all()
    assert [(r.channel, r.user_key, r.pending_code) for r in held] == [("telegram", str(TG_STRANGER), code)]

    welcome = texts_of(await bot.press(TG_STRANGER, notice[0]["message_id"], "c:consent:"))
    assert len(welcome) == 1 and "Chào mừng Lê Thị Mai" in welcome[0] and "Xã Xuân Đường" in welcome[0]
    assert "Bot đã ghi nhận bạn đồng ý" in welcome[0]
    member = await member_of(bot.db, telegram_user_id=TG_STRANGER)
    assert member.telegram_accepted_at is not None and member.role == "officer"
    async with bot.db.session() as session:
        assert (await session.get(FirstContact, ("telegram", str(TG_STRANGER)))).pending_code is None
    # Pressed again, now a member: the button has done its work.
    await bot.press(TG_STRANGER, notice[0]["message_id"], "c:consent:")
    assert "không còn hiệu lực" in bot.sim.callback_answers[-1]["text"]
    assert "Xã Xuân Đường" in texts_of(await bot.say(TG_STRANGER, "/whoami"))[0]


async def test_a_sticker_or_a_command_first_also_gets_the_notice_and_a_late_confirm_is_explained(bot):
    bot.sim.add_user(TG_STRANGER, "Lê Thị Mai")
    bot.new_messages(TG_STRANGER)
    sticker = await bot._after(TG_STRANGER, bot.sim.send_sticker(TG_STRANGER))
    telegram_notice_ok(texts_of(sticker)[0])
    other = TG_STRANGER + 1
    bot.sim.add_user(other, "Trần Văn Hùng")
    telegram_notice_ok(texts_of(await bot.say(other, "/help"))[0])
    # A confirm with no code held (pressed on an old notice): told how to join, nothing joined.
    await bot.press(other, 1, "c:consent:")
    assert "Bot không còn giữ mã mời nào của bạn" in texts_of(bot.sim.messages(other))[-1]
    assert await member_of(bot.db, telegram_user_id=other) is None


async def test_a_refused_code_after_confirming_is_explained_and_creates_nothing(bot):
    code = await make_invite(bot.db, "XD", "officer")
    assert "Chào mừng" in texts_of(await bot.join(TG_STRANGER + 7, code))[0]
    notice = await bot.say(TG_STRANGER, f"/start {code}")
    refused = texts_of(await bot.press(TG_STRANGER, notice[0]["message_id"], "c:consent:"))
    assert refused == ["Mã mời này đã được dùng. Mỗi mã chỉ dùng một lần — hãy liên hệ Văn phòng để được cấp mã mới."]
    assert await member_of(bot.db, telegram_user_id=TG_STRANGER) is None


# --- Zalo -----------------------------------------------------------------------------------------


async def test_zalo_first_message_gets_the_notice_then_the_short_answer_then_joining_records_acceptance(zbot):
    z = zbot
    z.sim.add_user(ZALO_STRANGER, "Mai Lê")
    z.new(ZALO_STRANGER)
    await z.channel.conversation.wait_handled(z.sim.send_sticker(ZALO_STRANGER))
    notice = texts_of(z.new(ZALO_STRANGER))
    assert len(notice) == 1
    zalo_notice_ok(notice[0])
    assert (await z.say(ZALO_STRANGER, "xin chào")) == ["Bạn chưa tham gia bot. Hãy gõ: tham gia MÃ_MỜI (mã do Văn phòng cấp)."]

    clock.set_now(datetime(2026, 5, 4, 2, 30, tzinfo=UTC))
    welcome = await z.say(ZALO_STRANGER, f"tham gia {await make_invite(z.db, 'LB', 'officer')}")
    assert len(welcome) == 1 and "Chào mừng Mai Lê" in welcome[0]
    assert "Bot đã ghi nhận bạn đồng ý việc lưu dữ liệu này lúc 09:30 04/05/2026 trên Zalo." in welcome[0]
    assert "Telegram" not in welcome[0].split("Bạn đang dùng bot với vai trò")[0]  # its data note: Zalo only
    assert "tên Zalo, mã người dùng và mã cuộc trò chuyện Zalo" in welcome[0]
    member = await member_of(z.db, zalo_user_id=ZALO_STRANGER)
    assert member.zalo_accepted_at == datetime(2026, 5, 4, 2, 30, tzinfo=UTC) and member.telegram_accepted_at is None

    summary = (await z.say(ZALO_STRANGER, "dữ liệu của tôi"))[0]
    assert "• Zalo: được thông báo lúc" in summary and "đồng ý lúc 09:30 04/05/2026" in summary
    assert "• Telegram: được thông báo" not in summary and "• Telegram: chưa ghi nhận" not in summary


async def test_zalo_join_as_the_first_message_is_held_until_they_type_dong_y(zbot):
    z = zbot
    z.sim.add_user(ZALO_STRANGER, "Mai Lê")
    code = await make_invite(z.db, "XD", "officer")
    notice = await z.say(ZALO_STRANGER, f"tham gia {code}")
    assert len(notice) == 1
    zalo_notice_ok(notice[0], confirm=True)
    assert "Bạn vừa gửi mã mời" in notice[0] and "gõ “đồng ý”" in notice[0]
    assert await member_of(z.db, zalo_user_id=ZALO_STRANGER) is None

    welcome = await z.say(ZALO_STRANGER, "Đồng ý")
    assert "Chào mừng Mai Lê" in welcome[0] and "Xã Xuân Đường" in welcome[0] and "ghi nhận bạn đồng ý" in welcome[0]
    assert (await member_of(z.db, zalo_user_id=ZALO_STRANGER)).zalo_accepted_at is not None
    # "đồng ý" with nothing held, from another stranger already told: how to join.
    other = "8812345678900556"
    await z.say(other, "alo")
    assert (await z.say(other, "đồng ý")) == [
        "Bot không còn giữ mã mời nào của bạn. Hãy gõ: tham gia MÃ_MỜI (mã do Văn phòng cấp)."]


# --- nothing but their id ----------------------------------------------------------------------------


async def traces(db, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, excerpt) of every stored value, in every table, holding one of `needles`."""
    forms = {n for needle in needles for n in (needle, json.dumps(needle)[1:-1])}  # also \\u-escaped
    found = []
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings().all():
                for column in table.columns:
                    value = row[column.name]
                    if value is None or isinstance(value, bool | datetime):
                        continue
                    if isinstance(value, bytes):
                        text = value.decode("utf-8", "ignore")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value, ensure_ascii=False) + json.dumps(value)
                    else:
                        text = str(value)
                    if any(n in text for n in forms):
                        found.append((table.name, column.name, text[:120]))
    return found


async def all_handled(db, count: int) -> list[InboxUpdate]:
    """The inbox rows once `count` are recorded handled (the worker records it just after the
    handler has answered)."""
    for _ in range(200):
        async with db.session() as session:
            rows = (await session.scalars(select(InboxUpdate).order_by(InboxUpdate.id))).all()
        if len(rows) >= count and all(r.status == "handled" for r in rows):
            return list(rows)
        await asyncio.sleep(0.05)
    return list(rows)


async def test_a_stranger_on_each_channel_leaves_only_their_id(bot, zbot, caplog):
    caplog.set_level(logging.INFO)  # the default level: nothing of theirs in the log either
    bot.sim.add_user(TG_STRANGER, ODD_NAME)
    zbot.sim.add_user(ZALO_STRANGER, ODD_NAME)
    code = await make_invite(bot.db, "LB", "officer")
    # Whatever they send: words, a command, a code they never confirm, a sticker.
    telegram_notice_ok(texts_of(await bot.say(TG_STRANGER, ODD_TEXT))[0])
    await bot.say(TG_STRANGER, f"/nominate {ODD_TEXT}")
    zalo_notice_ok((await zbot.say(ZALO_STRANGER, f"tham gia {code}"))[0], confirm=True)
    await zbot.say(ZALO_STRANGER, ODD_TEXT)
    await zbot.channel.conversation.wait_handled(zbot.sim.send_sticker(ZALO_STRANGER))

    rows = await all_handled(bot.db, 5)
    assert await traces(bot.db, [ODD_NAME, ODD_TEXT]) == []
    assert ODD_NAME not in caplog.text and ODD_TEXT not in caplog.text
    # Their id: in the first-contact row, and as the inbox rows' chat (their payloads emptied).
    where = await traces(bot.db, [str(TG_STRANGER), ZALO_STRANGER])
    assert {(table, column) for table, column, _ in where} == {("first_contacts", "user_key"), ("inbox", "chat_key")}
    assert len(rows) == 5 and all(r.payload == {} and r.status == "handled" for r in rows)
    assert {r.channel for r in rows} == {"telegram", "zalo"}
    # The held code is the office's, not theirs, and goes once used or replaced.
    async with bot.db.session() as session:
        assert (await session.get(FirstContact, ("zalo", ZALO_STRANGER))).pending_code == code
    # A repeat of a stranger's update (the platform sending it again) is still recognised by the
    # keys kept: not stored, so not handled, a second time.
    async with bot.db.session() as session:
        again = [inbox.Incoming(r.channel, r.update_key, r.chat_key, {"text": ODD_TEXT}) for r in rows]
        assert await inbox.store(session, again, clock.now()) == 0


# --- members from before first contact was recorded ------------------------------------------------------


async def test_members_from_before_the_migration_are_not_asked_again(db_url, sim: BotApiSimulator):
    database = Database(db_url)
    await empty_scratch_database(database)
    try:
        await migrate.upgrade(database, "0010")
        async with database.session() as session:
            await session.execute(insert(Base.metadata.tables["units"]).values(id=1, code="LB", name="Phường Long Bình",
                                                                             kind="phường"))
            # The columns of 0010's table only: the model's own defaults name columns added later.
            row = dict(id=1, telegram_user_id=TG_STRANGER, chat_id=TG_STRANGER, channel="telegram",
                       full_name="Lê Thị Mai", unit_id=1, role="officer", reachable=True,
                       joined_at=datetime(2026, 1, 5, tzinfo=UTC))
            members = Base.metadata.tables["members"]
            old_members = sa_table("members", *(sa_column(name, members.c[name].type) for name in row))
            await session.execute(insert(old_members).values(**row))
        await migrate.upgrade(database)
        member = await member_of(database, id=1)
        assert member.telegram_accepted_at is None and member.zalo_accepted_at is None  # not invented
        harness = Bot(sim=sim, db=database, settings=make_settings(db_url, sim), tracker=None)
        await harness.start()
        try:
            # They joined under the old welcome (which carried the data note): answered, not re-asked.
            assert "Phường Long Bình" in texts_of(await harness.say(TG_STRANGER, "/whoami"))[0]
            summary = (await harness.say(TG_STRANGER, "/mydata"))[0]["text"]
            assert "• Telegram: chưa ghi nhận đồng ý (tham gia trước khi bot ghi nhận)" in summary
            async with database.session() as session:
                assert (await session.scalars(select(FirstContact))).all() == []
        finally:
            await harness.stop()
    finally:
        await database.dispose()


# --- the service -------------------------------------------------------------------------------------


async def test_the_service_records_first_contact_once_and_holds_a_code_until_taken(db):
    at = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)
    async with db.session() as session:
        assert not await first_contact.was_told(session, "zalo", "z-1")
        assert await first_contact.record_told(session, "zalo", "z-1", at, pending_code="ABC")
        assert not await first_contact.record_told(session, "zalo", "z-1", datetime(2026, 6, 1, tzinfo=UTC))
        assert await first_contact.record_told(session, "telegram", 5, at)  # per channel
    async with db.session() as session:
        assert await first_contact.was_told(session, "zalo", "z-1")
        assert await first_contact.told_at(session, [5], ["z-1"]) == {"telegram": at, "zalo": at}
        assert await first_contact.pending_code(session, "zalo", "z-1") == "ABC"
        assert await first_contact.pending_code(session, "zalo", "z-1") == "ABC"  # kept until used
        await first_contact.clear_pending_code(session, "zalo", "z-1")
        assert await first_contact.pending_code(session, "zalo", "z-1") is None
        await first_contact.forget(session, [5], ["z-1"])
    async with db.session() as session:
        assert (await session.scalars(select(FirstContact))).all() == []
    with pytest.raises(ValueError):
        async with db.session() as session:
            await first_contact.record_told(session, "sms", "1", at)
