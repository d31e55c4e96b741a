"""Registration (đăng ký thi đua, issue 16 item 0) end to end: the office calls four units to
register by a due date; three register (one on Zalo), with a mistake answered on the way; the one
that did not is nudged once after the due date; the register shows in chat and in the XLSX; and
a review session marks the candidate who had not registered."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from bot.services import nominations
from storage.models import Member, Registration
from tests.conftest import add_admin, make_invite, texts_of
from tests.test_council_votes import ADMIN, at, drain, start
from tests.test_nominations import SUMMARY, launch

LB, XD, TD = 9101, 9102, 9103
CM_ZALO = "9900000000000101"


async def test_units_register_one_late_is_nudged_and_the_session_marks_who_had_not(seeded, zalo, sim, db_url):
    bot, z = await start(seeded, zalo, sim, db_url)
    try:
        await drain(bot, z, at(1, month=3))
        await add_admin(bot.db, ADMIN)
        await bot.say(ADMIN, "/help")
        for uid, unit in ((LB, "LB"), (XD, "XD"), (TD, "SNV")):
            bot.sim.add_user(uid, f"Cán bộ {unit}")
            assert "Chào mừng" in texts_of(await bot.join(uid, await make_invite(bot.db, unit, "officer")))[0]
        assert "Chào mừng" in (await z.join(CM_ZALO, await make_invite(bot.db, "CM", "officer")))[0]
        campaign_id = await launch(bot, units=("LB", "XD", "CM", "SNV"), quota_collectives=10, quota_individuals=10)
        await drain(bot, z, at(1, month=3, minute=2))
        for uid in (ADMIN, LB, XD, TD):
            bot.new_messages(uid)
        z.new(CM_ZALO)

        # The call: wrong arguments first, then the officers told.
        assert "Cách dùng" in texts_of(await bot.say(ADMIN, f"/registration_call {campaign_id}"))[-1]
        assert "đã qua" in texts_of(await bot.say(ADMIN, f"/registration_call {campaign_id} 01/02/2026"))[-1]
        assert "Không có phong trào #77" in texts_of(await bot.say(ADMIN, "/registration_call 77 15/03/2026"))[-1]
        assert "dành cho quản trị" in texts_of(await bot.say(LB, f"/registration_call {campaign_id} 15/03/2026"))[-1]
        called = texts_of(await bot.say(ADMIN, f"/registration_call {campaign_id} 15/03/2026"))[-1]
        assert called.startswith(f"Đã yêu cầu các đơn vị của phong trào #{campaign_id} đăng ký thi đua, hạn 15/03/2026")
        assert "đã báo 4 cán bộ" in called
        await drain(bot, z, at(1, month=3, minute=5))
        for uid in (LB, XD, TD):
            assert any("ĐĂNG KÝ THI ĐUA" in t and f"/register {campaign_id}" in t for t in texts_of(bot.sim.messages(uid)))
        assert any(f"“đăng ký thi đua {campaign_id}”" in (m.get("text") or "") for m in z.new(CM_ZALO))

        # Phường Long Bình registers a collective title and two people; a bad line is answered.
        asked = texts_of(await bot.say(LB, "/register"))[-1]
        assert "danh hiệu tập thể nào" in asked
        assert "cá nhân đăng ký danh hiệu" in texts_of(await bot.say(LB, "Tập thể lao động tiên tiến"))[-1].lower()
        wrong = texts_of(await bot.say(LB, "Nguyễn Văn An - Lao động tiên tiến\nab"))[-1]
        assert "Dòng “ab” chưa đúng" in wrong
        review = texts_of(await bot.say(LB, "Nguyễn Văn An - Lao động tiên tiến\nLê Thị Hoa - Chiến sĩ thi đua cơ sở"))[-1]
        assert "Kiểm tra lại đăng ký thi đua" in review
        assert any("Đã ghi nhận bản đăng ký thi đua của đơn vị" in t and "2 cá nhân đăng ký" in t
                   for t in texts_of(await bot.say(LB, "gửi")))
        # Xã Xuân Đường: the collective only; Xã Cẩm Mỹ on Zalo, typed.
        for text in ("/register", "Tập thể lao động tiên tiến", "/skip"):
            await bot.say(XD, text)
        assert any("Đã ghi nhận" in t for t in texts_of(await bot.say(XD, "gửi")))
        await z.say(CM_ZALO, "đăng ký thi đua")
        await z.say(CM_ZALO, "Tập thể lao động xuất sắc")
        await z.say(CM_ZALO, "Phạm Văn Cường - Lao động tiên tiến")
        assert any("Đã ghi nhận bản đăng ký thi đua" in t for t in await z.say(CM_ZALO, "gửi"))

        # After the due date, Sở Nội vụ (no registration) is nudged once; the others are not.
        await drain(bot, z, at(16, month=3))
        await drain(bot, z, at(17, month=3))
        late = [t for t in texts_of(bot.sim.messages(TD)) if t.startswith("❗ Đơn vị chưa đăng ký thi đua")]
        assert len(late) == 1 and "(hạn 15/03/2026)" in late[0]
        assert not any("chưa đăng ký thi đua" in t for uid in (LB, XD) for t in texts_of(bot.sim.messages(uid)))

        # The register in chat and in the XLSX.
        book_text = texts_of(await bot.say(ADMIN, f"/registrations {campaign_id}"))[-1]
        assert "hạn 15/03/2026: 3/4 đơn vị đã đăng ký" in book_text
        assert ("• Phường Long Bình: Tập thể lao động tiên tiến; Nguyễn Văn An (Lao động tiên tiến), "
                "Lê Thị Hoa (Chiến sĩ thi đua cơ sở)") in book_text
        assert "• Sở Nội vụ: ⏳ chưa đăng ký" in book_text
        [sent] = [m for m in await bot.say(ADMIN, f"/export {campaign_id}") if "document" in m]
        book = openpyxl.load_workbook(io.BytesIO(bot.sim.file_content(sent["document"]["file_id"])))
        rows = {r[1]: r for r in book["Đăng ký"].iter_rows(min_row=8, values_only=True) if r[0]}
        assert rows["Xã Cẩm Mỹ"][2:5] == ("Tập thể lao động xuất sắc", "Phạm Văn Cường (Lao động tiên tiến)", 1)
        assert rows["Sở Nội vụ"][2] == "Chưa đăng ký"

        # A review session: the one who had not registered is marked, the one who had is not.
        async with bot.db.session() as session:
            officer = await session.scalar(select(Member.id).where(Member.telegram_user_id == LB))
            admin = await session.scalar(select(Member.id).where(Member.telegram_user_id == ADMIN))
            for name in ("Nguyễn Văn An", "Trần Văn Ba"):
                n = await nominations.submit(session, officer, {
                    "campaign": str(campaign_id), "kind": "individual", "full_name": name, "position": "Giáo viên",
                    "workplace": "Trường Tiểu học Long Bình", "sector": "kt", "summary": SUMMARY,
                    "reward_form": "c0", "evidence": None})
                await nominations.review(session, admin, n.id, "approve")
            lb_unit = await session.scalar(select(Member.unit_id).where(Member.id == officer))
            signed = await session.scalar(select(Registration).where(Registration.unit_id == lb_unit))
            assert signed.individuals[0] == {"name": "Nguyễn Văn An", "title": "Lao động tiên tiến"}
        await bot.say(ADMIN, f"/council thêm {admin}")
        opened = next(t for t in texts_of(await bot.say(ADMIN, f"/vote_open {campaign_id} 30/03/2026"))
                      if t.startswith("Đã mở phiên họp xét"))
        lines = {line.split(". ", 1)[1].split(" (")[0]: line for line in opened.splitlines() if line[:1].isdigit()}
        assert lines["Trần Văn Ba"].endswith("— ⚠️ chưa đăng ký thi đua")
        assert "chưa đăng ký" not in lines["Nguyễn Văn An"]
    finally:
        await bot.stop()
