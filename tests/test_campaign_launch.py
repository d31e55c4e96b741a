"""Launching a campaign end to end through the simulator: the admin's form, the broadcast,
the receipts, and every kind of bad input on the way."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Campaign, CampaignUnit, FormDraft, Member
from tests.conftest import add_admin, make_invite, texts_of

ADMIN = 4001
LEADER = 4002
LB1, LB2, XD1, CM1, SNV1 = 4101, 4102, 4103, 4104, 4105
PLAN = Path(__file__).parent / "fixtures" / "plans" / "kh-108-cam-my-2020.txt"


async def join(bot, user_id: int, unit: str | None, role: str = "officer") -> None:
    replies = texts_of(await bot.join(user_id, await make_invite(bot.db, unit, role)))
    assert "Chào mừng" in replies[0]


def button(message: dict, action: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for b in row:
            if b["callback_data"].split(":")[2] == action:
                return b["callback_data"]
    raise AssertionError(f"no {action} button in {message['reply_markup']}")


async def draft_answers(bot, user_id: int) -> dict:
    async with bot.db.session() as session:
        draft = await session.scalar(
            select(FormDraft).join(Member, Member.id == FormDraft.member_id).where(Member.telegram_user_id == user_id)
        )
        return dict(draft.answers) if draft else {}


@pytest.fixture
async def people(bot):
    await add_admin(bot.db, ADMIN)
    await join(bot, LEADER, "DN", "leader")
    for uid, unit in ((LB1, "LB"), (LB2, "LB"), (XD1, "XD"), (CM1, "CM"), (SNV1, "SNV")):
        await join(bot, uid, unit)
    return bot


async def test_admin_launches_a_plan_to_three_units_and_officers_acknowledge(people):
    bot = people
    first = texts_of(await bot.say(ADMIN, "/new_campaign"))[0]
    assert "Gửi văn bản kế hoạch" in first

    read = texts_of(await bot.send_file(ADMIN, PLAN.name, PLAN.read_bytes(), "text/plain"))[0]
    assert "số 108/KH-UBND ngày 26/05/2020" in read
    assert "Phát động thi đua đặc biệt lập thành tích" in read
    assert "Thời gian (chưa có ngày cụ thể)" in read
    assert "Gửi phát động tới những đơn vị nào?" in read

    await bot.say(ADMIN, "4")
    review = (await bot.say(ADMIN, "LB, XD, CM"))[-1]["text"]
    assert "3. Số, ký hiệu: 108/KH-UBND" in review and "4. Ngày ban hành: 26/05/2020" in review
    assert "6. Kết thúc: (để trống)" in review

    assert "Ngày kết thúc" in texts_of(await bot.say(ADMIN, "sửa 6"))[0]
    review_msg = (await bot.say(ADMIN, "30/08/2020"))[-1]
    assert "6. Kết thúc: 30/08/2020" in review_msg["text"]
    assert "Phường Long Bình" in review_msg["text"] and "Xã Cẩm Mỹ" in review_msg["text"]

    launched = texts_of(await bot.press(ADMIN, review_msg["message_id"], button(review_msg, "confirm")))
    assert any("Đã phát động #1: gửi tới 4 cán bộ của 3 đơn vị" in t for t in launched)

    # Every officer of the three units gets the text with the button, then the document.
    for uid in (LB1, LB2, XD1, CM1):
        launch = await bot.sim.wait_for(lambda m: "PHÁT ĐỘNG THI ĐUA" in (m.get("text") or ""), chat_id=uid, timeout=15)
        assert "Kế hoạch số 108/KH-UBND ngày 26/05/2020" in launch["text"]
        assert "đến hết ngày 30/08/2020" in launch["text"]
        assert launch["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Đã nhận"
        doc = await bot.sim.wait_for(lambda m: "document" in m, chat_id=uid, timeout=15)
        assert bot.sim.file_content(doc["document"]["file_id"]) == PLAN.read_bytes()
    notice = await bot.sim.wait_for(lambda m: "Văn phòng đã phát động" in (m.get("text") or ""), chat_id=LEADER, timeout=15)
    assert "/campaign 1" in notice["text"]

    summary = await bot.sim.wait_for(lambda m: "Đã gửi xong phát động #1" in (m.get("text") or ""), chat_id=ADMIN, timeout=20)
    assert "Đơn vị đã nhận được tin: 3/3" in summary["text"]
    progress = await bot.sim.wait_for(lambda m: "Đang gửi phát động #1" in (m.get("text") or ""), chat_id=ADMIN)
    assert "Đã gửi: 4/4" in progress["text"]
    # Not targeted: the office's own officer hears nothing of it.
    assert not any("PHÁT ĐỘNG" in (m.get("text") or "") for m in bot.sim.messages(SNV1))

    # Receipts: the first officer of a unit wins; the second is told it is already recorded.
    lb1_launch = next(m for m in bot.sim.messages(LB1) if "PHÁT ĐỘNG" in (m.get("text") or ""))
    await bot.press(LB1, lb1_launch["message_id"], "ack:1")
    assert bot.sim.callback_answers[-1]["text"].startswith("Đã ghi nhận: Phường Long Bình đã nhận")
    lb2_launch = next(m for m in bot.sim.messages(LB2) if "PHÁT ĐỘNG" in (m.get("text") or ""))
    await bot.press(LB2, lb2_launch["message_id"], "ack:1")
    assert "Phường Long Bình đã xác nhận lúc" in bot.sim.callback_answers[-1]["text"]
    xd_launch = next(m for m in bot.sim.messages(XD1) if "PHÁT ĐỘNG" in (m.get("text") or ""))
    await bot.press(XD1, xd_launch["message_id"], "ack:1")
    # An officer of a unit that was not targeted cannot acknowledge it.
    await bot.press(SNV1, 99999, "ack:1")
    assert bot.sim.callback_answers[-1]["text"] == "Phát động này không gửi tới đơn vị của bạn."

    detail = texts_of(await bot.say(ADMIN, "/campaign 1"))[0]
    assert "Đã nhận tin: 3/3 · Đã xác nhận: 2/3" in detail
    assert "Xã Cẩm Mỹ: 📨 đã nhận tin, chưa xác nhận" in detail
    assert "Phường Long Bình: ✅ xác nhận" in detail
    listing = texts_of(await bot.say(LEADER, "/campaigns"))[0]
    assert "#1 «Phát động thi đua đặc biệt" in listing and "đã xác nhận 2/3 đơn vị" in listing
    # An officer's /campaign N: the launch again (their own unit's view, not the office's table).
    assert texts_of(await bot.say(LB1, "/campaign 1"))[0].startswith("Bot gửi lại phát động #1")

    async with bot.db.session() as session:
        campaign = await session.get(Campaign, 1)
        assert (campaign.number, campaign.symbol, campaign.doc_type) == ("108", "KH-UBND", "KH")
        assert str(campaign.period_end) == "2020-08-30"
        acked = (await session.scalars(select(CampaignUnit).where(CampaignUnit.acknowledged_at.is_not(None)))).all()
        assert len(acked) == 2


async def test_bad_input_in_the_launch_form_is_explained_and_the_draft_kept(people):
    bot = people
    await bot.say(ADMIN, "/new_campaign")
    # An .exe, an empty file, a corrupt .docx: refused, still at the document question.
    assert "Tệp .exe không được nhận" in texts_of(await bot.send_file(ADMIN, "virus.exe", b"MZ\x90\x00"))[0]
    assert "Tệp rỗng" in texts_of(await bot.send_file(ADMIN, "trong.txt", b""))[0]
    assert "Không đọc được tệp" in texts_of(await bot.send_file(ADMIN, "hong.docx", b"PK\x03\x04 not a zip"))[0]
    # Type the fields instead.
    assert "tiêu đề" in texts_of(await bot.say(ADMIN, "/skip"))[0]
    too_long = texts_of(await bot.say(ADMIN, "Thi đua " * 700))[0]
    assert "vượt quá 1.000 ký tự" in too_long
    await bot.say(ADMIN, "Phong trào thi đua chuyển đổi số năm 2026")
    await bot.say(ADMIN, "15/KH-UBND")
    assert "31/02/2026 không có thật" in texts_of(await bot.say(ADMIN, "31/02/2026"))[0]
    assert "Không hiểu ngày" in texts_of(await bot.say(ADMIN, "mai"))[0]
    answers = await draft_answers(bot, ADMIN)
    assert answers["title"] == "Phong trào thi đua chuyển đổi số năm 2026"
    assert answers["doc_number"] == "15/KH-UBND"
    assert "issued_on" not in answers

    # A forged button and a button of a draft that does not exist.
    await bot.press(ADMIN, 1, "f:99999:confirm:")
    assert "không còn hiệu lực" in bot.sim.callback_answers[-1]["text"]
    await bot.press(ADMIN, 1, "c:resend:1")  # no campaign 1 yet
    assert (await draft_answers(bot, ADMIN))["title"] == answers["title"]

    # A sticker where a date is expected.
    update_id = bot.sim.send_sticker(ADMIN)
    await bot.tracker.wait_processed(update_id)
    assert "hãy gõ một ngày" in bot.sim.messages(ADMIN)[-1]["text"]

    # Coming back later: /new_campaign offers to continue, and continuing keeps everything.
    resume = (await bot.say(ADMIN, "/new_campaign"))[0]
    assert "đang làm dở" in resume["text"]
    again = texts_of(await bot.press(ADMIN, resume["message_id"], button(resume, "continue")))[0]
    assert "Ngày ban hành" in again
    assert (await draft_answers(bot, ADMIN))["doc_number"] == "15/KH-UBND"


async def test_only_admins_open_the_launch_form(people):
    bot = people
    assert "dành cho quản trị" in texts_of(await bot.say(LB1, "/new_campaign"))[0]
    assert "dành cho quản trị" in texts_of(await bot.say(LEADER, "/new_campaign"))[0]


async def test_a_launch_through_faults_reaches_every_reachable_officer_once_and_names_the_blocked(people):
    bot = people
    bot.sim.block_user(XD1)  # Xã Xuân Đường's only officer blocked the bot
    bot.sim.inject_faults("429", count=2)
    bot.sim.inject_faults("500", count=2)
    await bot.say(ADMIN, "/new_campaign")
    await bot.send_file(ADMIN, PLAN.name, PLAN.read_bytes(), "text/plain")
    await bot.say(ADMIN, "4")
    review = (await bot.say(ADMIN, "LB, XD, CM"))[-1]
    await bot.press(ADMIN, review["message_id"], button(review, "confirm"))

    summary = await bot.sim.wait_for(lambda m: "Đã gửi xong phát động #1" in (m.get("text") or ""), chat_id=ADMIN, timeout=30)
    assert "Đơn vị đã nhận được tin: 2/3" in summary["text"]
    assert "• Xã Xuân Đường (cán bộ đã chặn bot hoặc không liên lạc được)" in summary["text"]
    for uid in (LB1, LB2, CM1):
        launches = [m for m in bot.sim.messages(uid) if "PHÁT ĐỘNG THI ĐUA" in (m.get("text") or "")]
        documents = [m for m in bot.sim.messages(uid) if "document" in m]
        assert (len(launches), len(documents)) == (1, 1), uid
    assert not any("PHÁT ĐỘNG" in (m.get("text") or "") for m in bot.sim.messages(XD1))
    async with bot.db.session() as session:
        blocked = await session.scalar(select(Member).where(Member.telegram_user_id == XD1))
        assert blocked.reachable is False
    detail = texts_of(await bot.say(ADMIN, "/campaign 1"))[0]
    assert "Xã Xuân Đường: ⚠️ không liên lạc được" in detail
