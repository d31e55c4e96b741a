"""One turn: who is writing, what they asked for, whether they may, and the dialogue that answers.

The order: a pressed action or typed command (slash or Vietnamese words) runs its dialogue once the
access policy allows it; navigation words go to the draft in progress; anything else is a reply to
that draft, or not understood.
"""

from __future__ import annotations

from bot import first_contact, texts
from bot.core import access, commands, form_steps, scope_guard
from bot.core.commands import COMMANDS, NAVIGATION
from bot.core.turn import Turn
from bot.core.screens import Action
from bot.forms import Reply
from bot.forms.engine import fold
from bot.texts import first_contact as fct
from bot.texts import zalo as zt
from bot.texts.commands import cmd

# The feature dialogues; importing them registers their commands.
from bot.core import (  # noqa: F401,E402 - registration by import
    awards, campaigns, council, digests, invites, members_admin, membership, nominations, personal_data, registrations,
    reports, uploads, web_pages,
)


def not_allowed(turn: Turn, name: str) -> str:
    roles = ", ".join(texts.ROLE_SHORT[r].lower() for r in access.roles_of(name) if r in texts.ROLE_SHORT)
    return texts.NOT_ALLOWED.format(roles=roles or "người khác")


async def handle(turn: Turn) -> None:
    """Answer one turn: the messages are in turn.out, the side effects in turn.effects."""
    if turn.command is None and turn.reply is not None and turn.reply.text and turn.draft_id is None:
        turn.command, turn.args = commands.parse(turn.reply.text)
    elif turn.command is not None:
        turn.command = commands.canonical(turn.command)
    if turn.person.member is None and await _first_contact(turn):
        return
    name, member = turn.command, turn.person.member
    if name is None:
        if member is None:
            turn.say(texts.NOT_A_MEMBER if turn.channel == "telegram" else zt.NOT_A_MEMBER)
            return
        if turn.reply is not None and await form_steps.step(turn, turn.reply, turn.draft_id):
            return
        if turn.reply is not None and turn.reply.text and turn.draft_id is None:
            turn.command, turn.args = commands.near(turn.reply.text)  # "duyệt abc": its dialogue explains
        if turn.command is None:
            sticker = turn.reply is not None and turn.reply.unsupported == "sticker"
            turn.say(zt.STICKER if sticker and turn.channel == "zalo" else _unknown(turn, texts.UNKNOWN_MESSAGE))
            return
        name = turn.command
    command = COMMANDS.get(name)
    if member is None and turn.pressed:
        turn.say(texts.NOT_A_MEMBER_BUTTON, alert=True)
        return
    if command is None and turn.pressed:
        turn.say(_unknown(turn, texts.STALE_BUTTON), alert=True)
        return
    if command is None:
        turn.say(_unknown(turn, texts.UNKNOWN_COMMAND) if member else _stranger(turn))
        return
    if not access.allowed(name, member):
        turn.say(_stranger(turn) if member is None else not_allowed(turn, name), alert=turn.pressed)
        return
    if await scope_guard.refused(turn, name):
        return
    await command.run(turn)
    if name not in FORM_ITSELF:
        await _remind_open_form(turn)


# Commands about the open form itself (its upload link): no reminder of the question after them.
FORM_ITSELF = ("upload",)


async def _remind_open_form(turn: Turn) -> None:
    """A command answered in the middle of a form: the open question again, so that the next
    message is not taken as its answer unawares."""
    if turn.person.member is None or not turn.out or any(m.screen is not None for m in turn.out) \
            or all(m.alert for m in turn.out):
        return  # a form step was shown (or only a pop-up): nothing to remind
    async with turn.db.session() as session:
        screen = await turn.engine.resume(session, turn.person.member.id)
    if screen is None:
        return
    turn.say(texts.STILL_FILLING.format(title=turn.engine.forms[screen.form].title))
    turn.show(screen)


async def _first_contact(turn: Turn) -> bool:
    """A stranger: told first what the bot is and keeps (bot.first_contact); a join they sent before
    that is held until they agree. True when that answered the turn."""
    typed = turn.reply.text if turn.reply is not None and turn.command is None else None
    consents = turn.command == "consent" or first_contact.consents_by_typing(fold(typed) if typed else None)

    async def send(text: str, confirm: bool) -> None:
        turn.say(text, [[Action(fct.CONFIRM_BUTTON, "consent")]] if confirm else None)

    user = int(turn.person.user_id) if turn.channel == "telegram" else turn.person.user_id
    step = await first_contact.stranger(
        turn.db, turn.channel, user, send, org_name=turn.settings.organisation_name,
        join_code=turn.args[0] if turn.command == "start" and turn.args else None, consents=consents)
    if step.join_code is not None:
        await membership.join(turn, step.join_code)
        return True
    return step.handled


def _stranger(turn: Turn) -> str:
    return texts.NOT_A_MEMBER if turn.channel == "telegram" else zt.NOT_A_MEMBER


def _unknown(turn: Turn, text: str) -> str:
    return text.replace("/help", cmd(turn.channel, "help"))


async def navigation(turn: Turn) -> None:
    """hủy, quay lại, bỏ qua, tiếp tục, làm lại (and /cancel…): a step of the draft in progress."""
    if not await form_steps.step(turn, Reply(action=turn.command)):
        turn.say(texts.NEW_CAMPAIGN_NOT_NEEDED)


for _name in NAVIGATION:
    commands.command(_name)(navigation)
