"""Personal data (PDPL 91/2025) across both channels: /mydata shows everything, /forget leaves no
trace of the person in any table — only the unit's own records and anonymised audit rows stay.

A member joins on Telegram, links Zalo, acknowledges a launch, nominates with a photo, leaves a
draft with another photo, reports, receives launches and nudges; then forgets (on Telegram, then
on Zalo), and every column of every table is searched for their ids and names."""

from __future__ import annotations

import asyncio
import json
import aiohttp
from sqlalchemy import func, select

from bot import clock, jobs
from bot.services import nudges, report_periods
from storage.models import (
    AuditEntry,
    Base,
    Campaign,
    CampaignUnit,
    FormDraft,
    InboxUpdate,
    Member,
    Nomination,
    OutboxMessage,
    Report,
    ReportPeriod,
    StoredFile,
)
from tests.conftest import add_admin, make_invite, texts_of
from tests.test_reports import launch
from tests.test_zalo_channel import PNG, SUMMARY, at, zbot  # noqa: F401 - zbot: the Zalo channel fixture

DRAFT_PHOTO = PNG + b"draft"  # the half-way nomination's photo
TG_USER = 7310000123  # large, as real Telegram ids are: no other number in the database looks like it
ZALO_USER = "8800000000000077"
FULL_NAME = "Phan Thị Hồng Nhung"
ZALO_NAME = "Nhung Phan Zalo"
NOMINEE = "Nguyễn Văn An"  # the unit's exemplar, not the member
ADMIN = 1001
OTHER = "8800000000000042"  # another officer on Zalo, whose data must stay
GROUP = -100777


async def drain(bot, z, moment) -> None:
    """Send what is queued, on both channels, at `moment`. Only the outbox: the app's own tick may
    run at the same time (its JobQueue), and two full ticks at once race on digest subscriptions."""
    clock.set_now(moment)
    await jobs.tick(bot.app, bot.db, z.settings, zalo=z.channel.sender, drain_only=True)


async def arrived(messages, timeout: float = 10.0) -> list[dict]:
    """messages() once it is not empty: a row the app's tick claimed first arrives a moment later."""
    for _ in range(int(timeout / 0.05)):
        if got := messages():
            return got
        await asyncio.sleep(0.05)
    return messages()


def needles() -> list[str]:
    return [str(TG_USER), ZALO_USER, FULL_NAME, ZALO_NAME]


async def traces(db) -> list[tuple[str, str, str]]:
    """(table, column, excerpt) of every value in the database that holds one of their ids or names."""
    found = []
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings().all():
                for column in table.columns:
                    value = row[column.name]
                    if isinstance(value, bool) or value is None:
                        continue
                    if isinstance(value, int):
                        text = str(value) if value == TG_USER else ""
                    elif isinstance(value, bytes):
                        text = value.decode("utf-8", "ignore")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value, ensure_ascii=False)
                    elif isinstance(value, str):
                        text = value
                    else:  # dates and times
                        continue
                    if any(n in text for n in needles()):
                        found.append((table.name, column.name, text[:160]))
    return found


