"""Cascading campaigns through the simulator: the province launches to its xã, a xã's office (an
admin invited for the xã) launches its implementing plan to its own units, approves a nomination
and puts it forward; the province sees it in review with the xã's history and the roll-up in
/campaign. A xã's office never reaches another xã."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot import clock
from bot.services import campaigns, report_periods, units
from storage.models import Campaign, CampaignUnit, Member, Nomination, ReportPeriod
from tests.conftest import UNITS_CSV, add_admin, make_invite, texts_of
from tests.test_nominations import button, nominate_individual

P_ADMIN, P_LEADER = 7001, 7002
XA_ADMIN, XB_ADMIN = 7011, 7012
XD1, CM1, LB1 = 7101, 7102, 7103
T1, T2, TH, DT, CMT = 7201, 7202, 7203, 7204, 7205
SUB_UNITS = """XDT1,Thôn 1,thôn,XD
XDT2,Thôn 2,thôn,XD
XDTH,Trường Tiểu học Xuân Đường,trường học,XD
XDDT,Đoàn Thanh niên xã Xuân Đường,đoàn thể,XD
CMT1,Ấp 1,thôn,CM
"""
XA_PLAN = """UBND XÃ XUÂN ĐƯỜNG
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 12/KH-UBND
Xuân Đường, ngày 20 tháng 5 năm 2026
KẾ HOẠCH
Thực hiện phong trào thi đua “Chung sức xây dựng nông thôn mới” năm 2026 trên địa bàn xã
Thực hiện Kế hoạch số 5232/KH-UBND ngày 11/5/2026 của UBND tỉnh.
I. NỘI DUNG
Các thôn, trường học, đoàn thể đăng ký và tổ chức thực hiện phong trào.
II. TỔ CHỨC THỰC HIỆN
Văn phòng HĐND và UBND xã theo dõi, tổng hợp.
Nơi nhận:
- UBND tỉnh;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
(Đã ký)

Nguyễn Văn Bảy
"""


async def _join(bot, uid: int, code: str) -> None:
    assert "Chào mừng" in texts_of(await bot.join(uid, code))[0]


async def _invite_in_chat(bot, role: str, unit: str) -> str:
    """The province's admin types /invite ROLE UNIT; the code is the line's first MOI… word."""
    reply = texts_of(await bot.say(P_ADMIN, f"/invite {role} {unit}"))[0]
    assert "chỉ làm việc với" in reply and "và các đơn vị trực thuộc" in reply, reply
    async with bot.db.session() as session:
        from storage.models import Invite

        invite = await session.scalar(select(Invite).order_by(Invite.id.desc()).limit(1))
        assert invite.code in reply
        return invite.code


async def _member(bot, uid: int) -> Member:
    async with bot.db.session() as session:
        return await session.scalar(select(Member).where(Member.telegram_user_id == uid))


async def _page(bot, uid: int, path: str) -> str:
    """A web page as the person opens it from the chat's sign-in link."""
    import aiohttp

    from tests.web import LINK_RE

    link = next(f.group(0) for t in texts_of(await bot.say(uid, "/web")) if (f := LINK_RE.search(t)))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(link) as r:
            assert r.status == 200
        async with http.get(link.split("/web/")[0] + path) as r:
            assert r.status == 200, (path, r.status)
            return await r.text()


