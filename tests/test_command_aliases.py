"""Telegram commands without diacritics beside the English ones (issue 18): /baocao is /report,
/denghi is /nominate…; the menu shows both, /help names both, and they work on Zalo too."""

from __future__ import annotations

from bot.core import commands
from bot.texts.commands import ALIASES, WORDING
from tests.chats import chat  # noqa: F401 - the fixture, on both channels
from tests.conftest import make_invite


def test_every_alias_is_a_valid_telegram_command_of_a_listed_command():
    assert len(set(ALIASES.values())) == len(ALIASES)
    for name, alias in ALIASES.items():
        assert alias.isascii() and alias.isalnum() and alias.islower() and len(alias) <= 32, alias
        assert name in WORDING and alias not in WORDING  # never shadows another command
        assert commands.parse(f"/{alias} 7") == (name, ["7"])


async def test_aliases_run_their_command_and_the_menu_and_help_show_them(chat):  # noqa: F811 - the fixture
    assert "Chào mừng" in (await chat.join("officer", await make_invite(chat.db, "LB", "officer")))[0]
    by_alias = await chat.say("officer", "/denghi")
    by_name = await chat.say("officer", "/cancel")  # the nomination form opened: cancel it
    assert by_name and by_alias == await chat.say("officer", "/nominate")
    assert await chat.say("officer", "/hanbaocao") == await chat.say("officer", "/due")
    help_text = "\n".join(await chat.say("officer", "/trogiup"))
    if chat.channel == "telegram":
        assert "/report (/baocao)" in help_text and "/nominate (/denghi)" in help_text
        menu = [c["command"] for c in chat.h.sim.commands_for({"type": "chat", "chat_id": chat.user("officer")})]
        assert menu.index("baocao") == menu.index("report") + 1 and "denghi" in menu and "members" not in menu
        assert "thanhvien" not in menu  # an officer's menu: still only the officer's commands
    else:
        assert "• báo cáo" in help_text  # Zalo: typed words, as before
