"""/periods, /report (and the nudge's button), /status, /due: report periods and reports in chat."""

from __future__ import annotations


from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import clock
from bot.texts import reports as t
from bot.forms import report_form
from bot.forms.engine import parse_date
from bot.services import report_periods, zalo_usage
from bot.text_chunks import clip
from handlers import forms
from handlers.access import require_role
from handlers.context import BotContext, number_arg
from storage.models import Campaign, ReportPeriod

PERIOD_LIST_MAX = 40


def _periods_text(campaign: Campaign, periods: list[ReportPeriod]) -> str:
    lines = [f"Kỳ báo cáo của phong trào #{campaign.id}: {t.short(campaign.title, 150)}"]
    for i, p in enumerate(periods[:PERIOD_LIST_MAX], 1):
        state = "đã xác nhận" if p.confirmed_at else "đề xuất"
        lines.append(f"{i}. {p.label} ({t.KIND_NAMES[p.kind]}): mở {clock.fmt_date(p.opens_on)}, "
                     f"hạn {clock.fmt_date(p.due_on)} — {state}")
    if any(p.confirmed_at is None for p in periods):
        lines.append("\nĐổi hạn: /periods {id} sửa <số kỳ> <ngày/tháng/năm>. Xác nhận để bot bắt đầu nhắc.".format(id=campaign.id))
    lines.append("Thêm kỳ đột xuất: /periods {id} thêm <ngày/tháng/năm> <tên kỳ>.".format(id=campaign.id))
    return "\n".join(lines)


def _confirm_keyboard(campaign: Campaign, periods: list[ReportPeriod]) -> InlineKeyboardMarkup | None:
    if not any(p.confirmed_at is None for p in periods):
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(t.PERIODS_CONFIRM_BUTTON, callback_data=f"rp:ok:{campaign.id}")]])


@require_role("admin")
async def periods(update: Update, context: BotContext) -> None:
    """/periods <campaign> [sửa <n> <date> | thêm <date> <label>]: show, edit, add, confirm."""
    message = update.effective_message
    campaign_id = number_arg(context)
    if campaign_id is None:
        await message.reply_text(t.PERIODS_USAGE)
        return
    rest = context.args[1:]
    async with context.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            await message.reply_text(t.CAMPAIGN_NOT_FOUND.format(id=campaign_id))
            return
        items = await report_periods.ensure_proposed(session, campaign, context.settings)
        if rest:
            error = await _edit(session, campaign, items, rest, context)
            if error:
                await message.reply_text(error)
                return
            items = await report_periods.periods_of(session, campaign.id)
        if not items:
            await message.reply_text(t.NO_PERIODS.format(id=campaign.id))
            return
        text, keyboard = _periods_text(campaign, items), _confirm_keyboard(campaign, items)
    await message.reply_text(clip(text), reply_markup=keyboard)


async def _edit(session: AsyncSession, campaign: Campaign, items: list[ReportPeriod], rest: list[str],
                context: BotContext) -> str | None:
    verb = rest[0].lower()
    if verb in ("sửa", "sua") and len(rest) == 3 and rest[1].isdigit():
        index = int(rest[1])
        if not 1 <= index <= len(items):
            return t.PERIOD_BAD_INDEX.format(n=index)
        due, error = parse_date(rest[2])
        if error:
            return error
        await report_periods.set_due(session, items[index - 1], due, context.settings)
        return None
    if verb in ("thêm", "them") and len(rest) >= 2:
        due, error = parse_date(rest[1])
        if error:
            return error
        label = " ".join(rest[2:]).strip()
        if len(label) < 3:
            return t.PERIOD_ONE_OFF_LABEL
        await report_periods.add_one_off(session, campaign.id, label, due, context.settings)
        return None
    return t.PERIODS_USAGE


@require_role("admin")
async def confirm_periods(update: Update, context: BotContext) -> None:
    """✅ Xác nhận các kỳ: confirm the proposed periods and plan their nudges."""
    query = update.callback_query
    campaign_id = int(query.data.split(":")[2])
    async with context.db.session() as session:
        count = await report_periods.confirm(session, campaign_id, context.settings)
    await query.answer()
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError:  # cosmetic: the periods are confirmed either way
        pass
    await query.message.reply_text(t.PERIODS_CONFIRMED.format(n=count) if count else t.PERIODS_ALREADY)


# --- /report ----------------------------------------------------------------------------------


