"""One way for a test to talk to the bot on either channel: say words, press (Telegram) or type
(Zalo) an offered action, send a photo; read answers as text. The same scenario runs on both."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.core import commands
from bot.texts.commands import WORDING
from tests.conftest import Bot, make_settings, texts_of
from tests.test_zalo_channel import PNG, ZaloHarness, zalo_settings

CHANNELS = ("telegram", "zalo")
USERS = {"telegram": {"admin": 5001, "officer": 5002, "leader": 5003, "officer2": 5004, "stranger": 5009},
         "zalo": {"admin": "7700000000000001", "officer": "7700000000000002", "leader": "7700000000000003",
                  "officer2": "7700000000000004", "stranger": "7700000000000009"}}


class Chat:
    """People of one channel talking to the running bot."""

    def __init__(self, channel: str, harness) -> None:  # noqa: ANN001 - a Bot or a ZaloHarness
        self.channel, self.h = channel, harness
        self.last: dict[object, list[dict]] = {}

    @property
    def db(self):  # noqa: ANN201
        return self.h.db

    def user(self, who: str):  # noqa: ANN201
        return USERS[self.channel][who]

    async def say(self, who: str, text: str) -> list[str]:
        user = self.user(who)
        if self.channel == "telegram":
            self.h.sim.add_user(user, f"Người {who}")
            got = await self.h.say(user, text)
        else:
            self.h.new(user)
            await self.h.channel.conversation.wait_handled(self.h.sim.send_text(user, text))
            got = self.h.new(user)
        self.last[who] = got
        return texts_of(got)

    async def act(self, who: str, command: str, *args: str) -> list[str]:
        """Take an action the bot offered: press its button on Telegram, type its words on Zalo."""
        if self.channel == "zalo":
            wording = WORDING[command]
            typed = " ".join([wording.words[0] if wording.words else f"/{command}", *args])
            return await self.say(who, typed)
        user = self.user(who)
        data = f"c:{command}:{' '.join(args)}"
        message = next((m for m in reversed(self.h.sim.messages(user))
                        for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
                        for b in row if b.get("callback_data") == data), None)
        assert message is not None, f"no button {data!r} was offered to {who}"
        got = await self.h.press(user, message["message_id"], data)
        self.last[who] = got
        return texts_of(got) + ([a["text"] for a in self.h.sim.callback_answers[-1:] if a.get("text")])

    async def photo(self, who: str, content: bytes = PNG) -> list[str]:
        user = self.user(who)
        if self.channel == "telegram":
            self.h.new_messages(user)
            got = await self.h._after(user, self.h.sim.send_photo(user, content))
        else:
            self.h.new(user)
            url = self.h.sim.host_image(content, "minh-chung.png")
            await self.h.channel.conversation.wait_handled(self.h.sim.send_photo(user, url))
            got = self.h.new(user)
        self.last[who] = got
        return texts_of(got)

    def photos_sent(self, who: str) -> list[dict]:
        """Photos the bot sent to this person (Telegram upload, Zalo sendPhoto)."""
        sent = self.h.sim.messages(self.user(who))
        return [m for m in sent if m.get("photo") or m.get("method") == "sendPhoto"]


def hinted_commands(channel: str, text: str) -> list[tuple[str, str | None]]:
    """Every command a text tells the person to type: (what it says, the command it parses to)."""
    found = []
    for match in re.finditer(r"(?<![\w/.:])/([a-z_]+)\b", text):
        found.append((match.group(0), match.group(1) if match.group(1) in commands.COMMANDS else None))
    for match in re.finditer(r"[Gg]õ:?\s*“([^”]{1,60})”", text):
        phrase = match.group(1)
        name, _ = commands.parse(re.sub(r"<[^>]*>", "1", phrase).replace("MÃ_MỜI", "ABCD234567"))
        if name is None and re.fullmatch(r"(xong|gửi|sửa \d+|\d+)", phrase):
            name = "form"  # words of the form in progress
        found.append((phrase, name))
    return found


@pytest.fixture(params=CHANNELS)
async def chat(request, seeded, sim, zalo, db_url) -> AsyncIterator[Chat]:
    """The bot with only one channel switched on, as an office that has only that channel."""
    if request.param == "telegram":
        harness = Bot(sim=sim, db=seeded, settings=make_settings(db_url, sim), tracker=None)
        await harness.start()
        yield Chat("telegram", harness)
        await harness.stop()
    else:
        harness = ZaloHarness(zalo, seeded, zalo_settings(make_settings(db_url, sim), zalo))
        await harness.channel.start()
        yield Chat("zalo", harness)
        await harness.channel.stop()
