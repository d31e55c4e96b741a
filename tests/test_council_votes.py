"""The council's review session end to end (issue 16): five members, eight candidates, a secret
ballot on Telegram (buttons and typed) and on Zalo (typed), the reminder, the close, the results
to admins and members; the quorum missed at the deadline and the session extended; and the
secrecy of the ballot in every outbox row and in the database once it is decided."""

from __future__ import annotations

import io
import os
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import docx
from sqlalchemy import func, select

from bot import clock
from bot.services import nominations
from storage.models import (
    AuditEntry, Member, Nomination, OutboxMessage, VoteBallot, VoteCandidate, VoteSession, VoteVoter,
)
from tests.conftest import Bot, add_admin, make_invite, make_settings, texts_of
from tests.test_nominations import SUMMARY, launch
from tests.test_zalo_channel import zalo_settings
from tests.test_zalo_quota import OneProcess

VN = clock.LOCAL_TZ
ROOT = Path(__file__).resolve().parents[1]
ADMIN = 9001
LEADERS = {9002: "Trần Văn Hùng", 9003: "Phạm Thị Lan Anh", 9004: "Đỗ Minh Quân"}
ZALO_LEADER, ZALO_NAME = "9900000000000001", "Võ Thị Thu"
OFFICER = 9010
CANDIDATES = [("Nguyễn Văn An", "c0"), ("Lê Thị Hoa", "c0"), ("Trường Tiểu học Long Bình", "c1"),
              ("Phạm Văn Bảy", "c1"), ("Hồ Thị Tám", "c0"), ("Tổ dân phố 5", "c1"), ("Đinh Văn Chín", "c0"),
              ("Mai Thị Mười", "c1")]
COUNCIL_NAMES = ["Nguyễn Thị Lan", *LEADERS.values(), ZALO_NAME]


