"""/nominate, /my_nominations, /review, /quota: exemplar nominations from units, reviewed by the office."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.texts import nominations as t
from bot.forms import Screen, nomination_form
from bot.services import nominations
from bot.services.units import unit_by_code
from bot.text_chunks import clip
from handlers import forms
from handlers.access import require_role
from handlers.context import BotContext
from storage.models import Campaign, CampaignUnit, Nomination, StoredFile

log = logging.getLogger(__name__)
CALLBACK = r"^nom:(approve|return|reject|later|edit|withdraw|show):\d+$"


def _buttons(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    rows = [r for r in rows if r]
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in r] for r in rows]) if rows else None


async def _refuse(update: Update, text: str) -> None:
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await update.effective_message.reply_text(text)


# --- officers: nominating -----------------------------------------------------------------------------


@require_role("officer")
async def nominate(update: Update, context: BotContext) -> None:
    """/nominate: the form, with the campaign filled in when only one is open to the unit."""
    member = context.member
    async with context.db.session() as session:
        screen = await nomination_form.start(forms.engine(context), session, member.id, member.unit_id)
    if isinstance(screen, str):
        await update.effective_message.reply_text(screen)
        return
    await forms.show(update.effective_message, screen)


@require_role("officer")
async def my_nominations(update: Update, context: BotContext) -> None:
    """/my_nominations [ID]: the unit's nominations, or one of them with what can be done to it."""
    message = update.effective_message
    member = context.member
    if context.args:
        arg = context.args[0].lstrip("#")
        if len(context.args) != 1 or not arg.isdigit():
            await message.reply_text(t.MY_USAGE)
            return
        await _show_one(update, context, int(arg))
        return
    async with context.db.session() as session:
        items = await nominations.for_unit(session, member.unit_id)
    if not items:
        await message.reply_text(t.MY_EMPTY)
        return
    rows = []
    for n, _ in items[:10]:
        if n.status == "returned":
            rows.append([(t.EDIT_BUTTON.format(id=n.id), f"nom:edit:{n.id}")])
        elif n.status == "submitted":
            rows.append([(t.WITHDRAW_BUTTON.format(id=n.id), f"nom:withdraw:{n.id}")])
    await message.reply_text(t.my_list(items, member.unit_name or ""), reply_markup=_buttons(rows))


async def _show_one(update: Update, context: BotContext, nomination_id: int) -> None:
    async with context.db.session() as session:
        try:
            n = await nominations.visible(session, context.member.id, nomination_id)
        except nominations.NominationError as exc:
            await _refuse(update, exc.message)
            return
        text = await nominations.describe(session, n, with_history=True)
    if update.callback_query:
        await update.callback_query.answer()
    rows = []
    if n.status == "returned":
        rows.append([(t.EDIT_BUTTON.format(id=n.id), f"nom:edit:{n.id}")])
    elif n.status == "submitted":
        rows.append([(t.WITHDRAW_BUTTON.format(id=n.id), f"nom:withdraw:{n.id}")])
    await update.effective_message.reply_text(clip(text), reply_markup=_buttons(rows))


async def _edit(update: Update, context: BotContext, nomination_id: int) -> None:
    """Reopen a returned nomination in the form, prefilled, at the review screen."""
    member = context.member
    engine = forms.engine(context)
    async with context.db.session() as session:
        try:
            n = await nominations.visible(session, member.id, nomination_id)
        except nominations.NominationError as exc:
            await _refuse(update, exc.message)
            return
        if n.status != "returned":
            await _refuse(update, t.NOT_RETURNED.format(id=n.id, status=t.STATUS_NAMES[n.status]))
            return
        existing = await engine.draft(session, member.id, nomination_form.NAME)
        if existing is not None and existing.context.get("nomination_id") != n.id:
            await _refuse(update, t.DRAFT_IN_PROGRESS.format(id=n.id))
            return
        campaign = await session.get(Campaign, n.campaign_id)
        prefill = nominations.answers_of(n, campaign, await nominations.evidence(session, n))
        screen = await engine.open(session, member.id, nomination_form.NAME, prefill=prefill, restart=True,
                                   context={"unit_id": n.unit_id, "nomination_id": n.id}, note=t.edit_intro(n))
    if update.callback_query:
        await update.callback_query.answer()
    await forms.show(update.effective_message, screen)


