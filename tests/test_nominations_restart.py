"""Stop the bot in the middle of a nomination and start it again: the officer goes on at the same
question with everything typed so far."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from storage.models import InboxUpdate
from tests.conftest import Bot, add_admin, make_settings, texts_of
from tests.test_nominations import LB1, SUMMARY, button, draft_answers, join, launch

ADMIN = 5001


async def test_a_nomination_survives_a_restart_at_the_same_question(seeded, sim, db_url):
    first = Bot(sim=sim, db=seeded, settings=make_settings(db_url, sim), tracker=None)
    await first.start()
    try:
        await add_admin(seeded, ADMIN)
        await first.say(ADMIN, "/help")
        await join(first, LB1, "LB")
        await launch(first, units=("LB",))
        await first.sim.wait_for(lambda m: "PHÁT ĐỘNG" in (m.get("text") or ""), chat_id=LB1, timeout=15)
        await first.say(LB1, "/nominate")
        await first.say(LB1, "2")
        await first.say(LB1, "Võ Thị Sáu")
        assert "Nơi công tác" in texts_of(await first.say(LB1, "Bí thư Đoàn phường"))[0]
    finally:
        await first.stop()

    second = Bot(sim=sim, db=seeded, settings=make_settings(db_url, sim), tracker=None)
    await second.start()
    try:
        # Coming back: asked to continue or discard; continuing asks the same question again.
        resume = (await second.say(LB1, "/nominate"))[-1]
        assert "Bạn có đề xuất điển hình đang làm dở" in resume["text"]
        again = texts_of(await second.press(LB1, resume["message_id"], button(resume, "continue")))[0]
        assert "(4/8) Nơi công tác" in again  # the campaign, the only one open, is not asked
        answers = await draft_answers(second, LB1)
        assert (answers["kind"], answers["full_name"], answers["position"]) == ("individual", "Võ Thị Sáu", "Bí thư Đoàn phường")
        # …and simply answering goes on from there.
        assert "lĩnh vực nào" in texts_of(await second.say(LB1, "Đoàn TNCS Hồ Chí Minh phường Long Bình"))[0]
        await second.say(LB1, "2")
        await second.say(LB1, SUMMARY)
        await second.say(LB1, "1")
        review = texts_of(await second.say(LB1, "/skip"))[0]
        assert "3. Tên / Họ và tên: Võ Thị Sáu" in review and "4. Chức vụ: Bí thư Đoàn phường" in review
        assert any("Đã gửi đề xuất #1" in x for x in texts_of(await second.say(LB1, "gửi")))
        await second.sim.wait_for(lambda m: "Đề xuất mới: #1" in (m.get("text") or ""), chat_id=ADMIN, timeout=15)
    finally:
        await second.stop()


async def test_an_answer_telegram_sends_again_after_a_crash_is_not_taken_for_the_next_question(seeded, sim, db_url):
    first = Bot(sim=sim, db=seeded, settings=make_settings(db_url, sim), tracker=None)
    await first.start()
    try:
        await add_admin(seeded, ADMIN)
        await join(first, LB1, "LB")
        await launch(first, units=("LB",))
        await first.sim.wait_for(lambda m: "PHÁT ĐỘNG" in (m.get("text") or ""), chat_id=LB1, timeout=15)
        await first.say(LB1, "/nominate")
        await first.say(LB1, "2")
        first.new_messages(LB1)
        name = first.sim.send_text(LB1, "Võ Thị Sáu")
        await first.tracker.wait_processed(name, timeout=10)
        assert "Chức vụ" in texts_of(first.new_messages(LB1))[0]
    finally:
        await first.stop()
    # The bot died after handling the name but before Telegram heard it was received: on the next
    # start Telegram sends the name again. The inbox has it already: it is not handled again.
    sim.requeue(name)
    second = Bot(sim=sim, db=seeded, settings=make_settings(db_url, sim), tracker=None)
    second._seen[LB1] = len(sim.messages(LB1))
    await second.start()
    try:
        await sim.wait_until_fetched(name, timeout=10)
        await asyncio.sleep(0.5)  # time it would take to handle it
        async with seeded.session() as session:
            rows = (await session.scalars(select(InboxUpdate.status).where(InboxUpdate.update_key == str(name)))).all()
        assert rows == ["handled"]
        assert second.tracker.processed == frozenset()
        answers = await draft_answers(second, LB1)
        assert answers["full_name"] == "Võ Thị Sáu" and "position" not in answers
        assert "Nơi công tác" in texts_of(await second.say(LB1, "Bí thư Đoàn phường"))[0]
        assert (await draft_answers(second, LB1))["position"] == "Bí thư Đoàn phường"
    finally:
        await second.stop()
