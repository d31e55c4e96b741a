"""What leaders and admins read and forward: digest (text and chart), digest_settings, export
(XLSX) and report_docx (DOCX). Files are stored (bot.services.files), so either channel can give
them: an upload on Telegram, a photo or a signed link on Zalo."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.core.commands import command
from bot.core.screens import Action
from bot.core.turn import Turn
from bot.services import digest_sending, digests, exports, files
from bot.texts import digests as t

log = logging.getLogger(__name__)
CHART_FILENAME = "ban-tin.png"


@command("digest")
async def digest(turn: Turn) -> None:
    """digest: the digest now, with its chart (changes since the person's last digest)."""
    now = clock.now()
    async with turn.db.session() as session:
        rendered = await digest_sending.on_demand(session, turn.member.id, turn.settings, now)
        chart_id = await digest_sending.store_chart(session, rendered.chart, now) if rendered.chart else None
    turn.say(rendered.text)
    if chart_id is not None:
        turn.attach(chart_id, CHART_FILENAME, "image/png", rendered.caption)


def _frequency_actions(current: str) -> list[list[Action]]:
    return [[Action(("✅ " if f == current else "") + t.FREQUENCY_LABELS[f], "digest_settings", (t.FREQUENCY_TYPED[f],))
             for f in digests.FREQUENCIES]]


@command("digest_settings")
async def digest_settings(turn: Turn) -> None:
    """digest_settings [ngày|tuần|tắt]: show or choose how often the digest comes."""
    cfg, quiet = turn.settings.digest, turn.settings.quiet_hours
    wanted = " ".join(turn.args).strip().lower()
    if wanted and wanted not in t.FREQUENCY_WORDS:
        turn.say(t.digest_settings_bad(turn.channel, wanted[:40]), alert=turn.pressed)
        return
    async with turn.db.session() as session:
        if wanted:
            sub = await digests.set_frequency(session, turn.member.id, t.FREQUENCY_WORDS[wanted], cfg, quiet)
        else:
            sub = await digests.subscription(session, turn.member.id, cfg, quiet)
        current, when = t.schedule_words(sub.frequency, digests.upcoming(sub, cfg, quiet), cfg.weekday)
        frequency = sub.frequency
    if not wanted:
        turn.say(t.digest_settings(turn.channel, current, when), _frequency_actions(frequency))
        return
    turn.say(t.DIGEST_SETTINGS_SAVED.format(current=current, when=when))
    if turn.pressed:  # the question keeps its buttons, the chosen one ticked
        turn.pressed_keeps = _frequency_actions(frequency)


Build = Callable[[AsyncSession], Awaitable[exports.Export]]


async def _send_export(turn: Turn, build: Build, caption: str) -> None:
    try:
        async with turn.db.session() as session:
            made = await build(session)
            stored = await files.store(session, made.content, made.filename, made.mime_type)
    except exports.ExportError as exc:
        turn.say(exc.text)
        return
    except Exception:
        log.exception("export failed")
        turn.say(t.EXPORT_FAILED)
        return
    turn.attach(stored.id, made.filename, made.mime_type,
                caption.format(label=made.label, at=clock.fmt_datetime(clock.now())))


@command("export")
async def export(turn: Turn) -> None:
    """export N: the campaign's XLSX (exemplars, reports, acknowledgements)."""
    campaign_id = turn.number(0)
    if campaign_id is None:
        turn.say(t.export_usage(turn.channel))
        return
    await _send_export(turn, lambda s: exports.campaign_workbook(s, campaign_id, turn.settings),
                       t.EXPORT_XLSX_CAPTION.replace("{id}", str(campaign_id)))


@command("report_docx")
async def report_docx(turn: Turn) -> None:
    """report_docx N [kỳ]: the DOCX summary report of one period (the periods listed when no kỳ)."""
    campaign_id = turn.number(0)
    if campaign_id is None:
        turn.say(t.report_docx_usage(turn.channel))
        return
    which = turn.args[1] if len(turn.args) > 1 else None
    await _send_export(turn, lambda s: exports.period_report(s, campaign_id, which, turn.settings),
                       t.EXPORT_DOCX_CAPTION.replace("{id}", str(campaign_id)))