async def _withdraw(update: Update, context: BotContext, nomination_id: int) -> None:
    async with context.db.session() as session:
        try:
            n = await nominations.withdraw(session, context.member.id, nomination_id)
        except nominations.NominationError as exc:
            await _refuse(update, exc.message)
            return
    await update.callback_query.answer()
    await _clear_buttons(update)
    await update.effective_message.reply_text(t.WITHDRAWN.format(id=n.id))


# --- admins: reviewing ---------------------------------------------------------------------------------


async def _send_evidence(message: Message, context: BotContext, session: AsyncSession, n: Nomination) -> None:
    if not n.evidence_file_ids:
        return
    files = (await session.scalars(
        select(StoredFile).where(StoredFile.id.in_(n.evidence_file_ids)).options(undefer(StoredFile.content))
    )).all()
    by_id = {f.id: f for f in files}
    ordered = [by_id[i] for i in n.evidence_file_ids if i in by_id]
    for i, f in enumerate(ordered, 1):
        caption = t.EVIDENCE_CAPTION.format(n=i, total=len(ordered), id=n.id)
        upload = InputFile(f.content, filename=f.filename)
        try:
            if (f.mime_type or "").startswith("image/"):
                await context.bot.send_photo(message.chat_id, upload, caption=caption)
            else:
                await context.bot.send_document(message.chat_id, upload, caption=caption)
        except TelegramError as exc:  # one bad file must not hide the nomination
            log.warning("evidence file %s of nomination %s not sent: %s", f.id, n.id, exc)


async def _show_next(update: Update, context: BotContext, after_id: int | None = None) -> None:
    """The next nomination waiting for review: its evidence, then all its fields with the buttons."""
    message = update.effective_message
    async with context.db.session() as session:
        n, waiting = await nominations.next_in_queue(session, after_id)
        if n is None:
            await message.reply_text(t.REVIEW_EMPTY if after_id is None or waiting == 0 else t.REVIEW_END)
            return
        await _send_evidence(message, context, session, n)
        text = t.review_item(await nominations.describe(session, n, with_history=True), waiting)
    markup = _buttons([
        [(t.APPROVE_BUTTON, f"nom:approve:{n.id}"), (t.RETURN_BUTTON, f"nom:return:{n.id}"),
         (t.REJECT_BUTTON, f"nom:reject:{n.id}")],
        [(t.LATER_BUTTON, f"nom:later:{n.id}")] if waiting > 1 else [],
    ])
    await message.reply_text(clip(text), reply_markup=markup)


@require_role("admin")
async def review(update: Update, context: BotContext) -> None:
    """/review: the queue, oldest first."""
    await _show_next(update, context)


async def _clear_buttons(update: Update) -> None:
    try:
        await update.callback_query.edit_message_reply_markup(None)
    except TelegramError:
        pass


async def _approve(update: Update, context: BotContext, nomination_id: int) -> None:
    async with context.db.session() as session:
        try:
            await nominations.review(session, context.member.id, nomination_id, "approve")
        except nominations.NominationError as exc:
            await _refuse(update, exc.message)
            return
    await update.callback_query.answer()
    await _clear_buttons(update)
    await update.effective_message.reply_text(t.APPROVED_ADMIN.format(id=nomination_id))
    await _show_next(update, context)


async def _ask_reason(update: Update, context: BotContext, nomination_id: int, decision: str) -> None:
    """Return / Reject: the reason is typed next; the pending decision is a draft in the database."""
    async with context.db.session() as session:
        n = await session.get(Nomination, nomination_id)
    if n is None:
        await _refuse(update, t.NOT_FOUND.format(id=nomination_id))
        return
    if n.status != "submitted":
        await _refuse(update, t.ALREADY_REVIEWED.format(id=n.id, status=t.STATUS_NAMES[n.status]))
        return
    await update.callback_query.answer()
    await _clear_buttons(update)
    name = nomination_form.RETURN_NAME if decision == "return" else nomination_form.REJECT_NAME
    question = (t.Q_RETURN_REASON if decision == "return" else t.Q_REJECT_REASON).format(id=n.id)
    # Not forms.open_form: its own `context` parameter (the BotContext) hides the draft's context keyword.
    async with context.db.session() as session:
        screen = await forms.engine(context).open(session, context.member.id, name, context={"nomination_id": n.id},
                                                  restart=True, note=question)
    await forms.show(update.effective_message, screen)


