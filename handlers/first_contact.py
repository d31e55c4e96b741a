"""First contact on Telegram (bot.first_contact): a stranger's first message gets the notice; a
deep link's `/start CODE` as the first message is held until they press “Đồng ý và tham gia”."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import first_contact
from bot.inbox import drop_payload
from bot.texts import first_contact as fct
from handlers import membership
from handlers.context import BotContext

CONSENT_DATA = "consent:yes"


def _join_code(update: Update) -> str | None:
    message = update.effective_message
    parts = (message.text or "").split() if message is not None and update.callback_query is None else []
    if len(parts) >= 2 and parts[0].split("@", 1)[0].lower() == "/start":
        return parts[1]
    return None


async def greet(update: Update, context: BotContext) -> bool:
    """For a stranger's update, from the access gate: True when it is answered here (the notice,
    or a confirmed join), False when it goes on to the features (they were told already)."""
    query, message, chat = update.callback_query, update.effective_message, update.effective_chat
    if message is None or chat is None:  # nothing to answer (a chat member change…): kept as keys only
        drop_payload()
        return True

    async def send(text: str, confirm: bool) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(fct.CONFIRM_BUTTON, callback_data=CONSENT_DATA)]])
        if query is not None:
            await query.answer()
        await context.bot.send_message(chat.id, text, reply_markup=markup if confirm else None)

    step = await first_contact.stranger(
        context.db, "telegram", update.effective_user.id, send, org_name=context.settings.organisation_name,
        join_code=_join_code(update), consents=query is not None and query.data == CONSENT_DATA)
    if step.join_code is not None:
        await query.answer()
        await membership.join(update, context, step.join_code)
        return True
    return step.handled
