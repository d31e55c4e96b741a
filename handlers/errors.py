"""The error handler: log, tell the person something went wrong, note blocked chats."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot import texts
from bot.inbox import note_error
from bot.services.members import set_reachable
from handlers.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Any exception from a handler ends here, never in a silent dropped update."""
    error = context.error
    chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    if isinstance(error, Forbidden) and chat_id is not None:
        # The person blocked the bot while we were answering: stop writing to them.
        async with context.db.session() as session:
            await set_reachable(session, chat_id, False)
        log.info("chat %s blocked the bot", chat_id)
        return
    log.error("error while handling an update", exc_info=error)
    if not note_error(error) or chat_id is None:  # the inbox will try it again: nothing to say yet
        return
    try:
        await context.bot.send_message(chat_id, texts.ERROR_GENERIC)
    except TelegramError:
        log.warning("could not tell chat %s about the error", chat_id)


def register(app: Application) -> None:
    app.add_error_handler(on_error)