@pytest.fixture
async def province(bot):
    async with bot.db.session() as session:
        await units.import_units(session, units.parse_units_csv(UNITS_CSV + SUB_UNITS))
    await add_admin(bot.db, P_ADMIN)
    await bot.say(P_ADMIN, "/help")
    await _join(bot, P_LEADER, await make_invite(bot.db, "DN", "leader"))
    # The xã offices: admins invited for their xã, by the province's admin, in chat.
    await _join(bot, XA_ADMIN, await _invite_in_chat(bot, "admin", "XD"))
    await _join(bot, XB_ADMIN, await _invite_in_chat(bot, "admin", "CM"))
    for uid, unit in ((XD1, "XD"), (CM1, "CM"), (LB1, "LB"), (T1, "XDT1"), (T2, "XDT2"), (TH, "XDTH"),
                      (DT, "XDDT"), (CMT, "CMT1")):
        await _join(bot, uid, await make_invite(bot.db, unit, "officer"))
    async with bot.db.session() as session:
        admin = await session.scalar(select(Member).where(Member.telegram_user_id == P_ADMIN))
        result = await campaigns.launch(session, {
            "title": "Phong trào thi đua “Chung sức xây dựng nông thôn mới” năm 2026", "doc_number": "5232/KH-UBND",
            "issued_on": "2026-05-11", "period_start": "2026-06-01", "period_end": "2027-12-31",
            "reporting_cadence": "6-monthly", "reward_forms": ["Giấy khen", "Bằng khen"],
            "target_mode": "units", "target_units": ["XD", "CM", "LB"]}, admin.id)
    assert result.campaign_id == 1 and result.units == 3
    for uid in (XD1, CM1, LB1):
        await bot.sim.wait_for(lambda m: "PHÁT ĐỘNG" in (m.get("text") or ""), chat_id=uid, timeout=15)
    return bot


