"""One way for a test to talk to the bot on either channel: say words, press (Telegram) or type
(Zalo) an offered action, send a photo; read answers as text. The same scenario runs on both."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot import clock, jobs
from bot.core import commands
from bot.texts.commands import WORDING
from tests.conftest import Bot, make_settings, texts_of
from tests.test_zalo_channel import PNG, ZaloHarness, zalo_settings

CHANNELS = ("telegram", "zalo")
PAYLOAD = {"ack": "ack", "rep": "report"}  # the outbox's buttons (handlers.conversation.PAYLOAD_BUTTONS)
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

    async def join(self, who: str, code: str) -> list[str]:
        """Join with an invite as a newcomer does: the first message gets the notice, which they
        accept (the button on Telegram, “đồng ý” on Zalo); the answers after that."""
        answers = await self.say(who, f"/start {code}" if self.channel == "telegram" else f"tham gia {code}")
        if len(answers) == 1 and "trợ lý tự động" in answers[0]:
            return await self.act(who, "consent")
        return answers

    async def act(self, who: str, command: str, *args: str) -> list[str]:
        """Take an action the bot offered: press its button on Telegram, type its words on Zalo."""
        if self.channel == "zalo":
            wording = WORDING[command]
            typed = " ".join([wording.words[0] if wording.words else f"/{command}", *args])
            return await self.say(who, typed)
        wanted = {f"c:{command}:{' '.join(args)}"} | {f"{prefix}:{' '.join(args)}" for prefix, name in PAYLOAD.items()
                                                       if name == command}
        return await self._press(who, lambda data: data in wanted, f"{command} {' '.join(args)}")

    async def _press(self, who: str, matches, what: str) -> list[str]:  # noqa: ANN001 - a predicate
        user = self.user(who)
        found = next(((m, b["callback_data"]) for m in reversed(self.h.sim.messages(user))
                      for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
                      for b in row if matches(b.get("callback_data") or "")), None)
        assert found is not None, f"no button for {what!r} was offered to {who}"
        message, data = found
        got = await self.h.press(user, message["message_id"], data)
        self.last[who] = got
        return texts_of(got) + ([a["text"] for a in self.h.sim.callback_answers[-1:] if a.get("text")])

    async def confirm(self, who: str) -> list[str]:
        """Send the form being reviewed: its button on Telegram, “gửi” on Zalo."""
        if self.channel == "zalo":
            return await self.say(who, "gửi")
        return await self._press(who, lambda data: data.startswith("f:") and data.split(":")[2] == "confirm", "confirm")

    async def send_file(self, who: str, filename: str, content: bytes, mime: str) -> list[str]:
        """A document: uploaded on Telegram; on Zalo (no documents) its text is pasted."""
        if self.channel == "zalo":
            return await self.say(who, content.decode("utf-8"))
        user = self.user(who)
        got = await self.h.send_file(user, filename, content, mime)
        self.last[who] = got
        return texts_of(got)

    async def tick(self, moment) -> None:  # noqa: ANN001 - an aware datetime
        """What the scheduler does at that moment: nudges due, the outbox drained."""
        clock.set_now(moment)
        if self.channel == "zalo":
            await self.h.tick(moment)
        else:
            await jobs.tick(self.h.app, self.h.db, self.h.settings)

    def count(self, who: str) -> int:
        """How many messages the bot has sent this person so far (for wait_for's `since`)."""
        return len(self.h.sim.messages(self.user(who)))

    async def wait_for(self, who: str, needle: str, timeout: float = 15.0, since: int = 0) -> dict:
        """The first message to this person containing `needle`, among those after the first
        `since` (it may come through the outbox)."""
        user = self.user(who)
        async with asyncio.timeout(timeout):
            while True:
                for m in self.h.sim.messages(user)[since:]:
                    if needle in (m.get("text") or m.get("caption") or ""):
                        return m
                await asyncio.sleep(0.05)

    async def file(self, who: str, after: int = 0) -> bytes:
        """The content of the last file the bot gave this person: an upload on Telegram, the signed
        link's download on Zalo."""
        sent = self.h.sim.messages(self.user(who))
        if self.channel == "telegram":
            doc = next(m for m in reversed(sent) if m.get("document"))
            return self.h.sim.file_content(doc["document"]["file_id"])
        text = next(m["text"] for m in reversed(sent) if "Tải tệp" in (m.get("text") or ""))
        url = re.search(r"https?://\S+", text.split("Tải tệp", 1)[1]).group(0)
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            assert response.status == 200, url
            return await response.read()

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
        name = commands.canonical(match.group(1))
        found.append((match.group(0), name if name in commands.COMMANDS else None))
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
