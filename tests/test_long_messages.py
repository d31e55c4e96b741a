"""Nothing the bot means to say is dropped: long lists are shortened at a line, measured as each
channel counts, with "… và N đơn vị khác"; the launch summary goes through the outbox and survives
flood limits and 5xx; a message to a leader that fails for good is shown to the admins."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from bot import clock
from bot.services import report_periods, units
from bot.text_chunks import utf16_len
from storage.models import Campaign, Member, OutboxMessage
from tests.conftest import add_admin, make_invite, texts_of
from tests.test_campaign_launch import PLAN, button
from tests.test_nudges import at, launch_six_monthly
from tests.test_zalo_channel import zbot  # noqa: F401 - zbot is a fixture

ADMIN, LEADER, BLOCKED_LEADER, LB1 = 6001, 6002, 6003, 6101
ZALO_LEADER = "8800000000000201"
MORE = re.compile(r"… và (\d+) đơn vị khác$")


async def join(bot, user_id: int, unit: str | None, role: str = "officer") -> None:
    assert "Chào mừng" in texts_of(await bot.join(user_id, await make_invite(bot.db, unit, role)))[0]


async def add_schools(db, n: int) -> list[str]:
    """n more units with long names (and no officer), under the province."""
    rows = "\n".join(f"T{i:03d},Trường Trung học cơ sở Nguyễn Văn Trỗi 📚 phân hiệu số {i:03d},trường,DN"
                     for i in range(n))
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(f"code,name,kind,parent_code\n{rows}\n"))
    return [f"T{i:03d}" for i in range(n)]


def shortened(text: str, limit: int, listed: int, line: str = r"• Trường Trung học .* số \d{3}") -> int:
    """Checks a shortened list: within limit, every bullet a whole line, the closing count right
    (bullets shown + N = listed) → how many were shown."""
    assert utf16_len(text) <= limit, utf16_len(text)
    match = MORE.search(text)
    assert match, text[-200:]
    shown = [ln for ln in text.split("\n") if ln.startswith("• ")]
    assert all(re.fullmatch(line, ln) for ln in shown), shown
    assert len(shown) + int(match[1]) == listed
    return len(shown)


async def test_an_escalation_naming_300_late_units_arrives_within_each_channels_length(zbot, bot):
    z = zbot
    await add_admin(bot.db, ADMIN)
    await bot.say(ADMIN, "/help")  # the admin's chat exists: their own digests arrive
    await join(bot, LEADER, "DN", "leader")
    await join(bot, BLOCKED_LEADER, "DN", "leader")
    clock.set_now(at(1, 5))
    await z.join(ZALO_LEADER, await make_invite(z.db, 'DN', 'leader'))
    schools = await add_schools(bot.db, 300)
    bot.sim.block_user(BLOCKED_LEADER)
    campaign_id, _ = await launch_six_monthly(bot.db, schools)
    await z.tick(at(1, 5, 9, 1), app=bot.app)  # the launch notice to the leaders

    await z.tick(at(23, 6), app=bot.app)  # past the last overdue nudge: the leaders are told

    [telegram] = [t for t in texts_of(bot.sim.messages(LEADER)) if "chưa nộp báo cáo" in t]
    assert telegram.startswith("📣 300 đơn vị chưa nộp báo cáo Sơ kết 6 tháng")
    assert shortened(telegram, 4096, 300) > 50
    [on_zalo] = [t for t in texts_of(z.new(ZALO_LEADER)) if "chưa nộp báo cáo" in t]
    assert shortened(on_zalo, 2000, 300) > 20

    # The leader who blocked the bot did not get it: the admins see so, in /campaign and the digest.
    async with bot.db.session() as session:
        failed = (await session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed"))).all()
        blocked_name = await session.scalar(select(Member.full_name).where(Member.telegram_user_id == BLOCKED_LEADER))
    # (This morning's digest to the blocked leader failed too: its text, and its chart unless the
    # drain still holds that one back for the chat's second.)
    assert {(r.kind, r.chat_id) for r in failed} == {
        ("campaign_notice", BLOCKED_LEADER), ("digest", BLOCKED_LEADER), ("report_escalation", BLOCKED_LEADER)}
    escalation = f"{blocked_name} (báo đơn vị chưa nộp báo cáo — đã chặn bot)"
    detail = texts_of(await bot.say(ADMIN, f"/campaign {campaign_id}"))[0]
    assert (f"⚠️ 2 tin gửi lãnh đạo không đến được: {escalation}; "
            f"{blocked_name} (thông báo phát động — đã chặn bot).") in detail
    assert utf16_len(detail) <= 4096 and MORE.search(detail)  # 300 units do not fit either: shortened alike
    # The digest shows what failed since the last one (this morning's): that digest's text and
    # chart to the blocked leader, and the escalation.
    digest = next(t for t in texts_of(await bot.say(ADMIN, "/digest")) if "BẢN TIN" in t)
    assert re.search(rf"⚠️ [23] tin gửi lãnh đạo không đến được: {blocked_name} \(bản tin(, 2 tin)? — đã chặn bot\); "
                     rf"{re.escape(escalation)}\.", digest), digest


async def test_the_launch_summary_of_a_one_unit_launch_arrives_through_429_and_500(bot):
    await add_admin(bot.db, ADMIN)
    await join(bot, LB1, "LB")
    await bot.say(ADMIN, "/new_campaign")
    await bot.send_file(ADMIN, PLAN.name, PLAN.read_bytes(), "text/plain")
    await bot.say(ADMIN, "4")
    review = (await bot.say(ADMIN, "LB"))[-1]
    await bot.press(ADMIN, review["message_id"], button(review, "confirm"))
    # The admin's chat is flooded right after the launch: Telegram answers the next message to it
    # (the summary: the officer's document is still a second away) 429, then 500 once.
    bot.sim.inject_faults("429", count=1, method="sendMessage", chat_id=ADMIN)
    bot.sim.inject_faults("500", count=1, method="sendMessage", chat_id=ADMIN)

    summary = await bot.sim.wait_for(lambda m: "Đã gửi xong phát động #1" in (m.get("text") or ""),
                                     chat_id=ADMIN, timeout=30)
    assert "Đơn vị đã nhận được tin: 1/1." in summary["text"] and "/campaign 1" in summary["text"]
    for _ in range(50):  # the simulator has it; the drain records it a moment later
        async with bot.db.session() as session:
            [row] = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "launch_summary"))).all()
        if row.status == "sent":
            break
        await asyncio.sleep(0.1)
    assert (row.status, row.chat_id) == ("sent", ADMIN) and row.attempts >= 2  # the 500 cost it a try
    assert len([m for m in bot.sim.messages(ADMIN) if "Đã gửi xong phát động" in (m.get("text") or "")]) == 1


async def test_a_launch_summary_naming_300_unreachable_units_is_shortened_at_a_line(bot):
    await add_admin(bot.db, ADMIN)
    await join(bot, LB1, "LB")
    await add_schools(bot.db, 300)
    await bot.say(ADMIN, "/new_campaign")
    await bot.send_file(ADMIN, PLAN.name, PLAN.read_bytes(), "text/plain")
    review = (await bot.say(ADMIN, "1"))[-1]  # every unit: 4 sample ones (not the province) and the 300 schools
    await bot.press(ADMIN, review["message_id"], button(review, "confirm"))

    summary = (await bot.sim.wait_for(lambda m: "Đã gửi xong phát động #1" in (m.get("text") or ""),
                                      chat_id=ADMIN, timeout=30))["text"]
    assert "Đơn vị đã nhận được tin: 1/304." in summary and "Không liên lạc được 303 đơn vị:" in summary
    assert "UBND tỉnh Đồng Nai" not in summary  # the root of the tree is not one of “all units”
    assert "Xem chi tiết và gửi lại: /campaign 1" in summary
    # By unit code: CM, SNV, then the schools; XD is among those summed up at the end.
    assert shortened(summary, 4096, 303, line=r"• .* \((chưa có cán bộ tham gia bot)\)") > 30
    async with bot.db.session() as session:
        assert (await session.get(Campaign, 1)).summary_sent_at is not None
