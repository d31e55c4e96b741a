"""/mydata and /forget (PDPL 91/2025)."""

from __future__ import annotations

import json

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.services import personal_data
from bot.text_chunks import split_text
from handlers import menu
from handlers.context import BotContext
from handlers.membership import confirm_keyboard

# Characters per message: at most 2 UTF-16 units each, so a piece stays within Telegram's 4,096.
SUMMARY_PIECE = 2000


async def mydata(update: Update, context: BotContext) -> None:
    """/mydata: a summary and the full record as a JSON file."""
    async with context.db.session() as session:
        data = await personal_data.export(session, context.member.id)
    message = update.effective_message
    for piece in split_text(texts.mydata_summary(data), SUMMARY_PIECE):
        await message.reply_text(piece)
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await message.reply_document(payload, filename="du-lieu-ca-nhan.json", caption=texts.MYDATA_CAPTION)


async def forget(update: Update, context: BotContext) -> None:
    """/forget: ask before erasing."""
    await update.effective_message.reply_text(
        texts.FORGET_CONFIRM, reply_markup=confirm_keyboard("forget", texts.FORGET_YES)
    )


async def forget_answer(update: Update, context: BotContext) -> None:
    """The answer to /forget's question."""
    query = update.callback_query
    await query.answer()
    if query.data != "forget:yes":
        await query.edit_message_text(texts.CANCELLED)
        return
    async with context.db.session() as session:
        await personal_data.forget(session, context.member.id)
    await query.edit_message_text(texts.FORGOTTEN)
    if context.member.chat_id is not None:
        await menu.clear_menu_for(context.bot, context.member.chat_id)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("mydata", mydata))
    app.add_handler(CommandHandler("forget", forget))
    app.add_handler(CallbackQueryHandler(forget_answer, pattern=r"^forget:(yes|no)$"))
