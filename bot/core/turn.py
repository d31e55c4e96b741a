"""One turn of a conversation: who wrote, what they wrote or pressed, and what the bot answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.screens import Action, Attachment, Message
from bot.forms import FormEngine, Reply, Screen
from bot.services.members import MemberView
from bot.texts import web as web_texts
from storage.db import Database

CHANNELS = ("telegram", "zalo")


def _web_on(settings: Any) -> bool:
    web = getattr(settings, "web", None)
    return bool(web is not None and web.enabled)


@dataclass
class Person:
    channel: str  # telegram | zalo
    user_id: str
    chat_id: str
    display_name: str = ""
    member: MemberView | None = None


@dataclass
class Turn:
    person: Person
    db: Database
    settings: Any
    engine: FormEngine
    command: str | None = None  # set by the parser, or by a pressed action
    args: list[str] = field(default_factory=list)
    reply: Reply | None = None  # text, file or form button for the draft in progress
    draft_id: int | None = None  # the draft a pressed form button belongs to
    pressed: bool = False  # the command came from a button
    update_id: int | None = None  # the inbox row (a repeat is not applied twice)
    out: list[Message] = field(default_factory=list)
    # What the channel does besides sending: "menu" (the person's command menu changed),
    # "drain" (rows were queued: send now), ("launched", campaign_id).
    effects: list[Any] = field(default_factory=list)
    # A pressed button's message keeps these actions instead of losing its buttons.
    pressed_keeps: list[list[Action]] | None = None

    @property
    def member(self) -> MemberView:
        assert self.person.member is not None, "a member-only dialogue ran for a stranger"
        return self.person.member

    @property
    def channel(self) -> str:
        return self.person.channel

    def say(self, text: str, actions: list[list[Action]] | None = None, *, alert: bool = False,
            direct: bool = False) -> None:
        self.out.append(Message(text=text, actions=[r for r in (actions or []) if r], alert=alert, direct=direct))

    def show(self, screen: Screen | str, extra: str | None = None) -> None:
        if isinstance(screen, str):
            self.say(screen)
            return
        # A question that takes a file: the upload page too (Zalo cannot send documents at all).
        actions = [[Action(web_texts.UPLOAD_BUTTON, "upload")]] if screen.asks_file and _web_on(self.settings) else []
        self.out.append(Message(text=f"{screen.text}\n\n{extra}" if extra else screen.text, screen=screen,
                                actions=actions))

    def attach(self, file_id: int, filename: str, mime_type: str | None, caption: str = "") -> None:
        self.out.append(Message(file=Attachment(file_id, filename, mime_type, caption)))

    def number(self, index: int = 0) -> int | None:
        """Argument `index` as a number ("3" or "#3"); None when absent or not a number."""
        if len(self.args) <= index:
            return None
        arg = self.args[index].lstrip("#")
        return int(arg) if arg.isdigit() and len(arg) < 10 else None
