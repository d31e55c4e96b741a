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
    await join(update, context, context.args[0])


async def join(update: Update, context: BotContext, code: str) -> None:
    """Join with `code` (typed, or held by bot.first_contact until they confirmed)."""
    message = update.effective_message
    user = update.effective_user
    try:
        async with context.db.session() as session:
            joined = await invites.redeem(
                session,
                code,
                telegram_user_id=user.id,
                chat_id=update.effective_chat.id,
                full_name=_full_name(update),
            )
            view = members.view_of(joined)
    except invites.InviteError as exc:
        if exc.audit:
            async with context.db.session() as session:
                invites.record_refusal(session, exc)
        if exc.reason == "already_member":
            await message.reply_text(texts.already_member(exc.role, exc.unit_name))
        else:
            await message.reply_text(texts.invite_refused(exc.reason, exc.here, exc.other))
        return
    context.member = view
    if view.zalo_user_id is not None:  # a link code: the same member, now on Telegram too
        where = f", {view.unit_name}" if view.unit_name else ""
        await message.reply_text(texts.LINKED.format(role=texts.ROLE_SHORT[view.role].lower(), where=where,
                                                     channel=texts.CHANNEL_NAMES[view.channel]))
    else:
        await message.reply_text(
            texts.welcome(view.full_name, view.role, view.unit_name, context.settings.organisation_name,
                          accepted_at=view.telegram_accepted_at)
        )
    await menu.set_menu_for(context.bot, view.chat_id, view.role)


async def link(update: Update, context: BotContext) -> None:
    """/link: a one-time code to type on Zalo, to be this same member there."""
    minutes = context.settings.link_code_minutes
    try:
        async with context.db.session() as session:
            code = (await invites.create_link_code(session, context.member.id, minutes=minutes)).code
    except invites.LinkError:
        await update.effective_message.reply_text(texts.LINK_COMPLETE)
        return
    await update.effective_message.reply_text(texts.LINK_CODE.format(code=code, minutes=minutes))


async def channel(update: Update, context: BotContext) -> None:
    """/channel [telegram|zalo]: where broadcasts, nudges and digests go."""
    message = update.effective_message
    member = context.member
    if not context.args:
        await message.reply_text(texts.CHANNEL_NOW.format(channel=texts.CHANNEL_NAMES[member.channel]))
        return
    wanted = context.args[0].lower()
    if wanted not in texts.CHANNEL_NAMES:
        await message.reply_text(texts.CHANNEL_BAD)
        return
    try:
        async with context.db.session() as session:
            await members.choose_channel(session, member.id, wanted)
    except members.MemberError:
        await message.reply_text(texts.CHANNEL_NO_CHAT.format(channel=texts.CHANNEL_NAMES[wanted]))
        return
    await message.reply_text(texts.CHANNEL_SET.format(channel=texts.CHANNEL_NAMES[wanted]))


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
    app.add_handler(CommandHandler("link", link))
    app.add_handler(CommandHandler("channel", channel))
    app.add_handler(CallbackQueryHandler(leave_answer, pattern=r"^leave:(yes|no)$"))
