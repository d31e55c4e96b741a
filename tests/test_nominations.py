"""Exemplar nominations end to end through the simulator: officers nominate, the office reviews,
everyone concerned hears of it; quotas, bad input and who may see what."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot import clock
from bot.services import campaigns
from storage.models import AuditEntry, FormDraft, Nomination, NominationEvent, StoredFile
from tests.conftest import add_admin, make_invite, texts_of

ADMIN, LEADER = 5001, 5002
LB1, LB2, XD1 = 5101, 5102, 5103
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00" + b"anh minh chung " * 200
SUMMARY = ("Có nhiều sáng kiến cải cách thủ tục hành chính, rút ngắn thời gian giải quyết hồ sơ "
           "cho người dân từ 5 ngày xuống còn 2 ngày.")
REASON = "Trích ngang chưa nêu số liệu cụ thể năm 2026, đề nghị bổ sung."


async def join(bot, user_id: int, unit: str | None, role: str = "officer") -> None:
    assert "Chào mừng" in texts_of(await bot.join(user_id, await make_invite(bot.db, unit, role)))[0]


def find(messages: list[dict], needle: str) -> dict:
    for m in reversed(messages):
        if needle in (m.get("text") or m.get("caption") or ""):
            return m
    raise AssertionError(f"no message with {needle!r} in {texts_of(messages)}")


def button(message: dict, prefix: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for b in row:
            data = b["callback_data"]
            if data.startswith(prefix) or (data.startswith("f:") and data.split(":")[2] == prefix):
                return data
    raise AssertionError(f"no {prefix} button in {message['reply_markup']}")


async def photo(bot, user_id: int, content: bytes = PNG) -> list[dict]:
    bot.new_messages(user_id)
    update_id = bot.sim.send_photo(user_id, content)
    await bot.tracker.wait_processed(update_id, timeout=10)
    return bot.new_messages(user_id)


async def sticker(bot, user_id: int) -> list[dict]:
    bot.new_messages(user_id)
    update_id = bot.sim.send_sticker(user_id)
    await bot.tracker.wait_processed(update_id, timeout=10)
    return bot.new_messages(user_id)


async def draft_answers(bot, member_telegram_id: int) -> dict:
    async with bot.db.session() as session:
        from storage.models import Member

        member = await session.scalar(select(Member).where(Member.telegram_user_id == member_telegram_id))
        draft = await session.scalar(select(FormDraft).where(FormDraft.member_id == member.id))
        return dict(draft.answers) if draft else {}


async def launch(bot, units=("LB", "XD"), **overrides) -> int:
    answers = {"title": "Phong trào thi đua “Cải cách hành chính, chuyển đổi số” năm 2026", "target_mode": "units",
               "target_units": list(units), "quota_collectives": 2, "quota_individuals": 2, "quota_per": "quarter",
               "reward_forms": ["Giấy khen", "Bằng khen"]}
    answers.update(overrides)
    async with bot.db.session() as session:
        result = await campaigns.launch(session, answers, await _admin_id(session))
    return result.campaign_id


async def _admin_id(session) -> int:
    from storage.models import Member

    return await session.scalar(select(Member.id).where(Member.role == "admin"))


@pytest.fixture
async def people(bot):
    await add_admin(bot.db, ADMIN)
    await bot.say(ADMIN, "/help")  # the admin's chat exists for the simulator
    await join(bot, LEADER, "DN", "leader")
    for uid, unit in ((LB1, "LB"), (LB2, "LB"), (XD1, "XD")):
        await join(bot, uid, unit)
    return bot


@pytest.fixture
async def launched(people):
    bot = people
    await launch(bot)
    # The launch reaches the officers first, so that later replies are not mixed with it.
    for uid in (LB1, LB2, XD1):
        await bot.sim.wait_for(lambda m: "PHÁT ĐỘNG" in (m.get("text") or ""), chat_id=uid, timeout=15)
        bot.new_messages(uid)
    await bot.sim.wait_for(lambda m: "đã phát động" in (m.get("text") or ""), chat_id=LEADER, timeout=15)
    bot.new_messages(LEADER)
    return bot


async def nominate_individual(bot, uid: int, name: str = "Nguyễn Văn An", photos: int = 2) -> list[dict]:
    assert "Đề xuất tập thể hay cá nhân?" in texts_of(await bot.say(uid, "/nominate"))[0]
    assert "Tên tập thể, hoặc họ và tên" in texts_of(await bot.say(uid, "2"))[0]
    assert "Chức vụ" in texts_of(await bot.say(uid, name))[0]
    assert "Nơi công tác" in texts_of(await bot.say(uid, "Phó Chủ tịch UBND phường"))[0]
    assert "lĩnh vực nào" in texts_of(await bot.say(uid, "UBND phường Long Bình"))[0]
    assert "Trích ngang" in texts_of(await bot.say(uid, "5"))[0]
    reward = texts_of(await bot.say(uid, SUMMARY))[0]
    assert "1. Giấy khen" in reward and "2. Bằng khen" in reward
    assert "Gửi ảnh hoặc tệp minh chứng" in texts_of(await bot.say(uid, "2"))[0]
    last = None
    for i in range(photos):
        last = (await photo(bot, uid, PNG + bytes([i])))[-1]
        assert f"Đã nhận tệp thứ {i + 1}" in last["text"]
    return (await bot.press(uid, last["message_id"], button(last, "done")))


async def test_two_nominations_are_returned_fixed_resubmitted_and_approved_with_everyone_told(launched):
    bot = launched
    # An individual with two photos.
    review = (await nominate_individual(bot, LB1))[-1]
    assert "Kiểm tra lại đề xuất điển hình" in review["text"]
    for line in ("2. Loại: Cá nhân", "3. Tên / Họ và tên: Nguyễn Văn An", "6. Lĩnh vực: Cải cách hành chính",
                 "9. Hình thức khen thưởng: Bằng khen", "10. Minh chứng: anh-"):
        assert line in review["text"], review["text"]
    done = texts_of(await bot.press(LB1, review["message_id"], button(review, "confirm")))
    assert any("Đã gửi đề xuất #1 (cá nhân Nguyễn Văn An) tới Văn phòng" in x for x in done)
    await bot.sim.wait_for(lambda m: "Đề xuất mới: #1 của Phường Long Bình" in (m.get("text") or ""), chat_id=ADMIN, timeout=15)

    # A collective with one document; "xong" and "gửi" typed instead of pressed.
    await bot.say(LB2, "/nominate")
    await bot.say(LB2, "tap the")
    await bot.say(LB2, "Tổ dân phố 5, phường Long Bình")
    await bot.say(LB2, "1")
    await bot.say(LB2, "Vận động nhân dân hiến đất mở rộng 3 tuyến đường hẻm, tổng chiều dài 1.200 m.")
    await bot.say(LB2, "1")
    assert "Đã nhận tệp thứ 1" in texts_of(await bot.send_file(LB2, "bao-cao-thanh-tich.pdf", b"%PDF-1.4 thanh tich"))[0]
    review2 = texts_of(await bot.say(LB2, "xong"))[0]
    assert "Tên / Họ và tên: Tổ dân phố 5, phường Long Bình" in review2 and "Chức vụ" not in review2
    assert any("Đã gửi đề xuất #2 (tập thể Tổ dân phố 5" in x for x in texts_of(await bot.say(LB2, "gửi")))
    await bot.sim.wait_for(lambda m: "Đề xuất mới: #2" in (m.get("text") or ""), chat_id=ADMIN, timeout=15)

    # The office reviews, oldest first: #1's two photos, then its fields with the buttons.
    shown = await bot.say(ADMIN, "/review")
    photos = [m for m in shown if "photo" in m]
    assert len(photos) == 2 and photos[0]["caption"] == "Minh chứng 1/2 của đề xuất #1"
    assert bot.sim.file_content(photos[1]["photo"][-1]["file_id"]) == PNG + bytes([1])
    item = find(shown, "📋 Đề xuất #1")
    for line in ("Họ và tên: Nguyễn Văn An", "Chức vụ: Phó Chủ tịch UBND phường", "Nơi công tác: UBND phường Long Bình",
                 "Lĩnh vực: Cải cách hành chính", "Hình thức khen thưởng đề nghị: Bằng khen", SUMMARY,
                 "Đang chờ duyệt: 2 đề xuất"):
        assert line in item["text"]

    # Return #1 with a typed reason.
    asked = texts_of(await bot.press(ADMIN, item["message_id"], button(item, "c:return_nomination:1")))
    assert any("Gõ lý do trả lại đề xuất #1" in x for x in asked)
    confirm = (await bot.say(ADMIN, REASON))[-1]
    assert f"1. Lý do: {REASON}" in confirm["text"]
    after = await bot.press(ADMIN, confirm["message_id"], button(confirm, "confirm"))
    assert any("Đã trả lại đề xuất #1 kèm lý do" in x for x in texts_of(after))
    # …and the next in the queue comes at once: #2 with its document.
    assert any("document" in m and m["caption"] == "Minh chứng 1/1 của đề xuất #2" for m in after)
    item2 = find(after, "📋 Đề xuất #2")

    for uid in (LB1, LB2):  # both officers of the unit are told, with the reason
        told = await bot.sim.wait_for(lambda m: "TRẢ LẠI" in (m.get("text") or ""), chat_id=uid, timeout=15)
        assert f"Lý do: {REASON}" in told["text"] and "/my_nominations 1" in told["text"]
    assert not any("TRẢ LẠI" in (m.get("text") or "") for m in bot.sim.messages(XD1))

    # The officer opens the returned one, fixes the summary and sends it again.
    listing = (await bot.say(LB1, "/my_nominations"))[-1]
    assert "#1 ↩️ Trả lại để sửa — cá nhân Nguyễn Văn An" in listing["text"]
    assert "#2 ⏳ Chờ duyệt — tập thể Tổ dân phố 5" in listing["text"]
    reopened = (await bot.press(LB1, listing["message_id"], button(listing, "c:edit_nomination:1")))[-1]
    assert REASON in reopened["text"] and "8. Trích ngang thành tích:" in reopened["text"]
    assert "10. Minh chứng: anh-" in reopened["text"]
    assert "Trích ngang" in texts_of(await bot.say(LB1, "sửa 8"))[0]
    fixed = SUMMARY + " Năm 2026 giải quyết 1.250 hồ sơ, không hồ sơ nào trễ hạn."
    again = (await bot.say(LB1, fixed))[-1]
    assert "Năm 2026 giải quyết 1.250 hồ sơ" in again["text"]
    resent = texts_of(await bot.press(LB1, again["message_id"], button(again, "confirm")))
    assert any("Đã gửi lại đề xuất #1" in x for x in resent)
    await bot.sim.wait_for(lambda m: "Đã sửa và gửi lại: #1" in (m.get("text") or ""), chat_id=ADMIN, timeout=15)

    # The office approves both: #2 is on screen, then #1 (resubmitted later) comes next.
    after = await bot.press(ADMIN, item2["message_id"], button(item2, "c:approve:2"))
    assert any("Đã duyệt đề xuất #2" in x for x in texts_of(after))
    item1 = find(after, "📋 Đề xuất #1")
    assert "Năm 2026 giải quyết 1.250 hồ sơ" in item1["text"] and "Đang chờ duyệt: 1 đề xuất" in item1["text"]
    after = await bot.press(ADMIN, item1["message_id"], button(item1, "c:approve:1"))
    assert any("Không còn đề xuất nào chờ duyệt" in x for x in texts_of(after))
    for uid in (LB1, LB2):
        for n in (1, 2):
            await bot.sim.wait_for(lambda m: f"Đề xuất #{n} (" in (m.get("text") or "") and "DUYỆT" in m["text"],
                                   chat_id=uid, timeout=15)
    # An old button, pressed again, changes nothing.
    await bot.press(ADMIN, item["message_id"], "c:reject:1")
    assert "đã được xử lý trước đó" in bot.sim.callback_answers[-1]["text"]

    async with bot.db.session() as session:
        rows = (await session.scalars(select(Nomination).order_by(Nomination.id))).all()
        assert [(n.status, n.kind) for n in rows] == [("approved", "individual"), ("approved", "collective")]
        assert rows[0].summary == fixed and len(rows[0].evidence_file_ids) == 2
        assert rows[0].full_name == "Nguyễn Văn An" and rows[0].workplace == "UBND phường Long Bình"
        events = (await session.scalars(select(NominationEvent).where(NominationEvent.nomination_id == 1)
                                        .order_by(NominationEvent.id))).all()
        assert [e.action for e in events] == ["submitted", "returned", "resubmitted", "approved"]
        assert events[1].reason == REASON
        actions = (await session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("nomination.%")))).all()
        assert sorted(actions) == sorted(["nomination.submitted", "nomination.submitted", "nomination.returned",
                                          "nomination.resubmitted", "nomination.approved", "nomination.approved"])
    # The history is shown to the unit.
    detail = texts_of(await bot.say(LB1, "/my_nominations 1"))[0]
    assert "✅ Đã duyệt" in detail and "trả lại — Trích ngang chưa nêu" in detail and "sửa và gửi lại" in detail


async def test_bad_input_is_explained_and_nothing_wrong_is_stored(launched):
    bot = launched
    await bot.say(LB1, "/nominate")
    await bot.say(LB1, "2")
    assert "không thể chỉ gồm chữ số" in texts_of(await bot.say(LB1, "123456"))[0]
    assert "không viết tắt" in texts_of(await bot.say(LB1, "Ng. V. A"))[0]
    assert "cần bạn gõ chữ" in texts_of(await sticker(bot, LB1))[0]
    assert "Chức vụ" in texts_of(await bot.say(LB1, "Trần thị Bích Ngọc"))[0]  # capitalisation kept as typed
    await bot.say(LB1, "Giáo viên")
    await bot.say(LB1, "Trường Tiểu học Long Bình")
    await bot.say(LB1, "3")
    assert "không được để trống" in texts_of(await bot.say(LB1, "   "))[0]
    assert "10.000 ký tự, vượt quá 1.500" in texts_of(await bot.say(LB1, "a" * 10_000))[0]
    assert "cần có chữ hoặc số" in texts_of(await bot.say(LB1, "😀🎉👏" * 15))[0]
    assert "viết bằng chữ" in texts_of(await bot.say(LB1, "1234567890 " * 5))[0]
    assert "Hình thức khen thưởng" in texts_of(await bot.say(LB1, SUMMARY))[0]
    await bot.say(LB1, "1")
    files_before = await _count(bot, StoredFile)
    big = texts_of(await bot.send_file(LB1, "video-hoi-nghi.pdf", b"\0" * (60 * 2**20)))[0]
    assert "Tệp nặng 60.0 MB, vượt quá 20 MB" in big
    assert "Tệp .exe không được nhận" in texts_of(await bot.send_file(LB1, "tai-lieu.exe", b"MZ\x90\x00"))[0]
    assert await _count(bot, StoredFile) == files_before
    # A button of a form that no longer exists, and a forged review button.
    await bot.press(LB1, 1, "f:99999:confirm:")
    assert "không còn hiệu lực" in bot.sim.callback_answers[-1]["text"]

    answers = await draft_answers(bot, LB1)
    assert answers["full_name"] == "Trần thị Bích Ngọc" and answers["summary"] == SUMMARY
    assert answers["position"] == "Giáo viên" and "evidence" not in answers
    assert await _count(bot, Nomination) == 0


async def _count(bot, model) -> int:
    async with bot.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def _submit_directly(bot, telegram_id: int, kind: str, name: str) -> int:
    from bot.services import nominations
    from storage.models import Member

    async with bot.db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == telegram_id))
        n = await nominations.submit(session, member.id, {
            "campaign": "1", "kind": kind, "full_name": name, "position": "Cán bộ", "workplace": "UBND",
            "sector": "kt", "summary": SUMMARY, "reward_form": "c0", "evidence": None})
        return n.id


async def _to_review(bot, uid: int, name: str) -> None:
    for answer, expected in (("/nominate", "Đề xuất tập thể hay cá nhân?"), ("2", "Tên tập thể, hoặc họ và tên"),
                             (name, "Chức vụ"), ("Cán bộ văn phòng", "Nơi công tác"), ("UBND phường", "lĩnh vực nào"),
                             ("5", "Trích ngang"), (SUMMARY, "1. Giấy khen"), ("1", "Gửi ảnh hoặc tệp minh chứng")):
        assert expected in texts_of(await bot.say(uid, answer))[0], answer
    await bot.say(uid, "/skip")


async def test_two_officers_sending_the_last_place_of_a_quota_at_the_same_moment_get_one_each_way(launched):
    bot = launched
    clock.set_now(datetime(2026, 5, 10, 3, 0, tzinfo=UTC))
    await _submit_directly(bot, LB1, "individual", "Nguyễn Văn An")  # 1 of the unit's 2 this quarter
    await _to_review(bot, LB1, "Trần Văn Bảo")
    await _to_review(bot, LB2, "Lê Thị Hoa")
    # The bot as configured: two people's updates at once. Both press "gửi" in the same instant.
    first, second = bot.sim.send_text(LB1, "gửi"), bot.sim.send_text(LB2, "gửi")
    await bot.tracker.wait_processed(first, timeout=10)
    await bot.tracker.wait_processed(second, timeout=10)
    assert bot.tracker.peak_running == 2  # they were handled side by side
    answers = texts_of(bot.new_messages(LB1)) + texts_of(bot.new_messages(LB2))
    assert sum("Đã gửi đề xuất #" in a for a in answers) == 1
    assert sum("đã đề xuất 2/2 cá nhân trong quý II/2026" in a for a in answers) == 1
    async with bot.db.session() as session:
        kept = (await session.scalars(select(Nomination.full_name).where(Nomination.kind == "individual"))).all()
    assert len(kept) == 2 and "Nguyễn Văn An" in kept


async def test_a_third_individual_in_a_quarter_of_two_is_refused_with_the_counts_until_the_admin_allows_more(launched):
    bot = launched
    clock.set_now(datetime(2026, 5, 10, 3, 0, tzinfo=UTC))
    await _submit_directly(bot, LB1, "individual", "Nguyễn Văn An")
    await _submit_directly(bot, LB2, "individual", "Lê Thị Hoa")
    # The office's notices of those two go out on the next tick; out of the way of later replies.
    await bot.sim.wait_for(lambda m: "Đề xuất mới: #2" in (m.get("text") or ""), chat_id=ADMIN, timeout=15)
    bot.new_messages(ADMIN)

    await bot.say(LB1, "/nominate")
    refused = texts_of(await bot.say(LB1, "2"))[0]
    assert ("Đơn vị Phường Long Bình đã đề xuất 2/2 cá nhân trong quý II/2026" in refused
            and "Kỳ tiếp theo bắt đầu từ ngày 01/07/2026" in refused)
    assert "Đề xuất tập thể hay cá nhân?" in refused  # still at the same question
    assert "Tên tập thể" in texts_of(await bot.say(LB1, "1"))[0]  # collectives have room
    await bot.say(LB1, "/back")

    # Another unit's quota is its own.
    await bot.say(XD1, "/nominate")
    assert "Tên tập thể" in texts_of(await bot.say(XD1, "2"))[0]

    # The admin allows three individuals for this unit this quarter.
    text = texts_of(await bot.say(ADMIN, "/quota 1 LB 2 3"))[0]
    assert "Đã đặt chỉ tiêu riêng cho Phường Long Bình, phong trào #1, quý II/2026: 2 tập thể, 3 cá nhân" in text
    assert "Cá nhân: đã dùng 2/3" in text
    assert "Tên tập thể" in texts_of(await bot.say(LB1, "2"))[0]
    assert "dành cho quản trị" in texts_of(await bot.say(LB1, "/quota 1 LB 9 9"))[0]
    assert "không gửi tới đơn vị CM" in texts_of(await bot.say(ADMIN, "/quota 1 CM 1 1"))[0]

    # Next quarter the count starts again.
    clock.set_now(datetime(2026, 7, 2, 3, 0, tzinfo=UTC))
    await _submit_directly(bot, LB1, "individual", "Phạm Minh Đức")
    async with bot.db.session() as session:
        keys = (await session.scalars(select(Nomination.period_key).order_by(Nomination.id))).all()
    assert keys == ["2026-Q2", "2026-Q2", "2026-Q3"]


async def test_an_officer_cannot_see_or_change_another_units_nominations_and_a_leader_cannot_review(launched):
    bot = launched
    await _submit_directly(bot, LB1, "individual", "Nguyễn Văn An")

    assert "không thuộc đơn vị của bạn" in texts_of(await bot.say(XD1, "/my_nominations 1"))[0]
    assert "Không có đề xuất số 99" in texts_of(await bot.say(XD1, "/my_nominations 99"))[0]
    assert "chưa có đề xuất nào" in texts_of(await bot.say(XD1, "/my_nominations"))[0]
    for data in ("c:withdraw:1", "c:edit_nomination:1", "c:my_nominations:1"):
        await bot.press(XD1, 1, data)
        assert "không thuộc đơn vị của bạn" in bot.sim.callback_answers[-1]["text"]
    for data in ("c:approve:1", "c:reject:1"):
        await bot.press(LB1, 1, data)
        assert "dành cho quản trị" in bot.sim.callback_answers[-1]["text"]
        await bot.press(LEADER, 1, data)
        assert "dành cho quản trị" in bot.sim.callback_answers[-1]["text"]
    assert "dành cho quản trị" in texts_of(await bot.say(LEADER, "/review"))[0]
    assert "dành cho quản trị" in texts_of(await bot.say(LB1, "/review"))[0]
    assert "dành cho cán bộ thi đua" in texts_of(await bot.say(LEADER, "/nominate"))[0]
    # The admin was told of #1 through the outbox; that notice may arrive beside the answer.
    assert any("dành cho cán bộ thi đua" in t for t in texts_of(await bot.say(ADMIN, "/nominate")))
    async with bot.db.session() as session:
        assert (await session.get(Nomination, 1)).status == "submitted"

    # The unit itself may withdraw it before review; then it is no longer in the queue.
    listing = (await bot.say(LB2, "/my_nominations"))[-1]
    assert "Đã rút đề xuất #1" in texts_of(await bot.press(LB2, listing["message_id"], "c:withdraw:1"))[0]
    await bot.press(LB2, listing["message_id"], "c:withdraw:1")
    assert "chỉ rút được đề xuất đang chờ duyệt" in bot.sim.callback_answers[-1]["text"]
    assert "Không còn đề xuất nào chờ duyệt" in texts_of(await bot.say(ADMIN, "/review"))[0]


async def test_no_open_campaign_means_nothing_to_nominate_and_a_unit_not_targeted_is_not_offered_one(people):
    bot = people
    assert "không có phong trào thi đua nào đang mở" in texts_of(await bot.say(LB1, "/nominate"))[0]
    await launch(bot, units=("XD",))
    assert "không có phong trào thi đua nào đang mở" in texts_of(await bot.say(LB1, "/nominate"))[0]
    # Two open campaigns: the officer picks one.
    await launch(bot, units=("LB",), title="Phong trào thi đua “Dân vận khéo” năm 2026")
    await launch(bot, units=("LB",), title="Phong trào “Cả nước chung tay vì người nghèo” 2026")
    first = texts_of(await bot.say(LB1, "/nominate"))
    question = find([{"text": x} for x in first], "Đề xuất cho phong trào nào?")["text"]
    assert "1. #3 Phong trào “Cả nước chung tay" in question and "2. #2 Phong trào thi đua “Dân vận khéo”" in question
    assert "Đề xuất tập thể hay cá nhân?" in find([{"text": x} for x in texts_of(await bot.say(LB1, "2"))], "tập thể hay")["text"]
    assert (await draft_answers(bot, LB1))["campaign"] == "2"


async def test_review_commands_with_wrong_arguments_say_how_to_type_them_and_change_nothing(launched):
    bot = launched
    await _submit_directly(bot, LB1, "individual", "Nguyễn Văn An")
    # The office's notice of it goes out on its own; out of the way of the answers below.
    await bot.sim.wait_for(lambda m: "Đề xuất mới: #1" in (m.get("text") or ""), chat_id=ADMIN, timeout=15)
    bot.new_messages(ADMIN)
    for typed in ("/approve", "/approve abc", "duyệt abc", "/reject 1 2", "trả lại", "/later x"):
        answer = texts_of(await bot.say(ADMIN, typed))[0]
        assert "Cần số của đề xuất" in answer and "ví dụ /" in answer, typed
    assert "Không có đề xuất số 99" in texts_of(await bot.say(ADMIN, "duyệt 99"))[0]
    assert "Không có đề xuất số 99" in texts_of(await bot.say(ADMIN, "/return_nomination 99"))[0]
    assert "Cách dùng:\n/quota SỐ_PHONG_TRÀO MÃ_ĐƠN_VỊ" in texts_of(await bot.say(ADMIN, "chỉ tiêu"))[0]
    assert "Cách dùng: /my_nominations" in texts_of(await bot.say(LB1, "/my_nominations abc"))[0]
    assert "Cần số của đề xuất" in texts_of(await bot.say(LB1, "rút đề cử"))[0]
    async with bot.db.session() as session:
        assert (await session.get(Nomination, 1)).status == "submitted"
    # Typed, a decision works as its button does.
    approved = texts_of(await bot.say(ADMIN, "duyệt 1"))
    assert "Đã duyệt đề xuất #1" in approved[0] and "Không còn đề xuất nào chờ duyệt" in approved[-1]
    assert "đã được xử lý trước đó" in texts_of(await bot.say(ADMIN, "/reject 1"))[0]


async def test_a_name_typed_in_capitals_is_title_cased_and_the_officer_is_told(launched):
    bot = launched
    await bot.say(LB1, "/nominate")
    await bot.say(LB1, "2")
    asked = texts_of(await bot.say(LB1, "TRẦN   THỊ BÍCH"))
    assert any("Đã viết hoa chữ cái đầu: “TRẦN THỊ BÍCH” → “Trần Thị Bích”" in x for x in asked)
    assert any("Chức vụ" in x for x in asked)
    async with bot.db.session() as session:
        draft = await session.scalar(select(FormDraft).where(FormDraft.form == "nomination"))
        assert draft.answers["full_name"] == "Trần Thị Bích"
