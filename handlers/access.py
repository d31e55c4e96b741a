"""The access gate (group -1): who is writing, looked up once per update; group chats refused.

What each person may do is the core's one policy (bot.core.access), for every channel."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.services.members import active_member, view_of
from handlers.context import BotContext

log = logging.getLogger(__name__)

async def gate(update: Update, context: BotContext) -> None:
    """Look up who is writing; refuse strangers and group chats before any feature handler runs."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    if chat is not None and chat.type != ChatType.PRIVATE:
        # The bot talks to people one by one; in groups it stays quiet except to say so.
        if update.message and update.message.text and update.message.text.startswith("/"):
            await update.message.reply_text("Hãy nhắn tin riêng cho bot để dùng các lệnh.")
        raise ApplicationHandlerStop
    try:
        async with context.db.session() as session:
            member = await active_member(session, user.id)
            if member is not None and chat is not None and member.chat_id != chat.id:
                member.chat_id = chat.id
            if member is not None and not member.reachable:
                member.reachable = True  # they wrote to us, so they can hear us again
            context.member = view_of(member) if member else None
    except Exception:
        # Without knowing who this is, no feature handler may run: report and stop here.
        log.exception("access gate failed")
        if update.effective_message:
            await update.effective_message.reply_text(texts.ERROR_GENERIC)
        raise ApplicationHandlerStop from None
    # Strangers go on to the conversation core, which lets them join and refuses the rest.


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, gate), group=-1)
