"""Declared forms: fields with a type, bounds, a Vietnamese prompt and validation message.

A form says what to ask; the engine (bot/forms/engine.py) asks it, keeps the draft in the
database and never knows which chat channel renders the questions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import FileSettings

Answers = dict[str, Any]
# (session, answers so far, the draft's context) → the choices to offer now.
ChoiceProvider = Callable[[AsyncSession, Answers, dict[str, Any]], Awaitable[list["Choice"]]]
# (session, typed value, answers so far, the draft's context) → (normalised value, error message or None).
Resolver = Callable[[AsyncSession, Any, Answers, dict[str, Any]], Awaitable[tuple[Any, str | None]]]
# (value, answers so far) → error message or None; for rules between fields.
Check = Callable[[Any, Answers], str | None]
# (session, accepted value, answers, the draft's context) → (answers to fill in, a note to show):
# e.g. a plan document fills in the campaign's fields.
Fills = Callable[[AsyncSession, Any, Answers, dict[str, Any]], Awaitable[tuple[Answers, str | None]]]
# (session, accepted value, answers so far, the draft's context) → error message or None; for rules
# that need the database and who is asking, e.g. a unit's quota.
Guard = Callable[[AsyncSession, Any, Answers, dict[str, Any]], Awaitable[str | None]]
# (file name, content, the channel's caps) → (what the file says, kept with it; error message or
# None): e.g. the plan document, read before it is stored (bot.services.untrusted_files).
FileReader = Callable[[str, bytes, FileSettings], Awaitable[tuple[dict[str, Any], str | None]]]

KINDS = ("text", "choice", "multi", "date", "number", "file", "units")


@dataclass(frozen=True)
class Choice:
    value: str  # short: it travels in button data (64 bytes in all)
    label: str


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # how the review screen names it
    prompt: str
    kind: str = "text"
    required: bool = True
    min_len: int = 1
    max_len: int = 1000
    needs_letters: bool = True  # text must contain a letter or digit, not only emoji or dots
    choices: tuple[Choice, ...] = ()
    choices_provider: ChoiceProvider | None = None
    # Choices shown and typed by their value as "#7" (a report period's id: the number /due, the
    # nudges and `/report 7` use), not by their place in the list.
    pick_by_id: bool = False
    # Fields that never apply together (the targets of a launch: by kind, a subtree, picked units)
    # name one slot and share its number on the review screen.
    slot: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    max_files: int = 1
    accept: tuple[str, ...] = ()  # file suffixes, e.g. (".pdf", ".docx")
    max_bytes: int | None = None  # None: the channel's cap, files.max_mb (a form may accept less)
    resolver: Resolver | None = None  # e.g. unit codes → validated list
    check: Check | None = None
    fills: Fills | None = None
    guard: Guard | None = None  # checked last, for text-like and choice fields
    reads: FileReader | None = None  # for file fields
    when: Callable[[Answers], bool] | None = None  # asked only when this holds
    hint: str | None = None
    # (session, answers so far, the draft's context) → more to show under the question (e.g. the unit codes)
    hint_provider: Callable[[AsyncSession, Answers, dict[str, Any]], Awaitable[str | None]] | None = None
    error: str | None = None  # replaces the generic validation message when set

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")

    def applies(self, answers: Answers) -> bool:
        return self.when is None or bool(self.when(answers))


@dataclass(frozen=True)
class Form:
    name: str
    title: str  # a noun phrase: "phát động phong trào", "đề xuất điển hình"
    fields: tuple[Field, ...]
    intro: str | None = None
    confirm_label: str = "✅ Xác nhận"
    formatters: dict[str, Callable[[Any], str]] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def applicable(self, answers: Answers) -> list[Field]:
        return [f for f in self.fields if f.applies(answers)]
