"""bot.services.personal_data on its own: who a person is, what /forget scrubs in others' rows, what it keeps."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import clock, texts
from bot.services import files, personal_data, units
from storage.models import (
    AuditEntry,
    Campaign,
    DigestSubscription,
    InboxUpdate,
    Member,
    OutboxMessage,
    Report,
    ReportPeriod,
    StoredFile,
)

TG = 5550001234
NAME = "Đoàn Thị Thu Hà"


async def people(db) -> tuple[int, int, int]:
    """Returns (the person's current membership, their earlier one, another member)."""
    async with db.session() as session:
        lb = await units.unit_by_code(session, "LB")
        now = clock.now()
        earlier = Member(telegram_user_id=TG, chat_id=TG, zalo_user_id="8800000000000555", zalo_chat_id="8800000000000556",
                         full_name="Thu Hà", unit_id=lb.id, role="officer", joined_at=now - timedelta(days=400),
                         left_at=now - timedelta(days=30))
        current = Member(telegram_user_id=TG, chat_id=TG, zalo_user_id=None, full_name=NAME, unit_id=lb.id,
                         role="admin", joined_at=now - timedelta(days=20))
        other = Member(telegram_user_id=7000, chat_id=7000, full_name="Võ Văn Kiệt Khác", unit_id=lb.id, role="admin",
                       joined_at=now)
        session.add_all([earlier, current, other])
        await session.flush()
        return current.id, earlier.id, other.id


async def test_forget_scrubs_them_from_others_rows_and_keeps_the_unit_s_files(seeded):
    db = seeded
    me, earlier, other = await people(db)
    async with db.session() as session:
        mine = await files.store(session, b"draft photo", "anh.jpg", "image/jpeg", uploaded_by=me)
        report_file = await files.store(session, b"report", "bao-cao.pdf", "application/pdf", uploaded_by=earlier)
        plan = await files.store(session, b"plan", "ke-hoach.docx", None, uploaded_by=me)
        campaign = Campaign(title="Phong trào thi đua", document_file_id=plan.id, created_by_member_id=me,
                            progress_chat_id=TG, progress_message_id=55)
        session.add(campaign)
        await session.flush()
        period = ReportPeriod(campaign_id=campaign.id, kind="semiannual", label="Sơ kết", opens_on=clock.now().date(),
                              due_on=clock.now().date())
        session.add(period)
        await session.flush()
        lb = await units.unit_by_code(session, "LB")
        session.add(Report(period_id=period.id, unit_id=lb.id, member_id=earlier, summary="Báo cáo của đơn vị",
                           file_id=report_file.id))
        session.add_all([
            # To them (by member and by chat), and to another admin about them.
            OutboxMessage(channel="telegram", chat_id=TG, kind="notice", payload={"method": "sendMessage", "text": "x"}),
            OutboxMessage(channel="zalo", address="8800000000000556", kind="reply", payload={"method": "sendMessage", "text": "y"}),
            OutboxMessage(channel="telegram", chat_id=7000, member_id=other, kind="nomination",
                          payload={"method": "sendMessage", "text": f"Đề xuất mới của {NAME} (Thu Hà)"}),
            # A number that happens to equal their id is not theirs: a file id, a message id.
            OutboxMessage(channel="telegram", chat_id=7000, member_id=other, kind="campaign_document",
                          payload={"method": "sendDocument", "file_id": TG, "caption": "Kế hoạch"}),
            InboxUpdate(channel="telegram", update_key="1", chat_key="7000",
                        payload={"message": {"message_id": TG, "from": {"id": 7000}, "chat": {"id": 7000}, "text": "hi"}}),
            InboxUpdate(channel="telegram", update_key="2", chat_key="-1001",
                        payload={"message": {"from": {"id": TG}, "chat": {"id": -1001}, "text": "/help"}}),
            InboxUpdate(channel="zalo", update_key="z1", chat_key="8800000000000556",
                        payload={"message": {"from": {"id": "8800000000000555"}, "text": "trợ giúp"}}),
            AuditEntry(actor_member_id=other, actor_label=f"member:{other}", action="link.refused",
                       details={"telegram_user_id": TG, "note": f"{NAME} thử lại", "invite_id": 3}),
            AuditEntry(actor_member_id=me, actor_label=f"member:{me}", action="campaign.launched",
                       details={"campaign_id": campaign.id}),
            DigestSubscription(member_id=me, frequency="weekly", next_at=clock.now()),
        ])

    async with db.session() as session:
        data = await personal_data.export(session, me)
    # Both memberships (the earlier one shares the Telegram account) and its Zalo ids.
    assert [m["full_name"] for m in data["memberships"]] == ["Thu Hà", NAME]
    assert data["accounts"]["zalo_user_ids"] == ["8800000000000555"]
    assert data["messages_received"]["count"] == 2 and data["updates_sent"]["count"] == 2
    assert data["digest_subscription"][0]["frequency"] == "weekly"
    summary = texts.mydata_summary(data)
    assert "Bản tin: hằng tuần" in summary and "Tài khoản:" in summary and "Nhật ký hoạt động: 1 mục" in summary

    async with db.session() as session:
        assert await personal_data.forget(session, me) == 2
    async with db.session() as session:
        assert set((await session.scalars(select(Member.id))).all()) == {other}
        left = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        assert [r.payload.get("text") or r.payload.get("caption") for r in left] == [
            "Đề xuất mới của người dùng đã xóa dữ liệu (người dùng đã xóa dữ liệu)", "Kế hoạch"]
        assert left[1].payload["file_id"] == TG
        assert [r.update_key for r in (await session.scalars(select(InboxUpdate))).all()] == ["1"]
        refused = await session.scalar(select(AuditEntry).where(AuditEntry.action == "link.refused"))
        assert refused.details == {"telegram_user_id": None, "note": "người dùng đã xóa dữ liệu thử lại", "invite_id": 3}
        assert refused.actor_member_id == other  # someone else's entry: only the mention of them goes
        launched = await session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.launched"))
        assert (launched.actor_member_id, launched.actor_label) == (None, "người dùng đã xóa dữ liệu")
        # Their loose file went; the report's file and the campaign's plan are the unit's and office's.
        assert set((await session.scalars(select(StoredFile.id))).all()) == {report_file.id, plan.id}
        c = await session.get(Campaign, campaign.id)
        assert (c.progress_chat_id, c.progress_message_id, c.created_by_member_id) == (None, None, None)
        report = await session.scalar(select(Report))
        assert (report.member_id, report.file_id) == (None, report_file.id)
        assert not (await session.scalars(select(DigestSubscription))).all()


async def test_forget_of_someone_unknown_erases_nothing(seeded):
    async with seeded.session() as session:
        assert await personal_data.forget(session, 12345) == 0
