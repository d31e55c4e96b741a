"""What a confirmed form does, channel-neutral: Telegram and Zalo both call `complete`.

A completion runs in the session that deletes the draft, so a failure keeps the draft. It returns
extra text to show, or raises FormRejected with the reason (the draft is kept).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forms.engine import Screen

Completion = Callable[[AsyncSession, int, Screen], Awaitable[str | None]]
COMPLETIONS: dict[str, Completion] = {}


class FormRejected(Exception):
    """The confirmed answers cannot be acted on; the message says why (the draft is kept)."""


def completes(*forms: str) -> Callable[[Completion], Completion]:
    def register(fn: Completion) -> Completion:
        for form in forms:
            COMPLETIONS[form] = fn
        return fn

    return register


def has_completion(form: str) -> bool:
    return form in COMPLETIONS


async def complete(session: AsyncSession, member_id: int, screen: Screen) -> str | None:
    return await COMPLETIONS[screen.form](session, member_id, screen)
