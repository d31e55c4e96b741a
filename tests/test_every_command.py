"""Every command in every role's help, on each channel, once with good and once with wrong
arguments: none says it works only on the other channel, and every hint in the answers names a
command that exists on the channel it is read on."""

from __future__ import annotations

import re

from bot import clock
from bot.core import commands
from tests.chats import Chat, chat, hinted_commands  # noqa: F401 - the fixture
from tests.conftest import make_invite
from tests.test_reports import launch
from tests.test_zalo_channel import at

OTHER_CHANNEL_ONLY = re.compile(r"chỉ dùng (được )?trên (Telegram|Zalo)|cần nút bấm", re.I)


def listed(chat: Chat, help_text: str) -> list[str]:
    """The commands a help text lists, as the person reads them on this channel."""
    names = []
    for line in help_text.splitlines():
        if chat.channel == "telegram" and (m := re.match(r"/([a-z_]+)", line)):
            names.append(m.group(1))
        elif chat.channel == "zalo" and line.startswith("• "):
            words = line[2:].split(" — ")[0]
            name, _ = commands.parse(re.sub(r"\s*\[[^\]]*\]", "", re.sub(r"<[^>]*>", "1", words)))
            assert name is not None, f"the Zalo help lists words that are no command: {line!r}"
            names.append(name)
    return names


def good_args(name: str, campaign: int, channel: str) -> list[str]:
    return {
        "campaign": [str(campaign)], "status": [str(campaign)], "periods": [str(campaign)],
        "quota": [str(campaign), "LB"], "export": [str(campaign)], "report_docx": [str(campaign)],
        "members": ["LB"], "invite": ["cán", "bộ", "LB"], "channel": [channel], "digest_settings": ["tuần"],
        "ack": [str(campaign)], "my_nominations": [], "deactivate": ["999"],
    }.get(name, [])


def check(chat: Chat, said: str, answers: list[str]) -> None:
    assert answers, f"no answer to {said!r} on {chat.channel}"
    for text in answers:
        assert not OTHER_CHANNEL_ONLY.search(text), f"{said!r} on {chat.channel}: {text!r}"
        for hint, name in hinted_commands(chat.channel, text):
            assert name is not None, f"{said!r} on {chat.channel} hints at {hint!r}, which is no command: {text!r}"


async def test_every_listed_command_answers_on_its_channel(chat):
    clock.set_now(at(1, 5))
    for who, unit, role in (("admin", None, "admin"), ("officer", "LB", "officer"), ("leader", None, "leader")):
        await chat.join(who, await make_invite(chat.db, unit, role))
    campaign = await launch(chat.db, ["LB", "XD"])
    seen = set()
    for who in ("admin", "officer", "leader"):
        help_text = "\n".join(await chat.say(who, "/help"))
        names = listed(chat, help_text)
        assert names, help_text
        assert "forget" in names and "mydata" in names and "help" in names
        for name in names:
            command = commands.COMMANDS[name]
            for args in (good_args(name, campaign, chat.channel), ["abc", "999"]):
                typed = (command.typed(*args) if chat.channel == "zalo" and command.wording.words
                         else " ".join([f"/{name}", *args]))
                answers = await chat.say(who, typed)
                check(chat, typed, answers)
                await chat.say(who, "/cancel")  # leave no form open for the next command
            seen.add(name)
    wanted = {"new_campaign", "review", "quota", "periods", "members", "deactivate", "campaigns", "campaign",
              "status", "report_docx", "digest_settings", "invite", "due", "mydata", "forget", "leave",
              "nominate", "report", "digest", "export", "channel", "link"}
    assert wanted <= seen, wanted - seen


async def test_a_stranger_is_only_told_how_to_join(chat):
    for text in ("/help", "xin chào", "/status 1", "tình hình 1"):
        answers = await chat.say("stranger", text)
        check(chat, text, answers)
        assert any("mã mời" in a.lower() or "MÃ_MỜI" in a for a in answers), answers