def inbox_rows() -> list[InboxUpdate]:
    """The raw updates the inbox keeps (the lead's inbox writes these; here they are set up directly)."""
    tg_message = {"message_id": 77, "date": 1780000000, "text": "/mydata",
                  "from": {"id": TG_USER, "is_bot": False, "first_name": FULL_NAME},
                  "chat": {"id": TG_USER, "type": "private", "first_name": FULL_NAME}}
    in_group = {"message_id": 78, "date": 1780000001, "text": "/help",
                "from": {"id": TG_USER, "is_bot": False, "first_name": "Nhung"},
                "chat": {"id": GROUP, "type": "supergroup", "title": "Nhóm thi đua"}}
    admin_message = {"message_id": 79, "date": 1780000002, "text": "/members",
                     "from": {"id": ADMIN, "is_bot": False, "first_name": "Lan"},
                     "chat": {"id": ADMIN, "type": "private"}}
    zalo_message = {"event_name": "message.text.received",
                    "message": {"message_id": "zp-1", "date": 1780000003000, "text": "đề cử",
                                "from": {"id": ZALO_USER, "display_name": ZALO_NAME, "is_bot": False},
                                "chat": {"id": ZALO_USER, "chat_type": "PRIVATE"}}}
    other_zalo = {"event_name": "message.text.received",
                  "message": {"message_id": "zp-2", "date": 1780000004000, "text": "trợ giúp",
                              "from": {"id": OTHER, "display_name": "Cán bộ khác"},
                              "chat": {"id": OTHER, "chat_type": "PRIVATE"}}}
    return [
        InboxUpdate(channel="telegram", update_key="990001", chat_key=str(TG_USER), payload={"update_id": 990001, "message": tg_message}, status="handled"),
        InboxUpdate(channel="telegram", update_key="990002", chat_key=str(GROUP), payload={"update_id": 990002, "message": in_group}, status="handled"),
        InboxUpdate(channel="telegram", update_key="990003", chat_key=str(ADMIN), payload={"update_id": 990003, "message": admin_message}, status="handled"),
        InboxUpdate(channel="zalo", update_key="zp-1", chat_key=ZALO_USER, payload=zalo_message, status="handled"),
        InboxUpdate(channel="zalo", update_key="zp-2", chat_key=OTHER, payload=other_zalo, status="pending"),
    ]


async def a_member_who_did_everything(bot, z) -> dict:
    """Telegram invite, Zalo link, ack, nomination with evidence, a draft with a photo, a report,
    launches and a nudge received; returns ids to check what stays."""
    clock.set_now(at(1, 5))
    await add_admin(bot.db, ADMIN)
    bot.sim.add_user(TG_USER, FULL_NAME)
    z.sim.add_user(ZALO_USER, ZALO_NAME)
    welcome = texts_of(await bot.join(TG_USER, await make_invite(bot.db, 'LB', 'officer')))[0]
    assert f"Chào mừng {FULL_NAME}" in welcome
    # Another officer of the unit, on Zalo: their data must stay.
    assert "Chào mừng" in (await z.join(OTHER, await make_invite(z.db, 'LB', 'officer')))[0]

    code = texts_of(await bot.say(TG_USER, "/link"))[0].split("Mã liên kết của bạn: ")[1].split()[0]
    linked = (await z.join(ZALO_USER, code))[0]
    assert "liên kết" in linked.lower()

    # A launch arrives on Telegram (their channel); acknowledged with its button.
    cid = await launch(bot.db, ["LB"])
    await drain(bot, z, at(1, 5, 9, 1))
    launch_msg = (await arrived(lambda: [m for m in bot.new_messages(TG_USER) if "PHÁT ĐỘNG" in (m.get("text") or "")]))[0]
    await bot.press(TG_USER, launch_msg["message_id"], f"ack:{cid}")

    # A nomination with a photo, typed on Zalo; the nominee is someone else.
    for answer in ("đề cử", "2", NOMINEE, "Phó Chủ tịch UBND phường", "UBND phường Long Bình", "5", SUMMARY, "2"):
        await z.say(ZALO_USER, answer)
    assert "Đã nhận tệp thứ 1" in (await z.photo(ZALO_USER))[0]
    await z.say(ZALO_USER, "xong")
    await z.say(ZALO_USER, "gửi")

    # Report periods, a nudge on Telegram, and the 6-monthly report typed on Zalo.
    async with bot.db.session() as session:
        await report_periods.ensure_proposed(session, await session.get(Campaign, cid), z.settings)
        await report_periods.confirm(session, cid, z.settings)
        semi = await session.scalar(select(ReportPeriod.id).where(ReportPeriod.campaign_id == cid,
                                                                   ReportPeriod.kind == "semiannual"))
    clock.set_now(at(8, 6, 8))
    async with bot.db.session() as session:
        await nudges.send_due(session, z.settings)
    await drain(bot, z, at(8, 6, 8))
    nudged = texts_of(await arrived(lambda: bot.new_messages(TG_USER)))
    assert any("Nhắc báo cáo" in t for t in nudged), nudged
    assert "Viết tóm tắt" in (await z.say(ZALO_USER, f"báo cáo {semi}"))[0]
    for answer in ("Đơn vị đã tổ chức 12 hội nghị, phát hiện 5 điển hình tiên tiến.", "5", "bỏ qua", "bỏ qua", "gửi"):
        await z.say(ZALO_USER, answer)

    # A second nomination left half-way, its photo uploaded: a draft and a file that are only theirs.
    for answer in ("đề cử", "2", "Lê Văn Bình", "Chủ tịch Hội Nông dân", "Phường Long Bình", "5", SUMMARY, "2"):
        await z.say(ZALO_USER, answer)
    assert "Đã nhận tệp thứ 1" in (await z.photo(ZALO_USER, DRAFT_PHOTO))[0]

    async with bot.db.session() as session:
        session.add_all(inbox_rows())
        nomination = await session.scalar(select(Nomination))
        report = await session.scalar(select(Report))
        member = await session.scalar(select(Member).where(Member.telegram_user_id == TG_USER))
        assert nomination.full_name == NOMINEE and nomination.created_by_member_id == member.id
        assert report is not None and report.member_id == member.id
        assert member.zalo_user_id == ZALO_USER
        received = (await session.scalars(select(OutboxMessage.kind).where(OutboxMessage.member_id == member.id))).all()
        assert {"campaign_launch", "report_nudge"} <= set(received), received
        draft_files = (await session.scalars(select(StoredFile.id).where(
            StoredFile.uploaded_by_member_id == member.id, StoredFile.id.not_in(nomination.evidence_file_ids)))).all()
        assert len(draft_files) == 1
        return {"campaign": cid, "nomination": nomination.id, "report": report.id,
                "evidence": list(nomination.evidence_file_ids), "member": member.id, "draft_files": list(draft_files)}


