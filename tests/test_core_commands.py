"""The core's command table: words parse to commands, and a command added to the core works on
both channels with no change to either adapter."""

from __future__ import annotations

import pytest

from bot.core import access, commands
from bot.core.screens import Action
from bot.core.turn import Turn
from bot.texts.commands import WORDING, Wording
from tests.chats import chat  # noqa: F401 - the fixture
from tests.conftest import make_invite


@pytest.mark.parametrize("typed, expected", [
    ("báo cáo 7", ("report", ["7"])), ("Bao cao 7", ("report", ["7"])), ("Báo cáo tốt", (None, [])),
    ("duyệt", ("review", [])), ("duyệt 12", ("approve", ["12"])), ("/status 3", ("status", ["3"])),
    ("tình hình 3", ("status", ["3"])), ("kỳ báo cáo 3 sửa 1 30/06/2026", ("periods", ["3", "sửa", "1", "30/06/2026"])),
    ("tham gia ABCD234567", ("start", ["ABCD234567"])), ("phong trào mới", (None, [])),
    ("báo cáo tổng hợp 3 2", ("report_docx", ["3", "2"])), ("xuất 3", ("export", ["3"])),
    ("hủy", ("cancel", [])), ("/status@thidua_bot 3", ("status", ["3"])),
])
def test_it_parses_slash_and_vietnamese_words(typed, expected):
    assert commands.parse(typed) == expected


def test_every_command_has_a_policy_and_every_policy_a_command():
    assert set(commands.COMMANDS) == set(access.POLICY)
    for name in commands.COMMANDS:
        assert access.roles_of(name), name


async def test_a_command_added_to_the_core_works_on_both_channels(chat, monkeypatch):
    monkeypatch.setitem(access.POLICY, "greet", (access.OFFICER,))
    monkeypatch.setitem(WORDING, "greet", Wording(("chào bot",), "[tên …]", "Chào bot"))

    async def greet(turn: Turn) -> None:
        name = " ".join(turn.args) or turn.member.full_name
        turn.say(f"Xin chào {name}!", [[Action("👋 Chào lại", "greet", ("lần", "hai"))]])

    commands.command("greet")(greet)
    try:
        await chat.join("officer", await make_invite(chat.db, 'LB', 'officer'))
        assert (await chat.say("officer", "/greet Mai"))[0].startswith("Xin chào Mai!")
        assert (await chat.say("officer", "chào bot"))[0].startswith("Xin chào")
        assert "Chào bot" in "\n".join(await chat.say("officer", "/help"))  # listed in help on each channel
        assert any("Xin chào lần hai!" in a for a in await chat.act("officer", "greet", "lần", "hai"))
        # The policy holds for it too.
        await chat.join("leader", await make_invite(chat.db, None, 'leader'))
        assert "dành cho cán bộ thi đua" in (await chat.say("leader", "/greet"))[0]
    finally:
        commands.COMMANDS.pop("greet", None)


def test_zalo_shows_slash_commands_as_the_words_to_type():
    from bot.zalo.render import actions_text, typed_commands

    assert typed_commands("Xem chi tiết: /campaign 3. Gõ /help để xem.") == \
        "Xem chi tiết: “phong trào 3”. Gõ “trợ giúp” để xem."
    assert typed_commands("Đổi hạn: /periods 3 sửa <số kỳ>") == "Đổi hạn: “kỳ báo cáo 3” sửa <số kỳ>"
    assert typed_commands("https://t.me/bot?start=ABC và /khonglenh") == "https://t.me/bot?start=ABC và /khonglenh"
    rows = [[Action("✅ Duyệt", "approve", ("12",)), Action("Hủy", "keep")]]
    assert actions_text(rows) == "👉 ✅ Duyệt: gõ “duyệt 12”\n👉 Hủy: gõ “giữ lại”"
    assert actions_text(rows, "… gõ “duyệt 12” để duyệt") == "👉 Hủy: gõ “giữ lại”"  # not said twice
