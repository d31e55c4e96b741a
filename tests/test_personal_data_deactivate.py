"""/deactivate ID works whichever channel the member is on: told where they read, locked out on both."""

from __future__ import annotations

from sqlalchemy import select

from bot import clock, texts
from storage.models import Member, OutboxMessage
from tests.conftest import add_admin, make_invite, texts_of
from tests.test_personal_data import arrived, drain
from tests.test_zalo_channel import at, zbot  # noqa: F401 - zbot: the Zalo channel fixture

ADMIN = 1001
ZALO_ONLY = "8800000000000101"
BOTH_ZALO, BOTH_TG = "8800000000000102", 7310000456


async def member_no(db, **where) -> int:
    async with db.session() as session:
        return await session.scalar(select(Member.id).filter_by(**where))


async def test_a_zalo_only_member_is_deactivated_told_on_zalo_and_locked_out(bot, zbot):
    z = zbot
    clock.set_now(at(1, 5))
    await add_admin(bot.db, ADMIN)
    assert "Chào mừng" in (await z.join(ZALO_ONLY, await make_invite(z.db, 'LB', 'officer')))[0]
    number = await member_no(bot.db, zalo_user_id=ZALO_ONLY)
    assert f"#{number}" in texts_of(await bot.say(ADMIN, "/members LB"))[0]

    answer = texts_of(await bot.say(ADMIN, f"/deactivate {number}"))
    assert len(answer) == 1 and answer[0].startswith("Đã vô hiệu hóa"), answer  # no error after the commit
    async with bot.db.session() as session:
        notice = await session.scalar(select(OutboxMessage).where(OutboxMessage.member_id == number))
        assert (notice.channel, notice.address, notice.chat_id) == ("zalo", ZALO_ONLY, None)
    await drain(bot, z, at(1, 5, 9, 1))
    assert texts_of(await arrived(lambda: z.new(ZALO_ONLY))) == [texts.YOU_WERE_DEACTIVATED]
    assert "chưa tham gia" in (await z.say(ZALO_ONLY, "tôi là ai"))[0]
    assert "đã không còn hoạt động" in texts_of(await bot.say(ADMIN, f"/deactivate {number}"))[0]


async def test_a_member_on_both_channels_reading_zalo_is_told_there_and_loses_the_telegram_menu(bot, zbot):
    z = zbot
    clock.set_now(at(1, 5))
    await add_admin(bot.db, ADMIN)
    await z.join(BOTH_ZALO, await make_invite(z.db, 'LB', 'officer'))
    code = (await z.say(BOTH_ZALO, "liên kết"))[0].split("Mã liên kết của bạn: ")[1].split()[0]
    await bot.join(BOTH_TG, code)
    await drain(bot, z, at(1, 5, 9, 0))
    assert "liên kết thêm Telegram" in texts_of(await arrived(lambda: z.new(BOTH_ZALO)))[0]  # the owner is told
    assert bot.sim.commands_for({"type": "chat", "chat_id": BOTH_TG})  # the officer's menu on Telegram
    number = await member_no(bot.db, zalo_user_id=BOTH_ZALO)

    assert texts_of(await bot.say(ADMIN, f"/deactivate {number}"))[0].startswith("Đã vô hiệu hóa")
    await drain(bot, z, at(1, 5, 9, 1))
    assert texts_of(await arrived(lambda: z.new(BOTH_ZALO))) == [texts.YOU_WERE_DEACTIVATED]  # where they read
    assert not bot.new_messages(BOTH_TG)
    assert bot.sim.commands_for({"type": "chat", "chat_id": BOTH_TG}) == []
    assert "chưa tham gia" in texts_of(await bot.say(BOTH_TG, "/whoami"))[0]
    assert "chưa tham gia" in (await z.say(BOTH_ZALO, "tôi là ai"))[0]
