"""What nobody else answered: unknown commands, stray messages, stale buttons.

Registered last in group 0: python-telegram-bot runs the first matching handler of each group,
so these only see what every feature let through.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot import texts
from handlers.context import BotContext



async def unknown_command(update: Update, context: BotContext) -> None:
    """A command no feature knows."""
    await update.effective_message.reply_text(texts.UNKNOWN_COMMAND)


async def unknown_message(update: Update, context: BotContext) -> None:
    """Text, stickers, files nobody asked for."""
    await update.effective_message.reply_text(texts.UNKNOWN_MESSAGE)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message, or forged data."""
    await update.callback_query.answer(texts.STALE_BUTTON, show_alert=True)


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, unknown_message))
    app.add_handler(CallbackQueryHandler(stale_button))
