"""One office, one channel: the whole campaign, as its people do it, on Telegram and on Zalo alike.

The admin launches from the sample plan (uploaded on Telegram, pasted on Zalo), picks the units
from the list shown, officers acknowledge and nominate with a photo, the admin reviews with the
photo shown and returns one with a reason, the officer fixes and resubmits, the admin approves;
the periods are confirmed; nudges go out; the leader reads the status, the digest with its chart
and the XLSX; an officer sees and erases their data."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from bot import clock
from storage.models import Member, Nomination
from tests.chats import chat  # noqa: F401 - the fixture
from tests.conftest import make_invite
from tests.test_zalo_channel import SUMMARY, at

PLAN = Path(__file__).parent / "fixtures" / "plans" / "kh-108-cam-my-2020.txt"


def joined(answers: list[str]) -> str:
    return "\n".join(answers)


async def test_an_office_on_one_channel_runs_a_campaign_from_launch_to_the_leaders_files(chat):
    c = chat
    clock.set_now(at(1, 5))
    for who, unit, role in (("admin", "SNV", "admin"), ("officer", "LB", "officer"), ("officer2", "XD", "officer"),
                            ("leader", "DN", "leader")):
        assert "Chào mừng" in joined(await c.join(who, await make_invite(c.db, unit, role)))

    # The launch: the plan read, the units picked from the list shown, dates and cadence fixed.
    assert "kế hoạch" in joined(await c.say("admin", "/new_campaign")).lower()
    read = joined(await c.send_file("admin", PLAN.name, PLAN.read_bytes(), "text/plain"))
    assert "số 108/KH-UBND ngày 26/05/2020" in read and "Gửi phát động tới những đơn vị nào?" in read
    question = joined(await c.say("admin", "4"))
    assert "LB — Phường Long Bình" in question and "XD — " in question
    await c.say("admin", "LB, XD")
    await c.say("admin", "sửa 5")
    await c.say("admin", "01/01/2026")
    await c.say("admin", "sửa 6")
    await c.say("admin", "31/12/2026")
    await c.say("admin", "sửa 7")
    review = joined(await c.say("admin", "1"))
    assert "Kết thúc: 31/12/2026" in review and "6 tháng" in review
    before = c.count("officer")
    launched = joined(await c.confirm("admin"))
    assert "Đã phát động #1: gửi tới 2 cán bộ của 2 đơn vị" in launched, launched

    await c.tick(at(1, 5, 9, 1))
    launch = await c.wait_for("officer", "PHÁT ĐỘNG THI ĐUA", since=before)
    assert "108/KH-UBND" in launch["text"]
    assert "Đã ghi nhận" in joined(await c.act("officer", "ack", "1"))
    assert "Đã ghi nhận" in joined(await c.act("officer2", "ack", "1"))

    # A nomination with a photo.
    assert "tập thể hay cá nhân" in joined(await c.say("officer", "/nominate"))
    await c.say("officer", "2")
    await c.say("officer", "Nguyen Van An")
    await c.say("officer", "Phó Chủ tịch UBND phường")
    await c.say("officer", "UBND phường Long Bình")
    await c.say("officer", "5")
    await c.say("officer", SUMMARY)
    assert "minh chứng" in joined(await c.say("officer", "2"))
    assert "Đã nhận tệp thứ 1" in joined(await c.photo("officer"))
    assert "Kiểm tra lại" in joined(await c.say("officer", "xong"))
    sent = joined(await c.confirm("officer"))
    async with c.db.session() as session:
        nomination = await session.scalar(select(Nomination))
    assert nomination is not None and nomination.status == "submitted", sent
    nid = str(nomination.id)

    # The office reviews: the photo first, then the item; returns it with a reason.
    before = len(c.photos_sent("admin"))
    item = joined(await c.say("admin", "/review"))
    assert "Nguyen Van An" in item and len(c.photos_sent("admin")) == before + 1
    before = c.count("officer")  # on Telegram the notice may come at once, drained after the commit
    asked = joined(await c.act("admin", "return_nomination", nid))
    assert "lý do" in asked.lower()
    answer = joined(await c.say("admin", "Đề nghị ghi họ tên có dấu và bổ sung số liệu."))
    if "Kiểm tra lại" in answer:
        await c.confirm("admin")
    await c.tick(at(1, 5, 10))
    told = await c.wait_for("officer", "trả lại", since=before)
    assert "có dấu" in told["text"]

    # The officer fixes the name and sends it again; the office approves.
    reopened = joined(await c.say("officer", f"/edit_nomination {nid}"))
    assert "Kiểm tra lại" in reopened
    await c.say("officer", "sửa 3")
    assert "Nguyễn Văn An" in joined(await c.say("officer", "Nguyễn Văn An"))
    await c.confirm("officer")
    assert "Nguyễn Văn An" in joined(await c.say("admin", "/review"))
    assert "duyệt" in joined(await c.act("admin", "approve", nid)).lower()
    async with c.db.session() as session:
        assert (await session.get(Nomination, nomination.id)).status == "approved"

    # The periods, confirmed; the nudge before the first deadline.
    periods = joined(await c.say("admin", "/periods 1"))
    assert "Kỳ báo cáo của phong trào #1" in periods
    assert "xác nhận" in joined(await c.act("admin", "confirm_periods", "1")).lower()
    before = c.count("officer")
    await c.tick(at(1, 6, 9))
    await c.tick(at(8, 6, 8))
    nudge = await c.wait_for("officer", "báo cáo", timeout=20, since=before)
    assert re.search(r"(/report|báo cáo) \d+", nudge["text"]) or nudge.get("reply_markup"), nudge

    # The leader: the status, the digest with its chart, the XLSX.
    assert "Tình hình báo cáo" in joined(await c.say("leader", "/status 1"))
    photos = len(c.photos_sent("leader"))
    assert joined(await c.say("leader", "/digest"))
    assert len(c.photos_sent("leader")) == photos + 1
    await c.say("leader", "/export 1")
    assert (await c.file("leader"))[:2] == b"PK"

    # An officer sees what is kept about them, then has it erased.
    mine = joined(await c.say("officer2", "/mydata"))
    assert "Người officer2" in mine or "officer2" in mine or "Dữ liệu" in mine
    assert b"full_name" in await c.file("officer2") or b"ho_ten" in await c.file("officer2")
    await c.say("officer2", "/forget")
    assert "Đã xóa dữ liệu" in joined(await c.act("officer2", "forget_confirmed"))
    async with c.db.session() as session:
        left = await session.scalar(select(Member).where(Member.full_name.like("%officer2%")))
    assert left is None
    # Erased, first contact included: to the bot they are someone new, told again what it is.
    again = joined(await c.say("officer2", "/whoami"))
    assert "trợ lý tự động" in again and "MÃ_MỜI" in again
