"""The nominations service on its own: names, periods, quotas, status changes, visibility."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot import clock
from bot.forms import FileInput, FormEngine, Reply
from bot.forms import nomination_form
from bot.services import campaigns, members, nominations, units
from storage.models import AuditEntry, Campaign, Member, NominationEvent, OutboxMessage, StoredFile

SUMMARY = "Dẫn đầu phong trào chuyển đổi số, 100% hồ sơ được tiếp nhận trực tuyến đúng hạn."


@pytest.mark.parametrize("name,kind,ok", [
    ("Nguyễn Văn An", "individual", True),
    ("trần thị bích ngọc", "individual", True),  # kept as typed
    ("Y Moan Niê-Kdăm", "individual", True),
    ("123456", "individual", False),
    ("123456", "collective", False),
    ("Ng. V. A", "individual", False),
    ("Nguyễn V An", "individual", False),
    ("Nguyễn Văn An 2", "individual", False),
    ("An", "individual", False),
    ("Nguyễn_Văn@An", "individual", False),
    ("Tổ dân phố 5", "collective", True),
    ("Trường THCS Long Bình", "collective", True),
])
def test_names_are_checked_by_kind(name, kind, ok):
    assert (nominations.check_name(name, kind) is None) is ok


def test_a_summary_needs_words():
    assert nominations.check_summary(SUMMARY) is None
    assert nominations.check_summary("😀" * 40) is not None
    assert nominations.check_summary("1234567890 " * 4) is not None


@pytest.mark.parametrize("per,on,key,label,next_start", [
    ("quarter", date(2026, 2, 10), "2026-Q1", "quý I/2026", date(2026, 4, 1)),
    ("quarter", date(2026, 11, 24), "2026-Q4", "quý IV/2026", date(2027, 1, 1)),
    ("6-months", date(2026, 6, 30), "2026-H1", "6 tháng đầu năm 2026", date(2026, 7, 1)),
    ("6-months", date(2026, 7, 1), "2026-H2", "6 tháng cuối năm 2026", date(2027, 1, 1)),
    ("year", date(2026, 3, 1), "2026", "năm 2026", date(2027, 1, 1)),
    ("campaign", date(2026, 3, 1), "campaign", "cả đợt thi đua", None),
    (None, date(2026, 3, 1), "campaign", "cả đợt thi đua", None),
])
def test_the_quota_period_and_when_the_next_opens(per, on, key, label, next_start):
    period = nominations.period_of(Campaign(title="x", quota_per=per), on)
    assert (period.key, period.label, period.next_start) == (key, label, next_start)


def test_no_next_period_after_the_campaign_ends():
    campaign = Campaign(title="x", quota_per="quarter", period_end=date(2026, 6, 15))
    assert nominations.period_of(campaign, date(2026, 5, 1)).next_start is None


def test_reward_options_are_the_campaigns_or_the_standard_ones_for_the_kind():
    assert [n for _, n in nominations.reward_options(Campaign(title="x", reward_forms=["Giấy khen"]), "individual")] == ["Giấy khen"]
    individual = [n for _, n in nominations.reward_options(Campaign(title="x", reward_forms=[]), "individual")]
    collective = [n for _, n in nominations.reward_options(Campaign(title="x", reward_forms=[]), "collective")]
    assert "Chiến sĩ thi đua cơ sở" in individual and "Tập thể lao động tiên tiến" not in individual
    assert "Tập thể lao động tiên tiến" in collective and "Lao động tiên tiến" not in collective


UNITS_CSV = "code,name,kind,parent_code\nDN,Tỉnh,tỉnh,\nSNV,Sở Nội vụ,cơ quan,DN\nLB,Phường Long Bình,phường,DN\nXD,Xã Xuân Đường,xã,DN\n"


@pytest.fixture
async def world(db):
    """An admin, officers of LB and XD, and a campaign to both: 1 collective, 2 individuals a quarter."""
    clock.set_now(datetime(2026, 5, 10, 3, 0, tzinfo=UTC))
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(UNITS_CSV))
        admin = await members.add_admin(session, telegram_user_id=1, full_name="Lan", unit=await units.unit_by_code(session, "SNV"))
        ids = {"admin": admin.id}
        for n, code in ((2, "LB"), (3, "LB"), (4, "XD")):
            unit = await units.unit_by_code(session, code)
            m = Member(telegram_user_id=n, chat_id=n, full_name=f"Cán bộ {n}", unit_id=unit.id, role="officer",
                       joined_at=clock.now())
            session.add(m)
            await session.flush()
            ids[n] = m.id
        launched = await campaigns.launch(session, {
            "title": "Thi đua chuyển đổi số", "target_mode": "units", "target_units": ["LB", "XD"],
            "quota_collectives": 1, "quota_individuals": 2, "quota_per": "quarter", "reward_forms": []}, admin.id)
        ids["campaign"] = launched.campaign_id
    return db, ids


def answers(kind="individual", name="Nguyễn Văn An", **kw):
    a = {"campaign": "1", "kind": kind, "full_name": name, "position": "Chủ tịch", "workplace": "UBND",
         "sector": "kt", "summary": SUMMARY, "reward_form": "s0", "evidence": None}
    a.update(kw)
    return a


async def test_submit_counts_against_the_quota_and_the_third_is_refused_with_the_counts(world):
    db, ids = world
    async with db.session() as session:
        first = await nominations.submit(session, ids[2], answers())
        await nominations.submit(session, ids[3], answers(name="Lê Thị Hoa"))
        assert first.period_key == "2026-Q2" and first.reward_form == "Giấy khen" and first.sector == "Kinh tế"
    async with db.session() as session:
        with pytest.raises(nominations.QuotaExceeded) as refused:
            await nominations.submit(session, ids[2], answers(name="Phạm Văn Đức"))
    assert "đã đề xuất 2/2 cá nhân trong quý II/2026" in refused.value.message
    assert "Kỳ tiếp theo bắt đầu từ ngày 01/07/2026" in refused.value.message
    async with db.session() as session:
        await nominations.submit(session, ids[4], answers(name="Phạm Văn Đức"))  # XD's own quota
        await nominations.submit(session, ids[2], answers("collective", "Tổ dân phố 5"))
        # A rejected or withdrawn one frees its place; the admin can also allow more.
        campaign = await session.get(Campaign, ids["campaign"])
        await nominations.set_quota(session, ids["admin"], campaign, first.unit_id, 1, 3)
        await nominations.submit(session, ids[2], answers(name="Phạm Văn Đức"))
        status = await nominations.quota_status(session, campaign, first.unit_id, "individual")
        assert (status.used, status.limit) == (3, 3)


async def test_review_moves_once_records_history_and_audit_and_tells_the_units_officers(world):
    db, ids = world
    async with db.session() as session:
        n = await nominations.submit(session, ids[2], answers())
    async with db.session() as session:
        with pytest.raises(nominations.NominationError):
            await nominations.review(session, ids["admin"], n.id, "return")  # a reason is needed
        await nominations.review(session, ids["admin"], n.id, "return", "Thiếu số liệu")
    async with db.session() as session:
        with pytest.raises(nominations.NominationError) as again:
            await nominations.review(session, ids["admin"], n.id, "approve")
        assert again.value.reason == "already_reviewed"
    async with db.session() as session:
        with pytest.raises(nominations.NominationError) as other:
            await nominations.resubmit(session, ids[4], n.id, answers())
        assert other.value.reason == "not_yours"
        await nominations.resubmit(session, ids[3], n.id, answers(summary=SUMMARY + " Đã bổ sung."))
        await nominations.review(session, ids["admin"], n.id, "approve")
    async with db.session() as session:
        events = (await session.scalars(select(NominationEvent.action).order_by(NominationEvent.id))).all()
        assert events == ["submitted", "returned", "resubmitted", "approved"]
        audit = (await session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("nomination.%"))
                                       .order_by(AuditEntry.id))).all()
        assert audit == ["nomination.submitted", "nomination.returned", "nomination.resubmitted", "nomination.approved"]
        told = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "nomination")
                                      .order_by(OutboxMessage.id))).all()
        to_officers = [m for m in told if m.chat_id in (2, 3)]
        assert sorted(m.chat_id for m in to_officers) == [2, 2, 3, 3]
        assert any("Lý do: Thiếu số liệu" in m.payload["text"] for m in to_officers)
        assert not any(m.chat_id == 4 for m in told)


async def test_only_a_submitted_nomination_can_be_withdrawn_and_only_by_its_unit(world):
    db, ids = world
    async with db.session() as session:
        n = await nominations.submit(session, ids[2], answers())
    async with db.session() as session:
        with pytest.raises(nominations.NominationError) as other:
            await nominations.withdraw(session, ids[4], n.id)
        assert other.value.reason == "not_yours"
        await nominations.withdraw(session, ids[3], n.id)
    async with db.session() as session:
        with pytest.raises(nominations.NominationError):
            await nominations.withdraw(session, ids[2], n.id)
        assert (await nominations.next_in_queue(session)) == (None, 0)


async def test_the_queue_is_oldest_first_and_put_off_items_come_after(world):
    db, ids = world
    made = []
    for i, (who, name) in enumerate(((2, "Nguyễn Văn An"), (4, "Lê Thị Hoa"), (3, "Tổ dân phố 5"))):
        clock.set_now(datetime(2026, 5, 10, 3, i, tzinfo=UTC))
        async with db.session() as session:
            kind = "collective" if name.startswith("Tổ") else "individual"
            made.append((await nominations.submit(session, ids[who], answers(kind, name))).id)
    async with db.session() as session:
        assert [n.id for n in await nominations.queue(session)] == made
        first, waiting = await nominations.next_in_queue(session)
        assert (first.id, waiting) == (made[0], 3)
    # Put off the first: it waits behind the other two, and stays put off after a restart (a column).
    clock.set_now(datetime(2026, 5, 10, 4, 0, tzinfo=UTC))
    async with db.session() as session:
        assert await nominations.put_off(session, made[0])
    async with db.session() as session:
        assert [n.id for n in await nominations.queue(session)] == [made[1], made[2], made[0]]
        clock.set_now(datetime(2026, 5, 10, 4, 1, tzinfo=UTC))
        assert await nominations.put_off(session, made[1])
    async with db.session() as session:
        assert [n.id for n in await nominations.queue(session)] == [made[2], made[0], made[1]]
        assert not await nominations.put_off(session, 999)


async def test_the_form_refuses_a_kind_whose_quota_is_used_and_a_big_file_unseen(world):
    db, ids = world
    async with db.session() as session:
        await nominations.submit(session, ids[2], answers("collective", "Tổ dân phố 5"))
    engine = FormEngine(list(nomination_form.FORMS))
    async with db.session() as session:
        unit_id = (await session.get(Member, ids[3])).unit_id
        screen = await engine.open(session, ids[3], nomination_form.NAME, context={"unit_id": unit_id})
        assert "Đề xuất cho phong trào nào?" in screen.text
    async with db.session() as session:
        await engine.handle(session, ids[3], Reply(text="1"))
        screen = await engine.handle(session, ids[3], Reply(text="1"))
        assert "đã đề xuất 1/1 tập thể trong quý II/2026" in screen.text
        screen = await engine.handle(session, ids[3], Reply(text="2"))
        assert "họ và tên" in screen.text
    for reply in ("Nguyễn Văn Bình", "Chủ tịch", "UBND phường", "1", SUMMARY, "1"):
        async with db.session() as session:
            screen = await engine.handle(session, ids[3], Reply(text=reply))
    assert "minh chứng" in screen.text

    async def never() -> bytes:
        raise AssertionError("a 60 MB file must be refused before it is downloaded")

    async with db.session() as session:
        screen = await engine.handle(session, ids[3], Reply(file=FileInput("video.pdf", 60 * 2**20, None, never)))
        assert "Tệp nặng 60.0 MB, vượt quá 20 MB" in screen.text
        screen = await engine.handle(session, ids[3], Reply(file=FileInput("x.exe", 10, None, never)))
        assert "Tệp .exe không được nhận" in screen.text
        assert (await session.scalar(select(StoredFile.id))) is None
