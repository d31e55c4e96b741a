"""The one place that reads the time, and turns UTC into what a Vietnamese reader expects.

Stored times are aware UTC; people see dd/mm/yyyy in the configured zone. Tests and
`tick --now` move time by setting the clock, never by patching datetime.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

LOCAL_TZ: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
_frozen: datetime | None = None


def now() -> datetime:
    """The current moment, aware UTC (or the moment set by `set_now`)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (aware), or release it with None."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    _frozen = None if moment is None else moment.astimezone(UTC)


def set_local_zone(zone: tzinfo) -> None:
    global LOCAL_TZ
    LOCAL_TZ = zone


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def fmt_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = local(value)
    return value.strftime("%d/%m/%Y")


def fmt_datetime(moment: datetime) -> str:
    return local(moment).strftime("%H:%M %d/%m/%Y")