async def what_stays(db, made: dict) -> None:
    """The unit's records are still there, without the link to the person; others' data untouched."""
    async with db.session() as session:
        nomination = await session.get(Nomination, made["nomination"])
        assert (nomination.full_name, nomination.status, nomination.created_by_member_id) == (NOMINEE, "submitted", None)
        report = await session.get(Report, made["report"])
        assert report is not None and report.member_id is None
        assert await session.scalar(select(func.count()).select_from(StoredFile).where(StoredFile.id.in_(made["evidence"]))) == 1
        ack = await session.scalar(select(CampaignUnit).where(CampaignUnit.campaign_id == made["campaign"]))
        assert ack.acknowledged_at is not None and ack.acknowledged_by_member_id is None
        assert await session.get(Member, made["member"]) is None
        assert not (await session.scalars(select(FormDraft))).all()
        # Of the files they sent only the unit's evidence is left (the draft's photo went, and their /mydata copy).
        # Looked up by content: SQLite gives a deleted last row's id to the next file stored (a chart…).
        assert not (await session.scalars(select(StoredFile.id).where(StoredFile.content == DRAFT_PHOTO))).all()
        left = {(r.channel, r.chat_key) for r in (await session.scalars(select(InboxUpdate))).all()}
        assert ("telegram", str(ADMIN)) in left and ("zalo", OTHER) in left
        assert not left & {("telegram", str(TG_USER)), ("telegram", str(GROUP)), ("zalo", ZALO_USER)}
        other = await session.scalar(select(Member).where(Member.zalo_user_id == OTHER))
        assert other is not None and other.left_at is None
        assert (await session.scalars(select(OutboxMessage).where(OutboxMessage.member_id == other.id))).all()
        erased = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "member.erased"))).all()
        assert len(erased) == 1
        joined = (await session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("member.joined", "member.linked")),
                                                                  AuditEntry.actor_member_id.is_(None)))).all()
        assert {e.action for e in joined} == {"member.joined", "member.linked"}
        assert all(e.actor_label == "người dùng đã xóa dữ liệu" for e in joined)


