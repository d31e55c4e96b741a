"""bot.update_order: different people's updates run side by side, one person's strictly in order."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.bot_api_http import AiohttpRequest, PollingRequest
from bot.simulator import BotApiSimulator
from bot.update_order import ChatOrderedProcessor
from tests.conftest import TOKEN


async def test_a_slow_update_holds_back_its_own_chat_only(sim: BotApiSimulator) -> None:
    for uid, name in ((1, "An"), (2, "Bình")):
        sim.add_user(uid, name)
    polling = PollingRequest()
    processor = ChatOrderedProcessor(2)
    app = (ApplicationBuilder().token(TOKEN).base_url(sim.base_url).base_file_url(sim.base_file_url)
           .request(AiohttpRequest()).get_updates_request(polling).concurrent_updates(processor).build())
    polling.until_handled = app.update_queue.join
    release = asyncio.Event()
    started: list[str] = []
    finished: list[str] = []
    third_done = asyncio.Event()

    async def handler(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        text = update.message.text
        started.append(text)
        if text == "một":
            await release.wait()  # An's first message takes long (a big file, say)
        finished.append(text)
        if text == "ba":
            third_done.set()

    app.add_handler(MessageHandler(filters.TEXT, handler))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            # All three reach the bot in one batch: An's two messages, then Bình's.
            for uid, text in ((1, "một"), (1, "hai"), (2, "ba")):
                sim.send_text(uid, text)
            await asyncio.wait_for(third_done.wait(), 5)  # Bình is not held up by An's slow one...
            assert started == ["một", "ba"]  # ...and An's second waits for An's first
            assert finished == ["ba"]
            release.set()
            for _ in range(100):
                if len(finished) == 3:
                    break
                await asyncio.sleep(0.02)
            assert finished == ["ba", "một", "hai"]
            assert started == ["một", "ba", "hai"]
        finally:
            release.set()
            await app.updater.stop()
            await app.stop()


async def test_one_at_a_time_runs_one_update_at_a_time_each_chat_in_order(sim: BotApiSimulator) -> None:
    for uid in (1, 2, 3):
        sim.add_user(uid, f"Người {uid}")
    processor = ChatOrderedProcessor(1)
    app = (ApplicationBuilder().token(TOKEN).base_url(sim.base_url).base_file_url(sim.base_file_url)
           .request(AiohttpRequest()).get_updates_request(AiohttpRequest()).concurrent_updates(processor).build())
    seen: list[str] = []
    running = 0
    peak = 0

    async def handler(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        seen.append(update.message.text)
        running -= 1

    app.add_handler(MessageHandler(filters.TEXT, handler))
    sent = [f"{uid}-{i}" for uid in (1, 2, 3) for i in range(4)]  # each person's four in a row
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            for text in sent:
                sim.send_text(int(text[0]), text)
            for _ in range(200):
                if len(seen) == len(sent):
                    break
                await asyncio.sleep(0.02)
        finally:
            await app.updater.stop()
            await app.stop()
    assert peak == 1 and sorted(seen) == sorted(sent)
    for uid in (1, 2, 3):
        assert [t for t in seen if t[0] == str(uid)] == [f"{uid}-{i}" for i in range(4)]
