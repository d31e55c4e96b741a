"""Vietnamese dictionary order for names, the same everywhere a list of units or people is shown:
the web dashboard, the XLSX, the DOCX, /status and the digests, the leaders' escalations.

Sorted in Python, not in SQL: SQLite and PostgreSQL collate differently (and PostgreSQL by the
server's locale), and no database collation puts "Xã số 3" before "Xã số 13".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

# Vietnamese alphabetical order; anything else sorts by code point after these letters.
_ALPHABET = {c: i for i, c in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_NUMBERS = re.compile(r"(\d+)")


@lru_cache(maxsize=65536)  # a province's unit names are a few thousand, asked for again and again
def vn_key(name: str) -> tuple:
    """Dictionary order for Vietnamese names: a < ă < â < b…, đ after d, case and tones only
    second (không dấu, huyền, hỏi, ngã, sắc, nặng), runs of digits by their value."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for part in _NUMBERS.split(unicodedata.normalize("NFC", name.casefold())):
        if part.isdigit():
            letters.append((1, int(part)))
            continue
        for ch in part:
            letter, tone = _char_key(ch)
            letters.append(letter)
            if tone is not None:
                tones.append(tone)
    return tuple(letters), tuple(tones), name


@lru_cache(maxsize=4096)  # the few hundred characters names are written with, each worked out once
def _char_key(ch: str) -> tuple[tuple[int, int], int | None]:
    """A character's place in the order and its tone (None for what is not a Vietnamese letter)."""
    marks = unicodedata.normalize("NFD", ch)
    # The letter without its tone: "ặ" is "ă" with the nặng tone.
    letter = unicodedata.normalize("NFC", "".join(m for m in marks if m not in _TONE_MARKS))
    if letter in _ALPHABET:
        return (2, _ALPHABET[letter]), next((_TONE_MARKS[m] for m in marks if m in _TONE_MARKS), 0)
    return (0, ord(ch)), None  # spaces and punctuation sort before numbers and letters


def sort_by_name(items: Iterable[T], name: Callable[[T], str], then: Callable[[T], object] | None = None) -> list[T]:
    """The items in Vietnamese order of `name(item)`; ties by `then(item)` (an id, a code)."""
    if then is None:
        return sorted(items, key=lambda item: vn_key(name(item)))
    return sorted(items, key=lambda item: (vn_key(name(item)), then(item)))
