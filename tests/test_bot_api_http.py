"""The bot's aiohttp client for the Bot API (bot.bot_api_http), against the simulator: Telegram's
faults become python-telegram-bot's errors, uploads keep their name and bytes, and the poller
leaves updates at Telegram while the bot is still handling the ones it has."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InputFile, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.bot_api_http import AiohttpRequest, PollingRequest
from bot.simulator import BotApiSimulator
from tests.conftest import TOKEN


def _bot(sim: BotApiSimulator, base_url: str | None = None, read_timeout: float = 2) -> Bot:
    return Bot(TOKEN, base_url=base_url or sim.base_url, base_file_url=sim.base_file_url,
               request=AiohttpRequest(read_timeout=read_timeout, connect_timeout=1),
               get_updates_request=AiohttpRequest())


async def test_telegrams_faults_become_python_telegram_bot_errors(sim: BotApiSimulator) -> None:
    sim.add_user(1, "An")
    sim.timeout_delay = 5
    async with _bot(sim, read_timeout=0.3) as bot:
        assert (await bot.send_message(1, "chào")).text == "chào"
        for kind, error in (("timeout", TimedOut), ("429", RetryAfter), ("500", NetworkError),
                            ("502", NetworkError), ("403", Forbidden)):
            sim.inject_faults(kind)
            with pytest.raises(error):
                await bot.send_message(1, f"lỗi {kind}")
        with pytest.raises(BadRequest):
            await bot.send_message(1, "")  # Telegram's 400: message text is empty
    assert [m["text"] for m in sim.messages(1)] == ["chào"]  # none of the failed sends arrived


async def test_an_unreachable_api_is_a_network_error(sim: BotApiSimulator) -> None:
    async with _bot(sim) as bot:
        refused = Bot(TOKEN, base_url="http://127.0.0.1:9/bot", request=AiohttpRequest(connect_timeout=1),
                      get_updates_request=AiohttpRequest())
        await refused.request.initialize()
        with pytest.raises(NetworkError):  # nothing listens on port 9: connection refused
            await refused.send_message(1, "x")
        await refused.request.shutdown()
        assert bot.username  # the working one is unaffected


async def test_a_document_is_uploaded_with_its_name_type_and_bytes(sim: BotApiSimulator) -> None:
    sim.add_user(1, "An")
    content = b"%PDF-1.4 ke hoach thi dua" + bytes(range(256)) * 40  # binary, ~10 KB
    async with _bot(sim) as bot:
        sent = await bot.send_document(1, InputFile(content, filename="Kế hoạch 12-KH.pdf"), caption="Kế hoạch")
    document = sim.messages(1)[-1]["document"]
    assert document["file_name"] == "Kế hoạch 12-KH.pdf"
    assert document["mime_type"] == "application/pdf"
    assert sim.file_content(document["file_id"]) == content
    assert sent.caption == "Kế hoạch"


@pytest.mark.parametrize("waits", [True, False], ids=["polling-request", "plain-request"])
async def test_no_new_updates_are_fetched_while_one_is_being_handled(sim: BotApiSimulator, waits: bool) -> None:
    sim.add_user(1, "An")
    sim.add_user(2, "Bình")
    polling = PollingRequest(read_timeout=5) if waits else AiohttpRequest(read_timeout=5)
    app = (ApplicationBuilder().token(TOKEN).base_url(sim.base_url).base_file_url(sim.base_file_url)
           .request(AiohttpRequest()).get_updates_request(polling).build())
    if waits:
        polling.until_handled = app.update_queue.join
    entered, release = asyncio.Event(), asyncio.Event()
    handled: list[str] = []

    async def slow(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message.text == "chậm":
            entered.set()
            await release.wait()
        handled.append(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, slow))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await _one_slow_update_then_another(sim, waits, entered, release, handled)
        finally:
            release.set()
            await app.updater.stop()
            await app.stop()


async def _one_slow_update_then_another(sim: BotApiSimulator, waits: bool, entered: asyncio.Event,
                                        release: asyncio.Event, handled: list[str]) -> None:
    first = sim.send_text(1, "chậm")
    await asyncio.wait_for(entered.wait(), 5)
    second = sim.send_text(2, "tiếp")
    if waits:  # stays at "Telegram" while the first is handled (not lost if the bot stops now)
        with pytest.raises(TimeoutError):
            await sim.wait_until_fetched(second, timeout=0.3)
        # Neither is confirmed to Telegram yet: were the bot to stop now, both would come again.
        assert [u["update_id"] for u in sim.pending_updates()] == [first, second]
    else:  # python-telegram-bot's own behaviour: fetched at once, held in memory
        await sim.wait_until_fetched(second, timeout=2)
    release.set()
    await sim.wait_until_fetched(second, timeout=3)
    for _ in range(100):
        if len(handled) == 2:
            break
        await asyncio.sleep(0.02)
    assert handled == ["chậm", "tiếp"]


async def test_an_open_file_can_be_sent_twice(sim: BotApiSimulator, tmp_path) -> None:
    # python-telegram-bot may hand over the open file itself; aiohttp would close it after one send.
    sim.add_user(1, "An")
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 8)
    async with _bot(sim) as bot:
        with path.open("rb") as handle:
            for _ in range(2):
                await bot.send_document(1, InputFile(handle, filename="Báo cáo.pdf", read_file_handle=False))
            assert not handle.closed
    sent = [m["document"] for m in sim.messages(1)]
    assert [d["file_name"] for d in sent] == ["Báo cáo.pdf"] * 2
    assert all(sim.file_content(d["file_id"]) == path.read_bytes() for d in sent)