async def test_a_xa_carries_out_the_province_plan_and_puts_a_nomination_forward(province):
    bot = province
    xa = await _member(bot, XA_ADMIN)
    async with bot.db.session() as session:
        xd = await units.unit_by_code(session, "XD")
    assert xa.role == "admin" and xa.scope_unit_id == xd.id  # the invite named the xã
    assert (await _member(bot, P_ADMIN)).scope_unit_id is None  # the province's office: the whole tree

    # The xã's office launches its implementing plan; the bot links it to the province's #1.
    assert "Gửi văn bản kế hoạch" in texts_of(await bot.say(XA_ADMIN, "/new_campaign"))[0]
    read = texts_of(await bot.send_file(XA_ADMIN, "kh-12-xuan-duong.txt", XA_PLAN.encode(), "text/plain"))[0]
    assert "Thực hiện Kế hoạch số 5232/KH-UBND — phong trào #1 của cấp trên" in read, read
    assert "lấy theo cấp trên: ngày bắt đầu, ngày kết thúc, báo cáo định kỳ, hình thức khen thưởng" in read
    assert "Thời gian: từ 01/06/2026 đến 31/12/2027" in read
    codes = texts_of(await bot.say(XA_ADMIN, "4"))[0]
    assert "XDT1 — Thôn 1" in codes and "XDTH — Trường Tiểu học Xuân Đường" in codes
    assert "CMT1" not in codes and "LB —" not in codes and "XD — " not in codes  # only its own units
    refused = texts_of(await bot.say(XA_ADMIN, "XDT1, CMT1"))[0]
    assert "CMT1 không thuộc phạm vi của bạn" in refused
    review = (await bot.say(XA_ADMIN, "XDT1, XDT2, XDTH, XDDT"))[-1]
    launched = texts_of(await bot.press(XA_ADMIN, review["message_id"], button(review, "confirm")))
    assert any("Đã phát động #2: gửi tới 4 cán bộ của 4 đơn vị" in t for t in launched), launched
    async with bot.db.session() as session:
        child = await session.get(Campaign, 2)
        assert (child.parent_campaign_id, child.owner_unit_id, child.reporting_cadence) == (1, xd.id, "6-monthly")
        assert child.reward_forms == ["Giấy khen", "Bằng khen"]
        assert {u for (u,) in (await session.execute(select(CampaignUnit.unit_id).where(
            CampaignUnit.campaign_id == 2))).all()} == {
            (await units.unit_by_code(session, c)).id for c in ("XDT1", "XDT2", "XDTH", "XDDT")}

    # The sub-units' officers get it (not the other xã's), acknowledge and nominate.
    for uid in (T1, T2, TH, DT):
        await bot.sim.wait_for(lambda m: "PHÁT ĐỘNG" in (m.get("text") or "") and "12/KH-UBND" in m["text"],
                               chat_id=uid, timeout=15)
        bot.new_messages(uid)
    assert not any("12/KH-UBND" in (m.get("text") or "") for m in bot.sim.messages(CMT) + bot.sim.messages(CM1))
    for uid in (T1, T2, TH):
        launch = next(m for m in bot.sim.messages(uid) if "12/KH-UBND" in (m.get("text") or ""))
        await bot.press(uid, launch["message_id"], "ack:2")
    done = await nominate_individual(bot, T1, name="Trần Thị Hoa")
    review = done[-1]
    assert any("Đã gửi đề xuất" in t for t in texts_of(await bot.press(T1, review["message_id"], button(review, "confirm"))))
    done = await nominate_individual(bot, TH, name="Lê Văn Minh")
    await bot.press(TH, done[-1]["message_id"], button(done[-1], "confirm"))

    # The xã's office reviews its own queue; the province's queue does not hold the xã's nominations.
    queue = "\n".join(texts_of(await bot.say(XA_ADMIN, "/review")))
    assert "Trần Thị Hoa" in queue or "Lê Văn Minh" in queue, queue
    assert "Trần Thị Hoa" not in "\n".join(texts_of(await bot.say(P_ADMIN, "/review")))
    async with bot.db.session() as session:
        hoa = await session.scalar(select(Nomination).where(Nomination.full_name == "Trần Thị Hoa"))
    approved = await bot.say(XA_ADMIN, f"/approve {hoa.id}")
    offer = next(m for m in approved if "Đã duyệt" in (m.get("text") or ""))
    assert offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"c:forward:{hoa.id}"
    forwarded = texts_of(await bot.press(XA_ADMIN, offer["message_id"], "c:forward:" + str(hoa.id)))
    assert any(f"đề xuất #{hoa.id} đi tiếp thành" in t and "phong trào #1" in t for t in forwarded), forwarded
    again = texts_of(await bot.say(XA_ADMIN, f"/forward {hoa.id}"))
    assert any("đã" in t.lower() and f"#{hoa.id}" in t for t in again), again  # once only

    # The province's office is told and finds it in its queue, with the xã's review history.
    await bot.sim.wait_for(lambda m: "Xã Xuân Đường đề nghị khen thưởng" in (m.get("text") or ""),
                           chat_id=P_ADMIN, timeout=15)
    card = "\n".join(texts_of(await bot.say(P_ADMIN, "/review")))
    assert "Trần Thị Hoa" in card and "Xã Xuân Đường" in card
    assert f"↪️ Cấp dưới đề nghị: Thôn 1 đã duyệt #{hoa.id} ở phong trào #2" in card, card
    async with bot.db.session() as session:
        carried = await session.scalar(select(Nomination).where(Nomination.forwarded_from_id == hoa.id))
        assert (carried.campaign_id, carried.unit_id, carried.status) == (1, xd.id, "submitted")

    # The province's /campaign 1: xã Xuân Đường launched (with its units' counts), Cẩm Mỹ not.
    detail = "\n".join(texts_of(await bot.say(P_ADMIN, "/campaign 1")))
    assert "Kế hoạch thực hiện của đơn vị: 1/3 đã phát động" in detail, detail
    assert "Xã Xuân Đường: ✅ đã phát động #2 — 3/4 đơn vị đã nhận, 0 báo cáo, 2 đề xuất (1 đã duyệt)" in detail
    assert "Xã Cẩm Mỹ: ⏳ chưa phát động kế hoạch thực hiện" in detail
    status = "\n".join(texts_of(await bot.say(P_LEADER, "/status 1")))  # the province's leader: the same roll-up
    assert "Xã Xuân Đường: ✅ đã phát động #2" in status and "Xã Cẩm Mỹ: ⏳ chưa phát động" in status, status
    digest = "\n".join(texts_of(await bot.say(P_LEADER, "/digest")))  # and the province's digest
    assert ("• Kế hoạch thực hiện: 1/3 đơn vị đã phát động; cấp dưới: 3/4 đơn vị đã nhận, 0 báo cáo, 2 đề xuất "
            "(1 đã duyệt).") in digest, digest
    page = await _page(bot, P_ADMIN, "/web/campaigns/1")  # and the province's dashboard
    assert "Kế hoạch thực hiện của đơn vị: 1/3 đã phát động" in page and "Xã Xuân Đường: ✅ đã phát động #2" in page
    child_view = "\n".join(texts_of(await bot.say(XA_ADMIN, "/campaign 2")))  # a notice may come between
    assert "↪️ Thực hiện phong trào #1 của cấp trên" in child_view

    # The child's report periods fall before the parent's due dates (reports.implementing_lead_days).
    await bot.say(P_ADMIN, "/periods 1")
    await bot.say(XA_ADMIN, "/periods 2")
    async with bot.db.session() as session:
        parent_due = [p.due_on for p in (await session.scalars(select(ReportPeriod).where(
            ReportPeriod.campaign_id == 1).order_by(ReportPeriod.due_on))).all()]
        child_due = [p.due_on for p in (await session.scalars(select(ReportPeriod).where(
            ReportPeriod.campaign_id == 2).order_by(ReportPeriod.due_on))).all()]
    assert parent_due and child_due == [d - timedelta(days=bot.settings.reports.implementing_lead_days)
                                        for d in parent_due]

    # The xã reports upstairs with its units' figures summed under the questions.
    await bot.say(P_ADMIN, "/confirm_periods 1")
    await bot.say(XA_ADMIN, "/confirm_periods 2")
    async with bot.db.session() as session:
        child_period = await session.scalar(select(ReportPeriod).where(ReportPeriod.campaign_id == 2)
                                            .order_by(ReportPeriod.due_on).limit(1))
        parent_period = await session.scalar(select(ReportPeriod).where(
            ReportPeriod.campaign_id == 1, ReportPeriod.label == child_period.label))
        clock.set_now(datetime.combine(child_period.due_on - timedelta(days=1), time(9), clock.LOCAL_TZ))
        for code, figures in (("XDT1", {"exemplars": 3, "new_models": 1}), ("XDTH", {"exemplars": 2})):
            unit = await units.unit_by_code(session, code)
            await report_periods.submit_report(session, child_period.id, unit.id, None,
                                               "Đã triển khai kế hoạch tới toàn bộ hộ dân trong thôn.", figures)
    await bot.say(XD1, f"/report {parent_period.id}")
    asked = "\n".join(texts_of(await bot.say(XD1, "Xã đã triển khai kế hoạch tới các thôn, trường học và đoàn thể.")))
    assert "Các đơn vị trực thuộc đã báo cáo (2/4 đơn vị): tổng 5. Gõ 5 để dùng số này." in asked, asked
    asked = "\n".join(texts_of(await bot.say(XD1, "5")))
    assert "tổng 1. Gõ 1 để dùng số này." in asked, asked
    clock.set_now(None)

    # The other xã's office sees none of it.
    for command in ("/campaign 2", f"/approve {hoa.id}", "/members XDT1", "/status 2"):
        reply = "\n".join(texts_of(await bot.say(XB_ADMIN, command)))
        assert "không thuộc phạm vi của bạn" in reply, (command, reply)
    listing = "\n".join(texts_of(await bot.say(XB_ADMIN, "/campaigns")))
    assert "#2" not in listing
    assert "Trần Thị Hoa" not in "\n".join(texts_of(await bot.say(XB_ADMIN, "/review")))


