"""/digest, /digest_settings, /export and /report_docx: what leaders and admins read and forward."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import clock
from bot.texts import digests as t
from bot.services import digest_sending, digests, exports
from handlers.access import require_role
from handlers.context import BotContext, number_arg

log = logging.getLogger(__name__)
READERS = ("admin", "leader")


def _settings_keyboard(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(("✅ " if f == current else "") + t.FREQUENCY_NAMES[f].capitalize(), callback_data=f"dg:{f}")
        for f in digests.FREQUENCIES
    ]
    return InlineKeyboardMarkup([buttons])


@require_role(*READERS)
async def digest(update: Update, context: BotContext) -> None:
    """/digest: the digest now, with its chart (changes since the person's last digest)."""
    message = update.effective_message
    await _typing(update, context, ChatAction.TYPING)
    async with context.db.session() as session:
        rendered = await digest_sending.on_demand(session, context.member.id, context.settings, clock.now())
    await message.reply_text(rendered.text)
    if rendered.chart is not None:
        await message.reply_photo(rendered.chart, caption=rendered.caption, filename="ban-tin.png")


@require_role(*READERS)
async def digest_settings(update: Update, context: BotContext) -> None:
    """/digest_settings [ngày|tuần|tắt]: show or choose how often the digest comes."""
    message = update.effective_message
    cfg, quiet = context.settings.digest, context.settings.quiet_hours
    wanted = " ".join(context.args).strip().lower() if context.args else ""
    if wanted and wanted not in t.FREQUENCY_WORDS:
        await message.reply_text(t.DIGEST_SETTINGS_BAD.format(value=wanted[:40]))
        return
    async with context.db.session() as session:
        if wanted:
            sub = await digests.set_frequency(session, context.member.id, t.FREQUENCY_WORDS[wanted], cfg, quiet)
        else:
            sub = await digests.subscription(session, context.member.id, cfg, quiet)
        current, when = t.schedule_words(sub.frequency, digests.upcoming(sub, cfg, quiet), cfg.weekday)
        frequency = sub.frequency
    if wanted:
        await message.reply_text(t.DIGEST_SETTINGS_SAVED.format(current=current, when=when))
    else:
        await message.reply_text(t.DIGEST_SETTINGS.format(current=current, when=when),
                                 reply_markup=_settings_keyboard(frequency))


@require_role(*READERS)
async def digest_settings_button(update: Update, context: BotContext) -> None:
    """A frequency button under /digest_settings."""
    query = update.callback_query
    frequency = query.data.split(":", 1)[1]
    cfg, quiet = context.settings.digest, context.settings.quiet_hours
    async with context.db.session() as session:
        sub = await digests.set_frequency(session, context.member.id, frequency, cfg, quiet)
        current, when = t.schedule_words(sub.frequency, digests.upcoming(sub, cfg, quiet), cfg.weekday)
    await query.answer()
    try:
        await query.edit_message_text(t.DIGEST_SETTINGS_SAVED.format(current=current, when=when),
                                      reply_markup=_settings_keyboard(frequency))
    except TelegramError:  # "message is not modified" when the same button is pressed twice
        pass


async def _typing(update: Update, context: BotContext, action: str) -> None:
    try:
        await context.bot.send_chat_action(update.effective_chat.id, action)
    except TelegramError:  # only a courtesy
        pass


async def _send_export(update: Update, context: BotContext, build, caption: str) -> None:  # noqa: ANN001
    message = update.effective_message
    await _typing(update, context, ChatAction.UPLOAD_DOCUMENT)
    try:
        async with context.db.session() as session:
            made = await build(session)
    except exports.ExportError as exc:
        await message.reply_text(exc.text)
        return
    except Exception:
        log.exception("export failed")
        await message.reply_text(t.EXPORT_FAILED)
        return
    await message.reply_document(made.content, filename=made.filename,
                                 caption=caption.format(label=made.label, at=clock.fmt_datetime(clock.now())))


@require_role(*READERS)
async def export(update: Update, context: BotContext) -> None:
    """/export <campaign>: the campaign's XLSX (exemplars, reports, acknowledgements)."""
    campaign_id = number_arg(context)
    if campaign_id is None:
        await update.effective_message.reply_text(t.EXPORT_USAGE)
        return
    await _send_export(update, context, lambda s: exports.campaign_workbook(s, campaign_id),
                       t.EXPORT_XLSX_CAPTION.replace("{id}", str(campaign_id)))


@require_role(*READERS)
async def report_docx(update: Update, context: BotContext) -> None:
    """/report_docx <campaign> <period>: the DOCX summary report of one period."""
    campaign_id = number_arg(context)
    if campaign_id is None:
        await update.effective_message.reply_text(t.REPORT_DOCX_USAGE)
        return
    which = context.args[1] if len(context.args) > 1 else None
    await _send_export(update, context, lambda s: exports.period_report(s, campaign_id, which, context.settings),
                       t.EXPORT_DOCX_CAPTION.replace("{id}", str(campaign_id)))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("digest", digest))
    app.add_handler(CommandHandler("digest_settings", digest_settings))
    app.add_handler(CallbackQueryHandler(digest_settings_button, pattern=r"^dg:(daily|weekly|off)$"))
    app.add_handler(CommandHandler("export", export))
    app.add_handler(CommandHandler("report_docx", report_docx))