async def test_forget_on_telegram_leaves_no_trace_of_them_in_any_table(bot, zbot):
    made = await a_member_who_did_everything(bot, zbot)
    assert "Tài khoản" in (await zbot.say(ZALO_USER, "dữ liệu của tôi"))[0]  # their copy is a stored file too
    before = {table for table, _, _ in await traces(bot.db)}
    assert {"members", "outbox", "inbox", "files"} <= before, before  # the scan sees them while they are there

    question = (await bot.say(TG_USER, "/forget"))[0]
    assert "Zalo" in question["text"]
    await bot.press(TG_USER, question["message_id"], "c:forget_confirmed:")
    assert bot.sim.messages(TG_USER)[-1]["text"].startswith("Đã xóa dữ liệu cá nhân")

    assert await traces(bot.db) == []
    await what_stays(bot.db, made)
    # Neither channel knows them any more.
    assert "chưa tham gia" in texts_of(await bot.say(TG_USER, "/whoami"))[0]
    assert "chưa tham gia" in (await zbot.say(ZALO_USER, "tôi là ai"))[0]


async def test_forget_on_zalo_leaves_no_trace_of_them_in_any_table(bot, zbot):
    made = await a_member_who_did_everything(bot, zbot)
    question = (await zbot.say(ZALO_USER, "xóa dữ liệu"))[0]
    assert "đồng ý xóa dữ liệu" in question and "không hoàn tác" in question
    async with bot.db.session() as session:  # asking changes nothing
        assert await session.get(Member, made["member"]) is not None
    assert (await zbot.say(ZALO_USER, "đồng ý xóa dữ liệu"))[0].startswith("Đã xóa dữ liệu cá nhân")

    # Erasing is one transaction; the forgotten one's last updates are answered as a stranger's.
    assert await traces(bot.db) == []
    await what_stays(bot.db, made)
    assert "chưa tham gia" in texts_of(await bot.say(TG_USER, "/whoami"))[0]