def read_docx(content: bytes) -> str:
    """Every paragraph of a .docx, its tables' included, one per line."""
    doc = docx.Document(io.BytesIO(content))
    cells = [p.text for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join([*cells, *(p.text for p in doc.paragraphs)])


async def nomination_of(bot: Bot, nomination_id: int) -> Nomination:
    async with bot.db.session() as session:
        return await session.get(Nomination, nomination_id)


def at(day: int, month: int = 6, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


async def start(seeded, zalo, sim, db_url, **overrides) -> tuple[Bot, OneProcess]:
    settings = zalo_settings(make_settings(db_url, sim), zalo).with_overrides(**overrides)
    bot = Bot(sim=sim, db=seeded, settings=settings, tracker=None)
    await bot.start()
    return bot, OneProcess(zalo, bot)


async def council_of_five_and_eight_candidates(bot: Bot, z: OneProcess) -> int:
    """The admin, three leaders on Telegram and one on Zalo, all on the council; eight approved
    nominations of one campaign. The campaign's id."""
    clock.set_now(at(1))
    await add_admin(bot.db, ADMIN)
    bot.sim.add_user(ADMIN, "Nguyễn Thị Lan")
    await bot.say(ADMIN, "/help")
    for uid, name in LEADERS.items():
        bot.sim.add_user(uid, name)
        assert "Chào mừng" in texts_of(await bot.join(uid, await make_invite(bot.db, "DN", "leader")))[0]
    z.sim.add_user(ZALO_LEADER, ZALO_NAME)
    assert "Chào mừng" in (await z.join(ZALO_LEADER, await make_invite(bot.db, "DN", "leader")))[0]
    bot.sim.add_user(OFFICER, "Lê Văn Cán")
    assert "Chào mừng" in texts_of(await bot.join(OFFICER, await make_invite(bot.db, "LB", "officer")))[0]
    campaign_id = await launch(bot, units=("LB",), quota_collectives=10, quota_individuals=10)
    async with bot.db.session() as session:
        officer = await session.scalar(select(Member.id).where(Member.telegram_user_id == OFFICER))
        admin = await session.scalar(select(Member.id).where(Member.telegram_user_id == ADMIN))
        for name, reward in CANDIDATES:
            kind = "collective" if name.startswith(("Trường", "Tổ")) else "individual"
            n = await nominations.submit(session, officer, {
                "campaign": str(campaign_id), "kind": kind, "full_name": name, "position": "Giáo viên",
                "workplace": "Trường Tiểu học Long Bình", "sector": "kt", "summary": SUMMARY,
                "reward_form": reward, "evidence": None})
            await nominations.review(session, admin, n.id, "approve")
        ids = (await session.scalars(select(Member.id).where(Member.role.in_(("admin", "leader")))
                                     .order_by(Member.id))).all()
    await drain(bot, z, at(1, minute=1))  # the launch and the nominations' notices, out of the way
    for uid in (ADMIN, *LEADERS, OFFICER):
        bot.new_messages(uid)
    z.new(ZALO_LEADER)
    # Marked as council members by the admin, in chat; a leader may not do it.
    assert "dành cho quản trị" in texts_of(await bot.say(9002, "/council thêm 2"))[0]
    assert "Cách dùng" in texts_of(await bot.say(ADMIN, "/council thêm hai"))[0]
    assert "Không có thành viên đang hoạt động số #99" in texts_of(await bot.say(ADMIN, "/council thêm 99"))[0]
    async with bot.db.session() as session:
        officer_id = await session.scalar(select(Member.id).where(Member.telegram_user_id == OFFICER))
    assert "không vào Hội đồng" in texts_of(await bot.say(ADMIN, f"/council thêm {officer_id}"))[0]
    listed = texts_of(await bot.say(ADMIN, "/council thêm " + " ".join(map(str, ids))))[0]
    assert "Hội đồng Thi đua – Khen thưởng: 5 thành viên" in listed and ZALO_NAME in listed
    return campaign_id


async def drain(bot: Bot, z: OneProcess, moment: datetime) -> None:
    await z.tick(moment, app=bot.app)
    clock.set_now(moment)


async def test_five_members_vote_in_secret_on_both_channels_and_the_results_reach_them(seeded, zalo, sim, db_url):
    bot, z = await start(seeded, zalo, sim, db_url)
    try:
        campaign_id = await council_of_five_and_eight_candidates(bot, z)
        refused = texts_of(await bot.say(ADMIN, f"/vote_open {campaign_id} 01/05/2026"))[0]
        assert "đã qua" in refused
        opened = texts_of(await bot.say(ADMIN, f"/vote_open {campaign_id} 10/06/2026"))[0]
        assert opened.startswith(f"Đã mở phiên họp xét #1 — phong trào #{campaign_id}")
        assert "8 ứng viên, hạn bỏ phiếu 17:00 10/06/2026" in opened and "Phiếu đã gửi tới 5 thành viên" in opened
        assert "cần ít nhất 4" in opened and "Đạt khi có từ 3/5 thành viên đồng ý" in opened
        assert opened.index("\nBằng khen:") < opened.index("\nGiấy khen:")  # grouped by the reward form
        await drain(bot, z, at(1, hour=9, minute=5))

        # Each member has the ballot's notice (the Zalo one with the words to type).
        for uid in (ADMIN, *LEADERS):
            assert any("PHIÊN HỌP XÉT #1" in m for m in texts_of(bot.sim.messages(uid)))
        notice = [m for m in z.new(ZALO_LEADER) if "PHIÊN HỌP XÉT #1" in (m.get("text") or "")]
        assert notice and "“phiếu xét 1”" in notice[0]["text"]

        # The ballot, numbered: candidate 1 and 2 are the first two of the "Bằng khen" group.
        async with bot.db.session() as session:
            numbered = dict((await session.execute(
                select(VoteCandidate.number, VoteCandidate.nomination_id).order_by(VoteCandidate.number))).all())
        ballot = (await bot.say(ADMIN, "/vote 1"))[-1]
        assert "🗳 Phiếu xét #1" in ballot["text"] and "Đã bỏ phiếu: 0/5 thành viên" in ballot["text"]
        buttons = [b["callback_data"] for row in ballot["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons[:2] == ["c:vote:1 yes 1", "c:vote:1 no 1"] and len(buttons) == 16

        # The admin types; a leader presses; another changes their mind; the Zalo one types.
        done = texts_of(await bot.say(ADMIN, "/vote 1 đồng ý 1 2 3 4 5 6 7 8"))[0]
        assert done.startswith("Đã ghi: ✅ đồng ý với ứng viên 1, 2, 3, 4, 5, 6, 7, 8. Bạn đã chọn đủ")
        assert "Cách dùng" in texts_of(await bot.say(ADMIN, "/vote 1 đồng ý"))[0]
        assert "Không có ứng viên số 9" in texts_of(await bot.say(ADMIN, "/vote 1 không 9"))[0]
        ballot = (await bot.say(9002, "/vote"))[-1]
        for data in ("c:vote:1 yes 1", "c:vote:1 yes 2", "c:vote:1 no 3"):
            await bot.press(9002, ballot["message_id"], data)
        assert "Đã ghi: ❌ không đồng ý với ứng viên 3" in bot.sim.callback_answers[-1]["text"]
        await bot.say(9003, "/vote 1 không 1 2")
        changed = texts_of(await bot.say(9003, "/vote 1 đồng ý 1 3"))[0]
        assert "1. " in changed and "phiếu của bạn: ✅ đồng ý" in changed
        assert "Đã ghi: ❌ không đồng ý với ứng viên 2" in (await z.say(ZALO_LEADER, "không 2"))[0]
        typed = (await z.say(ZALO_LEADER, "đồng ý 1 3"))[0]
        assert "Gõ “đồng ý” và số ứng viên" in typed
        assert "dành cho" in texts_of(await bot.say(OFFICER, "/vote 1 đồng ý 1"))[0]  # an officer

        # The one who has not voted is reminded once, 24 hours before the deadline.
        await drain(bot, z, at(9, hour=17, minute=1))
        await drain(bot, z, at(9, hour=18))
        reminders = {uid: [t for t in texts_of(bot.sim.messages(uid)) if t.startswith("⏰ Nhắc bỏ phiếu")]
                     for uid in (ADMIN, *LEADERS)}
        assert reminders == {ADMIN: [], 9002: [], 9003: [], 9004: [reminders[9004][0]]}
        assert "hết hạn lúc 17:00 10/06/2026" in reminders[9004][0]

        # The admin closes: 4 of 5 voted (quorum 4). #1: 4 in favour (one changed their mind) —
        # passes; #2: 2 of 5 for, 2 against — fails, flagged as a tie; #3: 3 of 5 for — passes.
        results = texts_of(await bot.say(ADMIN, "/vote_close 1"))[0]
        assert "Thành viên Hội đồng: 5 · đã bỏ phiếu: 4 (cần ít nhất 4)" in results
        lines = {line.split(".", 1)[0]: line for line in results.splitlines() if line[:1].isdigit()}
        assert lines["1"].endswith("4 đồng ý, 0 không đồng ý — ✅ Đạt")
        assert lines["2"].endswith("2 đồng ý, 2 không đồng ý — ❌ Không đạt")
        assert lines["3"].endswith("3 đồng ý, 1 không đồng ý — ✅ Đạt")
        assert lines["4"].endswith("1 đồng ý, 0 không đồng ý — ❌ Không đạt")
        assert "⚖️ Ngang phiếu (đồng ý bằng không đồng ý): số 2" in results and "Điều 4" in results
        assert "không còn mở" in texts_of(await bot.say(ADMIN, "/vote_close 1"))[0]
        assert "đã hết hạn bỏ phiếu hoặc đã đóng" in texts_of(await bot.say(9004, "/vote 1 đồng ý 1"))[-1]

        await drain(bot, z, at(9, hour=18, minute=5))
        for uid in (ADMIN, *LEADERS):
            assert sum("KẾT QUẢ PHIÊN HỌP XÉT #1" in t for t in texts_of(bot.sim.messages(uid))) == 1, uid
        assert sum("KẾT QUẢ PHIÊN HỌP XÉT #1" in (m.get("text") or "") for m in z.new(ZALO_LEADER)) == 1

        # Secrecy: no outbox row names a member of the council beside a choice (the council's own
        # rows name none of them at all), the choices are gone, who voted is kept apart from the
        # counts, and the audit log holds no choice.
        async with bot.db.session() as session:
            rows = (await session.execute(select(OutboxMessage.kind, OutboxMessage.payload))).all()
            assert sum(kind == "council" for kind, _ in rows) == 5 + 1 + 4  # notices, reminder, results
            for kind, payload in rows:
                text = str(payload)
                named = [name for name in COUNCIL_NAMES if name in text]
                assert not (named and ("đồng ý" in text or kind == "council")), (kind, payload)
            assert await session.scalar(select(func.count()).select_from(VoteBallot)) == 0
            assert await session.scalar(select(func.count()).select_from(VoteVoter)) == 4
            assert {c.name for c in VoteVoter.__table__.columns} == {"id", "session_id", "member_id", "voted_at"}
            assert (await session.get(VoteSession, 1)).status == "decided"
            passed = (await session.scalars(select(VoteCandidate.nomination_id)
                                            .where(VoteCandidate.result == "passed"))).all()
            assert sorted(passed) == sorted([numbered[1], numbered[3]])
            details = (await session.scalars(select(AuditEntry.details)
                                             .where(AuditEntry.action.like("council.%")))).all()
            assert details and not any(k in str(d) for d in details for k in ("yes", "no", "đồng ý"))

        # The documents: biên bản, tờ trình, a báo cáo thành tích per candidate who passed (two), in chat.
        sent = [m for m in await bot.say(ADMIN, "/vote_docs 1") if "document" in m]
        assert [m["document"]["file_name"] for m in sent] == [
            "bien-ban-phien-xet-1.docx", "to-trinh-khen-thuong-1.docx", "bao-cao-thanh-tich-1-1.docx",
            "bao-cao-thanh-tich-1-3.docx"]
        minutes, proposal, achievement, _third = (read_docx(bot.sim.file_content(m["document"]["file_id"])) for m in sent)
        assert "BIÊN BẢN" in minutes and "Số:      /BB-HĐTĐKT" in minutes and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in minutes
        assert "Tổng số thành viên Hội đồng: 5; số thành viên bỏ phiếu: 4 (cần ít nhất 4)." in minutes
        for name in ("Nguyễn Thị Lan", "Trần Văn Hùng", "Phạm Thị Lan Anh", ZALO_NAME):
            assert f"- {name}" in minutes  # the members present …
        assert "Đỗ Minh Quân" not in minutes  # … and not the one who did not vote
        first = next(line for line in minutes.splitlines() if line.startswith("1. "))
        assert first.endswith("4 đồng ý, 0 không đồng ý — Đạt.") and "Ngang phiếu: số 2" in minutes
        assert "TỜ TRÌNH" in proposal and "khen thưởng 2 tập thể, cá nhân sau:" in proposal
        assert "(4/5 thành viên đồng ý)" in proposal and "Số:      /TTr-HĐTĐKT" in proposal
        passed = await nomination_of(bot, numbered[1])
        assert f"Tên tập thể: {passed.full_name}" in achievement or f"Họ và tên: {passed.full_name}" in achievement
        assert SUMMARY in achievement and "BÁO CÁO THÀNH TÍCH" in achievement
        assert "dành cho quản trị" in texts_of(await bot.say(9002, "/vote_docs 1"))[0]
        for doc in (minutes, proposal, achievement):  # no pairing of a member with a choice in a file
            assert not any(name in line and ("đồng ý" in line or "Đạt" in line)
                           for line in doc.splitlines() for name in COUNCIL_NAMES)
    finally:
        await bot.stop()


async def test_without_a_quorum_at_the_deadline_admins_are_told_and_the_session_is_extended(
        seeded, zalo, sim, db_url):
    bot, z = await start(seeded, zalo, sim, db_url)
    try:
        campaign_id = await council_of_five_and_eight_candidates(bot, z)
        assert "Đã mở phiên họp xét #1" in texts_of(await bot.say(ADMIN, f"/vote_open {campaign_id} 05/06/2026 bỏ 8"))[0]
        assert any("Cách dùng" in t for t in texts_of(await bot.say(ADMIN, f"/vote_open {campaign_id} bỏ tám")))
        async with bot.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(VoteCandidate)) == 7  # #8 left out
        await bot.say(ADMIN, "/vote 1 đồng ý 1 2")
        await z.say(ZALO_LEADER, "đồng ý 1")

        # The deadline passes with 2 of 5: undecided, the admins told, nobody's choices counted.
        await drain(bot, z, at(5, hour=17, minute=1))
        await drain(bot, z, at(5, hour=17, minute=3))
        told = [t for t in texts_of(bot.sim.messages(ADMIN)) if "chưa đủ số thành viên bỏ phiếu" in t]
        assert len(told) == 1 and "2/5, cần ít nhất 4" in told[0] and "/vote_extend 1" in told[0]
        async with bot.db.session() as session:
            vote = await session.get(VoteSession, 1)
            assert vote.status == "undecided"
            assert await session.scalar(select(func.count()).select_from(VoteBallot)) == 3  # kept for the extension
            assert (await session.scalars(select(VoteCandidate.yes_count))).all() == [None] * 7
        assert "dành cho quản trị" in texts_of(await bot.say(9002, "/vote_extend 1 12/06/2026"))[0]
        assert "Không hiểu ngày" in texts_of(await bot.say(ADMIN, "/vote_extend 1 mai"))[0]

        extended = texts_of(await bot.say(ADMIN, "/vote_extend 1 12/06/2026"))[0]
        assert "Phiên họp xét #1 — đang mở, hạn 17:00 12/06/2026" in extended
        await drain(bot, z, at(5, hour=17, minute=10))
        for uid in (9002, 9003, 9004):  # those who had not voted are told; the two who had are not
            assert any("được gia hạn bỏ phiếu đến 17:00 12/06/2026" in t for t in texts_of(bot.sim.messages(uid)))
        assert not any("được gia hạn" in t for t in texts_of(bot.sim.messages(ADMIN)))
        for uid in (9002, 9003):
            await bot.say(uid, "/vote 1 đồng ý 1")
        results = texts_of(await bot.say(ADMIN, "/vote_close 1"))[0]
        assert "đã bỏ phiếu: 4 (cần ít nhất 4)" in results
        assert [line for line in results.splitlines() if line.startswith("1. ")][0].endswith("4 đồng ý, 0 không đồng ý — ✅ Đạt")
        # A decided session is not extended.
        assert "đã có kết quả" in texts_of(await bot.say(ADMIN, "/vote_extend 1 20/06/2026"))[0]
    finally:
        await bot.stop()


async def test_a_session_needs_a_council_and_candidates(seeded, zalo, sim, db_url):
    bot, z = await start(seeded, zalo, sim, db_url)
    try:
        clock.set_now(at(1))
        await add_admin(bot.db, ADMIN)
        await bot.say(ADMIN, "/help")
        campaign_id = await launch(bot, units=("LB",))
        assert "Chưa có thành viên Hội đồng" in texts_of(await bot.say(ADMIN, f"/vote_open {campaign_id}"))[0]
        async with bot.db.session() as session:
            admin = await session.scalar(select(Member.id).where(Member.telegram_user_id == ADMIN))
        await bot.say(ADMIN, f"/council thêm {admin}")
        assert "chưa có đề xuất nào đã duyệt" in texts_of(await bot.say(ADMIN, f"/vote_open {campaign_id}"))[0]
        assert "Không có phong trào #77" in texts_of(await bot.say(ADMIN, "/vote_open 77"))[0]
        assert "Hiện không có phiên xét nào đang mở" in texts_of(await bot.say(ADMIN, "/vote"))[0]
        removed = texts_of(await bot.say(ADMIN, f"/council bỏ {admin}"))[0]
        assert removed.startswith("Đã bỏ khỏi Hội đồng: Nguyễn Thị Lan.")
        assert "Chỉ thành viên Hội đồng" in texts_of(await bot.say(ADMIN, "/vote"))[0]  # no longer on it
    finally:
        await bot.stop()


def test_the_quorum_and_the_pass_rule_count_from_all_members():
    from bot.config import CouncilSettings, Settings
    from bot.services import council

    settings = Settings()
    assert [council.required_voters(n, settings) for n in (1, 3, 5, 6, 9)] == [1, 2, 4, 4, 6]
    assert [council.votes_to_pass(n, settings) for n in (1, 4, 5, 6)] == [1, 3, 3, 4]  # more than half
    stricter = settings.with_overrides(council=CouncilSettings(quorum=Fraction(4, 5)))
    assert council.required_voters(5, stricter) == 4 and council.required_voters(6, stricter) == 5


def test_a_ballots_key_comes_from_the_secret_and_names_no_member():
    from bot.config import CouncilSettings, Settings
    from bot.services import council

    vote = VoteSession(id=3, ballot_salt="a" * 32)
    one = Settings().with_overrides(council=CouncilSettings(ballot_secret="x" * 20))
    other = Settings().with_overrides(council=CouncilSettings(ballot_secret="y" * 20))
    key = council._voter_key(vote, 17, one)
    assert len(key) == 64
    assert key != council._voter_key(vote, 17, other) != council._voter_key(vote, 18, other)
    assert council._voter_key(vote, 17, Settings()) != key  # no secret: the session's own salt


async def test_the_documents_follow_an_offices_own_template_and_the_cli_writes_them(
        seeded, zalo, sim, db_url, tmp_path):
    import subprocess
    import sys

    from docx import Document

    from bot.config import CouncilSettings
    from bot.services import council_documents
    from devkit import council_templates

    bot, z = await start(seeded, zalo, sim, db_url)
    try:
        campaign_id = await council_of_five_and_eight_candidates(bot, z)
        await bot.say(ADMIN, f"/vote_open {campaign_id} 10/06/2026")
        assert any("chưa có kết quả" in t for t in texts_of(await bot.say(ADMIN, "/vote_docs 1")))  # the notice may come too
        for uid in (ADMIN, 9002, 9003):
            await bot.say(uid, "/vote 1 đồng ý 1 2")
        await z.say(ZALO_LEADER, "đồng ý 1")
        await bot.say(ADMIN, "/vote_close 1")

        # The bundled templates are what devkit/council_templates.py writes.
        for path in council_templates.write(tmp_path / "written"):
            bundled = Path(council_docs_folder()) / path.name
            assert read_docx(path.read_bytes()) == read_docx(bundled.read_bytes()), path.name

        # An office's own biên bản: its wording comes out, with the fields filled; the tờ trình it
        # did not replace is the bundled one.
        own = tmp_path / "mau-tinh"
        own.mkdir()
        doc = Document()
        doc.add_paragraph("BIÊN BẢN KIỂM PHIẾU CỦA TỈNH — phiên {{ session_id }}: {{ voters }}/{{ council_size }}")
        doc.add_paragraph("{%p for c in candidates %}")
        doc.add_paragraph("Ứng viên {{ c.number }}: {{ c.yes }} phiếu đồng ý ({{ c.result }})")
        doc.add_paragraph("{%p endfor %}")
        doc.save(own / "bien-ban-phien-xet.docx")
        settings = bot.settings.with_overrides(council=CouncilSettings(templates_dir=str(own)))
        async with bot.db.session() as session:
            [minutes] = await council_documents.documents(session, 1, "minutes", settings)
            [proposal] = await council_documents.documents(session, 1, "proposal", settings)
        text = read_docx(minutes.content)
        assert "BIÊN BẢN KIỂM PHIẾU CỦA TỈNH — phiên 1: 4/5" in text
        assert "Ứng viên 1: 4 phiếu đồng ý (Đạt)" in text and "Ứng viên 2: 3 phiếu đồng ý (Đạt)" in text
        assert "TỜ TRÌNH" in read_docx(proposal.content)
        assert docx_author(minutes.content) == bot.settings.organisation_name

        # The same without the chat.
        env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "THIDUA_CONFIG")}
        env.update({"THIDUA_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)})

        def export(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "bot", "export", "--campaign", str(campaign_id), *args],
                                  capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)

        made = export("--format", "minutes", "--session", "1", "--out", str(tmp_path / "bb.docx"))
        assert made.returncode == 0, made.stderr
        assert "số thành viên bỏ phiếu: 4 (cần ít nhất 4)" in read_docx((tmp_path / "bb.docx").read_bytes())
        assert export("--format", "proposal", "--session", "1", "--out", str(tmp_path / "tt.docx")).returncode == 0
        (tmp_path / "bctt").mkdir()
        drafts = export("--format", "achievements", "--session", "1", "--out", str(tmp_path / "bctt"))
        assert drafts.returncode == 0, drafts.stderr
        assert sorted(p.name for p in (tmp_path / "bctt").iterdir()) == [
            "bao-cao-thanh-tich-1-1.docx", "bao-cao-thanh-tich-1-2.docx"]
        missing = export("--format", "minutes", "--out", str(tmp_path / "x.docx"))
        assert missing.returncode == 2 and "cần --session" in missing.stderr
        nowhere = export("--format", "achievements", "--session", "1", "--out", str(tmp_path / "khong-co"))
        assert nowhere.returncode == 2 and "không có" in nowhere.stderr and "Traceback" not in nowhere.stderr
        other = subprocess.run([sys.executable, "-m", "bot", "export", "--campaign", "77", "--format", "minutes",
                                "--session", "1", "--out", str(tmp_path / "z.docx")],
                               capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)
        assert other.returncode == 1 and "không thuộc phong trào #77" in other.stderr
        unknown = export("--format", "minutes", "--session", "9", "--out", str(tmp_path / "y.docx"))
        assert unknown.returncode == 1 and "Không có phiên xét #9" in unknown.stderr
    finally:
        await bot.stop()


def council_docs_folder() -> Path:
    from bot.exports import council_docs

    return council_docs.BUNDLED


def docx_author(content: bytes) -> str:
    return docx.Document(io.BytesIO(content)).core_properties.author
