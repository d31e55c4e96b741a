"""The Telegram adapter of the conversation core: an update becomes a Turn, the Turn's messages
become Telegram messages (buttons, uploads, pop-ups). No feature logic lives here."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import undefer
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot import clock, jobs
from bot.core import dispatch, uploads
from bot.core.screens import Action, Message
from bot.core.turn import Person, Turn
from bot.forms import FileInput, Reply
from bot.inbox import current_row_id
from bot.text_chunks import clip
from handlers import menu
from handlers.context import BotContext
from storage.db import Database
from storage.models import Campaign, StoredFile

log = logging.getLogger(__name__)
CALLBACK_MAX = 64  # bytes of callback_data Telegram allows
# Buttons the outbox's payloads carry (bot.services.campaigns, nudges): prefix → command.
PAYLOAD_BUTTONS = {"ack": "ack", "rep": "report"}
ALERT_MAX = 200


def _markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """(label, callback data) rows as buttons; data over Telegram's 64 bytes is a bug, logged."""
    cells = []
    for row in rows:
        line = []
        for label, data in row:
            if len(data.encode()) > CALLBACK_MAX:  # commands, choices and their arguments are short
                log.error("button data too long: %r", data)
                continue
            line.append(InlineKeyboardButton(label, callback_data=data))
        if line:
            cells.append(line)
    return InlineKeyboardMarkup(cells) if cells else None


def _action_rows(rows: list[list[Action]]) -> list[list[tuple[str, str]]]:
    return [[(a.label, f"c:{a.command}:{' '.join(a.args)}") for a in row] for row in rows]


def action_markup(rows: list[list[Action]]) -> InlineKeyboardMarkup | None:
    return _markup(_action_rows(rows))


def form_markup(screen, actions: list[list[Action]] = ()) -> InlineKeyboardMarkup | None:  # noqa: ANN001 - a Screen
    """The form's buttons, then the actions offered with it (the upload page under a file question)."""
    rows = [[(b.label, f"f:{screen.draft_id}:{b.action}:{b.arg}") for b in row] for row in screen.buttons]
    return _markup(rows[:-1] + _action_rows(list(actions)) + rows[-1:] if rows else _action_rows(list(actions)))


def _file_input(context: BotContext, file_id: str, filename: str, size: int, mime: str | None) -> FileInput:
    async def fetch() -> bytes:
        telegram_file = await context.bot.get_file(file_id)
        return bytes(await telegram_file.download_as_bytearray())

    # size is Telegram's file_size: the form checks it against the cap before fetch() is called.
    return FileInput(filename=filename, size=size, mime_type=mime, fetch=fetch, limits=context.settings.files)


def _reply_of(update: Update, context: BotContext) -> Reply:
    message = update.effective_message
    if message.document:
        doc = message.document
        return Reply(file=_file_input(context, doc.file_id, doc.file_name or "tep", doc.file_size or 0, doc.mime_type))
    if message.photo:
        photo = message.photo[-1]
        return Reply(file=_file_input(context, photo.file_id, f"anh-{photo.file_unique_id}.jpg", photo.file_size or 0,
                                      "image/jpeg"))
    if message.text:
        return Reply(text=message.text)
    return Reply(unsupported="sticker" if message.sticker else "other")


def _turn(update: Update, context: BotContext, **kwargs) -> Turn:  # noqa: ANN003 - Turn's fields
    user, chat = update.effective_user, update.effective_chat
    person = Person("telegram", str(user.id), str(chat.id), user.full_name or "", context.member)
    return Turn(person, context.db, context.settings, context.application.bot_data["forms"],
                update_id=current_row_id(), **kwargs)


async def on_command(update: Update, context: BotContext) -> None:
    """Any /command: the core runs it (or says it does not know it)."""
    words = (update.effective_message.text or "").split()
    name = words[0].lstrip("/").split("@")[0].lower() if words else ""
    await _run(update, context, _turn(update, context, command=name, args=words[1:]))


async def on_message(update: Update, context: BotContext) -> None:
    """Text, files, photos, stickers: words of a command, or a reply to the draft in progress."""
    await _run(update, context, _turn(update, context, reply=_reply_of(update, context)))


async def on_button(update: Update, context: BotContext) -> None:
    """c:<command>:<args> (the core's actions), f:<draft>:<action>:<arg> (forms), ack:/rep: (outbox)."""
    data = update.callback_query.data or ""
    prefix, _, rest = data.partition(":")
    if prefix == "c":
        name, _, args = rest.partition(":")
        turn = _turn(update, context, command=name, args=args.split(), pressed=True)
    elif prefix == "f":
        draft, _, tail = rest.partition(":")
        action, _, arg = tail.partition(":")
        if not draft.isdigit():
            await update.callback_query.answer()
            return
        turn = _turn(update, context, reply=Reply(action=action, arg=arg or None), draft_id=int(draft), pressed=True)
    elif prefix in PAYLOAD_BUTTONS:
        turn = _turn(update, context, command=PAYLOAD_BUTTONS[prefix], args=[rest], pressed=True)
    else:
        turn = _turn(update, context, command="__stale__", pressed=True)
    await _run(update, context, turn)


