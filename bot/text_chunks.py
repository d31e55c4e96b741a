"""Long texts as several messages, for channels with a length limit (Zalo: 2,000 characters).

Cut on line boundaries; a single line longer than the limit is cut between words; only a word
longer than the limit is ever cut inside.
"""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters that join back (with newlines) to the text."""
    if limit < 1:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        for part in _fit(line, limit):
            candidate = part if not current else f"{current}\n{part}"
            if len(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = part
    pieces.append(current)
    # A piece of only blank lines says nothing; the newline it stood for is lost, not the text.
    return [p.strip("\n") for p in pieces if p.strip()]


def _fit(line: str, limit: int) -> list[str]:
    """A line as parts of at most `limit`, cut after a space where one is close enough."""
    parts = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        if cut <= limit // 2:  # no space in the second half: a very long word, cut it
            cut = limit
        parts.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    parts.append(line)
    return parts
