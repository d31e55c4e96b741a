"""The Telegram face of the form engine: screens as messages with buttons, replies as steps."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.inbox import current_row_id
from bot.forms import FileInput, FormEngine, Reply, Screen, StaleDraft, completions
from bot.forms.completions import FormRejected
from bot.text_chunks import clip
from handlers.context import BotContext

log = logging.getLogger(__name__)

# A confirmed form is acted on by its channel-neutral completion (bot.forms.completions), or —
# for forms only Telegram offers (the campaign launch, with its progress message) — by one
# registered here, which sees the Update. Either runs in the session that deletes the draft, so
# a failure keeps the draft; it returns extra text to show, or raises FormRejected.
Completion = Callable[[Update, BotContext, AsyncSession, Screen], Awaitable[str | None]]
COMPLETIONS: dict[str, Completion] = {}
AfterCommit = Callable[[Update, BotContext, Screen, str | None], Awaitable[None]]
AFTER_COMMIT: dict[str, AfterCommit] = {}

__all__ = ["FormRejected", "on_complete", "after_commit", "engine", "show", "open_form", "step"]


def on_complete(form: str, after_commit=None):
    def register(fn: Completion) -> Completion:
        COMPLETIONS[form] = fn
        if after_commit is not None:
            AFTER_COMMIT[form] = after_commit
        return fn

    return register


def after_commit(form: str, fn: AfterCommit) -> None:
    """What Telegram does once the form's work is committed (show the next item, start sending…)."""
    AFTER_COMMIT[form] = fn


def engine(context: BotContext) -> FormEngine:
    return context.application.bot_data["forms"]


def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    rows = []
    for row in screen.buttons:
        cells = []
        for b in row:
            data = f"f:{screen.draft_id}:{b.action}:{b.arg}"
            if len(data.encode()) > 64:  # Telegram's limit; choices are declared short, so this is a bug
                log.error("button data too long: %r", data)
                continue
            cells.append(InlineKeyboardButton(b.label, callback_data=data))
        if cells:
            rows.append(cells)
    return InlineKeyboardMarkup(rows) if rows else None


async def show(message: Message, screen: Screen, extra: str | None = None) -> None:
    text = screen.text if not extra else f"{screen.text}\n\n{extra}"
    await message.reply_text(clip(text), reply_markup=keyboard(screen))


async def open_form(update: Update, context: BotContext, form: str, **kwargs) -> None:
    async with context.db.session() as session:
        screen = await engine(context).open(session, context.member.id, form, **kwargs)
    await show(update.effective_message, screen)


async def step(update: Update, context: BotContext, reply: Reply, draft_id: int | None = None) -> bool:
    """Apply one reply to the person's draft and show what comes next. False: no draft."""
    message = update.effective_message
    extra = None
    reply = dataclasses.replace(reply, update_id=current_row_id())  # a repeat is not applied twice
    try:
        async with context.db.session() as session:
            screen = await engine(context).handle(session, context.member.id, reply, draft_id)
            if screen is None:
                return False
            if screen.status == "done":
                if screen.form in COMPLETIONS:
                    extra = await COMPLETIONS[screen.form](update, context, session, screen)
                else:
                    extra = await completions.complete(session, context.member.id, screen)
    except StaleDraft:
        if update.callback_query:
            await update.callback_query.answer(texts.STALE_BUTTON, show_alert=True)
        return True
    except FormRejected as rejected:
        async with context.db.session() as session:
            screen = await engine(context).resume(session, context.member.id)
        await message.reply_text(f"⚠️ {rejected}")
        if screen is not None:
            await show(message, screen)
        return True
    if update.callback_query:
        await update.callback_query.answer()
        # The pressed question is answered: drop its buttons so an old one cannot be pressed again.
        try:
            await update.callback_query.edit_message_reply_markup(None)
        except Exception:  # noqa: BLE001 - cosmetic; the step itself is done
            log.debug("could not clear buttons", exc_info=True)
    await show(message, screen, extra)
    if screen.status == "done" and screen.form in AFTER_COMMIT:
        await AFTER_COMMIT[screen.form](update, context, screen, extra)
    return True


async def on_button(update: Update, context: BotContext) -> None:
    """A form button: f:<draft>:<action>:<arg>."""
    _, draft_id, action, arg = update.callback_query.data.split(":", 3)
    await step(update, context, Reply(action=action, arg=arg or None), draft_id=int(draft_id))


async def on_navigation(update: Update, context: BotContext) -> None:
    """/back, /skip, /cancel, /confirm typed instead of pressed."""
    action = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    if not await step(update, context, Reply(action=action)):
        await update.effective_message.reply_text(texts.NEW_CAMPAIGN_NOT_NEEDED)


def _file_input(context: BotContext, file_id: str, filename: str, size: int, mime: str | None) -> FileInput:
    async def fetch() -> bytes:
        telegram_file = await context.bot.get_file(file_id)
        return bytes(await telegram_file.download_as_bytearray())

    # size is Telegram's file_size: the form checks it against the cap before fetch() is called.
    return FileInput(filename=filename, size=size, mime_type=mime, fetch=fetch, limits=context.settings.files)


async def on_message(update: Update, context: BotContext) -> None:
    """Anything typed or sent goes to the draft in progress; without one it is not understood."""
    message = update.effective_message
    if message.document:
        doc = message.document
        reply = Reply(file=_file_input(context, doc.file_id, doc.file_name or "tep", doc.file_size or 0, doc.mime_type))
    elif message.photo:
        photo = message.photo[-1]
        reply = Reply(file=_file_input(context, photo.file_id, f"anh-{photo.file_unique_id}.jpg", photo.file_size or 0, "image/jpeg"))
    elif message.text:
        reply = Reply(text=message.text)
    else:
        kind = "sticker" if message.sticker else "other"
        reply = Reply(unsupported=kind)
    if not await step(update, context, reply):
        await message.reply_text(texts.UNKNOWN_MESSAGE)


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^f:\d+:[a-z]+:"))
    app.add_handler(CommandHandler(["back", "skip", "cancel", "confirm"], on_navigation))
    app.add_handler(MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, on_message))
