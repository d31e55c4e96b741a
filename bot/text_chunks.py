"""Texts within a channel's length limit, measured as the channel counts: split into several
messages (Zalo), or shortened at a line boundary with "… và N đơn vị khác" (lists of units).

Telegram counts a text's length in UTF-16 code units, not in Python characters: 📣 or any emoji
outside the Basic Multilingual Plane is two. Zalo publishes "1–2,000 characters" without saying what
a character is; we count UTF-16 code units there too, which is never less than the number of code
points, so a text within 2,000 by our count is within it whichever of the two Zalo counts.
Nothing is ever cut inside a line except a single line longer than the whole limit (cut between
words), and only a word longer than the limit is ever cut inside.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot import vn_format

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024
ZALO_TEXT_LIMIT = 2000
LIMITS = {"telegram": TELEGRAM_TEXT_LIMIT, "zalo": ZALO_TEXT_LIMIT}
MORE_UNITS = "… và {n} đơn vị khác"
MORE_LINES = "… (còn {n} dòng không hiện hết)"

Measure = Callable[[str], int]


def utf16_len(text: str) -> int:
    """The length as Telegram counts it (and as we count for Zalo): UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2



def shorten_lines(
    lines: Sequence[str], limit: int = TELEGRAM_TEXT_LIMIT, *, keep: int = 0, more: str = MORE_UNITS,
    measure: Measure = utf16_len,
) -> str:
    """The lines joined with newlines, within `limit`. When they do not fit, the lines after the
    first `keep` (the head) are dropped from the end and a last line, `more` with {n} the number
    dropped in Vietnamese form, says how many: "… và 1.234 đơn vị khác"."""
    text = "\n".join(lines)
    if measure(text) <= limit:
        return text
    head, items = list(lines[:keep]), list(lines[keep:])
    size = measure("\n".join(head)) if head else -1  # -1: no newline before the first line
    best = None
    for shown in range(len(items) + 1):
        if shown:
            size += 1 + measure(items[shown - 1])
        tail = more.format(n=vn_format.number(len(items) - shown))
        if size + 1 + measure(tail) > limit:
            break
        best = shown
    if best is None:  # not even the head fits: its first part, then how many lines are left out
        return clip("\n".join(head), limit, measure=measure)
    return "\n".join([*head, *items[:best], more.format(n=vn_format.number(len(items) - best))])


def clip(text: str, limit: int = TELEGRAM_TEXT_LIMIT, *, measure: Measure = utf16_len) -> str:
    """A free text within `limit`: its first whole lines and a last line saying how many are left out."""
    if measure(text) <= limit:
        return text
    lines = text.split("\n")
    if measure(lines[0]) + 1 + measure(MORE_LINES.format(n=vn_format.number(len(lines)))) > limit:
        return split_text(text, limit - 1, measure=measure)[0] + "…"
    return shorten_lines(lines, limit, keep=1, more=MORE_LINES, measure=measure)


def split_text(text: str, limit: int, *, measure: Measure = utf16_len) -> list[str]:
    """Pieces of at most `limit` (by `measure`) that join back (with newlines) to the text."""
    if limit < 1:
        raise ValueError("limit must be positive")
    if measure(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        for part in _fit(line, limit, measure):
            candidate = part if not current else f"{current}\n{part}"
            if measure(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = part
    pieces.append(current)
    # A piece of only blank lines says nothing; the newline it stood for is lost, not the text.
    return [p.strip("\n") for p in pieces if p.strip()]


def _prefix(line: str, limit: int, measure: Measure) -> int:
    """The most characters of `line` whose measure is within `limit` (measure grows with length)."""
    lo, hi = 0, min(len(line), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(line[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return max(lo, 1)


def _fit(line: str, limit: int, measure: Measure) -> list[str]:
    """A line as parts of at most `limit`, cut after a space where one is close enough."""
    parts = []
    while measure(line) > limit:
        most = _prefix(line, limit, measure)
        cut = line.rfind(" ", 0, most + 1)
        if cut <= most // 2:  # no space in the second half: a very long word, cut it
            cut = most
        parts.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    parts.append(line)
    return parts
