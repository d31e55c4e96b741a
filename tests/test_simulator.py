"""Tests for the Bot API simulator, driven by a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    SimpleUpdateProcessor,
    filters,
)

from devkit.simulator import BotApiSimulator


class TrackingUpdateProcessor(SimpleUpdateProcessor):
    """PTB's stock processor, one update at a time, noting which updates it has handled."""

    def __init__(self) -> None:
        super().__init__(1)
        self._processed: set[int] = set()
        self._changed = asyncio.Condition()

    async def do_process_update(self, update: object, coroutine) -> None:  # noqa: ANN001
        try:
            await coroutine
        finally:
            self._processed.add(getattr(update, "update_id", None))
            async with self._changed:
                self._changed.notify_all()

    async def wait_processed(self, update_id: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: update_id in self._processed)

TOKEN = "123:TEST"
USER = 42


@dataclass
class Harness:
    sim: BotApiSimulator
    app: Application
    tracker: TrackingUpdateProcessor
    seen: dict[str, Any] = field(default_factory=dict)

    async def say(self, text: str, user_id: int = USER) -> int:
        """Send text as a user and wait until the bot has fully handled it."""
        update_id = self.sim.send_text(user_id, text)
        await self.tracker.wait_processed(update_id, timeout=3)
        return update_id


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator() as simulator:
        yield simulator


@pytest.fixture
async def bot(sim: BotApiSimulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=sim.base_url, base_file_url=sim.base_file_url) as bot:
        yield bot


@pytest.fixture
async def harness(sim: BotApiSimulator) -> AsyncIterator[Harness]:
    tracker = TrackingUpdateProcessor()
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(sim.base_url)
        .base_file_url(sim.base_file_url)
        .concurrent_updates(tracker)
        .build()
    )
    h = Harness(sim, app, tracker)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        h.seen["args"] = context.args
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Có", callback_data="yes"), InlineKeyboardButton("Không", callback_data="no")]]
        )
        await update.message.reply_text(f"start {' '.join(context.args)}", reply_markup=keyboard)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer(f"ok {query.data}")
        if query.message.is_accessible:
            await query.edit_message_text(f"chose {query.data}")

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        document = update.message.document
        data = await (await context.bot.get_file(document.file_id)).download_as_bytearray()
        await update.message.reply_text(f"got {document.file_name} {bytes(data).decode()}")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"echo {update.message.text}")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield h
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def api_url(sim: BotApiSimulator, method: str, token: str = TOKEN) -> str:
    return f"{sim.base_url}{token}/{method}"


# --------------------------------------------------------------------------- #
# Through a real Application
# --------------------------------------------------------------------------- #


async def test_start_command_reaches_handler_with_args(harness: Harness) -> None:
    sim = harness.sim
    await harness.say("/start abc")

    assert harness.seen["args"] == ["abc"]
    [reply] = sim.messages(USER)
    assert reply["text"] == "start abc"
    assert reply["from"]["is_bot"] and reply["from"]["username"] == "thidua_demo_bot"
    assert reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"
    found = await sim.wait_for(lambda m: m["text"].startswith("start"), chat_id=USER, timeout=1)
    assert found["message_id"] == reply["message_id"]


async def test_wait_for_resolves_on_future_message(harness: Harness) -> None:
    waiter = asyncio.create_task(
        harness.sim.wait_for(lambda m: m["text"] == "echo xin chào", chat_id=USER, timeout=3)
    )
    harness.sim.send_text(USER, "xin chào")
    message = await waiter
    assert message["chat"] == {"id": USER, "type": "private", "first_name": f"Người dùng {USER}"}


async def test_button_press_reaches_callback_handler(harness: Harness) -> None:
    sim = harness.sim
    await harness.say("/start")
    message_id = sim.messages(USER)[0]["message_id"]

    update_id = sim.press_button(USER, message_id, text="Không")
    await harness.tracker.wait_processed(update_id, timeout=3)

    answer = sim.callback_answers[-1]
    assert answer["text"] == "ok no" and answer["data"] == "no"
    [edited] = sim.messages(USER)
    assert edited["text"] == "chose no"
    assert "reply_markup" not in edited  # edit without markup drops the keyboard
    assert [old["text"] for old in sim.edit_history(USER, message_id)] == ["start "]
    # wait_for sees edits too
    assert (await sim.wait_for(lambda m: m["text"] == "chose no", chat_id=USER, timeout=1))["edit_date"]


