"""The Zalo channel end to end: the real adapter polling the Zalo simulator, the same services and
forms as Telegram, the outbox draining to Zalo, files through signed links."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select

from bot import clock, jobs
from bot.config import Settings, WebSettings, ZaloSettings
from bot.web.server import WebServer
from bot.forms import FORMS, FormEngine
from bot.services import outbox, report_periods
from devkit.simulator.zalo import ZaloApiSimulator
from bot.zalo.channel import SECRET_HEADER, ZaloChannel
from storage.models import Campaign, InboxUpdate, CampaignUnit, Member, Nomination, OutboxMessage, Report, ReportPeriod
from tests.conftest import ZALO_TOKEN, add_admin, make_invite, make_settings, texts_of, free_port
from tests.test_reports import launch

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICER, LEADER = "8800000000000001", "8800000000000002"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
SUMMARY = ("Đồng chí có nhiều sáng kiến cải cách hành chính, giảm 30% thời gian giải quyết hồ sơ "
           "và vận động nhân dân hiến đất mở đường.")


def at(day: int, month: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def zalo_settings(base: Settings, zalo: ZaloApiSimulator, **kw) -> Settings:
    port = free_port()
    cfg = ZaloSettings(token=ZALO_TOKEN, api_base_url=zalo.base_url, listen="127.0.0.1", port=port,
                       public_base_url=f"http://127.0.0.1:{port}", link_secret="s" * 32, **kw)
    # One HTTP server: the web pages on the port of Zalo's webhook and file links.
    web = WebSettings(listen="127.0.0.1", port=port, public_url=f"http://127.0.0.1:{port}")
    return base.with_overrides(zalo=cfg, web=web)


class ZaloHarness:
    """The Zalo channel running against the simulator; says things as people, reads answers."""

    def __init__(self, zalo: ZaloApiSimulator, db, settings: Settings, **kw) -> None:
        self.sim, self.db, self.settings = zalo, db, settings
        # The bot's HTTP server as `run` has it: Zalo's webhook, file links and the web pages.
        self.channel = ZaloChannel(settings, db, FormEngine(list(FORMS)), own_tick=False, poll_timeout=1,
                                   site=WebServer(settings, db), owns_site=True, **kw)
        self._seen: dict[str, int] = {}

    def new(self, chat: str) -> list[dict]:
        sent = self.sim.messages(chat)
        start = self._seen.get(chat, 0)
        self._seen[chat] = len(sent)
        return sent[start:]

    async def say(self, user: str, text: str) -> list[str]:
        self.new(user)
        await self.channel.conversation.wait_handled(self.sim.send_text(user, text))
        return texts_of(self.new(user))

    async def join(self, user: str, code: str) -> list[str]:
        """Type `tham gia CODE` as a person would: a stranger's first message gets the notice,
        which asks them to type “đồng ý”, which they do; the answers after that (the welcome, or
        why the code was refused)."""
        replies = await self.say(user, f"tham gia {code}")
        if len(replies) == 1 and "trợ lý tự động" in replies[0]:
            assert "Bạn vừa gửi mã mời" in replies[0] and "gõ “đồng ý”" in replies[0]
            return await self.say(user, "đồng ý")
        return replies

    async def photo(self, user: str, content: bytes = PNG) -> list[str]:
        self.new(user)
        url = self.sim.host_image(content, "minh-chung.png")
        await self.channel.conversation.wait_handled(self.sim.send_photo(user, url))
        return texts_of(self.new(user))

    async def tick(self, moment: datetime, app=None) -> jobs.TickReport:
        clock.set_now(moment)
        return await jobs.tick(app, self.db, self.settings, zalo=self.channel.sender)


@pytest.fixture
async def zbot(seeded, zalo, db_url, sim) -> AsyncIterator[ZaloHarness]:
    harness = ZaloHarness(zalo, seeded, zalo_settings(make_settings(db_url, sim), zalo))
    await harness.channel.start()
    yield harness
    await harness.channel.stop()


async def test_an_officer_and_a_leader_do_everything_on_zalo(zbot):
    z = zbot
    clock.set_now(at(1, 5))
    await add_admin(z.db, 1001)

    # Joining with the same invite codes, typed.
    assert "trợ lý tự động" in (await z.say(OFFICER, "đề cử"))[0]  # the first message: the notice
    assert "Bạn chưa tham gia bot" in (await z.say(OFFICER, "đề cử"))[0]
    assert "không đúng" in (await z.say(OFFICER, "tham gia SAIMA12345"))[0]
    welcome = (await z.join(OFFICER, await make_invite(z.db, 'LB', 'officer')))[0]
    assert "Chào mừng" in welcome and "đề cử" in welcome
    assert "Chào mừng" in (await z.join(LEADER, await make_invite(z.db, 'DN', 'leader')))[0]

    # The launch arrives through the outbox; it is acknowledged by typing.
    cid = await launch(z.db, ["LB"])
    report = await z.tick(at(1, 5, 9, 1))
    assert report.zalo.sent >= 1
    launch_text = texts_of(z.new(OFFICER))[0]
    assert "PHÁT ĐỘNG THI ĐUA" in launch_text and f"đã nhận {cid}" in launch_text and "Bấm" not in launch_text
    assert "Đã ghi nhận" in (await z.say(OFFICER, "đã nhận"))[0]
    async with z.db.session() as session:
        assert await session.scalar(select(CampaignUnit.acknowledged_at).where(CampaignUnit.campaign_id == cid))
    assert "đã xác nhận" in (await z.say(OFFICER, f"đã nhận {cid}"))[0]

    # A nomination with a photo, numbered choices and "sửa N".
    assert "tập thể hay cá nhân" in (await z.say(OFFICER, "đề cử"))[0]
    assert "Tên tập thể, hoặc họ và tên" in (await z.say(OFFICER, "2"))[0]
    r = await z.say(OFFICER, "Nguyen Van An")
    assert "Chức vụ" in r[0]
    assert "Nơi công tác" in (await z.say(OFFICER, "Phó Chủ tịch UBND phường"))[0]
    sector = (await z.say(OFFICER, "UBND phường Long Bình"))[0]
    assert "lĩnh vực" in sector and "Gõ số thứ tự" in sector and "Bấm" not in sector
    wrong = (await z.say(OFFICER, "9"))[0]  # out of range: asked again, with the list
    assert wrong.startswith("⚠️") and "lĩnh vực" in wrong
    assert "Trích ngang" in (await z.say(OFFICER, "5"))[0]
    emoji = (await z.say(OFFICER, "🙂" * 40))[0]
    assert emoji.startswith("⚠️") and "Trích ngang" in emoji
    assert "Hình thức khen thưởng" in (await z.say(OFFICER, SUMMARY))[0]
    evidence = (await z.say(OFFICER, "2"))[0]
    assert "Gửi ảnh hoặc tệp minh chứng" in evidence and "“bỏ qua”" in evidence and "/skip" not in evidence
    assert "Đã nhận tệp thứ 1" in (await z.photo(OFFICER))[0]
    review = (await z.say(OFFICER, "xong"))[0]
    assert "Kiểm tra lại" in review and "sửa 2" in review and "Bấm" not in review
    assert "Nguyen Van An" in review
    assert "Tên tập thể, hoặc họ và tên" in (await z.say(OFFICER, "sửa 3"))[0]
    review = (await z.say(OFFICER, "Nguyễn Văn An"))[0]
    assert "Kiểm tra lại" in review and "Nguyễn Văn An" in review
    done = await z.say(OFFICER, "gửi")
    assert any("Đã gửi" in t or "đã gửi" in t for t in done), done
    async with z.db.session() as session:
        n = await session.scalar(select(Nomination))
        assert (n.full_name, n.kind, n.status, len(n.evidence_file_ids)) == ("Nguyễn Văn An", "individual", "submitted", 1)
        told_admin = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "nomination"))
        assert told_admin.channel == "telegram"  # the admin is on Telegram

    # Report periods confirmed; on 08/06 the officer is nudged and the leader gets the weekly digest.
    async with z.db.session() as session:
        await report_periods.ensure_proposed(session, await session.get(Campaign, cid), z.settings)
        await report_periods.confirm(session, cid, z.settings)
        semi = await session.scalar(select(ReportPeriod.id).where(ReportPeriod.campaign_id == cid,
                                                                   ReportPeriod.kind == "semiannual"))
    await z.tick(at(1, 6, 9))  # leaders get their digest schedule
    z.new(LEADER)
    await z.tick(at(8, 6, 8))
    nudge = texts_of(z.new(OFFICER))
    assert any(f"báo cáo {semi}" in t for t in nudge), nudge
    digest = z.new(LEADER)
    assert [m["method"] for m in digest] == ["sendMessage", "sendPhoto"], digest
    assert digest[1]["fetched_status"] == 200  # Zalo could fetch the chart through the signed link

    # The 6-monthly report, typed.
    opened = (await z.say(OFFICER, f"báo cáo {semi}"))[0]
    assert "Viết tóm tắt kết quả" in opened
    assert "điển hình" in (await z.say(OFFICER, "Đơn vị đã tổ chức 12 hội nghị, phát hiện 5 điển hình tiên tiến."))[0]
    await z.say(OFFICER, "5")
    await z.say(OFFICER, "bỏ qua")
    review = (await z.say(OFFICER, "bỏ qua"))[0]
    assert "Kiểm tra lại" in review
    saved = await z.say(OFFICER, "gửi")
    async with z.db.session() as session:
        report = await session.scalar(select(Report))
        assert report is not None and report.period_id == semi and report.figures == {"exemplars": 5}, saved

    # The leader: the digest on demand with its chart as a photo, and the XLSX as a signed link.
    answers = await z.say(LEADER, "bản tin")
    assert "Bản tin" in answers[0] or "BẢN TIN" in answers[0].upper()
    assert z.sim.messages(LEADER)[-1]["method"] == "sendPhoto"
    assert "dành cho" in (await z.say(OFFICER, f"xuất {cid}"))[0]  # officers cannot export
    link_text = (await z.say(LEADER, f"xuất {cid}"))[0]
    url = link_text.split("Tải tệp")[1].split(": ", 1)[1].split()[0]
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 200 and (await response.read())[:2] == b"PK"
        clock.set_now(at(8, 6, 8) + timedelta(hours=z.settings.zalo.link_lifetime_hours + 1))
        async with http.get(url) as response:
            assert response.status == 410 and "hết hạn" in await response.text()


async def test_a_member_on_both_channels_gets_one_launch_on_the_channel_they_chose(zbot, bot):
    z = zbot
    clock.set_now(at(1, 5))
    await add_admin(z.db, 1001)
    await z.join(OFFICER, await make_invite(z.db, 'LB', 'officer'))
    code = (await z.say(OFFICER, "liên kết"))[0].split("Mã liên kết của bạn: ")[1].split()[0]
    linked = texts_of(await bot.join(5005, code))[0]
    assert "Chào mừng" not in linked and "liên kết" in linked
    async with z.db.session() as session:
        members = (await session.scalars(select(Member).where(Member.role == "officer"))).all()
        assert len(members) == 1 and members[0].telegram_user_id == 5005 and members[0].channel == "zalo"

    first = await launch(z.db, ["LB"])
    await z.tick(at(1, 5, 9, 1), app=bot.app)
    assert [t for t in texts_of(z.new(OFFICER)) if "PHÁT ĐỘNG" in t] and not bot.new_messages(5005)

    assert "Telegram" in (await z.say(OFFICER, "kênh telegram"))[0]
    await launch(z.db, ["LB"], title="Phong trào thi đua dân vận khéo năm 2026")
    await z.tick(at(1, 5, 9, 2), app=bot.app)
    assert [t for t in texts_of(bot.new_messages(5005)) if "PHÁT ĐỘNG" in t] and not z.new(OFFICER)
    async with z.db.session() as session:
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "campaign_launch"))).all()
        assert sorted((r.campaign_id, r.channel) for r in rows) == [(first, "zalo"), (first + 1, "telegram")]


async def test_a_3000_character_launch_arrives_as_two_messages_split_on_line_boundaries(zbot):
    z = zbot
    clock.set_now(at(1, 5))
    await z.join(OFFICER, await make_invite(z.db, 'LB', 'officer'))
    lines = [f"{i:02d}. Nội dung hưởng ứng phong trào thi đua của đơn vị, dòng số {i}." for i in range(1, 200)]
    text = "\n".join(lines)[:3000].rsplit("\n", 1)[0]
    text += "\n" + "x" * (3000 - len(text) - 1)
    assert len(text) == 3000
    async with z.db.session() as session:
        await outbox.enqueue(session, chat_id=None, channel="zalo", address=OFFICER, kind="campaign_launch",
                             payload={"method": "sendMessage", "text": text})
    await z.tick(at(1, 5, 9, 1))
    parts = texts_of(z.new(OFFICER))
    assert len(parts) == 2 and all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == text and parts[0].endswith(".")  # cut after a whole line


async def test_webhook_refuses_wrong_secrets_answers_malformed_bodies_400_and_handles_good_ones(seeded, zalo, db_url, sim, caplog):
    port_settings = zalo_settings(make_settings(db_url, sim), zalo, webhook_secret="right-secret-123")
    webhook_url = f"http://127.0.0.1:{port_settings.zalo.port}/zalo/webhook"
    settings = port_settings.with_overrides(zalo=port_settings.zalo.__class__(
        **{**port_settings.zalo.__dict__, "webhook_url": webhook_url}))
    z = ZaloHarness(zalo, seeded, settings)
    await z.channel.start()
    try:
        async with aiohttp.ClientSession() as http:
            good = {"ok": True, "result": {"event_name": "message.text.received", "message": {
                "message_id": "m1", "date": 0, "chat": {"id": "42", "chat_type": "PRIVATE"},
                "from": {"id": "42", "display_name": "A", "is_bot": False}, "text": "trợ giúp"}}}
            async with http.post(webhook_url, json=good) as r:
                assert r.status == 403
            async with http.post(webhook_url, json=good, headers={SECRET_HEADER: "wrong-secret-000"}) as r:
                assert r.status == 403
            with caplog.at_level(logging.WARNING, logger="bot.zalo.channel"):
                for body in (b"{not json", b"[1, 2]", b'{"result": {"message": "x"}}'):
                    async with http.post(webhook_url, data=body, headers={SECRET_HEADER: "right-secret-123"}) as r:
                        assert r.status == 400
            assert sum("malformed" in rec.getMessage() for rec in caplog.records) == 3
            # The server shared with the web pages keeps webhook bodies small (only file forms take more).
            async with http.post(webhook_url, data=b"{" + b" " * (2 * 2**20) + b"}",
                                 headers={SECRET_HEADER: "right-secret-123"}) as r:
                assert r.status == 413
        assert not zalo.messages("42")  # nothing refused reached the bot
        async with seeded.session() as session:  # nor was it stored
            assert await session.scalar(select(func.count()).select_from(InboxUpdate)) == 0
        # Zalo's own delivery (with the secret) is handled.
        await z.channel.conversation.wait_handled(zalo.send_text("43", "trợ giúp"))
        assert "tham gia MÃ_MỜI" in zalo.messages("43")[-1]["text"]
    finally:
        await z.channel.stop()
