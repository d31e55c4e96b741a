"""/new_campaign, the launch's receipts (✅ Đã nhận), /campaigns, /campaign, re-sending."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import clock, texts
from bot.texts import digests as digest_texts
from bot.forms import Screen, campaign_form
from bot.services import campaigns, digests
from handlers import forms
from handlers.access import require_role
from handlers.context import BotContext
from storage.db import Database
from storage.models import Campaign

log = logging.getLogger(__name__)
PROGRESS_EVERY = timedelta(seconds=3)


@require_role("admin")
async def new_campaign(update: Update, context: BotContext) -> None:
    """/new_campaign: open the launch form (or offer to continue the unfinished one)."""
    await forms.open_form(update, context, campaign_form.NAME)


async def _launch(update: Update, context: BotContext, session: AsyncSession, screen: Screen) -> str | None:
    try:
        result = await campaigns.launch(session, campaign_form.to_launch(screen.answers), context.member.id)
    except campaigns.CampaignError as exc:
        raise forms.FormRejected(texts.CAMPAIGN_NO_TARGETS) from exc
    context.chat_data["launched"] = result  # read by _after_launch in this same update
    return texts.launched(result.campaign_id, result.units, result.officers, result.units_without_officers)


async def _after_launch(update: Update, context: BotContext, screen: Screen, extra: str | None) -> None:
    """Once the launch is committed: the admin's progress message, then start draining at once."""
    result: campaigns.Launch = context.chat_data.pop("launched")
    async with context.db.session() as session:
        campaign = await session.get(Campaign, result.campaign_id)
        counts = await campaigns.delivery_counts(session, campaign.id)
        title = campaign.title
    progress = await update.effective_message.reply_text(texts.launch_progress(result.campaign_id, title, counts))
    async with context.db.session() as session:
        campaign = await session.get(Campaign, result.campaign_id)
        campaign.progress_chat_id = progress.chat_id
        campaign.progress_message_id = progress.message_id
        campaign.progress_updated_at = clock.now()
    await kick(context)


async def kick(context: BotContext) -> None:
    from bot import jobs

    await jobs.kick(context.application)


async def acknowledge(update: Update, context: BotContext) -> None:
    """✅ Đã nhận: the unit's receipt; the first officer's press counts."""
    query = update.callback_query
    member = context.member
    if member.role != "officer":
        await query.answer("Chỉ cán bộ của đơn vị nhận mới xác nhận được.", show_alert=True)
        return
    campaign_id = int(query.data.split(":")[1])
    async with context.db.session() as session:
        ack = await campaigns.acknowledge(session, campaign_id, member.id)
    await query.answer(texts.ack_answer(ack), show_alert=True)
    if ack.status not in ("recorded", "already"):
        return
    done = InlineKeyboardMarkup([[InlineKeyboardButton(texts.ACK_DONE_BUTTON, callback_data=query.data)]])
    try:
        await query.edit_message_reply_markup(done)
    except BadRequest:  # already showing it
        pass


@require_role("admin", "leader")
async def list_campaigns(update: Update, context: BotContext) -> None:
    """/campaigns: every campaign with its acknowledgement count."""
    async with context.db.session() as session:
        items = await campaigns.summaries(session)
    await update.effective_message.reply_text(texts.campaigns_list(items) if items else texts.CAMPAIGNS_EMPTY)


@require_role("admin", "leader")
async def show_campaign(update: Update, context: BotContext) -> None:
    """/campaign ID: per unit, delivered / acknowledged / unreachable."""
    message = update.effective_message
    arg = context.args[0].lstrip("#") if len(context.args) == 1 else ""
    if not arg.isdigit():
        await message.reply_text(texts.CAMPAIGN_USAGE)
        return
    async with context.db.session() as session:
        campaign = await session.get(Campaign, int(arg))
        if campaign is None:
            await message.reply_text(texts.CAMPAIGN_NOT_FOUND.format(id=arg))
            return
        statuses = await campaigns.unit_statuses(session, campaign.id)
        undelivered = digest_texts.undelivered_line(
            await digests.undelivered_to_leadership(session, campaign_id=campaign.id))
    markup = None
    if context.member.role == "admin" and any(s.acknowledged_at is None for s in statuses):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(texts.RESEND_BUTTON, callback_data=f"camp:resend:{campaign.id}")]])
    await message.reply_text(texts.campaign_detail(campaign, statuses, undelivered), reply_markup=markup)


@require_role("admin")
async def resend(update: Update, context: BotContext) -> None:
    """Re-send the launch to the units that have not acknowledged."""
    query = update.callback_query
    campaign_id = int(query.data.rsplit(":", 1)[1])
    try:
        async with context.db.session() as session:
            units = await campaigns.resend_unacknowledged(session, campaign_id, context.member.id)
    except campaigns.CampaignError:
        await query.answer(texts.CAMPAIGN_NOT_FOUND.format(id=campaign_id), show_alert=True)
        return
    await query.answer()
    if units == 0:
        await query.message.reply_text(texts.NOTHING_TO_RESEND.format(id=campaign_id))
        return
    progress = await query.message.reply_text(texts.RESENT.format(id=campaign_id, units=units))
    async with context.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        campaign.progress_chat_id, campaign.progress_message_id = progress.chat_id, progress.message_id
    await kick(context)


async def report_progress(bot: Bot, db: Database) -> int:
    """Tick step: edit each launch's progress message; queue its summary once nothing is left.

    Returns how many summaries were queued. The edits are best effort (the next tick edits again);
    the summary goes through the outbox, claimed once across processes and retried until it arrives.
    """
    summaries = 0
    async with db.session() as session:
        running = await campaigns.campaigns_in_progress(session)
    for campaign in running:
        async with db.session() as session:
            counts = await campaigns.delivery_counts(session, campaign.id)
        left = sum(n for status, n in counts.items() if status not in ("sent", "failed"))
        if left and campaign.progress_updated_at and clock.now() - campaign.progress_updated_at < PROGRESS_EVERY:
            continue
        try:
            await bot.edit_message_text(texts.launch_progress(campaign.id, campaign.title, counts),
                                        chat_id=campaign.progress_chat_id, message_id=campaign.progress_message_id)
        except TelegramError as exc:  # "not modified" or a deleted message: the next tick tries again
            log.debug("progress edit for campaign %s: %s", campaign.id, exc)
        async with db.session() as session:
            if left:
                row = await session.get(Campaign, campaign.id)
                row.progress_updated_at = clock.now()
            elif await campaigns.queue_summary(session, campaign.id):
                summaries += 1
    return summaries


def register(app: Application) -> None:
    forms.on_complete(campaign_form.NAME, after_commit=_after_launch)(_launch)
    app.add_handler(CommandHandler("new_campaign", new_campaign))
    app.add_handler(CommandHandler("campaigns", list_campaigns))
    app.add_handler(CommandHandler("campaign", show_campaign))
    app.add_handler(CallbackQueryHandler(acknowledge, pattern=r"^ack:\d+$"))
    app.add_handler(CallbackQueryHandler(resend, pattern=r"^camp:resend:\d+$"))
