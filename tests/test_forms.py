"""The form engine as a person meets it: one reply per step, every step in its own session, so
the draft really goes through the database between steps (as it does between Telegram updates)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import clock
from bot.forms import Choice, Field, FileInput, Form, FormEngine, Reply, Screen, StaleDraft
from bot.services import members
from storage.db import Database
from storage.models import FormDraft, StoredFile

# --- a sample form ------------------------------------------------------------------------------

UNITS = {"LB": "Phường Long Bình", "XD": "Xã Xuân Đường", "CM": "Xã Cẩm Mỹ"}


async def resolve_unit(session, value, answers, context):
    code = value.strip().upper()
    if code not in UNITS:
        return value, f"Không có đơn vị mã “{value.strip()}”. Mã hợp lệ: LB, XD, CM."
    return code, None


async def fill_signer(session, value, answers, context):
    return {"signer": f"Chủ tịch UBND {UNITS[value]}"}, f"Đã điền sẵn người ký cho {UNITS[value]}."


def end_not_before_start(value, answers):
    if answers.get("start") and value < answers["start"]:
        return "Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."
    return None


FORM = Form(
    name="de_xuat",
    title="đề xuất điển hình",
    fields=(
        Field("kind", "Loại", "Đề xuất tập thể hay cá nhân?", kind="choice",
              choices=(Choice("tt", "Tập thể"), Choice("cn", "Cá nhân"))),
        Field("size", "Số thành viên", "Tập thể có bao nhiêu người?", kind="number",
              min_value=2, max_value=500, when=lambda a: a.get("kind") == "tt"),
        Field("title", "Thành tích", "Tóm tắt thành tích.", min_len=3, max_len=1000),
        Field("areas", "Lĩnh vực", "Thuộc lĩnh vực nào?", kind="multi",
              choices=(Choice("kt", "Kinh tế"), Choice("vh", "Văn hóa"), Choice("xh", "Xã hội"), Choice("qp", "Quốc phòng"))),
        Field("start", "Từ ngày", "Bắt đầu từ ngày nào?", kind="date"),
        Field("end", "Đến ngày", "Kết thúc ngày nào?", kind="date", check=end_not_before_start),
        Field("unit", "Đơn vị", "Mã đơn vị?", kind="units", resolver=resolve_unit, fills=fill_signer),
        Field("signer", "Người ký", "Ai ký đề xuất?"),
        Field("score", "Điểm tự chấm", "Tự chấm bao nhiêu điểm?", kind="number", min_value=0, max_value=100),
        Field("proof", "Minh chứng", "Gửi tệp minh chứng.", kind="file", required=False,
              accept=(".pdf", ".docx"), max_bytes=2 * 1024 * 1024, max_files=2),
    ),
)
# A second, short form: an optional multi-choice.
FEEDBACK = Form(
    name="gop_y",
    title="góp ý",
    fields=(
        Field("topics", "Chủ đề", "Góp ý về chủ đề nào?", kind="multi", required=False,
              choices=(Choice("tc", "Thủ tục"), Choice("tg", "Thời gian"))),
        Field("content", "Nội dung", "Nội dung góp ý?"),
    ),
)
ENGINE = FormEngine([FORM, FEEDBACK])

TITLE = "Hoàn thành xuất sắc nhiệm vụ năm 2025"
# One way through the form, as an individual (so "size" does not apply): 9 questions, "signer"
# filled in by the unit.
STEPS: list[tuple[str, Reply]] = [
    ("kind", Reply(text="2")),
    ("title", Reply(text=TITLE)),
    ("areas", Reply(text="1, 3")),
    ("start", Reply(text="01/01/2025")),
    ("end", Reply(text="31/12/2025")),
    ("unit", Reply(text="xd")),
    ("score", Reply(text="95")),
    ("proof", Reply(action="skip")),
]
REPLIES = dict(STEPS) | {"size": Reply(text="25")}


def upload(filename: str, content: bytes = b"%PDF-1.4 minh chung", mime: str | None = "application/pdf") -> FileInput:
    async def fetch() -> bytes:
        return content

    return FileInput(filename, len(content), mime, fetch)


def unfetchable(filename: str, size: int) -> FileInput:
    """A file the engine must refuse from its name and size alone."""

    async def fetch() -> bytes:
        raise AssertionError(f"{filename} was downloaded although it should be refused unseen")

    return FileInput(filename, size, None, fetch)


# --- a person talking to the engine -------------------------------------------------------------


@dataclass
class Person:
    db: Database
    member_id: int

    async def open(self, **kw) -> Screen:
        async with self.db.session() as session:
            return await ENGINE.open(session, self.member_id, FORM.name, **kw)

    async def send(self, reply: Reply, draft_id: int | None = None) -> Screen | None:
        async with self.db.session() as session:
            return await ENGINE.handle(session, self.member_id, reply, draft_id=draft_id)

    async def say(self, text: str) -> Screen | None:
        return await self.send(Reply(text=text))

    async def press(self, action: str, arg: str | None = None, draft_id: int | None = None) -> Screen | None:
        return await self.send(Reply(action=action, arg=arg), draft_id=draft_id)

    async def draft(self) -> FormDraft | None:
        async with self.db.session() as session:
            return await session.scalar(select(FormDraft).where(FormDraft.member_id == self.member_id))

    async def answers(self) -> dict:
        draft = await self.draft()
        assert draft is not None, "the draft is gone"
        return draft.answers

    async def fill(self, until: str | None = None, **open_kw) -> Screen:
        """Open the form (continuing a draft if there is one) and answer every question asked
        with its reply from STEPS; stop when `until` is the question asked, else at review."""
        screen = await self.open(**open_kw)
        if screen.status == "resume":
            screen = await self.press("continue", draft_id=screen.draft_id)
        while screen.status == "asking":
            current = asked(screen)
            if current == until:
                break
            screen = await self.send(REPLIES[current])
        if until is not None:
            assert_asks(screen, until)
        return screen


TELEGRAM_IDS = itertools.count(2000)


async def new_person(db: Database, telegram_user_id: int, name: str) -> Person:
    async with db.session() as session:
        member = await members.add_admin(session, telegram_user_id=telegram_user_id, full_name=name, unit=None)
        return Person(db, member.id)


@pytest.fixture
async def lan(db: Database) -> Person:
    return await new_person(db, 1001, "Nguyễn Thị Lan")


def assert_asks(screen: Screen | None, name: str) -> None:
    assert screen is not None and screen.status == "asking", screen
    assert FORM.field(name).prompt in screen.text, f"expected the {name!r} question, got:\n{screen.text}"


def asked(screen: Screen) -> str:
    """The name of the field whose question the screen asks."""
    question = re.search(r"\(\d+/\d+(?: — [^)]*)?\) (.*)", screen.text).group(1)
    return next(f.name for f in FORM.fields if f.prompt == question)


def position(screen: Screen) -> str:
    match = re.search(r"\((\d+/\d+)(?: — [^)]*)?\)", screen.text)
    assert match, screen.text
    return match.group(1)


def actions(screen: Screen) -> list[tuple[str, str]]:
    return [(b.action, b.arg) for row in screen.buttons for b in row]


# --- asking in order ----------------------------------------------------------------------------


async def test_questions_come_in_declared_order_each_with_its_position(lan):
    seen = []
    screen = await lan.open()
    for name, reply in STEPS:
        assert_asks(screen, name)
        assert (await lan.draft()).current_field == name
        seen.append((name, position(screen)))
        screen = await lan.send(reply)
    # "signer" is filled in with the unit, not asked: from then on it is not counted either.
    assert seen == [
        ("kind", "1/9"), ("title", "2/9"), ("areas", "3/9"), ("start", "4/9"),
        ("end", "5/9"), ("unit", "6/9"), ("score", "7/8"), ("proof", "8/8"),
    ]
    assert screen.status == "review"


async def test_a_choice_is_offered_numbered_with_a_button_each_and_a_press_picks_it(lan):
    screen = await lan.open()
    assert "1. Tập thể\n2. Cá nhân" in screen.text
    assert ("pick", "tt") in actions(screen) and ("pick", "cn") in actions(screen)
    assert ("cancel", "") in actions(screen)
    assert ("back", "") not in actions(screen)  # nothing to go back to yet
    screen = await lan.press("pick", "cn")
    assert (await lan.answers())["kind"] == "cn"
    assert_asks(screen, "title")


async def test_a_choice_can_be_typed_as_its_number_or_as_its_label_without_diacritics(lan):
    await lan.open()
    screen = await lan.say("tap the")
    assert (await lan.answers())["kind"] == "tt"
    assert_asks(screen, "size")
    assert position(screen) == "2/10"
    # The count grew with the answer: said once, beside the counter, not left to look like a slip.
    assert "(2/10 — thêm 1 câu theo câu trả lời vừa rồi) Tập thể có bao nhiêu người?" in screen.text

    await lan.press("back")
    screen = await lan.say("2")
    assert (await lan.answers())["kind"] == "cn"
    assert_asks(screen, "title")
    assert position(screen) == "2/9"
    assert "(2/9 — bớt 1 câu không cần hỏi) Tóm tắt thành tích." in screen.text
    screen = await lan.say("Hoàn thành xuất sắc nhiệm vụ")
    assert "(3/9) Thuộc lĩnh vực nào?" in screen.text  # the same count again: nothing to say


async def test_multi_buttons_toggle_and_done_moves_on(lan):
    await lan.fill(until="areas")
    screen = await lan.press("done")
    assert "Hãy chọn ít nhất một mục" in screen.text
    await lan.press("pick", "kt")
    await lan.press("pick", "vh")
    screen = await lan.press("pick", "kt")  # pressed again: unticked
    assert_asks(screen, "areas")
    assert "☑️ Văn hóa" in screen.text and "☑️ Kinh tế" not in screen.text
    assert (await lan.answers())["areas"] == ["vh"]
    assert ("done", "") in actions(screen)

    screen = await lan.press("done")
    assert_asks(screen, "start")
    assert (await lan.answers())["areas"] == ["vh"]


async def test_multi_typed_numbers_choose_all_at_once_and_move_on(lan):
    await lan.fill(until="areas")
    screen = await lan.say("1, 9")
    assert "“9” không có trong danh sách" in screen.text
    assert "areas" not in await lan.answers()

    screen = await lan.say("1, 3")
    assert_asks(screen, "start")
    assert (await lan.answers())["areas"] == ["kt", "xh"]


# --- moving back and skipping -------------------------------------------------------------------


async def test_back_retraces_the_answers_and_shows_the_current_value(lan):
    await lan.fill(until="areas")
    screen = await lan.press("back")
    assert_asks(screen, "title")
    assert f"Hiện tại: {TITLE}" in screen.text
    screen = await lan.press("back")
    assert_asks(screen, "kind")
    assert "Hiện tại: Cá nhân" in screen.text
    screen = await lan.press("back")
    assert_asks(screen, "kind")
    assert "câu hỏi đầu tiên" in screen.text
    # going back changed nothing that was entered
    assert (await lan.answers())["title"] == TITLE


async def test_a_new_answer_after_back_replaces_the_old_one(lan):
    await lan.fill(until="areas")
    await lan.press("back")
    screen = await lan.say("Dẫn đầu phong trào chuyển đổi số")
    assert_asks(screen, "areas")
    assert (await lan.answers())["title"] == "Dẫn đầu phong trào chuyển đổi số"


async def test_skip_leaves_an_optional_field_empty_and_is_refused_on_a_required_one(lan):
    await lan.fill(until="title")
    screen = await lan.press("skip")
    assert_asks(screen, "title")
    assert "bắt buộc, không bỏ qua được" in screen.text
    assert "title" not in await lan.answers()

    screen = await lan.fill(until="proof")  # resumes where she was
    assert ("skip", "") in actions(screen) and "/skip" in screen.text
    screen = await lan.press("skip")
    assert screen.status == "review"
    assert "10. Minh chứng: (để trống)" in screen.text


# --- refusing bad answers, keeping everything before ----------------------------------------------

async def refuse(db: Database, field: str, reply: Reply, message: str) -> None:
    """A new person answers up to `field`, sends `reply`: it is refused with `message`, the same
    question is asked again and the draft in the database holds what it held before."""
    person = await new_person(db, next(TELEGRAM_IDS), "Phạm Thu Hà")
    await person.fill(until=field)
    before = await person.answers()
    screen = await person.send(reply)
    assert screen.text.startswith("⚠️") and message in screen.text, (message, screen.text)
    assert_asks(screen, field)
    draft = await person.draft()
    assert draft.answers == before
    assert draft.current_field == field
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 0


async def test_a_refused_text_says_why_and_keeps_what_was_entered(db):
    await refuse(db, "title", Reply(text="   "), "không được để trống")
    await refuse(db, "title", Reply(text="x" * 5000), "dài 5.000 ký tự, vượt quá 1.000")
    await refuse(db, "title", Reply(text="🎉🎉👍"), "cần có chữ hoặc số")
    await refuse(db, "title", Reply(unsupported="sticker"), "cần bạn gõ chữ")
    await refuse(db, "unit", Reply(text="zz"), "Không có đơn vị mã “zz”")


async def test_a_refused_date_says_why_and_keeps_what_was_entered(db):
    await refuse(db, "start", Reply(text="31/02/2026"), "Ngày 31/02/2026 không có thật: tháng 2/2026 chỉ có 28 ngày")
    await refuse(db, "start", Reply(text="abc"), "Không hiểu ngày “abc”")
    await refuse(db, "end", Reply(text="31/12/2024"), "phải sau hoặc trùng ngày bắt đầu")


async def test_a_refused_choice_or_number_says_why_and_keeps_what_was_entered(db):
    await refuse(db, "kind", Reply(text="7"), "số thứ tự từ 1 đến 2")
    await refuse(db, "score", Reply(text="150"), "Số phải từ 0 đến 100")
    await refuse(db, "score", Reply(text="9,5"), "“9,5” không phải là số")  # not silently 95


async def test_a_refused_file_is_never_downloaded_and_keeps_what_was_entered(db):
    await refuse(db, "proof", Reply(file=unfetchable("virus.exe", 1000)), "Tệp .exe không được nhận. Chỉ nhận: .pdf, .docx")
    await refuse(db, "proof", Reply(file=unfetchable("video.pdf", 60 * 1024 * 1024)), "nặng 60.0 MB, vượt quá 2 MB")
    await refuse(db, "proof", Reply(file=unfetchable("rong.pdf", 0)), "Tệp rỗng")
    await refuse(db, "proof", Reply(text="đây là tệp"), "Hãy gửi tệp")


async def test_a_number_accepts_thousand_separators(db):
    person = await new_person(db, 1003, "Lê Văn Tư")
    await person.open()
    await person.say("Tập thể")
    await person.fill(until="size")  # continues the draft
    screen = await person.say("1.000")
    assert "Số phải từ 2 đến 500" in screen.text
    screen = await person.say("25")
    assert_asks(screen, "title")
    assert (await person.answers())["size"] == 25


# --- files --------------------------------------------------------------------------------------


async def test_two_files_are_stored_and_the_second_moves_on(lan):
    await lan.fill(until="proof")
    screen = await lan.send(Reply(file=upload("Bao cao.PDF", b"%PDF-1.4 bao cao")))
    assert_asks(screen, "proof")
    assert "Đã nhận tệp thứ 1 (tối đa 2)" in screen.text
    screen = await lan.send(Reply(file=upload("to-trinh.docx", b"PK word", mime=None)))
    assert screen.status == "review"
    assert "Minh chứng: Bao cao.PDF, to-trinh.docx" in screen.text

    files = (await lan.answers())["proof"]
    async with lan.db.session() as session:
        stored = [await session.get(StoredFile, item["stored_file_id"]) for item in files]
        contents = [(await session.scalar(select(StoredFile.content).where(StoredFile.id == s.id))) for s in stored]
    assert [s.filename for s in stored] == ["Bao cao.PDF", "to-trinh.docx"]
    assert contents == [b"%PDF-1.4 bao cao", b"PK word"]
    assert all(s.uploaded_by_member_id == lan.member_id for s in stored)


async def test_xong_after_one_file_moves_on(lan):
    await lan.fill(until="proof")
    await lan.send(Reply(file=upload("bao-cao.pdf")))
    screen = await lan.say("xong")
    assert screen.status == "review"
    assert "Minh chứng: bao-cao.pdf" in screen.text


async def test_done_without_any_file_leaves_the_optional_file_field_empty(lan):
    await lan.fill(until="proof")
    screen = await lan.press("done")
    assert screen.status == "review", screen.text
    assert "10. Minh chứng: (để trống)" in screen.text


async def test_a_file_sent_again_at_review_replaces_the_old_one(lan):
    await lan.fill(until="proof")
    await lan.send(Reply(file=upload("cu-1.pdf")))
    await lan.send(Reply(file=upload("cu-2.pdf")))
    screen = await lan.press("edit", "proof")
    assert_asks(screen, "proof")
    screen = await lan.send(Reply(file=upload("moi.pdf")))
    assert_asks(screen, "proof")
    screen = await lan.press("done")
    assert screen.status == "review"
    assert "Minh chứng: moi.pdf" in screen.text
    assert [f["filename"] for f in (await lan.answers())["proof"]] == ["moi.pdf"]


async def test_done_with_nothing_chosen_leaves_an_optional_multi_empty(lan):
    async with lan.db.session() as session:
        await ENGINE.open(session, lan.member_id, "gop_y")
    screen = await lan.press("done")
    assert "Nội dung góp ý?" in screen.text, screen.text
    screen = await lan.say("Rút ngắn thời gian xét duyệt")
    assert screen.status == "review"
    assert "1. Chủ đề: (để trống)" in screen.text
    done = await lan.press("confirm")
    assert done.answers == {"topics": None, "content": "Rút ngắn thời gian xét duyệt"}


# --- fills, resolvers, conditions ---------------------------------------------------------------


async def test_a_resolved_unit_fills_in_the_signer_which_is_then_not_asked(lan):
    await lan.fill(until="unit")
    screen = await lan.say(" xd ")
    assert "Đã điền sẵn người ký cho Xã Xuân Đường." in screen.text
    assert_asks(screen, "score")
    answers = await lan.answers()
    assert answers["unit"] == "XD"
    assert answers["signer"] == "Chủ tịch UBND Xã Xuân Đường"


async def test_a_conditional_field_is_asked_only_when_its_condition_holds(db, lan):
    screen = await lan.fill()
    assert "Số thành viên" not in screen.text
    done = await lan.press("confirm")
    assert "size" not in done.answers

    group = await new_person(db, 1002, "Trần Văn Bình")
    await group.open()
    screen = await group.press("pick", "tt")
    assert_asks(screen, "size")
    assert position(screen) == "2/10"
    screen = await group.say("25")
    assert_asks(screen, "title")
    assert position(screen) == "3/10"


async def test_changing_the_condition_at_review_asks_the_new_field_then_returns_to_review(lan):
    await lan.fill()
    screen = await lan.press("edit", "kind")
    assert_asks(screen, "kind")
    assert "Hiện tại: Cá nhân" in screen.text
    screen = await lan.press("pick", "tt")
    assert_asks(screen, "size")
    screen = await lan.say("25")
    assert screen.status == "review"
    assert "1. Loại: Tập thể\n2. Số thành viên: 25\n3. Thành tích:" in screen.text
    assert "10. Minh chứng" in screen.text  # the same number as in the person's review: nothing moved

    await lan.press("edit", "kind")
    screen = await lan.say("cá nhân")
    assert screen.status == "review"
    assert "Số thành viên" not in screen.text
    done = await lan.press("confirm")
    assert "size" not in done.answers


# --- review, confirm, cancel ----------------------------------------------------------------------


async def test_review_lists_every_applicable_field_with_an_edit_button_each(lan):
    screen = await lan.fill()
    assert screen.status == "review"
    for line in [
        # Numbered by their place in the form: the size of a collective (2) is not asked of a
        # person, and the items after it keep their numbers whichever kind is chosen.
        "1. Loại: Cá nhân\n3. Thành tích: " + TITLE,
        "4. Lĩnh vực: Kinh tế, Xã hội",
        "5. Từ ngày: 01/01/2025",
        "6. Đến ngày: 31/12/2025",
        "7. Đơn vị: XD",
        "8. Người ký: Chủ tịch UBND Xã Xuân Đường",
        "9. Điểm tự chấm: 95",
        "10. Minh chứng: (để trống)",
    ]:
        assert line in screen.text, screen.text
    assert "2. " not in screen.text
    assert [a for a in actions(screen) if a[0] == "edit"] == [("edit", f.name) for f in FORM.fields if f.name != "size"]
    assert ("confirm", "") in actions(screen) and ("cancel", "") in actions(screen)


async def test_edit_by_button_asks_that_field_and_returns_to_review(lan):
    await lan.fill()
    screen = await lan.press("edit", "score")
    assert_asks(screen, "score")
    assert "Hiện tại: 95" in screen.text
    screen = await lan.say("80")
    assert screen.status == "review"
    assert "9. Điểm tự chấm: 80" in screen.text
    assert (await lan.answers())["score"] == 80


async def test_edit_by_typing_sua_and_a_number_returns_to_review(lan):
    await lan.fill()
    screen = await lan.say("sửa 12")
    assert screen.status == "review"
    assert "số mục từ 1 đến 10" in screen.text
    screen = await lan.say("sửa 2")  # the size of a collective: not an item of a person's review
    assert screen.status == "review" and "số mục từ 1 đến 10" in screen.text
    screen = await lan.say("sửa 3")
    assert_asks(screen, "title")
    screen = await lan.say("Dẫn đầu phong trào chuyển đổi số")
    assert screen.status == "review"
    assert "3. Thành tích: Dẫn đầu phong trào chuyển đổi số" in screen.text


async def test_back_while_editing_returns_to_review_unchanged(lan):
    await lan.fill()
    await lan.say("sửa 9")
    screen = await lan.press("back")
    assert screen.status == "review"
    assert "9. Điểm tự chấm: 95" in screen.text


async def test_confirm_returns_the_answers_and_deletes_the_draft(lan):
    await lan.fill()
    done = await lan.press("confirm")
    assert done.status == "done"
    assert done.answers == {
        "kind": "cn",
        "title": TITLE,
        "areas": ["kt", "xh"],
        "start": "2025-01-01",
        "end": "2025-12-31",
        "unit": "XD",
        "signer": "Chủ tịch UBND Xã Xuân Đường",
        "score": 95,
        "proof": None,
    }
    assert await lan.draft() is None
    assert await lan.say("xin chào") is None


async def test_cancel_deletes_the_draft_once_confirmed(lan):
    await lan.fill(until="start")
    asked = await lan.press("cancel")  # answers would be lost: asked first
    assert asked.status == "asking" and asked.text.startswith("Hủy đề xuất điển hình? Các câu bạn đã trả lời")
    assert [(b.action, b.arg) for b in asked.buttons[0]] == [("cancel", "yes"), ("continue", "")]
    assert await lan.draft() is not None
    back = await lan.press("continue")  # “Điền tiếp”: the question where they were
    assert_asks(back, "start")
    assert (await lan.press("cancel")).status == "asking"  # asked again after going on
    screen = await lan.press("cancel")  # a second “hủy” confirms (Zalo types it)
    assert screen.status == "cancelled"
    assert "Đã hủy đề xuất điển hình" in screen.text
    assert await lan.draft() is None
    screen = await lan.open()
    assert_asks(screen, "kind")


# --- coming back to a draft ---------------------------------------------------------------------


async def test_opening_again_offers_to_resume_and_continue_keeps_everything(lan):
    clock.set_now(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
    await lan.fill(until="start")
    before = await lan.answers()
    clock.set_now(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))

    screen = await lan.open()
    assert screen.status == "resume"
    assert "đang làm dở" in screen.text and "08:30 02/03/2026" in screen.text
    assert actions(screen) == [("continue", ""), ("discard", "")]
    assert screen.draft_id == (await lan.draft()).id

    screen = await lan.press("continue", draft_id=screen.draft_id)
    assert_asks(screen, "start")
    assert position(screen) == "4/9"
    assert await lan.answers() == before


async def test_discard_from_resume_starts_over_at_once(lan):
    await lan.fill(until="start")
    assert await lan.answers() != {}
    resume = await lan.open()
    screen = await lan.press("discard", draft_id=resume.draft_id)
    assert_asks(screen, "kind")
    assert await lan.answers() == {}


async def test_a_draft_id_that_is_gone_or_not_ones_own_is_stale(db, lan):
    other = await new_person(db, 1002, "Trần Văn Bình")
    await other.fill(until="title")
    theirs = (await other.draft()).id
    with pytest.raises(StaleDraft):
        await lan.press("pick", "cn", draft_id=theirs)
    assert (await other.answers()) == {"kind": "cn", "_label:kind": "Cá nhân"}

    with pytest.raises(StaleDraft):
        await lan.press("pick", "cn", draft_id=theirs + 1000)

    screen = await lan.fill()
    mine = screen.draft_id
    await lan.press("confirm", draft_id=mine)
    with pytest.raises(StaleDraft):
        await lan.press("confirm", draft_id=mine)


async def test_a_member_without_a_draft_is_not_the_engines(lan):
    assert await lan.say("2") is None
    assert await lan.press("confirm") is None


async def test_prefilled_fields_are_not_asked_but_are_shown_at_review(lan):
    screen = await lan.open(prefill={"kind": "cn", "title": "Gương mẫu", "size": None})
    assert_asks(screen, "areas")
    assert position(screen) == "1/7"  # the first of the seven questions this person is asked
    screen = await lan.fill()  # continues the draft, answers the rest
    assert screen.status == "review", screen.text
    assert "1. Loại: Cá nhân" in screen.text
    assert "3. Thành tích: Gương mẫu" in screen.text


async def test_an_update_handled_again_is_not_applied_twice(lan):
    # A crash cut the first handling short after the draft was saved; the inbox row runs again.
    await lan.fill(until="title")
    first = await lan.send(Reply(text=TITLE, update_id=501))
    assert_asks(first, "areas")
    again = await lan.send(Reply(text=TITLE, update_id=501))
    assert_asks(again, "areas")  # the same question again, not "title" given as the areas
    assert (await lan.answers())["title"] == TITLE and "areas" not in await lan.answers()
    assert_asks(await lan.send(Reply(text="1, 3", update_id=502)), "start")
    assert (await lan.draft()).last_update_id == 502

    # However long the bot was down, the repeat is recognised (inbox row ids only grow).
    async with lan.db.session() as session:
        draft = await session.scalar(select(FormDraft).where(FormDraft.member_id == lan.member_id))
        draft.updated_at = clock.now() - timedelta(days=8)
    assert_asks(await lan.send(Reply(text="1, 3", update_id=502)), "start")
    assert_asks(await lan.send(Reply(text="01/01/2025", update_id=503)), "end")