async def test_forged_press_on_unknown_message_is_still_delivered(harness: Harness) -> None:
    update_id = harness.sim.press_button(USER, 999, data="forged")
    await harness.tracker.wait_processed(update_id, timeout=3)
    assert harness.sim.callback_answers[-1]["data"] == "forged"
    # PTB sees Telegram's "inaccessible message" shape (date 0) for a forged press.
    assert harness.sim.messages(USER) == []


async def test_document_upload_is_downloadable_by_bot(harness: Harness) -> None:
    sim = harness.sim
    update_id = sim.send_document(USER, "ke_hoach.txt", "Kế hoạch quý".encode())
    await harness.tracker.wait_processed(update_id, timeout=3)
    [reply] = sim.messages(USER)
    assert reply["text"] == "got ke_hoach.txt Kế hoạch quý"


async def test_side_api_over_http(harness: Harness) -> None:
    sim = harness.sim
    async with httpx.AsyncClient(base_url=sim.url) as client:
        response = await client.post("/sim/users", json={"user_id": 7, "first_name": "Lan"})
        assert response.json()["user"]["first_name"] == "Lan"
        response = await client.post("/sim/users/7/text", json={"text": "chào bot"})
        body = response.json()
        assert body["ok"] is True
        await harness.tracker.wait_processed(body["update_id"], timeout=3)

        messages = (await client.get("/sim/chats/7/messages")).json()["messages"]
        assert [m["text"] for m in messages] == ["echo chào bot"]

        encoded = base64.b64encode(b"abc").decode()
        response = await client.post(
            "/sim/users/7/document", json={"filename": "a.txt", "content": encoded}
        )
        await harness.tracker.wait_processed(response.json()["update_id"], timeout=3)
        response = await client.post(
            "/sim/users/7/document", files={"document": ("b.txt", b"xyz", "text/plain")}
        )
        await harness.tracker.wait_processed(response.json()["update_id"], timeout=3)
        texts = [m["text"] for m in (await client.get("/sim/chats/7/messages")).json()["messages"]]
        assert texts[1:] == ["got a.txt abc", "got b.txt xyz"]

        stats = (await client.get("/sim/stats")).json()["stats"]
        assert stats["requests"]["sendMessage"] == 3
        assert stats["requests"]["getUpdates"] >= 1

        bad = await client.post("/sim/faults", json={"kind": "nope"})
        assert bad.status_code == 400 and bad.json()["ok"] is False


# --------------------------------------------------------------------------- #
# Bot-side behaviour with a bare Bot or raw HTTP
# --------------------------------------------------------------------------- #


