"""Joining with an invite, /help, /whoami and /leave."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import clock, texts
from bot.services import invites, members
from handlers import menu
from handlers.context import BotContext


def _full_name(update: Update) -> str:
    user = update.effective_user
    return user.full_name if user else ""


async def start(update: Update, context: BotContext) -> None:
    """/start [CODE]: join with an invite code, or explain how to get one."""
    message = update.effective_message
    member = context.member
    if not context.args:
        if member is not None:
            await message.reply_text(texts.help_text(member.role))
        else:
            await message.reply_text(texts.START_NO_CODE)
        return
    user = update.effective_user
    try:
        async with context.db.session() as session:
            joined = await invites.redeem(
                session,
                context.args[0],
                telegram_user_id=user.id,
                chat_id=update.effective_chat.id,
                full_name=_full_name(update),
            )
            view = members.view_of(joined)
    except invites.InviteError as exc:
        if exc.reason == "already_member":
            await message.reply_text(texts.already_member(exc.role, exc.unit_name))
        else:
            await message.reply_text(texts.INVITE_REFUSED[exc.reason])
        return
    context.member = view
    await message.reply_text(
        texts.welcome(view.full_name, view.role, view.unit_name, context.settings.organisation_name)
    )
    await menu.set_menu_for(context.bot, view.chat_id, view.role)


async def help_command(update: Update, context: BotContext) -> None:
    """/help: the commands of this person's role only."""
    await update.effective_message.reply_text(texts.help_text(context.member.role))


async def whoami(update: Update, context: BotContext) -> None:
    """/whoami: name, unit, role."""
    m = context.member
    await update.effective_message.reply_text(
        texts.whoami(m.full_name, m.role, m.unit_code, m.unit_name, clock.fmt_date(m.joined_at))
    )


def confirm_keyboard(action: str, yes_label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(yes_label, callback_data=f"{action}:yes"),
          InlineKeyboardButton(texts.CANCEL, callback_data=f"{action}:no")]]
    )


async def leave(update: Update, context: BotContext) -> None:
    """/leave: ask before leaving."""
    await update.effective_message.reply_text(
        texts.LEAVE_CONFIRM, reply_markup=confirm_keyboard("leave", texts.LEAVE_YES)
    )


async def leave_answer(update: Update, context: BotContext) -> None:
    """The answer to /leave's question."""
    query = update.callback_query
    await query.answer()
    if query.data != "leave:yes":
        await query.edit_message_text(texts.CANCELLED)
        return
    async with context.db.session() as session:
        try:
            await members.leave(session, context.member.id)
        except members.MemberError:
            pass  # already gone: the answer below is still true
    await query.edit_message_text(texts.LEFT)
    await menu.clear_menu_for(context.bot, context.member.chat_id)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("whoami", whoami))
    app.add_handler(CommandHandler("leave", leave))
    app.add_handler(CallbackQueryHandler(leave_answer, pattern=r"^leave:(yes|no)$"))
