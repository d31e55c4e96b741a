"""What a person types, read as the forms and dialogues need it: folded for matching ("tap the" is
"Tập thể") and dates in the Vietnamese order (30/06/2026), with a Vietnamese answer when wrong."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from bot.texts import forms as t


def fold(text: str) -> str:
    """Lower case without diacritics, for matching typed choices ("tap the" = "Tập thể")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower().strip()


def parse_date(text: str) -> tuple[date | None, str | None]:
    match = re.fullmatch(r"\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*", text)
    if not match:
        return None, t.DATE_FORMAT.format(value=text.strip()[:40])
    d, m, y = (int(g) for g in match.groups())
    if not 1 <= m <= 12:
        return None, t.DATE_BAD_MONTH.format(value=text.strip())
    try:
        return date(y, m, d), None
    except ValueError:
        import calendar

        days = calendar.monthrange(y, m)[1]
        return None, t.DATE_NOT_REAL.format(value=text.strip(), month=m, year=y, days=days)