async def test_bot_send_document_bytes_is_stored(sim: BotApiSimulator, bot: Bot) -> None:
    sim.add_user(USER, "An")
    sent = await bot.send_document(USER, document=b"%PDF-1.4 fake", filename="bao_cao.pdf", caption="Báo cáo")
    assert sent.document.file_name == "bao_cao.pdf"
    [stored] = sim.messages(USER)
    assert stored["caption"] == "Báo cáo"
    assert stored["document"]["mime_type"] == "application/pdf"
    assert sim.file_content(stored["document"]["file_id"]) == b"%PDF-1.4 fake"
    # Re-sending by file_id and downloading through getFile both work.
    again = await bot.send_document(USER, document=sent.document.file_id)
    assert again.document.file_id == sent.document.file_id
    assert await (await bot.get_file(sent.document.file_id)).download_as_bytearray() == b"%PDF-1.4 fake"

    photo = await bot.send_photo(USER, photo=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x08")
    assert (photo.photo[0].width, photo.photo[0].height) == (16, 8)


async def test_injected_429_is_seen_by_raw_http(sim: BotApiSimulator) -> None:
    sim.add_user(1, "A")
    sim.inject_faults("429", method="sendMessage")
    async with httpx.AsyncClient() as client:
        response = await client.post(api_url(sim, "sendMessage"), json={"chat_id": 1, "text": "hi"})
        assert response.status_code == 429
        body = response.json()
        assert body["ok"] is False and body["error_code"] == 429
        assert body["parameters"]["retry_after"] == 1
        assert sim.messages(1) == []
        # Consumed: the next request goes through.
        response = await client.post(api_url(sim, "sendMessage"), json={"chat_id": 1, "text": "hi"})
        assert response.status_code == 200 and response.json()["result"]["text"] == "hi"


async def test_fault_kinds_map_to_ptb_errors(sim: BotApiSimulator, bot: Bot) -> None:
    sim.add_user(1, "A")
    sim.inject_faults("429", chat_id=1)
    with pytest.raises(RetryAfter, match="Retry in 1 "):
        await bot.send_message(1, "x")
    sim.inject_faults("403")
    with pytest.raises(Forbidden):
        await bot.send_message(1, "x")
    sim.inject_faults("500", count=2, method="sendMessage")
    async with httpx.AsyncClient() as client:
        for _ in range(2):
            response = await client.get(api_url(sim, "sendMessage"), params={"chat_id": 1, "text": "x"})
            assert response.status_code == 500
    assert sim.messages(1) == []
    assert sim.stats["faults_triggered"] == 4


async def test_timeout_faults_before_and_after_send(sim: BotApiSimulator) -> None:
    sim.add_user(1, "A")
    sim.timeout_delay = 5
    async with httpx.AsyncClient(timeout=0.3) as client:
        sim.inject_faults("timeout")
        with pytest.raises(httpx.ReadTimeout):
            await client.post(api_url(sim, "sendMessage"), json={"chat_id": 1, "text": "lost"})
        assert sim.messages(1) == []

        sim.inject_faults("timeout_after_send")
        with pytest.raises(httpx.ReadTimeout):
            await client.post(api_url(sim, "sendMessage"), json={"chat_id": 1, "text": "kept"})
        # The message was stored before the hang, so it is observable right away.
        kept = await sim.wait_for(lambda m: m["text"] == "kept", chat_id=1, timeout=1)
        assert kept["message_id"] == 1


async def test_blocked_unknown_and_migrated_chats(sim: BotApiSimulator, bot: Bot) -> None:
    sim.add_user(5, "Bình")
    sim.block_user(5)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(5, "x")
    with pytest.raises(BadRequest, match="[Cc]hat not found"):
        await bot.send_message(123456, "x")

    sim.add_group(-100, "Tổ 1", [5])
    sim.migrate_group(-100, -1001234567890)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-100, "x")
    assert migrated.value.new_chat_id == -1001234567890
    sent = await bot.send_message(-1001234567890, "x")
    assert sent.chat.type == "supergroup"

    # Writing to the bot again means the user unblocked it.
    sim.send_text(5, "/start")
    await bot.send_message(5, "welcome back")


async def test_global_rate_limit() -> None:
    async with BotApiSimulator(global_rate=5) as sim:
        sim.add_user(1, "A")
        async with httpx.AsyncClient() as client:
            statuses = []
            for i in range(6):
                response = await client.post(api_url(sim, "sendMessage"), json={"chat_id": 1, "text": f"m{i}"})
                statuses.append(response.status_code)
        assert statuses == [200] * 5 + [429]
        assert response.json()["parameters"]["retry_after"] >= 1
        assert sim.stats["rate_limited"] == 1
        assert len(sim.messages(1)) == 5


async def test_group_rate_limit_per_minute() -> None:
    async with BotApiSimulator(group_rate_per_minute=2) as sim:
        sim.add_group(-5, "Tổ", [1])
        async with Bot(TOKEN, base_url=sim.base_url) as bot:
            await bot.send_message(-5, "a")
            await bot.send_message(-5, "b")
            with pytest.raises(RetryAfter) as limited:
                await bot.send_message(-5, "c")
        # The per-minute window asks for a long wait (PTB's message avoids the
        # deprecated int/timedelta retry_after attribute).
        retry_in = int(str(limited.value).split("Retry in ")[1].split()[0])
        assert 1 < retry_in <= 60


async def test_long_poll_returns_promptly(sim: BotApiSimulator) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        poll = asyncio.create_task(client.post(api_url(sim, "getUpdates"), json={"timeout": 5}))
        await sim.wait_polling(timeout=2)
        started = time.monotonic()
        update_id = sim.send_text(USER, "/help@thidua_demo_bot now")
        response = await poll
        assert time.monotonic() - started < 1.0
        [update] = response.json()["result"]
        assert update["update_id"] == update_id
        assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]
        await sim.wait_until_fetched(update_id, timeout=1)

        # Not confirmed yet: redelivered until offset moves past it.
        again = await client.post(api_url(sim, "getUpdates"), data={"offset": "0", "timeout": "0"})
        assert len(again.json()["result"]) == 1
        confirmed = await client.post(api_url(sim, "getUpdates"), data={"offset": str(update_id + 1)})
        assert confirmed.json()["result"] == []


