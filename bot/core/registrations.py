"""Registration in chat: admins call a campaign's units to register (registration_call) and read
the register (registrations); officers register (register). Rules: bot.services.registrations."""

from __future__ import annotations

from bot.core.commands import command
from bot.core.turn import Turn
from bot.forms import registration_form
from bot.forms.typed import parse_date
from bot.services import registrations
from bot.texts import registrations as t
from storage.models import Campaign, Member


@command("registration_call")
async def registration_call(turn: Turn) -> None:
    """registration_call CAMPAIGN DD/MM/YYYY: the units are asked to register by that day."""
    campaign_id = turn.number(0)
    if campaign_id is None or len(turn.args) != 2:
        turn.say(t.call_usage(turn.channel))
        return
    due_on, error = parse_date(turn.args[1])
    if error:
        turn.say(error)
        return
    async with turn.db.session() as session:
        try:
            told = await registrations.open_call(session, await session.get(Member, turn.member.id), campaign_id, due_on)
        except registrations.RegistrationError as exc:
            turn.say(exc.message)
            return
    turn.say(t.called(campaign_id, due_on, told))


@command("registrations")
async def registrations_list(turn: Turn) -> None:
    """registrations CAMPAIGN: per unit, what it registered (or not yet)."""
    campaign_id = turn.number(0)
    if campaign_id is None or len(turn.args) != 1:
        turn.say(t.list_usage(turn.channel))
        return
    async with turn.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            turn.say(t.CAMPAIGN_NOT_FOUND.format(id=campaign_id))
            return
        call, rows = await registrations.register_of(session, campaign_id)
    turn.say(t.register_list(campaign_id, campaign.title, call, rows, turn.channel))


@command("register")
async def register(turn: Turn) -> None:
    """register [CAMPAIGN]: the unit's registration form."""
    member = turn.member
    if member.unit_id is None:
        turn.say(t.NOT_OFFICER)
        return
    async with turn.db.session() as session:
        screen = await registration_form.start(turn.engine, session, member.id, member.unit_id, turn.number(0))
    turn.show(screen)
