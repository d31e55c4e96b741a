"""First contact, channel-neutral: what the bot does with a message from someone who is not a
member, before any feature sees it.

Their first message on a channel — whatever it is: a greeting, a sticker, a command, a join —
gets the notice (an automated assistant of the organisation, what it stores and why, how to see
and erase it, how to join), and nothing else. A join they sent before seeing it (a deep link's
`/start CODE` as the first message) is not taken as informed acceptance: the code is held and
they are asked to confirm (a button on Telegram, "đồng ý" typed on Zalo); confirming joins them.
Whatever a stranger sends, its inbox row keeps only its keys once handled (bot.inbox.drop_payload).

Each channel adapter calls `stranger()` once, with a `send(text, confirm)` that shows the notice
the channel's way; the account is recorded as told once that returned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import clock
from bot.inbox import drop_payload
from bot.services import first_contact
from bot.texts import first_contact as fct
from storage.db import Database

Send = Callable[[str, bool], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    """What comes next: `handled` (the notice was shown, nothing more to do), or go on — with
    `join_code` set when they just confirmed a join held for them (join with it now)."""

    handled: bool
    join_code: str | None = None


HANDLED = Step(True)
GO_ON = Step(False)


async def stranger(db: Database, channel: str, user_id: int | str, send: Send, *, org_name: str,
                   join_code: str | None = None, consents: bool = False) -> Step:
    """A message from a non-member on `channel`. `join_code`: the invite code the message carries;
    `consents`: it confirms a held join (the button, or "đồng ý")."""
    drop_payload()
    async with db.session() as session:
        told = await first_contact.was_told(session, channel, user_id)
        held = await first_contact.pending_code(session, channel, user_id) if told and consents else None
        if told and join_code is not None:  # a code typed after the notice replaces one held
            await first_contact.clear_pending_code(session, channel, user_id)
    if not told:
        confirm = join_code is not None
        await send(fct.notice(org_name, channel, confirm=confirm), confirm)
        async with db.session() as session:  # only once shown: a notice that failed is shown again
            await first_contact.record_told(session, channel, user_id, clock.now(), pending_code=join_code)
        return HANDLED
    if not consents:
        return GO_ON  # told before: the features answer (a join, or the short not-a-member answer)
    if held:
        return Step(False, held)
    await send(fct.no_code_held(channel), False)
    return HANDLED


def consents_by_typing(folded_text: str | None) -> bool:
    """Zalo: whether the typed words (folded) confirm a held join."""
    return bool(folded_text) and " ".join(folded_text.split()) in fct.CONSENT_WORDS
