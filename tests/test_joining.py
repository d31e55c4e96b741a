"""People join with invites made by the CLI, through the simulator, as a person would."""

from __future__ import annotations

import asyncio

import json
import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select

from bot import clock
from storage.models import AuditEntry, Invite, Member
from tests.conftest import add_admin, make_invite, texts_of

OFFICER = 2001
STRANGER = 2002
ADMIN = 2003
OTHER = 2004


async def cli(db_url: str, *args: str) -> subprocess.CompletedProcess:
    """The CLI in its own process while the bot goes on running (its event loop is not blocked)."""
    env = {**os.environ, "THIDUA_DATABASE_URL": db_url, "THIDUA_CONFIG": os.devnull}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, timeout=60,
        check=False)


async def test_officer_joins_with_a_cli_invite_and_others_are_refused(bot, db_url):
    made = await cli(db_url, "invite", "--unit", "LB", "--role", "officer", "--count", "2")
    assert made.returncode == 0, made.stderr
    codes = [line.split()[0] for line in made.stdout.splitlines() if "/start" in line]
    assert len(codes) == 2
    bot.sim.add_user(OFFICER, "Lê Thị Mai")

    replies = texts_of(await bot.join(OFFICER, codes[0]))
    assert len(replies) == 1
    assert "Chào mừng Lê Thị Mai" in replies[0]
    assert "Cán bộ phụ trách thi đua" in replies[0] and "Phường Long Bình" in replies[0]
    assert "/mydata" in replies[0]  # the welcome says what is stored and how to see it

    whoami = texts_of(await bot.say(OFFICER, "/whoami"))[0]
    assert "Lê Thị Mai" in whoami and "Phường Long Bình (mã LB)" in whoami

    # The menu is set for this chat, with the officer's commands only.
    menu = [c["command"] for c in bot.sim.commands_for({"type": "chat", "chat_id": OFFICER})]
    assert "whoami" in menu and "members" not in menu

    # The same code again, by someone else.
    replies = texts_of(await bot.join(STRANGER, codes[0]))
    assert replies == ["Mã mời này đã được dùng. Mỗi mã chỉ dùng một lần — hãy liên hệ Văn phòng để được cấp mã mới."]
    # An unknown code.
    assert "không đúng" in texts_of(await bot.say(STRANGER, "/start KHONGCOMA99"))[0]
    # A stranger's /help and a stray message.
    assert "cần mã mời" in texts_of(await bot.say(STRANGER, "/help"))[0]
    assert "chưa tham gia" in texts_of(await bot.say(STRANGER, "xin chào"))[0]
    # /start with no code explains how to join.
    assert "mã mời" in texts_of(await bot.say(STRANGER, "/start"))[0]

    async with bot.db.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == OFFICER))
        invite = await session.scalar(select(Invite).where(Invite.code == codes[0]))
        assert invite.used_by_member_id == member.id and invite.used_at is not None
        assert member.role == "officer" and member.chat_id == OFFICER
        assert await session.scalar(select(Member).where(Member.telegram_user_id == STRANGER)) is None


async def test_an_expired_code_is_refused(bot):
    code = await make_invite(bot.db, "XD", "officer", expires_days=1)
    clock.set_now(clock.now() + timedelta(days=2))
    replies = texts_of(await bot.join(STRANGER, code))
    assert replies == ["Mã mời này đã hết hạn. Hãy liên hệ Văn phòng để được cấp mã mới."]


async def test_a_code_typed_in_lower_case_still_works(bot):
    code = await make_invite(bot.db, "XD", "officer")
    replies = texts_of(await bot.join(OFFICER, f" {code.lower()} "))
    assert "Chào mừng" in replies[0] and "Xã Xuân Đường" in replies[0]


async def test_a_member_opening_a_second_invite_keeps_the_code_unused(bot):
    first = await make_invite(bot.db, "XD", "officer")
    second = await make_invite(bot.db, "CM", "officer")
    await bot.join(OFFICER, first)
    reply = texts_of(await bot.join(OFFICER, second))[0]
    assert "đã tham gia" in reply and "Xã Xuân Đường" in reply and "/leave" in reply
    async with bot.db.session() as session:
        assert (await session.scalar(select(Invite).where(Invite.code == second))).used_at is None


async def test_help_lists_only_the_commands_of_the_role(bot):
    await add_admin(bot.db, ADMIN)
    await bot.join(OFFICER, await make_invite(bot.db, 'LB', 'officer'))
    officer_help = texts_of(await bot.say(OFFICER, "/help"))[0]
    admin_help = texts_of(await bot.say(ADMIN, "/help"))[0]
    assert "/whoami" in officer_help and "/members" not in officer_help and "/deactivate" not in officer_help
    assert "/members" in admin_help and "/deactivate" in admin_help


