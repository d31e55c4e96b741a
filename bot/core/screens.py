"""What a dialogue says: messages with actions (buttons on Telegram, typed words on Zalo), a
form's screen, or a stored file."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.forms import Screen


@dataclass(frozen=True)
class Action:
    """A command with its arguments, offered to the person: pressed on Telegram, typed on Zalo."""

    label: str
    command: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A stored file (bot.services.files): uploaded on Telegram, a photo or a signed link on Zalo."""

    file_id: int
    filename: str
    mime_type: str | None = None
    caption: str = ""

    @property
    def is_photo(self) -> bool:
        return (self.mime_type or "").startswith("image/")


@dataclass
class Message:
    text: str = ""
    actions: list[list[Action]] = field(default_factory=list)
    screen: Screen | None = None  # a form's question: its buttons are the form's
    file: Attachment | None = None
    alert: bool = False  # short answer to a pressed button (Telegram: a pop-up)
    direct: bool = False  # sent now or not at all (never queued: e.g. after /forget)
