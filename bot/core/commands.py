"""Commands: the dialogue each runs, and how a person's words become one.

A command is typed as `/name args` (any channel) or in Vietnamese words (`báo cáo 7`, `duyệt
12`, diacritics optional). Words count as a command only when the whole message is the words and
arguments that fit them, so an answer such as "Báo cáo tốt" typed into a form stays an answer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core import access
from bot.core.turn import Turn
from bot.forms.engine import fold
from bot.texts.commands import ALIASES, WORDING, Wording, for_role

Dialogue = Callable[[Turn], Awaitable[None]]
NAVIGATION = ("cancel", "back", "skip", "confirm", "continue", "discard")


@dataclass(frozen=True)
class Command:
    name: str
    run: Dialogue
    wording: Wording

    @property
    def roles(self) -> tuple[str, ...]:
        return access.roles_of(self.name)

    def typed(self, *args: object) -> str:
        """How to type it without a slash: "báo cáo 7" (or "/name 7" when it has no words)."""
        head = self.wording.words[0] if self.wording.words else f"/{self.name}"
        return " ".join([head, *(str(a) for a in args)])


COMMANDS: dict[str, Command] = {}
ALIAS_OF = {alias: name for name, alias in ALIASES.items()}


def canonical(name: str) -> str:
    """The command a typed name means: /baocao is /report."""
    return ALIAS_OF.get(name, name)


def command(name: str) -> Callable[[Dialogue], Dialogue]:
    """Register `fn` as the dialogue of command `name` (its roles: bot.core.access.POLICY)."""

    def register(fn: Dialogue) -> Dialogue:
        if name not in access.POLICY:
            raise ValueError(f"command {name!r} has no entry in the access policy")
        COMMANDS[name] = Command(name, fn, WORDING.get(name, Wording()))
        return fn

    return register


# Commands whose typed form takes more words than their usage shows ("kỳ báo cáo 3 sửa 1 30/06/2026").
FREE_TAIL = ("periods", "digest_settings")
# Commands whose words alone ("tình hình") still run them, so the dialogue says what is missing.
BARE = ("periods", "confirm_periods", "status", "export", "report_docx")


def _fits(name: str, usage: str, rest: list[str]) -> bool:
    """Whether typed arguments fit a usage such as "<số phong trào> [kỳ]"."""
    slots = re.findall(r"[<\[][^>\]]*[>\]]|\S+", usage)
    required = [s for s in slots if not s.startswith("[")]
    if not rest and name in BARE:
        return True
    if len(rest) < len(required):
        return False
    if not slots:
        return not rest
    if rest and "số" in slots[0] and not re.fullmatch(r"#?\d+", rest[0]):
        return False
    return len(rest) <= len(slots) or name in FREE_TAIL or usage.endswith("…]")


def _word_table() -> list[tuple[str, str]]:
    table = [(re.sub(r"\s+", " ", fold(w)), name) for name, wd in WORDING.items() for w in wd.words]
    return sorted(table, key=lambda item: -len(item[0]))


def parse(text: str) -> tuple[str | None, list[str]]:
    """("report", ["7"]) for "/report 7" or "báo cáo 7"; (None, []) for anything else."""
    text = (text or "").strip()
    if text.startswith("/"):
        parts = text[1:].split()
        if not parts:
            return None, []
        return canonical(parts[0].split("@")[0].lower()), parts[1:]
    if len(text) > 200:
        return None, []
    words = text.split()
    folded = re.sub(r"\s+", " ", fold(text))
    for phrase, name in _word_table():
        if folded != phrase and not folded.startswith(phrase + " "):
            continue
        rest = words[len(phrase.split()):]
        if _fits(name, WORDING[name].usage, rest):
            return name, rest
    return None, []


def near(text: str) -> tuple[str | None, list[str]]:
    """The command whose words begin `text` though its arguments do not fit ("duyệt abc", "chỉ
    tiêu"): its dialogue says how to type it. Asked only when no draft took the text as an answer."""
    text = (text or "").strip()
    if text.startswith("/") or len(text) > 200:
        return None, []
    words = text.split()
    folded = re.sub(r"\s+", " ", fold(text))
    for phrase, name in _word_table():
        usage = WORDING[name].usage
        if not usage or (folded != phrase and not folded.startswith(phrase + " ")):
            continue
        rest = words[len(phrase.split()):]
        if len(rest) <= len(re.findall(r"[<\[][^>\]]*[>\]]|\S+", usage)) or name in FREE_TAIL:
            return name, rest
    return None, []


def visible(role: str | None) -> list[Command]:
    """The commands /help lists for a role, in the table's order, described for that role."""
    return [Command(c.name, c.run, for_role(c.name, c.wording, role)) for name in WORDING
            if (c := COMMANDS.get(name)) is not None and c.wording.about
            and role is not None and (role in c.roles or access.STRANGER in c.roles)]