# Tables whose rows record what was said or who signed in, not the office's data.
_TRAFFIC = {"inbox", "outbox", "audit_log", "form_drafts", "web_sessions", "web_signins", "send_budget",
            "first_contacts", "zalo_usage"}


async def _data(bot) -> dict[str, list]:
    """Every row of every table of the office's data, as plain tuples."""
    from storage.models import Base

    out = {}
    async with bot.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in _TRAFFIC:
                rows = (await conn.execute(select(table).order_by(*table.primary_key.columns))).all()
                out[table.name] = [tuple(r) for r in rows]
    return out


async def test_a_xa_office_is_refused_every_command_and_page_on_another_xa_and_nothing_changes(province):
    import aiohttp

    from storage.council_models import VoteSession
    from tests.web import LINK_RE

    bot = province
    xb = await _member(bot, XB_ADMIN)
    async with bot.db.session() as session:
        own = await campaigns.launch(session, {  # xã A's own campaign, to its own units
            "title": "Phong trào thi đua “Xuân Đường sáng, xanh, sạch” năm 2026", "target_mode": "all",
            "reward_forms": ["Giấy khen"]}, (await _member(bot, XA_ADMIN)).id)
        other = await campaigns.launch(session, {  # xã B's campaign, to its own units
            "title": "Phong trào thi đua “Cẩm Mỹ chung tay xây dựng nông thôn mới” năm 2026", "target_mode": "all",
            "reward_forms": ["Giấy khen", "Bằng khen"], "reporting_cadence": "6-monthly",
            "period_start": "2026-06-01", "period_end": "2027-06-30"}, xb.id)
    cb, ca = other.campaign_id, own.campaign_id
    assert other.units == 1 and own.units == 4  # each office's own units only
    await bot.sim.wait_for(lambda m: "PHÁT ĐỘNG" in (m.get("text") or ""), chat_id=CMT, timeout=15)
    bot.new_messages(CMT)
    done = await nominate_individual(bot, CMT, name="Phạm Văn Tâm")
    await bot.press(CMT, done[-1]["message_id"], button(done[-1], "confirm"))
    await bot.say(XB_ADMIN, f"/periods {cb}")
    async with bot.db.session() as session:
        nb = await session.scalar(select(Nomination.id).where(Nomination.full_name == "Phạm Văn Tâm"))
        mb = (await _member(bot, CMT)).id
        period = await session.scalar(select(ReportPeriod.id).where(ReportPeriod.campaign_id == cb))
        vote = VoteSession(campaign_id=cb, status="open", council_size=3, deadline_at=clock.now() + timedelta(days=3),
                           opened_by_member_id=xb.id, ballot_salt="s" * 32)
        session.add(vote)
        await session.flush()
        sb = vote.id
    before = await _data(bot)

    commands = [f"/{name} {cb}" for name in (
        "campaign", "resend", "status", "export", "report_docx", "periods", "confirm_periods", "vote_open",
        "registration_call", "registrations")]
    commands += [f"/quota {cb} CMT1 3", f"/quota {ca} CMT1 3", "/members CM", "/members CMT1"]
    commands += [f"/{name} {nb}" for name in ("approve", "reject", "return_nomination", "later", "forward")]
    commands += [f"/deactivate {mb}"]
    commands += [f"/{name} {sb}" for name in ("vote_close", "vote_extend", "vote_status", "vote_docs", "decision")]
    commands += ["/invite officer CMT1", "/invite admin CM"]
    from bot.core import access

    named = {c.split()[0][1:] for c in commands}
    assert set(access.TARGETS) - {"history_merge", "history_split"} <= named  # every numbered command is tried
    for command in commands:
        replies = texts_of(await bot.say(XA_ADMIN, command))
        assert any("không thuộc phạm vi của bạn" in r for r in replies), (command, replies)
    # Lists: none of xã B's campaigns, nominations or people.
    for command in ("/campaigns", "/review", "/members"):
        shown = "\n".join(texts_of(await bot.say(XA_ADMIN, command)))
        assert "Cẩm Mỹ chung tay" not in shown and "Phạm Văn Tâm" not in shown and "Ấp 1" not in shown, (command, shown)

    # The web pages, signed in from the chat as xã A's admin.
    link = next(f.group(0) for t in texts_of(await bot.say(XA_ADMIN, "/web")) if (f := LINK_RE.search(t)))
    base = link.split("/web/")[0]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(link) as r:
            assert r.status == 200
        async with bot.db.session() as session:
            cm = await units.unit_by_code(session, "CM")
        for path in (f"/web/campaigns/{cb}", f"/web/campaigns/{cb}/chart.png", f"/web/campaigns/{cb}/xlsx",
                     f"/web/campaigns/{cb}/docx/{period}", f"/web/nominations/{nb}", f"/web/units/{cm.id}/invites"):
            async with http.get(base + path) as r:
                assert r.status in (403, 404), (path, r.status)
                assert "Phạm Văn Tâm" not in await r.text(errors="replace")
        for path in ("/web/campaigns", "/web/review", "/web/units"):
            async with http.get(base + path) as r:
                page = await r.text()
                assert r.status == 200 and "Cẩm Mỹ chung tay" not in page and "Phạm Văn Tâm" not in page, path
                assert "Ấp 1" not in page, path
        async with http.get(base + f"/web/campaigns/{ca}") as r:
            assert r.status == 200  # its own campaign's page opens
    assert await _data(bot) == before  # nothing of the office's data changed
