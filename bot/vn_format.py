"""How a person reads numbers, sizes, long titles and names: the one place for Vietnamese forms.

Every text, chart, page and file formats through here, so `1.500` and `0,25` are written the
same way everywhere (the thousands separator is a dot, the decimal mark a comma).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["number", "percent", "size", "shorten", "person_name"]


def number(value: int | float, decimals: int = 1) -> str:
    """1234 → '1.234'; 2.5 → '2,5'; 0.25 with decimals=2 → '0,25'; 3.0 → '3'."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    else:
        text = f"{int(value):,}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def percent(part: int | float, whole: int | float) -> str:
    """'37,5%' — one decimal, dropped when it is zero; '0%' when there is no whole."""
    return number(part * 100 / whole) + "%" if whole else "0%"


def size(n_bytes: int) -> str:
    """A file size a person reads: '950 byte', '8,4 KB', '1,5 MB'."""
    if n_bytes < 1024:
        return f"{number(n_bytes)} byte"
    if n_bytes < 1024 * 1024:
        return f"{number(round(n_bytes / 1024, 1))} KB"
    return f"{number(round(n_bytes / (1024 * 1024), 1))} MB"


def shorten(text: str | None, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary and marked with "…". One very long
    "word" (a link) is cut where it is; otherwise never mid-word."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def person_name(name: str) -> tuple[str, bool]:
    """A person's name in title case, spaces tidied: ('Nguyễn Văn An', changed). Only names typed
    all in lower case or all in capitals are changed — 'McLean' or 'Đinh La Thăng' stay as typed —
    and the caller says what was changed, so nothing is altered silently."""
    tidy = " ".join(unicodedata.normalize("NFC", name or "").split())
    letters = "".join(_WORD.findall(tidy))
    if not letters or not (letters.islower() or letters.isupper()):
        return tidy, tidy != (name or "")
    titled = _WORD.sub(lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), tidy)
    return titled, titled != (name or "")