async def _after_decision(update: Update, context: BotContext, screen: Screen, extra: str | None) -> None:
    await _show_next(update, context)


# --- buttons -------------------------------------------------------------------------------------------


@require_role("admin")
async def _admin_button(update: Update, context: BotContext) -> None:
    _, action, raw_id = update.callback_query.data.split(":")
    nomination_id = int(raw_id)
    if action == "approve":
        await _approve(update, context, nomination_id)
    elif action in ("return", "reject"):
        await _ask_reason(update, context, nomination_id, action)
    else:  # later
        await update.callback_query.answer()
        await _clear_buttons(update)
        await _show_next(update, context, after_id=nomination_id)


@require_role("officer")
async def _officer_button(update: Update, context: BotContext) -> None:
    _, action, raw_id = update.callback_query.data.split(":")
    nomination_id = int(raw_id)
    if action == "edit":
        await _edit(update, context, nomination_id)
    elif action == "withdraw":
        await _withdraw(update, context, nomination_id)
    else:
        await _show_one(update, context, nomination_id)


async def on_button(update: Update, context: BotContext) -> None:
    """nom:<action>:<id>: the review buttons are the office's, the others the unit's."""
    action = update.callback_query.data.split(":")[1]
    if action in ("approve", "return", "reject", "later"):
        await _admin_button(update, context)
    else:
        await _officer_button(update, context)


# --- admins: quotas ------------------------------------------------------------------------------------


@require_role("admin")
async def quota(update: Update, context: BotContext) -> None:
    """/quota CAMPAIGN UNIT [COLLECTIVES INDIVIDUALS]: see or set one unit's quota this period."""
    message = update.effective_message
    args = context.args
    if len(args) not in (2, 4) or not args[0].lstrip("#").isdigit():
        await message.reply_text(t.QUOTA_USAGE)
        return
    campaign_id, code = int(args[0].lstrip("#")), args[1]
    numbers = args[2:]
    if numbers and not all(x.isdigit() and 0 <= int(x) <= 50 for x in numbers):
        await message.reply_text(t.QUOTA_BAD_NUMBER)
        return
    async with context.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            await message.reply_text(t.QUOTA_CAMPAIGN_NOT_FOUND.format(id=campaign_id))
            return
        unit = await unit_by_code(session, code)
        if unit is None:
            await message.reply_text(t.QUOTA_UNIT_NOT_FOUND.format(code=code))
            return
        targeted = await session.scalar(select(CampaignUnit.id).where(
            CampaignUnit.campaign_id == campaign.id, CampaignUnit.unit_id == unit.id))
        if targeted is None:
            await message.reply_text(t.QUOTA_NOT_TARGETED.format(id=campaign.id, code=unit.code))
            return
        if numbers:
            collectives, individuals = int(numbers[0]), int(numbers[1])
            period = await nominations.set_quota(session, context.member.id, campaign, unit.id, collectives, individuals)
            head = t.quota_set(campaign.id, unit.name, collectives, individuals, period.label)
        else:
            head = None
        statuses, overridden = await nominations.quota_overview(session, campaign, unit.id)
    text = t.quota_summary(campaign.id, unit.name, statuses, overridden)
    await message.reply_text(f"{head}\n\n{text}" if head else text)


def register(app: Application) -> None:
    forms.after_commit(nomination_form.RETURN_NAME, _after_decision)
    forms.after_commit(nomination_form.REJECT_NAME, _after_decision)
    app.add_handler(CommandHandler("nominate", nominate))
    app.add_handler(CommandHandler("my_nominations", my_nominations))
    app.add_handler(CommandHandler("review", review))
    app.add_handler(CommandHandler("quota", quota))
    app.add_handler(CallbackQueryHandler(on_button, pattern=CALLBACK))
