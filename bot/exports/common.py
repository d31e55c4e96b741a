"""What the XLSX and the DOCX both say of a campaign: the plan that launched it, and the figures
its units reported, read the same way in both files."""

from __future__ import annotations

from typing import Any

from bot import clock
from bot.collation import vn_key
from bot.texts import DOC_TYPES
from storage.models import Campaign


def cite(campaign: Campaign) -> str | None:
    """'Kế hoạch số 45/KH-UBND ngày 20/02/2026', with whatever parts the plan carried."""
    parts = []
    if campaign.doc_type:
        parts.append(DOC_TYPES.get(campaign.doc_type, campaign.doc_type))
    if campaign.number or campaign.symbol:
        parts.append("số " + "/".join(p for p in (campaign.number, campaign.symbol) if p))
    if campaign.issued_on:
        parts.append(f"ngày {clock.fmt_date(campaign.issued_on)}")
    return " ".join(parts) if parts else None


def figure(figures: Any, key: str) -> int | float | None:
    """One figure of a report as a number; None when the unit gave none (or typed something else)."""
    value = figures.get(key) if isinstance(figures, dict) else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def unit_order(name: str, unit_id: int) -> tuple:
    """Units in Vietnamese dictionary order (bot.collation), the same on every database; two units
    of one name by id."""
    return vn_key(name), unit_id


def nomination_order(unit_name: str, unit_id: int, name: str, nomination_id: int) -> tuple:
    """Nominations by their unit (unit_order), then by the person's or collective's name in
    Vietnamese order, then as they came: the XLSX and the DOCX list them alike."""
    return vn_key(unit_name), unit_id, vn_key(name), nomination_id