async def _run(update: Update, context: BotContext, turn: Turn) -> None:
    await dispatch.handle(turn)
    context.member = turn.person.member
    await render(update, context, turn)
    await _effects(update, context, turn)


async def render(update: Update, context: BotContext, turn: Turn) -> None:
    query, message = update.callback_query, update.effective_message
    answered = False
    if query is not None:
        alerts = [m for m in turn.out if m.alert and len(m.text) <= ALERT_MAX]
        if alerts:
            await query.answer(alerts[0].text, show_alert=True)
        else:
            await query.answer()
        answered = True
        keep = action_markup(turn.pressed_keeps) if turn.pressed_keeps is not None else None
        refused = bool(turn.out) and all(m.alert for m in turn.out)  # a pop-up only: nothing was done
        if (turn.out and not refused) or keep is not None:  # the pressed question is answered: its buttons go
            try:
                await query.edit_message_reply_markup(keep)
            except (BadRequest, TelegramError):  # already like that, or too old to edit
                log.debug("could not change the pressed buttons", exc_info=True)
    for m in turn.out:
        if m.alert and answered and len(m.text) <= ALERT_MAX:
            continue
        await _send(context.bot, context.db, message.chat_id, m)


async def _send(bot: Bot, db: Database, chat_id: int, m: Message) -> None:
    """One message of a turn to the chat (in a private chat a reply is not quoted: the same)."""
    if m.file is not None:
        async with db.session() as session:
            stored = await session.scalar(select(StoredFile).where(StoredFile.id == m.file.file_id)
                                          .options(undefer(StoredFile.content)))
        if stored is None:
            return
        upload = InputFile(stored.content, filename=m.file.filename)
        try:
            if m.file.is_photo:
                await bot.send_photo(chat_id, upload, caption=m.file.caption or None)
            else:
                await bot.send_document(chat_id, upload, caption=m.file.caption or None)
        except TelegramError as exc:  # one bad file must not hide the rest of the answer
            log.warning("file %s not sent: %s", m.file.file_id, exc)
        return
    markup = form_markup(m.screen, m.actions) if m.screen is not None else action_markup(m.actions)
    await bot.send_message(chat_id, clip(m.text), reply_markup=markup)


def deliverer(app: Application):  # noqa: ANN201 - a bot.core.uploads.Deliver
    """A turn that no incoming message began (an upload through the web page) to the member's
    Telegram chat, rendered as any answer is."""

    async def deliver(turn: Turn) -> None:
        for m in turn.out:
            await _send(app.bot, app.bot_data["db"], int(turn.person.chat_id), m)
        if "kick" in turn.effects:
            await jobs.kick(app)

    return deliver


def inbox_handler(app: Application, updates):  # noqa: ANN001,ANN201 - inbox handlers (bot.inbox.Handler)
    """The Telegram channel's inbox rows: its updates, and files given through the upload page."""
    deliver = deliverer(app)

    async def handle(payload: dict) -> None:
        if uploads.is_upload(payload):
            await uploads.apply(app.bot_data["db"], app.bot_data["settings"], app.bot_data["forms"], "telegram",
                                payload, deliver)
        else:
            await updates(payload)

    return handle


async def _effects(update: Update, context: BotContext, turn: Turn) -> None:
    for effect in turn.effects:
        if effect == "menu" and turn.person.member is not None:
            await menu.set_menu_for(context.bot, int(turn.person.chat_id), turn.person.member.role)
        elif effect == "menu_cleared":
            await menu.clear_menu_for(context.bot, int(turn.person.chat_id))
        elif isinstance(effect, tuple) and effect[0] == "menu_cleared_for":
            await menu.clear_menu_for(context.bot, effect[1])
        elif isinstance(effect, tuple) and effect[0] == "progress":
            await _progress_message(update, context, effect[1], effect[2])
        elif effect == "kick":
            await jobs.kick(context.application)


async def _progress_message(update: Update, context: BotContext, campaign_id: int, text: str) -> None:
    """Telegram edits this message as the launch goes out (bot.launch_progress)."""
    progress = await update.effective_message.reply_text(text)
    async with context.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        campaign.progress_chat_id, campaign.progress_message_id = progress.chat_id, progress.message_id
        campaign.progress_updated_at = clock.now()
    await jobs.kick(context.application)


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.COMMAND, on_command))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, on_message))
