"""What a unit's report for a period is, as of a (local) day: one rule for the dashboard, the
XLSX and every list that tells on time, late, missing and not yet due apart."""

from __future__ import annotations

from datetime import date

ON_TIME, LATE, MISSING, UPCOMING = "on_time", "late", "missing", "upcoming"


def report_state(due_on: date, days_late: int | None, today: date) -> str:
    """on_time / late for a current report (by its days late; None: no report); without one,
    missing from the due day on and upcoming before it (nothing is owed yet)."""
    if days_late is None:
        return UPCOMING if due_on > today else MISSING
    return LATE if days_late else ON_TIME