async def test_admin_deactivates_a_member_who_is_told_and_loses_access(bot):
    await add_admin(bot.db, ADMIN)
    await bot.join(OFFICER, await make_invite(bot.db, 'LB', 'officer'))
    listing = texts_of(await bot.say(ADMIN, "/members LB"))[0]
    member_no = next(line.split()[0] for line in listing.splitlines() if "Phường Long Bình" in line)

    # An officer cannot deactivate anyone.
    assert "dành cho quản trị" in texts_of(await bot.say(OFFICER, f"/deactivate {member_no}"))[0]
    # Bad arguments get usage help.
    assert "Cách dùng" in texts_of(await bot.say(ADMIN, "/deactivate abc"))[0]
    assert "Không có thành viên số 999" in texts_of(await bot.say(ADMIN, "/deactivate 999"))[0]

    done = texts_of(await bot.say(ADMIN, f"/deactivate {member_no}"))[0]
    assert done.startswith("Đã vô hiệu hóa")
    assert "vô hiệu hóa" in texts_of(await bot.wait_new(OFFICER))[0]
    assert "chưa tham gia" in texts_of(await bot.say(OFFICER, "/whoami"))[0]
    async with bot.db.session() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "member.deactivated" in actions


async def test_a_member_leaves_after_confirming(bot):
    await bot.join(OFFICER, await make_invite(bot.db, 'LB', 'officer'))
    question = (await bot.say(OFFICER, "/leave"))[0]
    buttons = [b["callback_data"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["c:leave_confirmed:", "c:keep:"]
    await bot.press(OFFICER, question["message_id"], "c:keep:")
    assert bot.sim.messages(OFFICER)[-1]["text"] == "Đã hủy, không có gì thay đổi."
    assert "Họ tên" in texts_of(await bot.say(OFFICER, "/whoami"))[0]

    question = (await bot.say(OFFICER, "/leave"))[0]
    await bot.press(OFFICER, question["message_id"], "c:leave_confirmed:")
    assert bot.sim.messages(OFFICER)[-1]["text"].startswith("Bạn đã rời khỏi bot")
    assert "chưa tham gia" in texts_of(await bot.say(OFFICER, "/whoami"))[0]
    assert bot.sim.commands_for({"type": "chat", "chat_id": OFFICER}) == []


async def test_forged_and_stale_buttons_are_refused(bot):
    await bot.join(OFFICER, await make_invite(bot.db, 'LB', 'officer'))
    await bot.press(OFFICER, 99999, "admin:delete_everything")
    assert "không còn hiệu lực" in bot.sim.callback_answers[-1]["text"]
    # A stranger pressing a button is told first what the bot is, then asked to join.
    assert "trợ lý tự động" in texts_of(await bot.press(STRANGER, 99999, "c:leave_confirmed:"))[0]
    assert await bot.press(STRANGER, 99999, "c:leave_confirmed:") == []
    assert "chưa tham gia" in bot.sim.callback_answers[-1]["text"]


async def test_mydata_sends_what_is_stored_and_forget_erases_it(bot):
    await bot.join(OFFICER, await make_invite(bot.db, 'LB', 'officer'))
    summary, document = await bot.say(OFFICER, "/mydata")
    assert "Phường Long Bình" in summary["text"]
    data = json.loads(bot.sim.file_content(document["document"]["file_id"]).decode("utf-8"))
    assert data["accounts"]["telegram_user_ids"] == [OFFICER]
    assert data["memberships"][0]["unit"]["code"] == "LB"
    assert any(a["action"] == "member.joined" for a in data["activity"])

    question = (await bot.say(OFFICER, "/forget"))[0]
    await bot.press(OFFICER, question["message_id"], "c:forget_confirmed:")
    assert bot.sim.messages(OFFICER)[-1]["text"].startswith("Đã xóa dữ liệu cá nhân")
    async with bot.db.session() as session:
        assert await session.scalar(select(Member).where(Member.telegram_user_id == OFFICER)) is None
        entries = (await session.scalars(select(AuditEntry))).all()
    joined = [e for e in entries if e.action == "member.joined"]
    assert joined and all(e.actor_member_id is None and e.subject_member_id is None for e in joined)
    assert all(str(OFFICER) not in json.dumps(e.details) for e in entries)
    assert "chưa tham gia" in texts_of(await bot.say(OFFICER, "/whoami"))[0]


async def test_group_chats_are_told_to_write_privately(bot):
    bot.sim.add_group(-100500, "Nhóm thi đua", [OFFICER])
    update_id = bot.sim.send_text(OFFICER, "/whoami", chat_id=-100500)
    await bot.tracker.wait_processed(update_id)
    assert texts_of(bot.sim.messages(-100500)) == ["Hãy nhắn tin riêng cho bot để dùng các lệnh."]
