"""The /report form: a unit's report for one period — summary, figures, the report file, confirm.

The draft's context holds the officer's unit ("unit_id"); the period choices are that unit's open
(and overdue) periods, and the choice is checked again against the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.texts import reports as t
from bot.texts import scopes as st
from bot.forms.completions import FormRejected, completes
from bot.forms.engine import LABEL_PREFIX, Screen
from bot.forms.model import Answers, Choice, Field, Form
from bot.services import cascade, report_periods
from bot.services.report_periods import PeriodError
from storage.models import Campaign, FormDraft, ReportPeriod

NAME = "report"
FILE_TYPES = (".docx", ".pdf")


def period_choice(item: report_periods.UnitPeriod) -> Choice:
    label = t.period_line(item.period.label, item.campaign_title, item.period.due_on)
    if item.report is not None:
        label += " — đã nộp, gửi lại sẽ thay bản cũ"
    elif item.overdue:
        label += " — quá hạn"
    return Choice(str(item.period.id), label)


async def _periods(session: AsyncSession, answers: Answers, context: dict[str, Any]) -> list[Choice]:
    unit_id = context.get("unit_id")
    if unit_id is None:
        return []
    return [period_choice(p) for p in await report_periods.open_periods_for_unit(session, unit_id)]


async def _period_is_the_units(session: AsyncSession, value: Any, answers: Answers, context: dict[str, Any]) -> str | None:
    try:
        await report_periods.check_period_for_unit(session, int(value), context.get("unit_id"))
    except PeriodError as exc:
        return period_error(exc.code, int(value), None)
    return None


def _subunits_sum(key: str):  # noqa: ANN202 - a hint provider
    """Under the figure's question: what the unit's own units reported for it, summed (a xã that
    launched an implementing plan reports upstairs with its units' figures in hand)."""
    async def hint(session: AsyncSession, answers: Answers, context: dict[str, Any]) -> str | None:
        if not str(answers.get("period") or "").isdigit():
            return None
        found = await cascade.subunit_figures(session, int(answers["period"]), context.get("unit_id"))
        if found is None or not found.reported:
            return None
        return st.subunits_sum(found.sums.get(key, 0), found.reported, found.units)
    return hint


def period_error(code: str, period_id: int, opens_on) -> str:  # noqa: ANN001 - a date or None
    return t.PERIOD_ERRORS[code].format(id=period_id, opens=clock.fmt_date(opens_on) if opens_on else "")


FORM = Form(
    name=NAME,
    title="báo cáo kết quả thi đua",
    intro="Gửi báo cáo kết quả thi đua của đơn vị.",
    confirm_label="📨 Gửi báo cáo",
    fields=(
        Field("period", "Kỳ báo cáo", "Chọn kỳ báo cáo.", kind="choice", choices_provider=_periods,
              pick_by_id=True, guard=_period_is_the_units),
        Field("summary", "Tóm tắt kết quả", "Viết tóm tắt kết quả thực hiện của đơn vị (20–3.000 ký tự).",
              min_len=report_periods.SUMMARY_MIN, max_len=report_periods.SUMMARY_MAX, error=t.SUMMARY_ERROR),
        Field("exemplars", "Số điển hình phát hiện", "Số điển hình tiên tiến phát hiện trong kỳ (gõ số, hoặc bỏ qua).",
              kind="number", required=False, min_value=0, max_value=100000, hint_provider=_subunits_sum("exemplars")),
        Field("new_models", "Số mô hình mới", "Số mô hình, cách làm mới trong kỳ (gõ số, hoặc bỏ qua).",
              kind="number", required=False, min_value=0, max_value=100000, hint_provider=_subunits_sum("new_models")),
        Field("file", "Tệp báo cáo", "Gửi tệp báo cáo của đơn vị (.docx hoặc .pdf), hoặc bấm “Bỏ qua” để chỉ gửi nội dung.",
              kind="file", required=False, accept=FILE_TYPES),  # up to files.max_mb
    ),
)


def figures(answers: Answers) -> dict[str, int]:
    return {k: answers[k] for k in ("exemplars", "new_models") if answers.get(k) is not None}


def file_id(answers: Answers) -> int | None:
    files = answers.get("file") or []
    return files[-1]["stored_file_id"] if files else None


@completes(NAME)
async def _submit(session: AsyncSession, member_id: int, screen: Screen) -> str | None:
    answers = screen.answers
    try:
        saved, previous = await report_periods.submit_report(
            session, int(answers["period"]), screen.context["unit_id"], member_id, answers["summary"],
            figures(answers), file_id(answers),
        )
    except PeriodError as exc:
        raise FormRejected(period_error(exc.code, int(answers["period"]), None)) from exc
    period = await session.get(ReportPeriod, saved.period_id)
    return t.report_saved(period.label, saved.days_late, previous is not None)


async def start(engine, session: AsyncSession, member_id: int, unit_id: int, period_id: int | None) -> Screen | str:  # noqa: ANN001 - FormEngine
    """/report [period] on any channel: the form (the period filled in when given or when only one
    is open), or — as text — why no report can be sent now (a draft in progress is kept)."""
    prefill, note = None, None
    if period_id is not None:
        try:
            period = await report_periods.check_period_for_unit(session, period_id, unit_id)
        except PeriodError as exc:
            opens = (await session.get(ReportPeriod, period_id)).opens_on if exc.code == "not_open" else None
            kept = await session.scalar(
                select(FormDraft.id).where(FormDraft.member_id == member_id, FormDraft.form == NAME)) is not None
            return f"⚠️ {period_error(exc.code, period_id, opens)}" + (f"\n{t.DRAFT_KEPT}" if kept else "")
        title = await session.scalar(select(Campaign.title).where(Campaign.id == period.campaign_id))
        report = await report_periods.current_report(session, period.id, unit_id)
        choice = period_choice(report_periods.UnitPeriod(period, title, report))
    else:
        open_items = await report_periods.open_periods_for_unit(session, unit_id)
        if not open_items:
            return t.REPORT_NO_PERIODS
        choice = period_choice(open_items[0]) if len(open_items) == 1 else None  # nothing to choose
    if choice is not None:
        prefill = {"period": choice.value, LABEL_PREFIX + "period": choice.label}
        note = t.REPORT_FOR_PERIOD.format(label=choice.label)
    return await engine.open(session, member_id, NAME, prefill=prefill, context={"unit_id": unit_id}, note=note)
