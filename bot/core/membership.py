"""Joining with an invite, help, whoami, leaving, and the second channel (link, channel)."""

from __future__ import annotations

from bot import clock, texts
from bot.core import commands
from bot.core.commands import command
from bot.core.screens import Action
from bot.core.turn import Turn
from bot.forms.engine import fold
from bot.services import campaigns, invites, members
from bot.texts import first_contact as fct
from bot.texts import zalo as zt
from bot.texts.commands import cmd, role_help


def help_text(turn: Turn, role: str) -> str:
    return role_help(turn.channel, texts.ROLE_NAMES[role], [(c.name, c.wording) for c in commands.visible(role)])


def _in_channel(turn: Turn, telegram_text: str, zalo_text: str) -> str:
    return zalo_text if turn.channel == "zalo" else telegram_text


@command("start")
async def start(turn: Turn) -> None:
    """start [CODE]: join with an invite (or a link code), or explain how to get one."""
    if not turn.args:
        if turn.person.member is not None:
            turn.say(help_text(turn, turn.member.role))
        else:
            turn.say(_in_channel(turn, texts.START_NO_CODE, zt.START_NO_CODE))
        return
    await join(turn, turn.args[0])


async def join(turn: Turn, code: str) -> None:
    person = turn.person
    ids = ({"zalo_user_id": person.user_id, "zalo_chat_id": person.chat_id} if turn.channel == "zalo"
           else {"telegram_user_id": int(person.user_id), "chat_id": int(person.chat_id)})
    try:
        async with turn.db.session() as session:
            joined = await invites.redeem(session, code, full_name=person.display_name, **ids)
            view = members.view_of(joined)
            other = joined.zalo_user_id if turn.channel == "telegram" else joined.telegram_user_id
    except invites.InviteError as exc:
        if exc.audit:
            async with turn.db.session() as session:
                invites.record_refusal(session, exc)
        if exc.reason == "already_member":
            turn.say(texts.already_member(exc.role, exc.unit_name).replace("/leave", cmd(turn.channel, "leave")))
        else:
            refusal = texts.invite_refused(exc.reason, exc.here, exc.other)
            if turn.channel == "zalo":
                refusal = refusal.replace("/start MÃ_MỜI", "tham gia MÃ_MỜI").replace("/link", "“liên kết”")
            turn.say(refusal)
        return
    person.member = view
    turn.effects.append("menu")
    if other is not None:  # a link code: the same member, now on this channel too
        where = f", {view.unit_name}" if view.unit_name else ""
        linked = _in_channel(turn, texts.LINKED, zt.LINKED)
        turn.say(linked.format(role=texts.ROLE_SHORT[view.role].lower(), where=where,
                               channel=texts.CHANNEL_NAMES[view.channel]))
        return
    accepted = view.zalo_accepted_at if turn.channel == "zalo" else view.telegram_accepted_at
    welcome = texts.welcome(view.full_name, view.role, view.unit_name, turn.settings.organisation_name, turn.channel,
                            accepted_at=accepted)
    if turn.channel == "zalo":
        welcome = welcome.replace("Gõ “trợ giúp” để xem các lệnh.", help_text(turn, view.role))
    turn.say(welcome)
    async with turn.db.session() as session:  # a late joiner gets the unit's active launches
        active = await campaigns.send_to_newcomer(session, view.id)
    if active:
        turn.say(texts.newcomer_campaigns(len(active), min(len(active), campaigns.NEWCOMER_MAX)))


@command("help")
async def help_command(turn: Turn) -> None:
    """help: the commands of this person's role on this channel."""
    if turn.person.member is None:
        turn.say(_in_channel(turn, texts.START_NO_CODE, zt.START_NO_CODE))
        return
    turn.say(help_text(turn, turn.member.role))


@command("whoami")
async def whoami(turn: Turn) -> None:
    m = turn.member
    turn.say(texts.whoami(m.full_name, m.role, m.unit_code, m.unit_name, clock.fmt_date(m.joined_at)))


@command("leave")
async def leave(turn: Turn) -> None:
    """leave: asked before it is done."""
    turn.say(texts.LEAVE_CONFIRM, [[Action(texts.LEAVE_YES, "leave_confirmed"), Action(texts.CANCEL, "keep")]])


@command("leave_confirmed")
async def leave_confirmed(turn: Turn) -> None:
    async with turn.db.session() as session:
        try:
            await members.leave(session, turn.member.id)
        except members.MemberError:
            pass  # already gone: the answer below is still true
    turn.effects.append("menu_cleared")
    turn.say(texts.LEFT, direct=True)


@command("consent")
async def consent(turn: Turn) -> None:
    """“Đồng ý” from someone already a member (a stranger's is taken by bot.first_contact)."""
    if turn.person.member is None:
        turn.say(fct.no_code_held(turn.channel))
        return
    if turn.pressed:  # the notice's button, pressed again: it has done its work
        turn.say(texts.STALE_BUTTON, alert=True)
        return
    turn.say(texts.already_joined(turn.member.role, turn.member.unit_name).replace("/help", cmd(turn.channel, "help")))


@command("keep")
async def keep(turn: Turn) -> None:
    """The "Hủy" under a leave or forget question."""
    turn.say(texts.CANCELLED)


@command("link")
async def link(turn: Turn) -> None:
    """link: a one-time code to type on the other channel, to be this same member there."""
    minutes = turn.settings.link_code_minutes
    try:
        async with turn.db.session() as session:
            code = (await invites.create_link_code(session, turn.member.id, minutes=minutes)).code
    except invites.LinkError:
        turn.say(texts.LINK_COMPLETE)
        return
    turn.say(_in_channel(turn, texts.LINK_CODE, zt.LINK_CODE).format(code=code, minutes=minutes))


@command("channel")
async def channel(turn: Turn) -> None:
    """channel [telegram|zalo]: where broadcasts, nudges and digests go."""
    member = turn.member
    if not turn.args:
        turn.say(_in_channel(turn, texts.CHANNEL_NOW, zt.CHANNEL_NOW).format(channel=texts.CHANNEL_NAMES[member.channel]))
        return
    wanted = fold(turn.args[0])
    if wanted not in texts.CHANNEL_NAMES:
        turn.say(_in_channel(turn, texts.CHANNEL_BAD, zt.CHANNEL_BAD))
        return
    try:
        async with turn.db.session() as session:
            await members.choose_channel(session, member.id, wanted)
    except members.MemberError:
        turn.say(_in_channel(turn, texts.CHANNEL_NO_CHAT, zt.CHANNEL_NO_CHAT).format(channel=texts.CHANNEL_NAMES[wanted]))
        return
    turn.say(texts.CHANNEL_SET.format(channel=texts.CHANNEL_NAMES[wanted]))
