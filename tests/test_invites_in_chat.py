"""The office makes invite codes in chat, on either channel, and a newcomer joins with one."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot import clock
from storage.models import Member, Unit
from tests.chats import chat  # noqa: F401 - the fixture
from tests.conftest import make_invite
from tests.test_zalo_channel import at


async def test_an_admin_makes_invites_in_chat_and_a_newcomer_joins_with_one(chat):
    clock.set_now(at(1, 5))
    await chat.join("admin", await make_invite(chat.db, "SNV", "admin"))
    made = "\n".join(await chat.say("admin", "/invite cán bộ LB 2"))
    codes = re.findall(r"“tham gia ([A-Z0-9]{6,})”", made)
    assert len(codes) == 2 and "Phường Long Bình" in made, made
    assert f"/start {codes[0]}" in made or f"?start={codes[0]}" in made  # what to do on Telegram too
    # Wrong arguments are explained; only the office may make codes.
    assert "Cách dùng" in "\n".join(await chat.say("admin", "/invite thủ trưởng"))
    assert "cần mã đơn vị" in "\n".join(await chat.say("admin", "/invite cán bộ"))
    assert "Không có đơn vị mã KHONGCO" in "\n".join(await chat.say("admin", "/invite cán bộ KHONGCO"))
    assert "từ 1 đến 20" in "\n".join(await chat.say("admin", "/invite cán bộ LB 99"))

    welcome = "\n".join(await chat.join("officer", codes[0]))
    assert "Chào mừng" in welcome and "Phường Long Bình" in welcome
    assert "dành cho quản trị" in "\n".join(await chat.say("officer", "/invite cán bộ LB"))
    async with chat.db.session() as session:
        units = (await session.scalars(select(Unit.code).join(Member, Member.unit_id == Unit.id)
                                       .where(Member.role == "officer"))).all()
    assert units == ["LB"]


def test_the_bots_zalo_address_is_printed_with_each_code_when_configured():
    from bot import texts
    made = texts.invites_made(["ABCD234567"], "officer", "Phường Long Bình", "15/05/2026 09:00", "thidua_bot",
                              "https://zalo.me/1234567890")
    assert "Zalo: mở https://zalo.me/1234567890 rồi nhắn “tham gia ABCD234567”" in made
    assert "https://t.me/thidua_bot?start=ABCD234567" in made
