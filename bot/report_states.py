"""What a unit's report for a period is, as of a (local) day: one rule for /status, the dashboard,
the XLSX and every list that tells on time, late, missing and not yet due apart; and what the
period itself is that day (not open yet, open, past its due date)."""

from __future__ import annotations

from datetime import date

ON_TIME, LATE, MISSING, UPCOMING = "on_time", "late", "missing", "upcoming"
NOT_OPEN, OPEN, PAST_DUE = "not_open", "open", "past_due"


def report_state(due_on: date, days_late: int | None, today: date) -> str:
    """on_time / late for a current report (by its days late; None: no report); without one,
    missing (owed: "Chưa nộp", never "late") from the due day on and upcoming before it."""
    if days_late is None:
        return UPCOMING if due_on > today else MISSING
    return LATE if days_late else ON_TIME


def period_phase(opens_on: date, due_on: date, today: date) -> str:
    """not_open before opens_on (units cannot report yet), open up to and including due_on,
    past_due after it."""
    if today < opens_on:
        return NOT_OPEN
    return OPEN if today <= due_on else PAST_DUE
