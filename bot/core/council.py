"""The council in chat: admins keep its list (council) and run review sessions (vote_open,
vote_close, vote_extend); council members vote (vote; on Zalo also “đồng ý 1 3 4”, “không 2”).
The rules are bot.services.council's; this only reads the words and says the answers."""

from __future__ import annotations

from bot import texts
from bot.core.commands import command
from bot.core.screens import Action
from bot.core.turn import Turn
from bot.forms.engine import fold, parse_date
from bot.services import council, council_documents, files
from bot.services.exports import ExportError
from bot.texts import council as t
from bot.texts.commands import cmd
from storage.models import Member

YES, NO = ("dong y", "yes", "co"), ("khong", "no", "khong dong y")


def _numbers(words: list[str]) -> list[int] | None:
    """"1 3 4", "1, 3, 4" → [1, 3, 4]; None when something is not a number."""
    tokens = [w for w in " ".join(words).replace(",", " ").replace(";", " ").split() if w]
    if not tokens or not all(w.lstrip("#").isdigit() and len(w) < 5 for w in tokens):
        return None
    return [int(w.lstrip("#")) for w in tokens]


async def _me(turn: Turn, session) -> Member:  # noqa: ANN001 - AsyncSession
    return await session.get(Member, turn.member.id)


@command("council")
async def council_members(turn: Turn) -> None:
    """council [thêm|bỏ N …]: the council's members, or marking people as members."""
    if not turn.args:
        async with turn.db.session() as session:
            turn.say(t.council_list(await council.members_of_council(session, turn.member.scope_unit_id), turn.channel))
        return
    verb = fold(turn.args[0])
    ids = _numbers(turn.args[1:])
    if verb not in ("them", "add", "bo", "xoa", "remove") or ids is None:
        turn.say(t.council_usage(turn.channel))
        return
    on = verb in ("them", "add")
    async with turn.db.session() as session:
        try:
            changed = await council.set_members(session, await _me(turn, session), ids, on)
        except council.CouncilError as exc:
            turn.say(exc.message)
            return
        listing = t.council_list(await council.members_of_council(session, turn.member.scope_unit_id), turn.channel)
    turn.say(f"{t.changed_council(changed, on)}\n\n{listing}")


@command("vote_open")
async def vote_open(turn: Turn) -> None:
    """vote_open CAMPAIGN [DD/MM/YYYY] [bỏ N …]: a review session of the campaign's approved nominations."""
    campaign_id = turn.number(0)
    if campaign_id is None:
        turn.say(t.vote_open_usage(turn.channel))
        return
    rest, day, leave_out = turn.args[1:], None, ()
    if rest and "/" in rest[0]:
        day, error = parse_date(rest[0])
        if error:
            turn.say(error)
            return
        rest = rest[1:]
    if rest:
        numbers = _numbers(rest[1:]) if fold(rest[0]) in ("bo", "tru", "without") else None
        if numbers is None:
            turn.say(t.vote_open_usage(turn.channel))
            return
        leave_out = tuple(numbers)
    async with turn.db.session() as session:
        try:
            opened = await council.open_session(session, await _me(turn, session), campaign_id, turn.settings,
                                                deadline_day=day, leave_out=leave_out)
        except council.CouncilError as exc:
            turn.say(exc.message)
            return
    turn.say(t.opened(opened))


async def _session_for(turn: Turn, session, me: Member, given: int | None) -> int | None:  # noqa: ANN001
    if given is not None:
        return given
    open_now = await council.open_sessions_for(session, me)
    if not me.council_member:
        turn.say(t.NOT_COUNCIL)
        return None
    if not open_now:
        turn.say(t.NO_OPEN_SESSION)
        return None
    if len(open_now) > 1:
        turn.say(t.which_session(turn.channel, [v.id for v in open_now]))
        return None
    return open_now[0].id


def _ballot_actions(turn: Turn, outcome) -> list[list[Action]]:  # noqa: ANN001
    if turn.channel == "zalo":  # typed: the ballot's text says how
        return []
    sid = str(outcome.session.id)
    return [[Action(f"✅ {c.number}", "vote", (sid, "yes", str(c.number))),
             Action(f"❌ {c.number}", "vote", (sid, "no", str(c.number)))] for c in outcome.candidates]