async def _open_report(update: Update, context: BotContext, period_id: int | None) -> None:
    message = update.effective_message
    member = context.member
    if member is None or member.role != "officer" or member.unit_id is None:
        await message.reply_text(t.REPORT_NOT_OFFICER)
        return
    async with context.db.session() as session:
        screen = await report_form.start(forms.engine(context), session, member.id, member.unit_id, period_id)
    if isinstance(screen, str):
        await message.reply_text(screen)
        return
    await forms.show(message, screen)


async def report(update: Update, context: BotContext) -> None:
    """/report [period]: open the report form (officers)."""
    await _open_report(update, context, number_arg(context))


async def report_button(update: Update, context: BotContext) -> None:
    """📝 Gửi báo cáo under a nudge: /report for that period."""
    await update.callback_query.answer()
    await _open_report(update, context, int(update.callback_query.data.split(":")[1]))


# --- /status and /due ------------------------------------------------------------------------


def _names(names: list[str], limit: int = 30) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" và {len(names) - limit} đơn vị khác" if len(names) > limit else "")


@require_role("admin", "leader")
async def status(update: Update, context: BotContext) -> None:
    """/status <campaign>: per period, the units that submitted, late, missing."""
    message = update.effective_message
    campaign_id = number_arg(context)
    async with context.db.session() as session:  # an admin also reads Zalo's monthly usage
        note = await zalo_usage.admin_note(session, context.settings, context.member.role)
    if campaign_id is None:
        await message.reply_text("Cách dùng: /status <số phong trào>" + note)
        return
    async with context.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            await message.reply_text(t.CAMPAIGN_NOT_FOUND.format(id=campaign_id))
            return
        rows = await report_periods.campaign_status(session, campaign_id)
    if not rows:
        await message.reply_text(f"Phong trào #{campaign_id} chưa có kỳ báo cáo đã xác nhận. Admin dùng /periods {campaign_id}.")
        return
    today = report_periods.today_local()
    lines = [f"Tình hình báo cáo — phong trào #{campaign_id}: {t.short(campaign.title, 150)}"]
    for row in rows:
        p = row.period
        lines.append(f"\n{p.label} (hạn {clock.fmt_date(p.due_on)}, {t.when_due(p.due_on, today)})")
        lines.append(f"✅ Đúng hạn: {len(row.on_time)}" + (f" — {_names(row.on_time)}" if row.on_time else ""))
        late = [f"{name} ({days} ngày)" for name, days in row.late]
        lines.append(f"⏰ Nộp trễ: {len(late)}" + (f" — {_names(late)}" if late else ""))
        missing_label = "❌ Chưa nộp (quá hạn)" if p.due_on < today else "⏳ Chưa nộp"
        missing = [name for name, _kind in row.missing]
        lines.append(f"{missing_label}: {len(missing)}" + (f" — {_names(missing)}" if missing else ""))
    await message.reply_text(clip("\n".join(lines) + note))


@require_role("officer")
async def due(update: Update, context: BotContext) -> None:
    """/due: the officer's unit's open periods and whether it has reported."""
    message = update.effective_message
    if context.member.unit_id is None:
        await message.reply_text(t.REPORT_NOT_OFFICER)
        return
    async with context.db.session() as session:
        items = await report_periods.open_periods_for_unit(session, context.member.unit_id)
    if not items:
        await message.reply_text(t.REPORT_NO_PERIODS.replace(" Xem các kỳ sắp tới bằng /due.", ""))
        return
    today = report_periods.today_local()
    lines = [f"Các kỳ báo cáo đang mở của {context.member.unit_name}:"]
    for item in items:
        p = item.period
        if item.report is not None:
            state = f"đã nộp {clock.fmt_datetime(item.report.submitted_at)}"
            if item.report.days_late:
                state += f" (trễ {item.report.days_late} ngày)"
        else:
            state = f"chưa nộp, {t.when_due(p.due_on, today)}"
        lines.append(f"• #{p.id} {t.period_line(p.label, item.campaign_title, p.due_on)}: {state}")
    lines.append("\nGửi báo cáo: /report <số kỳ> (ví dụ /report {id}).".format(id=items[0].period.id))
    await message.reply_text(clip("\n".join(lines)))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("periods", periods))
    app.add_handler(CallbackQueryHandler(confirm_periods, pattern=r"^rp:ok:\d+$"))
    app.add_handler(CommandHandler("report", report))
    app.add_handler(CallbackQueryHandler(report_button, pattern=r"^rep:\d+$"))
    app.add_handler(CommandHandler("status", status))
    app.add_handler(CommandHandler("due", due))
