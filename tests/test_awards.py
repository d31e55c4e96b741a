"""The decision after a review session and each exemplar's history (issue 16, items 4–5): the
admin records the Quyết định, each awarded unit's officers are told once with the reward money from
config, /history reads a person's awards, and the review screen shows what they had before."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy import select

from bot.config import AwardSettings
from bot.services import awards, nominations
from storage.models import Award, AwardDecision, Member, Unit, VoteCandidate
from tests.conftest import texts_of
from tests.test_council_votes import (
    ADMIN, OFFICER, ZALO_LEADER, at, council_of_five_and_eight_candidates, drain, start,
)
from tests.test_nominations import SUMMARY

MONEY = AwardSettings(base_salary=2_340_000, multipliers=(("Bằng khen", 1.0), ("Lao động tiên tiến", 0.3)))


async def test_a_decision_is_recorded_the_units_told_once_and_the_history_read(seeded, zalo, sim, db_url):
    bot, z = await start(seeded, zalo, sim, db_url, awards=MONEY)
    try:
        campaign_id = await council_of_five_and_eight_candidates(bot, z)
        await bot.say(ADMIN, f"/vote_open {campaign_id} 10/06/2026")
        assert any("chưa có kết quả" in t for t in texts_of(await bot.say(ADMIN, "/decision 1 125/QĐ-UBND 20/06/2026")))
        async with bot.db.session() as session:
            on_ballot = dict((await session.execute(
                select(VoteCandidate.number, VoteCandidate.nomination_id))).all())
        listing = texts_of(await bot.say(OFFICER, "/my_nominations"))[-1]
        assert f"#{on_ballot[1]} 🗳 Đang xét" in listing  # approved, now before the council
        for uid in (ADMIN, 9002, 9003):
            await bot.say(uid, "/vote 1 đồng ý 1 2 5")
        await z.say(ZALO_LEADER, "đồng ý 1")
        await bot.say(ADMIN, "/vote_close 1")
        await drain(bot, z, at(2))
        bot.new_messages(OFFICER)

        listing = texts_of(await bot.say(OFFICER, "/my_nominations"))[-1]
        assert f"#{on_ballot[1]} 🏆 Đạt, chờ quyết định khen thưởng" in listing
        assert f"#{on_ballot[3]} Không đạt khi Hội đồng xét" in listing
        # Wrong arguments first: each answered, nothing recorded.
        assert "Cách dùng" in texts_of(await bot.say(ADMIN, "/decision 1"))[-1]
        assert "Không hiểu ngày" in texts_of(await bot.say(ADMIN, "/decision 1 125/QĐ-UBND mai"))[-1]
        assert "không phải ứng viên đạt" in texts_of(await bot.say(ADMIN, "/decision 1 125/QĐ-UBND 20/06/2026 bỏ 3"))[-1]
        assert "dành cho quản trị" in texts_of(await bot.say(9002, "/decision 1 125/QĐ-UBND 20/06/2026"))[-1]

        # Candidates 1, 2 and 5 passed; the decision leaves out 5.
        recorded = texts_of(await bot.say(ADMIN, "/decision 1 125/QĐ-UBND 20/06/2026 bỏ 5"))[-1]
        assert recorded.startswith("✅ Đã ghi Quyết định khen thưởng số 125/QĐ-UBND ngày 20/06/2026: 2 tập thể, cá nhân.")
        async with bot.db.session() as session:
            made = (await session.scalars(select(Award).order_by(Award.id))).all()
        assert [(a.reward_form, a.amount, a.year) for a in made] == [("Bằng khen", 2_340_000, 2026)] * 2
        assert "— Bằng khen: 2.340.000 đồng — Phường Long Bình" in recorded
        assert "Tổng tiền thưởng: 4.680.000 đồng" in recorded
        assert "đã được ghi trước đó" in texts_of(await bot.say(ADMIN, "/decision 1 126/QĐ-UBND 21/06/2026"))[-1]

        # The awarded unit's officer is told once.
        await drain(bot, z, at(20, hour=10))
        await drain(bot, z, at(20, hour=11))
        listing = texts_of(await bot.say(OFFICER, "/my_nominations"))[-1]
        assert f"#{on_ballot[1]} 🏅 Đã khen thưởng" in listing
        assert f"#{on_ballot[5]} 🏆 Đạt, chờ quyết định khen thưởng" in listing  # the decision left it out
        one = texts_of(await bot.say(OFFICER, f"/my_nominations {on_ballot[2]}"))[-1]
        assert one.rstrip().endswith("🏅 Đã khen thưởng")
        told = [t for t in texts_of(bot.sim.messages(OFFICER)) if t.startswith("🏅 KHEN THƯỞNG")]
        assert len(told) == 1 and "Quyết định số 125/QĐ-UBND ngày 20/06/2026" in told[0]
        assert "Phường Long Bình có 2 tập thể, cá nhân được khen thưởng" in told[0] and "2.340.000 đồng" in told[0]

        # The campaign's XLSX gains a sheet of the awards with the reward money.
        [sent] = [m for m in await bot.say(ADMIN, f"/export {campaign_id}") if "document" in m]
        book = openpyxl.load_workbook(io.BytesIO(bot.sim.file_content(sent["document"]["file_id"])))
        assert book.sheetnames == ["Điển hình", "Báo cáo", "Xác nhận", "Khen thưởng"]
        rows = [r for r in book["Khen thưởng"].iter_rows(min_row=8, values_only=True) if r[0]]
        assert [(r[1], r[4], r[5], r[7]) for r in rows] == [("Phường Long Bình", "Bằng khen", "125/QĐ-UBND", 2_340_000)] * 2
        assert book["Khen thưởng"].cell(8, 7).value.date().isoformat() == "2026-06-20"
        states = {r[3]: r[8] for r in book["Điển hình"].iter_rows(min_row=8, values_only=True) if r[0]}
        assert list(states.values()).count("Đã khen thưởng") == 2 and "Không đạt" in states.values()

        # The leaders' digest counts where the nominations stand.
        digest = "\n".join(texts_of(await bot.say(9002, "/digest")))
        assert "• Xét khen thưởng: 2 đạt, chờ quyết định" not in digest
        assert "• Xét khen thưởng: 1 đạt, chờ quyết định, 5 không đạt, 2 đã khen thưởng." in digest, digest

        # History, typed without diacritics; an officer may not read it.
        name = made[0].full_name
        shown = texts_of(await bot.say(9002, "/history " + awards.name_key(name)))[-1]
        assert f"{name} (" in shown and f"• [#{made[0].id}] Bằng khen 2026 — QĐ số 125/QĐ-UBND" in shown
        assert "Chưa có khen thưởng nào của “Không Ai Cả”" in texts_of(await bot.say(ADMIN, "/history Không Ai Cả"))[-1]
        assert "dành cho" in texts_of(await bot.say(OFFICER, "/history " + name))[-1]

        # A 2024 award under another spelling, in another unit: another person until the admin merges
        # them; split again, apart.
        async with bot.db.session() as session:
            xd = await session.scalar(select(Unit.id).where(Unit.code == "XD"))
            old_decision = AwardDecision(campaign_id=campaign_id, number="12/QĐ-UBND", signed_on=date(2024, 12, 20))
            session.add(old_decision)
            await session.flush()
            past = Award(decision_id=old_decision.id, unit_id=xd, kind=made[0].kind, full_name=name + " (cũ)",
                         name_key=awards.name_key(name + " (cũ)"), reward_form="Giấy khen", year=2024,
                         person_key=await awards.person_of(session, name + " (cũ)", xd))
            session.add(past)
            await session.flush()
            past_id = past.id
        two = texts_of(await bot.say(ADMIN, "/history " + name))[-1]
        assert two.count(f"\n{name}") == 2 and f"[#{past_id}] Giấy khen 2024" in two
        assert "Cách dùng" in texts_of(await bot.say(ADMIN, f"/history_merge {made[0].id}"))[-1]
        assert "Không có khen thưởng số #999" in texts_of(await bot.say(ADMIN, f"/history_merge {made[0].id} 999"))[-1]
        assert "dành cho quản trị" in texts_of(await bot.say(9002, f"/history_merge {made[0].id} {past_id}"))[-1]
        assert "Đã gộp 1 khen thưởng" in texts_of(await bot.say(ADMIN, f"/history_merge {made[0].id} {past_id}"))[-1]
        one = texts_of(await bot.say(ADMIN, "/history " + name))[-1]
        assert one.count(f"\n{name} (") == 1 and "Giấy khen 2024 — QĐ số 12/QĐ-UBND" in one
        assert f"({name} (cũ), Xã Xuân Đường)" in one  # the other spelling and unit, said on its line
        assert "tách thành một người riêng" in texts_of(await bot.say(ADMIN, f"/history_split {past_id}"))[-1]
        assert texts_of(await bot.say(ADMIN, "/history " + name))[-1].count(f"\n{name}") == 2

        # The same person nominated again next year: the review screen says what they already have.
        async with bot.db.session() as session:
            officer = await session.scalar(select(Member.id).where(Member.telegram_user_id == OFFICER))
            again = await nominations.submit(session, officer, {
                "campaign": str(campaign_id), "kind": made[0].kind, "full_name": name.upper(),
                "position": "Giáo viên", "workplace": "Trường Tiểu học Long Bình", "sector": "kt",
                "summary": SUMMARY, "reward_form": "c0", "evidence": None})
        card = next(t for t in texts_of(await bot.say(ADMIN, "/review")) if f"Đề xuất #{again.id}" in t)
        assert "🏅 Đã có: Bằng khen 2026" in card
    finally:
        await bot.stop()


def test_reward_money_is_the_base_salary_times_the_forms_multiplier():
    from bot.config import Settings

    settings = Settings().with_overrides(awards=MONEY)
    assert awards.amount_for("Lao động tiên tiến", settings) == 702_000
    assert awards.amount_for("lao dong tien tien", settings) == 702_000  # as typed in a plan
    assert awards.amount_for("Chiến sĩ thi đua cơ sở", settings) is None  # not in this office's table
    assert awards.amount_for("Chiến sĩ thi đua cơ sở", Settings()) == 2_340_000  # the decree's default
    assert awards.amount_for("Tập thể lao động tiên tiến", Settings()) == 1_872_000
    from bot.texts import awards as t

    assert t.money(None) == "chưa có mức thưởng trong cấu hình" and t.money(702_000) == "702.000 đồng"