async def _vote(turn: Turn, given: int | None, words: list[str]) -> None:
    async with turn.db.session() as session:
        me = await _me(turn, session)
        session_id = await _session_for(turn, session, me, given)
        if session_id is None:
            return
        choice = None
        if words:
            head = fold(" ".join(words[:2]))
            for option, forms in (("yes", YES), ("no", NO)):
                for form in sorted(forms, key=len, reverse=True):
                    if head == form or head.startswith(form + " "):
                        choice, words = option, " ".join(words).split()[len(form.split()):]
                        break
                if choice:
                    break
            numbers = _numbers(words) if choice else None
            if numbers is None:
                turn.say(t.vote_usage(turn.channel))
                return
        try:
            if choice:
                mine = await council.cast(session, me, session_id, numbers, choice, turn.settings)
            outcome, mine = await council.ballot(session, me, session_id, turn.settings)
        except council.CouncilError as exc:
            turn.say(exc.message, alert=turn.pressed)
            return
    text = t.ballot(outcome, mine, turn.channel)
    if choice:
        done = t.cast_done(numbers, choice, mine, len(outcome.candidates))
        if turn.pressed:  # the ballot's buttons stay; a pop-up says what was recorded
            turn.say(done, alert=True)
            turn.pressed_keeps = _ballot_actions(turn, outcome)
            return
        text = f"{done}\n\n{text}"
    turn.say(text, _ballot_actions(turn, outcome))


@command("vote")
async def vote(turn: Turn) -> None:
    """vote [SESSION] [đồng ý|không N …]: the ballot, or a choice recorded (council members)."""
    given = turn.number(0)
    await _vote(turn, given, turn.args[1:] if given is not None else turn.args)


async def _typed_choice(turn: Turn, words: list[str]) -> None:
    """“đồng ý 1 3” / “không 2”. The bare word, from someone with no ballot open, is not taken for
    a vote: it is answered as any text the bot does not understand."""
    if not turn.args:
        async with turn.db.session() as session:
            if not await council.open_sessions_for(session, await _me(turn, session)):
                turn.say(texts.UNKNOWN_COMMAND.replace("/help", cmd(turn.channel, "help")))
                return
    await _vote(turn, None, [*words, *turn.args])


@command("vote_yes")
async def vote_yes(turn: Turn) -> None:
    """đồng ý N …: in favour of these candidates, on the one session open."""
    await _typed_choice(turn, ["đồng", "ý"])


@command("vote_no")
async def vote_no(turn: Turn) -> None:
    """không N …: against these candidates, on the one session open."""
    await _typed_choice(turn, ["không"])


@command("vote_close")
async def vote_close(turn: Turn) -> None:
    """vote_close N: count the votes now (or find the quorum missing)."""
    session_id = turn.number(0)
    if session_id is None or len(turn.args) != 1:
        turn.say(t.close_usage(turn.channel))
        return
    async with turn.db.session() as session:
        try:
            outcome = await council.close(session, session_id, turn.settings, await _me(turn, session))
        except council.CouncilError as exc:
            turn.say(exc.message, alert=turn.pressed)
            return
    turn.say(t.results(outcome) if outcome.session.status == "decided" else t.no_quorum(outcome))


@command("vote_extend")
async def vote_extend(turn: Turn) -> None:
    """vote_extend N DD/MM/YYYY: a new deadline for a session still open or without a quorum."""
    session_id = turn.number(0)
    if session_id is None or len(turn.args) != 2:
        turn.say(t.extend_usage(turn.channel))
        return
    day, error = parse_date(turn.args[1])
    if error:
        turn.say(error)
        return
    async with turn.db.session() as session:
        try:
            outcome = await council.extend(session, await _me(turn, session), session_id, day, turn.settings)
        except council.CouncilError as exc:
            turn.say(exc.message)
            return
    turn.say(t.status(outcome))


@command("vote_status")
async def vote_status(turn: Turn) -> None:
    """vote_status N: a session as it stands (counts only once decided)."""
    session_id = turn.number(0)
    if session_id is None or len(turn.args) != 1:
        turn.say(t.status_usage(turn.channel))
        return
    async with turn.db.session() as session:
        try:
            outcome = await council.outcome(session, session_id, turn.settings)
        except council.CouncilError as exc:
            turn.say(exc.message)
            return
    turn.say(t.status(outcome))


@command("vote_docs")
async def vote_docs(turn: Turn) -> None:
    """vote_docs N: the biên bản, the tờ trình and the báo cáo thành tích drafts of a decided session."""
    session_id = turn.number(0)
    if session_id is None or len(turn.args) != 1:
        turn.say(t.docs_usage(turn.channel))
        return
    sent = []
    try:
        async with turn.db.session() as session:
            for which in council_documents.FORMATS:
                for made in await council_documents.documents(session, session_id, which, turn.settings):
                    stored = await files.store(session, made.content, made.filename, made.mime_type)
                    sent.append((stored.id, made, which))
    except ExportError as exc:
        turn.say(exc.text)
        return
    for file_id, made, which in sent:
        turn.attach(file_id, made.filename, made.mime_type, t.DOC_CAPTIONS[which].format(id=session_id, name=made.label))
