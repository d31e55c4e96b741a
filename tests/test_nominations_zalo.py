"""Nominations on Zalo end to end: an officer nominates with a photo, the office reviews on Zalo
(the photo through sendPhoto, other files as signed links), returns it with a typed reason, the
officer fixes and resubmits, the office approves; wrong arguments get clear answers."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from sqlalchemy import select

from bot import clock
from bot.services import files, nominations
from storage.models import Member, Nomination, NominationEvent
from tests.conftest import make_invite
from tests.test_nominations import SUMMARY, launch
from tests.test_zalo_channel import PNG, at, zbot  # noqa: F401 - the fixture

OFFICER, ADMIN = "8800000000000011", "8800000000000012"
REASON = "Trích ngang chưa nêu số liệu cụ thể năm 2026, đề nghị bổ sung."
FIXED = SUMMARY + " Năm 2026 giải quyết 1.250 hồ sơ, không hồ sơ nào trễ hạn."


async def _people(z) -> int:
    """The office's admin and a unit's officer, both on Zalo; one campaign open to the unit."""
    clock.set_now(at(10, 5))
    assert "Chào mừng" in (await z.join(ADMIN, await make_invite(z.db, "SNV", "admin")))[0]
    assert "Chào mừng" in (await z.join(OFFICER, await make_invite(z.db, "LB", "officer")))[0]
    campaign_id = await launch(z)
    await z.tick(at(10, 5, 9, 1))
    z.new(OFFICER), z.new(ADMIN)
    return campaign_id


async def _member_id(z, zalo_user_id: str) -> int:
    async with z.db.session() as session:
        return await session.scalar(select(Member.id).where(Member.zalo_user_id == zalo_user_id))


async def test_a_nomination_with_a_photo_is_returned_fixed_and_approved_all_on_zalo(zbot):
    z = zbot
    await _people(z)

    # The officer nominates an individual, with a photo as evidence.
    assert "tập thể hay cá nhân" in (await z.say(OFFICER, "đề cử"))[0]
    await z.say(OFFICER, "2")
    await z.say(OFFICER, "Nguyễn Văn An")
    await z.say(OFFICER, "Phó Chủ tịch UBND phường")
    await z.say(OFFICER, "UBND phường Long Bình")
    await z.say(OFFICER, "5")
    assert "Hình thức khen thưởng" in (await z.say(OFFICER, SUMMARY))[0]
    assert "Gửi ảnh hoặc tệp minh chứng" in (await z.say(OFFICER, "2"))[0]
    assert "Đã nhận tệp thứ 1" in (await z.photo(OFFICER, PNG))[0]
    assert "Kiểm tra lại" in (await z.say(OFFICER, "xong"))[0]
    sent = "\n".join(await z.say(OFFICER, "gửi"))
    assert "Đã gửi đề xuất #1" in sent and "“đề cử của tôi”" in sent and "/my_nominations" not in sent

    # The office hears of it on Zalo, in Zalo's words.
    await z.tick(at(10, 5, 9, 5))
    notice = "\n".join(m["text"] for m in z.new(ADMIN))
    assert "Đề xuất mới: #1 của Phường Long Bình" in notice and "“xét duyệt”" in notice and "/review" not in notice

    # The queue: the photo first, fetched by Zalo through the signed link, then the item.
    z.new(ADMIN)
    await z.channel.conversation.wait_handled(z.sim.send_text(ADMIN, "xét duyệt"))
    shown = z.new(ADMIN)
    assert shown[0]["method"] == "sendPhoto" and shown[0]["fetched_status"] == 200
    assert shown[0]["fetched_bytes"] == PNG and shown[0]["caption"] == "Minh chứng 1/1 của đề xuất #1"
    item = shown[-1]["text"]
    for line in ("📋 Đề xuất #1", "Họ và tên: Nguyễn Văn An", "Đang chờ duyệt: 1 đề xuất",
                 "duyệt 1", "trả lại 1", "từ chối 1"):
        assert line in item, item
    assert "Bấm" not in item and "để sau 1" not in item  # nothing else waits: nothing to put off

    # Wrong arguments are explained; nothing changes.
    assert "Cần số của đề xuất" in (bad := (await z.say(ADMIN, "duyệt abc"))[0]) and "“duyệt 12”" in bad
    assert "Cần số của đề xuất" in (await z.say(ADMIN, "trả lại"))[0]
    assert "Cần số của đề xuất" in (await z.say(ADMIN, "từ chối #x"))[0]
    assert "Không có đề xuất số 99" in (await z.say(ADMIN, "duyệt 99"))[0]
    assert "Không có đề xuất số 99" in (await z.say(ADMIN, "trả lại 99"))[0]
    assert "dành cho quản trị" in (await z.say(OFFICER, "duyệt 1"))[0]

    # Returned with a typed reason; then the queue goes on (it is empty now).
    assert "Gõ lý do trả lại đề xuất #1" in "\n".join(await z.say(ADMIN, "trả lại 1"))
    confirm = (await z.say(ADMIN, REASON))[-1]
    assert f"Lý do: {REASON}" in confirm and "gửi" in confirm
    done = await z.say(ADMIN, "gửi")
    assert "Đã trả lại đề xuất #1 kèm lý do" in done[0] and "Không còn đề xuất nào chờ duyệt" in done[-1]

    # The officer is told with the reason, and how to fix it, in Zalo's words.
    await z.tick(at(10, 5, 9, 10))
    told = "\n".join(m["text"] for m in z.new(OFFICER))
    assert "TRẢ LẠI" in told and f"Lý do: {REASON}" in told and "“đề cử của tôi 1”" in told
    listing = (await z.say(OFFICER, "đề cử của tôi"))[0]
    assert "#1 ↩️ Trả lại để sửa — cá nhân Nguyễn Văn An" in listing and "sửa đề cử 1" in listing
    assert "Cách dùng" in (await z.say(OFFICER, "đề cử của tôi abc"))[0]
    assert "Cần số của đề xuất" in (await z.say(OFFICER, "sửa đề cử"))[0]
    assert "Không có đề xuất số 77" in (await z.say(OFFICER, "sửa đề cử 77"))[0]

    # Fixed through "sửa đề cử 1" and sent again.
    reopened = (await z.say(OFFICER, "sửa đề cử 1"))[-1]
    assert REASON in reopened and "8. Trích ngang thành tích:" in reopened and "Bấm" not in reopened
    assert "Trích ngang" in (await z.say(OFFICER, "sửa 8"))[0]
    assert "1.250 hồ sơ" in (await z.say(OFFICER, FIXED))[-1]
    assert any("Đã gửi lại đề xuất #1" in x for x in await z.say(OFFICER, "gửi"))
    await z.tick(at(10, 5, 9, 15))
    assert any("Đã sửa và gửi lại: #1" in m["text"] for m in z.new(ADMIN))

    # Approved by typing; a second decision on it is refused, whichever it is.
    approved = await z.say(ADMIN, "duyệt 1")
    assert "Đã duyệt đề xuất #1" in approved[0] and "Không còn đề xuất nào chờ duyệt" in approved[-1]
    for again in ("duyệt 1", "trả lại 1", "từ chối 1"):
        assert "đã được xử lý trước đó" in (await z.say(ADMIN, again))[0], again
    await z.tick(at(10, 5, 9, 20))
    assert any("DUYỆT" in m["text"] for m in z.new(OFFICER))
    assert "chỉ rút được đề xuất đang chờ duyệt" in (await z.say(OFFICER, "rút đề cử 1"))[0]
    assert "không phải bị trả lại" in (await z.say(OFFICER, "sửa đề cử 1"))[0]
    assert "✅ Đã duyệt" in (await z.say(OFFICER, "đề cử của tôi 1"))[0]

    async with z.db.session() as session:
        n = await session.get(Nomination, 1)
        assert (n.status, n.summary, len(n.evidence_file_ids)) == ("approved", FIXED, 1)
        events = (await session.scalars(select(NominationEvent.action).where(NominationEvent.nomination_id == 1)
                                        .order_by(NominationEvent.id))).all()
        assert events == ["submitted", "returned", "resubmitted", "approved"]


async def test_the_office_on_zalo_puts_off_rejects_gets_files_as_links_and_sets_quotas(zbot):
    z = zbot
    campaign_id = await _people(z)
    officer = await _member_id(z, OFFICER)
    async with z.db.session() as session:
        pdf = await files.store(session, b"%PDF-1.4 thanh tich", "bao-cao-thanh-tich.pdf", "application/pdf",
                                uploaded_by=officer)
        evidence = [{"filename": pdf.filename, "size": pdf.size, "mime_type": pdf.mime_type, "stored_file_id": pdf.id}]
        for name, kind, proof in (("Tổ dân phố 5, phường Long Bình", "collective", evidence),
                                  ("Lê Thị Hoa", "individual", None), ("Trần Văn Ba", "individual", None)):
            await nominations.submit(session, officer, {
                "campaign": str(campaign_id), "kind": kind, "full_name": name, "position": "Giáo viên",
                "workplace": "Trường Tiểu học Long Bình", "sector": "kt", "summary": SUMMARY, "reward_form": "c0",
                "evidence": proof})

    # A document is not a photo: it comes as a signed link to download.
    z.new(ADMIN)
    await z.channel.conversation.wait_handled(z.sim.send_text(ADMIN, "duyệt"))
    shown = z.new(ADMIN)
    assert all(m["method"] == "sendMessage" for m in shown)
    link_text = next(m["text"] for m in shown if "bao-cao-thanh-tich.pdf" in m["text"] and "http" in m["text"])
    url = next(w for w in link_text.split() if w.startswith("http"))
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 200 and await response.read() == b"%PDF-1.4 thanh tich"
    item = shown[-1]["text"]
    assert "📋 Đề xuất #1" in item and "Đang chờ duyệt: 3 đề xuất" in item and "để sau 1" in item

    # Put off: #1 goes to the end of the queue, behind #2 and #3 (issue 18: it came back right
    # after the next one).
    later = (await z.say(ADMIN, "để sau 1"))[-1]
    assert "📋 Đề xuất #2" in later and "Lê Thị Hoa" in later
    assert "Cần số của đề xuất" in (await z.say(ADMIN, "để sau"))[0]

    # Rejected with a reason; the next is #3, not #1 which was put off.
    assert "Gõ lý do không chấp nhận đề xuất #2" in "\n".join(await z.say(ADMIN, "từ chối 2"))
    assert "cần ít nhất 5 ký tự" in (await z.say(ADMIN, "sai"))[0]  # too short to be a reason
    await z.say(ADMIN, "Không thuộc đối tượng của phong trào năm nay.")
    done = await z.say(ADMIN, "gửi")
    assert "Đã từ chối đề xuất #2 kèm lý do" in done[0] and "📋 Đề xuất #3" in done[-1] and "Trần Văn Ba" in done[-1]
    # #3 put off too: the round comes back to #1, and says so.
    clock.set_now(clock.now() + timedelta(minutes=1))
    again = (await z.say(ADMIN, "để sau 3"))[-1]
    assert again.startswith("Đã xem hết các đề xuất chưa để sau") and "📋 Đề xuất #1" in again
    clock.set_now(clock.now() + timedelta(minutes=1))
    assert "📋 Đề xuất #3" in (await z.say(ADMIN, "để sau 1"))[-1]  # in the order they were put off
    assert "không còn chờ duyệt" in (await z.say(ADMIN, "để sau 2"))[0]  # rejected already
    async with z.db.session() as session:
        assert (await session.get(Nomination, 2)).status == "rejected"
        assert (await session.get(Nomination, 1)).status == "submitted"

    # Quotas, typed.
    usage = (await z.say(ADMIN, "chỉ tiêu"))[0]
    assert "Cách dùng" in usage and "“chỉ tiêu 1 LB 3 4”" in usage and "/quota" not in usage
    assert "Cách dùng" in (await z.say(ADMIN, "chỉ tiêu abc"))[0]
    assert "Cách dùng" in (await z.say(ADMIN, f"chỉ tiêu {campaign_id} LB 3"))[0]
    assert "từ 0 đến 50" in (await z.say(ADMIN, f"chỉ tiêu {campaign_id} LB 3 99"))[0]
    assert "Không có phong trào số 9" in (await z.say(ADMIN, "chỉ tiêu 9 LB"))[0]
    assert "Không có đơn vị mã ZZ" in (await z.say(ADMIN, f"chỉ tiêu {campaign_id} ZZ"))[0]
    assert "không gửi tới đơn vị CM" in (await z.say(ADMIN, f"chỉ tiêu {campaign_id} CM 1 1"))[0]
    seen = (await z.say(ADMIN, f"chỉ tiêu {campaign_id} LB"))[0]
    assert "Tập thể: đã dùng 1/2" in seen and "Cá nhân: đã dùng 1/2" in seen  # #3; the rejected #2 does not count
    set_ = (await z.say(ADMIN, f"chỉ tiêu {campaign_id} LB 2 3"))[0]
    assert "Đã đặt chỉ tiêu riêng cho Phường Long Bình" in set_ and "Cá nhân: đã dùng 1/3" in set_
    assert "dành cho quản trị" in (await z.say(OFFICER, f"chỉ tiêu {campaign_id} LB 9 9"))[0]


def test_words_whose_arguments_do_not_fit_go_to_their_command_only_when_they_could_be_its():
    from bot.core import commands

    assert commands.parse("duyệt") == ("review", []) and commands.parse("duyệt 12") == ("approve", ["12"])
    assert commands.parse("duyệt abc") == (None, [])  # a form's answer stays an answer…
    assert commands.near("duyệt abc") == ("approve", ["abc"])  # …and without a draft, its usage
    assert commands.near("trả lại") == ("return_nomination", [])
    assert commands.near("duyệt 12 nhé") == (None, [])  # more words than it takes: not understood
    assert commands.near("đề cử abc") == (None, [])  # nominate takes none


async def test_a_returned_nomination_without_evidence_reopens_at_its_review(zbot):
    """Issue 18: “sửa đề cử N” announced the review but asked for the evidence again, since the
    nomination had none; an optional field left empty when it was sent counts as answered."""
    z = zbot
    campaign_id = await _people(z)
    officer, admin = await _member_id(z, OFFICER), await _member_id(z, ADMIN)
    async with z.db.session() as session:
        n = await nominations.submit(session, officer, {
            "campaign": str(campaign_id), "kind": "individual", "full_name": "Lê Thị Hoa", "position": "Giáo viên",
            "workplace": "Trường Tiểu học Long Bình", "sector": "kt", "summary": SUMMARY, "reward_form": "c0",
            "evidence": None})
        await nominations.review(session, admin, n.id, "return", REASON)
    reopened = (await z.say(OFFICER, f"sửa đề cử {n.id}"))[-1]
    assert "Kiểm tra lại đề xuất điển hình" in reopened and "10. Minh chứng: (để trống)" in reopened
    assert "Gửi ảnh" not in reopened and REASON in reopened
    assert "Trích ngang" in (await z.say(OFFICER, "sửa 8"))[0]
    assert "1.250 hồ sơ" in (await z.say(OFFICER, FIXED))[-1]
    assert any(f"Đã gửi lại đề xuất #{n.id}" in x for x in await z.say(OFFICER, "gửi"))
    async with z.db.session() as session:
        again = await session.get(Nomination, n.id)
        assert (again.status, again.summary, again.evidence_file_ids) == ("submitted", FIXED, [])
