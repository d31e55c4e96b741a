"""Forms in a conversation: open one, apply a person's reply to their draft, act on a confirmed
form (its completion runs in the session that deletes the draft, so a failure keeps it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.core.turn import Turn
from bot.forms import Reply, Screen, StaleDraft, completions
from bot.forms.completions import FormRejected

# Completions that need the turn (who, which channel); the others are bot.forms.completions'.
Completion = Callable[[Turn, AsyncSession, Screen], Awaitable[str | None]]
COMPLETIONS: dict[str, Completion] = {}
# What follows a confirmed form once its work is committed (the next item to review…).
AfterCommit = Callable[[Turn, Screen], Awaitable[None]]
AFTER_COMMIT: dict[str, AfterCommit] = {}


def on_complete(*forms: str) -> Callable[[Completion], Completion]:
    def register(fn: Completion) -> Completion:
        for form in forms:
            COMPLETIONS[form] = fn
        return fn

    return register


def after_commit(*forms: str) -> Callable[[AfterCommit], AfterCommit]:
    def register(fn: AfterCommit) -> AfterCommit:
        for form in forms:
            AFTER_COMMIT[form] = fn
        return fn

    return register


async def open_form(turn: Turn, form: str, **kwargs) -> None:  # noqa: ANN003 - FormEngine.open's keywords
    async with turn.db.session() as session:
        screen = await turn.engine.open(session, turn.member.id, form, **kwargs)
    turn.show(screen)


async def step(turn: Turn, reply: Reply, draft_id: int | None = None) -> bool:
    """Apply one reply to the person's draft and show what comes next. False: no draft."""
    extra = None
    reply = dataclasses.replace(reply, update_id=turn.update_id)  # a repeat is not applied twice
    try:
        async with turn.db.session() as session:
            screen = await turn.engine.handle(session, turn.member.id, reply, draft_id)
            if screen is None:
                return False
            if screen.status == "done":
                if screen.form in COMPLETIONS:
                    extra = await COMPLETIONS[screen.form](turn, session, screen)
                else:
                    extra = await completions.complete(session, turn.member.id, screen)
    except StaleDraft:
        turn.say(texts.STALE_BUTTON, alert=True)
        return True
    except FormRejected as rejected:  # the session rolled back: the draft is as it was
        async with turn.db.session() as session:
            screen = await turn.engine.resume(session, turn.member.id)
        turn.say(f"⚠️ {rejected}")
        if screen is not None:
            turn.show(screen)
        return True
    turn.show(screen, extra)
    if screen.status == "done" and screen.form in AFTER_COMMIT:
        await AFTER_COMMIT[screen.form](turn, screen)
    return True
