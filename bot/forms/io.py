"""What the form engine takes (a Reply, maybe with a FileInput) and gives back (a Screen of
Buttons; StaleDraft for a button whose draft is gone). Channels build the one and render the other."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.config import FileSettings
from bot.forms.model import Answers


@dataclass(frozen=True)
class FileInput:
    filename: str
    size: int
    mime_type: str | None
    # Downloads the bytes from the channel; called only once type and size have passed, so a
    # 60 MB video is refused without being fetched.
    fetch: Callable[[], Awaitable[bytes]]
    # The channel's caps (config [files]): nothing above limits.max_bytes is downloaded.
    limits: FileSettings = field(default_factory=FileSettings)
    size_at_least: bool = False  # the channel stopped reading at the cap: the file is larger still
    # Already stored (bot.services.files) by whoever received it (the upload page): kept as the
    # answer's file instead of being stored a second time.
    stored_file_id: int | None = None


@dataclass(frozen=True)
class Reply:
    """What the person did: typed text, pressed a button (action + arg), or sent a file."""

    text: str | None = None
    action: str | None = None  # pick | done | back | skip | cancel | confirm | edit | continue | discard
    arg: str | None = None
    file: FileInput | None = None
    unsupported: str | None = None  # "sticker", "photo", "voice"… sent where it is not expected
    update_id: int | None = None  # the inbox row (bot.inbox.current_row_id): a repeat is not applied twice


@dataclass(frozen=True)
class Button:
    label: str
    action: str
    arg: str = ""


@dataclass
class Screen:
    text: str
    draft_id: int | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    status: str = "asking"  # asking | review | resume | done | cancelled
    form: str | None = None
    answers: Answers | None = None  # the confirmed answers, when status == "done"
    context: dict[str, Any] | None = None
    asks_file: bool = False  # the question takes a file (the chat offers the upload page too)


class StaleDraft(Exception):
    """A button of a draft that no longer exists (finished, cancelled, or forged)."""