async def test_wait_for_timeout_lists_received_messages(sim: BotApiSimulator, bot: Bot) -> None:
    sim.add_user(USER, "An")
    await bot.send_message(USER, "first")
    with pytest.raises(TimeoutError, match="first"):
        await sim.wait_for(lambda m: m["text"] == "never", chat_id=USER, timeout=0.1)


async def test_html_edit_and_callback_errors(sim: BotApiSimulator, bot: Bot) -> None:
    sim.add_user(USER, "An")
    sent = await bot.send_message(USER, "<b>Chào</b> bạn 🎉 <i>x</i>", parse_mode=ParseMode.HTML)
    assert sent.text == "Chào bạn 🎉 x"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 4), ("italic", 12, 1)]
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(USER, "<b>open", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="text is empty"):
        await bot.send_message(USER, " ")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(USER, "x" * 4097)

    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<b>Chào</b> bạn 🎉 <i>x</i>", USER, sent.message_id, parse_mode=ParseMode.HTML
        )
    with pytest.raises(BadRequest, match="to edit not found"):
        await bot.edit_message_text("y", USER, 999)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    edited = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard)
    assert edited.reply_markup == keyboard
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("nope")


async def test_commands_and_misc_methods(sim: BotApiSimulator, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats

    await bot.set_my_commands([BotCommand("start", "Bắt đầu")])
    await bot.set_my_commands([BotCommand("help", "Trợ giúp")], scope=BotCommandScopeAllPrivateChats())
    assert sim.commands_for() == [{"command": "start", "description": "Bắt đầu"}]
    assert sim.commands_for({"type": "all_private_chats"})[0]["command"] == "help"
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    await bot.delete_my_commands()
    assert sim.commands_for() == []

    assert (await bot.get_me()).username == "thidua_demo_bot"
    sim.add_user(USER, "An")
    assert await bot.send_chat_action(USER, "typing") is True
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("missing")

    async with httpx.AsyncClient() as client:
        assert (await client.post(api_url(sim, "noSuchMethod"))).status_code == 404
        # Method names are case-insensitive, as on Telegram.
        assert (await client.get(api_url(sim, "GETME"))).json()["result"]["id"] == 777000


async def test_token_is_checked_when_configured() -> None:
    async with BotApiSimulator(token=TOKEN) as sim, httpx.AsyncClient() as client:
        wrong = await client.get(api_url(sim, "getMe", token="999:WRONG"))
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        assert (await client.get(api_url(sim, "getMe"))).status_code == 200


async def test_webhook_delivery_with_retry(sim: BotApiSimulator) -> None:
    received: asyncio.Queue[tuple[dict[str, Any], str | None]] = asyncio.Queue()
    calls = {"n": 0}

    async def hook(request: web.Request) -> web.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return web.Response(status=500)  # first attempt fails; the simulator retries
        await received.put((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    sim.webhook_retry_delay = 0.01
    try:
        async with Bot(TOKEN, base_url=sim.base_url) as bot:
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
            update_id = sim.send_text(USER, "qua webhook")
            update, secret = await asyncio.wait_for(received.get(), 3)
            assert update["update_id"] == update_id and secret == "s3cret"
            await sim.wait_until_fetched(update_id, timeout=1)
            assert (await bot.get_webhook_info()).url.endswith("/hook")
            async with httpx.AsyncClient() as client:
                assert (await client.get(api_url(sim, "getUpdates"))).status_code == 409
            await bot.delete_webhook()
    finally:
        await runner.cleanup()


async def test_user_side_media_and_stickers(sim: BotApiSimulator) -> None:
    photo_id = sim.send_photo(USER, b"jpegdata", caption="ảnh")
    sticker_id = sim.send_sticker(USER)
    updates = {u["update_id"]: u for u in sim.pending_updates()}
    photo = updates[photo_id]["message"]["photo"][0]
    assert sim.file_content(photo["file_id"]) == b"jpegdata"
    sticker = updates[sticker_id]["message"]["sticker"]
    assert sticker["type"] == "regular" and sticker["emoji"] == "😀"
    with pytest.raises(ValueError):
        sim.press_button(USER, 1)
    # Both parse as PTB objects.
    async with Bot(TOKEN, base_url=sim.base_url) as bot:
        assert Update.de_json(updates[sticker_id], bot).message.sticker.is_animated is False
        assert Update.de_json(updates[photo_id], bot).message.caption == "ảnh"