async def test_mydata_shows_both_channels_ids_and_what_was_sent_and_received(bot, zbot):
    await a_member_who_did_everything(bot, zbot)
    async with bot.db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == TG_USER))
        outbox_count = await session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.member_id == member.id))
    assert outbox_count >= 2

    answered = await bot.say(TG_USER, "/mydata")
    at = next(i for i, m in enumerate(answered) if m.get("document"))
    summary, document = answered[:at], answered[at]  # then the half-filled form's question again
    text = "\n".join(m["text"] for m in summary)
    assert all(len(m["text"].encode("utf-16-le")) // 2 <= 4096 for m in summary)
    assert f"Telegram: mã người dùng {TG_USER}; mã cuộc trò chuyện {TG_USER}" in text
    assert f"Zalo: mã người dùng {ZALO_USER}; mã cuộc trò chuyện {ZALO_USER}" in text
    assert f"Tin bot gửi cho bạn: {outbox_count}" in text
    assert "Phát động thi đua, đã gửi: 1" in text and "Nhắc hạn báo cáo, đã gửi: 1" in text
    assert "• Gần nhất (08:00 08/06/2026): ⏰ Nhắc báo cáo: Sơ kết 6 tháng đầu năm 2026" in text, text
    async with bot.db.session() as session:  # what they typed went through the inbox too, plus the rows set up
        own = dict((await session.execute(select(InboxUpdate.channel, func.count()).where(
            InboxUpdate.chat_key.in_((str(TG_USER), ZALO_USER))).group_by(InboxUpdate.channel))).all())
    assert own["telegram"] >= 2 and own["zalo"] >= 2
    total = own["telegram"] + own["zalo"] + 1
    assert (f"Tin nhắn gửi bot (lưu để xử lý): {total} (nhóm và nơi khác 1, Telegram {own['telegram']}, "
            f"Zalo {own['zalo']})") in text, text
    assert "Đề xuất điển hình đã gửi: 1" in text and "Báo cáo đã gửi: 1" in text
    assert "Biểu mẫu đang điền: 1" in text and "Xác nhận đã nhận phát động: 1" in text
    data = json.loads(bot.sim.file_content(document["document"]["file_id"]).decode("utf-8"))
    assert data["accounts"] == {"telegram_user_ids": [TG_USER], "telegram_chat_ids": [TG_USER],
                                "zalo_user_ids": [ZALO_USER], "zalo_chat_ids": [ZALO_USER]}
    assert data["messages_received"]["count"] == outbox_count
    assert data["updates_sent"]["count"] == total
    assert [n["full_name"] for n in data["nominations_submitted"]] == [NOMINEE]
    assert any(a["action"] == "member.linked" for a in data["activity"])

    # On Zalo: the same summary, as text, and the full record through a signed link.
    summary_z, link, *reminder = await zbot.say(ZALO_USER, "dữ liệu của tôi")
    assert reminder and reminder[0].startswith("✏️ Bạn vẫn đang điền")  # the half-filled form, again
    assert f"Zalo: mã người dùng {ZALO_USER}" in summary_z and "“xóa dữ liệu”" in summary_z
    assert f"Tin bot gửi cho bạn: {outbox_count}" in summary_z
    url = link.split(": ", 1)[1].strip()
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        copy = json.loads(await response.read())
    assert copy["accounts"]["zalo_user_ids"] == [ZALO_USER] and copy["memberships"][0]["full_name"] == FULL_NAME


async def test_the_zalo_welcome_says_what_is_stored_there_and_how_to_see_or_erase_it(zbot):
    clock.set_now(at(1, 5))
    zbot.sim.add_user(OTHER, "Trần Văn Bảy")
    welcome = (await zbot.join(OTHER, await make_invite(zbot.db, 'LB', 'officer')))[0]
    note = welcome.split("Về dữ liệu cá nhân:")[1].split("\n")[0]
    assert "mã người dùng và mã cuộc trò chuyện Zalo" in note and "Telegram" not in note
    assert "“dữ liệu của tôi” để xem, “xóa dữ liệu” để xóa" in welcome
    assert "• dữ liệu của tôi — " in welcome and "• xóa dữ liệu — " in welcome  # and the help lists both
    assert "Tài khoản:" in (await zbot.say(OTHER, "/mydata"))[0]  # the slash command works on Zalo too


async def test_a_long_mydata_comes_in_pieces_that_fit_each_channel_cut_between_lines(bot, zbot):
    """Someone with a long history: 80 past memberships under the same accounts."""
    from datetime import timedelta

    clock.set_now(at(1, 5))
    bot.sim.add_user(TG_USER, FULL_NAME)
    await bot.join(TG_USER, await make_invite(bot.db, 'LB', 'officer'))
    async with bot.db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == TG_USER))
        member.zalo_user_id = member.zalo_chat_id = ZALO_USER
        for n in range(80):
            start = clock.now() - timedelta(days=900 - 10 * n)
            session.add(Member(telegram_user_id=TG_USER, chat_id=TG_USER, full_name=f"{FULL_NAME} 📣 {n}",
                               unit_id=member.unit_id, role="officer", joined_at=start,
                               left_at=start + timedelta(days=5)))
    pieces = [m["text"] for m in await bot.say(TG_USER, "/mydata") if "text" in m]
    assert len(pieces) > 1
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in pieces)
    lines = "\n".join(pieces).splitlines()
    assert sum(1 for line in lines if line.startswith(f"• {FULL_NAME} 📣 ")) == 80  # no line cut in two
    on_zalo = await zbot.say(ZALO_USER, "dữ liệu của tôi")
    assert len(on_zalo) > 2 and all(len(p) <= 2000 for p in on_zalo)
    assert sum(1 for line in "\n".join(on_zalo).splitlines() if line.startswith(f"• {FULL_NAME} 📣 ")) == 80
