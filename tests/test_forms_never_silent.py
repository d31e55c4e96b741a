"""Forms never take an answer silently (issue 18, item 2): a command in the middle of a form is
answered and the open question comes again; cancelling a form with answers is asked first — on
both channels."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import FormDraft
from tests.chats import chat  # noqa: F401 - the fixture, on both channels
from tests.conftest import make_invite
from tests.test_late_joiners import _launch


async def drafts(chat) -> int:  # noqa: ANN001
    async with chat.db.session() as session:
        return await session.scalar(select(func.count()).select_from(FormDraft))


async def test_help_mid_form_repeats_the_question_and_cancel_asks_first(chat):  # noqa: F811 - the fixture
    assert "Chào mừng" in (await chat.join("admin", await make_invite(chat.db, "SNV", "admin")))[0]
    await _launch(chat.db, "Thi đua chuyển đổi số năm 2026", ["LB"])
    assert "Chào mừng" in (await chat.join("officer", await make_invite(chat.db, "LB", "officer")))[0]
    zalo = chat.channel == "zalo"
    assert "tập thể hay cá nhân" in (await chat.say("officer", "đề cử" if zalo else "/nominate"))[0]
    assert "Tên tập thể, hoặc họ và tên" in (await chat.say("officer", "2"))[0]

    answers = await chat.say("officer", "trợ giúp" if zalo else "/help")
    assert "Bạn đang dùng bot với vai trò: Cán bộ phụ trách thi đua" in answers[0]
    assert answers[1].startswith("✏️ Bạn vẫn đang điền đề xuất điển hình — câu hỏi đang chờ trả lời")
    assert "Tên tập thể, hoặc họ và tên" in answers[2]
    if not zalo:  # the question comes with its buttons
        assert chat.last["officer"][2].get("reply_markup")
    # A form's own step is not followed by a reminder.
    assert not any("Bạn vẫn đang điền" in a for a in await chat.say("officer", "Nguyễn Văn An"))

    asked = await chat.say("officer", "hủy" if zalo else "/cancel")
    assert asked[0].startswith("Hủy đề xuất điển hình? Các câu bạn đã trả lời sẽ bị xóa.")
    if zalo:
        assert "Gõ “hủy” lần nữa để hủy, hoặc “tiếp tục” để làm tiếp." in asked[0]
    else:
        buttons = [b["text"] for row in chat.last["officer"][0]["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons == ["✖ Hủy thật", "↩️ Điền tiếp"]
    assert await drafts(chat) == 1
    assert "Chức vụ" in (await chat.say("officer", "tiếp tục" if zalo else "/continue"))[0]
    assert (await chat.say("officer", "hủy" if zalo else "/cancel"))[0].startswith("Hủy đề xuất điển hình?")
    done = await chat.say("officer", "hủy" if zalo else "/cancel")
    assert done[0].startswith("Đã hủy đề xuất điển hình") and await drafts(chat) == 0
    # With nothing answered yet, cancelling is at once.
    await chat.say("officer", "đề cử" if zalo else "/nominate")
    assert (await chat.say("officer", "hủy" if zalo else "/cancel"))[0].startswith("Đã hủy")
