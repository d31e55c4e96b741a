"""Admins: list members, deactivate one."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from bot import texts
from bot.services import members, outbox, units
from handlers import menu
from handlers.access import require_role
from handlers.context import BotContext

log = logging.getLogger(__name__)
MAX_LISTED = 60


@require_role("admin")
async def list_members(update: Update, context: BotContext) -> None:
    """/members [UNIT_CODE]: active members, with the numbers /deactivate takes."""
    message = update.effective_message
    if len(context.args) > 1:
        await message.reply_text(texts.MEMBERS_USAGE)
        return
    code = context.args[0] if context.args else None
    async with context.db.session() as session:
        if code and await units.unit_by_code(session, code) is None:
            await message.reply_text(texts.UNIT_NOT_FOUND.format(code=code))
            return
        people = await members.active_members(session, code)
    if not people:
        await message.reply_text(texts.MEMBERS_EMPTY)
        return
    lines = [f"Thành viên đang hoạt động ({len(people)}):"]
    for m in people[:MAX_LISTED]:
        unit = f", {m.unit.name}" if m.unit else ""
        flag = "" if m.reachable else " ⚠️ không liên lạc được"
        lines.append(f"#{m.id} {m.full_name} — {texts.ROLE_SHORT[m.role]}{unit}{flag}")
    if len(people) > MAX_LISTED:
        lines.append(f"… và {len(people) - MAX_LISTED} người nữa. Gõ /members MÃ_ĐƠN_VỊ để lọc.")
    await message.reply_text("\n".join(lines))


@require_role("admin")
async def deactivate(update: Update, context: BotContext) -> None:
    """/deactivate ID: end someone's membership and tell them."""
    message = update.effective_message
    arg = context.args[0].lstrip("#") if len(context.args) == 1 else ""
    if not arg.isdigit():
        await message.reply_text(texts.DEACTIVATE_USAGE)
        return
    member_id = int(arg)
    async with context.db.session() as session:
        try:
            target = await members.deactivate(session, context.member.id, member_id)
        except members.MemberError as exc:
            reply = {
                "not_found": texts.DEACTIVATE_NOT_FOUND.format(id=member_id),
                "self": texts.DEACTIVATE_SELF,
                "already_left": texts.DEACTIVATE_ALREADY.format(id=member_id),
            }[exc.reason]
            await message.reply_text(reply)
            return
        unit = f", {target.unit.name}" if target.unit else ""
        done = texts.DEACTIVATED.format(
            name=target.full_name, role=texts.ROLE_SHORT[target.role], unit=unit
        )
        where = members.destination(target)
        if where["channel"] != "telegram":  # their channel is not this bot's: the outbox delivers it
            await outbox.enqueue(session, **where, member_id=target.id, kind="notice",
                                 payload={"method": "sendMessage", "text": texts.YOU_WERE_DEACTIVATED})
        chat_id = target.chat_id  # their Telegram chat, if they have one: its menu goes
    await message.reply_text(done)
    if chat_id is None:
        return
    if where["channel"] == "telegram":
        try:
            await context.bot.send_message(chat_id, texts.YOU_WERE_DEACTIVATED)
        except TelegramError as exc:  # they may have blocked the bot; the deactivation stands
            log.info("could not tell chat %s of its deactivation: %s", chat_id, exc)
    await menu.clear_menu_for(context.bot, chat_id)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("members", list_members))
    app.add_handler(CommandHandler("deactivate", deactivate))
