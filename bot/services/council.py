"""The council (Hội đồng Thi đua – Khen thưởng) and its review sessions (phiên họp xét).

Admins mark members as members of the council. A session opened for a campaign puts that
campaign's approved nominations on a ballot; each council member gets it through the outbox,
votes “đồng ý” or “không” per candidate and may change their mind until the deadline or the close.

Ballots are secret. While a session is open a choice is stored under a key that only the ballot
secret links to a member (so it can be changed); who voted is a separate row (for the quorum). At
the close the choices are counted into each candidate's two numbers and deleted: from then on the
database holds how many voted for each candidate and who took part, never who chose what. No
message, page or file names a member beside a choice.

Quorum and pass rule (config [council]): at least `quorum` of all members vote (default 2/3); a
candidate passes with more than `pass_share` of all members in favour (default 1/2). Without a
quorum at the deadline the session stays undecided, admins are told, and an admin can extend it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.collation import vn_key
from bot.config import Settings
from bot.services import audit, members, outbox, registrations, scope
from bot.services.awards import name_key
from bot.services.members import destination
from bot.texts import council as t
from storage.models import (
    Campaign, Member, Nomination, Unit, VoteBallot, VoteCandidate, VoteSession, VoteVoter,
)

DEADLINE_HOUR = time(17, 0)  # a deadline given as a day: the end of that working day


class CouncilError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Candidate:
    number: int
    nomination_id: int
    name: str
    kind: str
    unit_name: str
    reward_form: str
    yes: int | None = None
    no: int | None = None
    result: str | None = None
    registered: bool | None = None  # None: the campaign asked for no registration (đăng ký thi đua)

    @property
    def tie(self) -> bool:
        return self.yes is not None and self.yes == self.no and self.yes > 0


@dataclass(frozen=True)
class Outcome:
    session: VoteSession
    campaign_title: str
    candidates: list[Candidate]
    voters: int
    required: int  # voters needed for the quorum
    pass_votes: int  # votes in favour a candidate needs

    @property
    def quorum_met(self) -> bool:
        return self.voters >= self.required


# --- the council's members ---------------------------------------------------------------------


async def members_of_council(session: AsyncSession, level: int | None = None) -> list[Member]:
    """The council of one level's office (its scope unit; None: the top office's)."""
    rows = await session.scalars(select(Member).where(Member.council_member.is_(True), Member.left_at.is_(None),
                                                      scope.office_clause(level)))
    return sorted(rows.all(), key=lambda m: vn_key(m.full_name))


async def set_members(session: AsyncSession, admin: Member, member_ids: list[int], on: bool) -> list[Member]:
    """Mark (or unmark) members of the council; the ones that changed. Unknown or departed ids refused."""
    found = {m.id: m for m in (await session.scalars(  # the admin's own office's people only
        select(Member).where(Member.id.in_(member_ids), Member.left_at.is_(None),
                             scope.office_clause(admin.scope_unit_id)))).all()}
    missing = [i for i in member_ids if i not in found]
    if missing:
        raise CouncilError(t.MEMBER_NOT_FOUND.format(ids=", ".join(f"#{i}" for i in missing)))
    officers = [m for m in found.values() if m.role not in ("admin", "leader")]
    if on and officers:  # the council is the office and the leaders (Chủ tịch, Phó Chủ tịch, members)
        raise CouncilError(t.NOT_A_LEADER.format(names=", ".join(f"#{m.id} {m.full_name}" for m in officers)))
    changed = []
    for member_id in dict.fromkeys(member_ids):
        member = found[member_id]
        if member.council_member != on:
            member.council_member = on
            changed.append(member)
            audit.record(session, "council.added" if on else "council.removed", actor=admin, subject=member)
    return changed


# --- opening a session -------------------------------------------------------------------------


def deadline_of(day: date) -> datetime:
    return datetime.combine(day, DEADLINE_HOUR, tzinfo=clock.LOCAL_TZ)


async def _candidate_nominations(session: AsyncSession, campaign_id: int) -> list[tuple[Nomination, str]]:
    """The campaign's approved nominations not yet on a session's ballot, with their unit's name,
    grouped by the reward form proposed, then by name (Vietnamese order)."""
    taken = select(VoteCandidate.nomination_id).join(VoteSession, VoteSession.id == VoteCandidate.session_id)
    rows = (await session.execute(
        select(Nomination, Unit.name).join(Unit, Unit.id == Nomination.unit_id)
        .where(Nomination.campaign_id == campaign_id, Nomination.status == "approved",
               Nomination.id.not_in(taken.where(VoteSession.campaign_id == campaign_id)))
    )).all()
    return sorted(((n, unit) for n, unit in rows), key=lambda r: (vn_key(r[0].reward_form), vn_key(r[0].full_name)))


async def open_session(session: AsyncSession, admin: Member, campaign_id: int, settings: Settings, *,
                       deadline_day: date | None = None, leave_out: tuple[int, ...] = ()) -> Outcome:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise CouncilError(t.CAMPAIGN_NOT_FOUND.format(id=campaign_id))
    council = await members_of_council(session, campaign.owner_unit_id)
    if not council:
        raise CouncilError(t.NO_COUNCIL)
    now = clock.now()
    deadline = deadline_of(deadline_day) if deadline_day else \
        deadline_of((clock.local(now) + timedelta(days=settings.council.deadline_days)).date())
    if deadline <= now:
        raise CouncilError(t.DEADLINE_PAST.format(when=clock.fmt_datetime(deadline)))
    available = await _candidate_nominations(session, campaign_id)
    unknown = [i for i in leave_out if i not in {n.id for n, _ in available}]
    if unknown:
        raise CouncilError(t.LEAVE_OUT_UNKNOWN.format(ids=", ".join(f"#{i}" for i in unknown), id=campaign_id))
    chosen = [(n, unit) for n, unit in available if n.id not in leave_out]
    if not chosen:
        raise CouncilError(t.NO_CANDIDATES.format(id=campaign_id))
    vote = VoteSession(campaign_id=campaign_id, status="open", council_size=len(council), deadline_at=deadline,
                       opened_at=now, opened_by_member_id=admin.id, ballot_salt=secrets.token_hex(16))
    session.add(vote)
    await session.flush()
    for number, (n, _unit) in enumerate(chosen, 1):
        session.add(VoteCandidate(session_id=vote.id, nomination_id=n.id, number=number))
    audit.record(session, "council.session_opened", actor=admin, vote_session=vote.id, campaign=campaign_id,
                 candidates=[n.id for n, _ in chosen])
    text = t.ballot_notice(vote.id, campaign.id, campaign.title, len(chosen), deadline)
    for member in council:
        await outbox.enqueue(session, **destination(member), member_id=member.id, kind="council",
                             campaign_id=campaign_id, dedupe_key=f"vote:{vote.id}:open:{member.id}",
                             payload={"method": "sendMessage", "text": text, "reply_markup": {
                                 "inline_keyboard": [[{"text": t.BALLOT_BUTTON, "callback_data": f"c:vote:{vote.id}"}]]}})
    return await outcome(session, vote.id, settings)


# --- reading ------------------------------------------------------------------------------------


async def candidates_of(session: AsyncSession, session_id: int) -> list[Candidate]:
    campaign_id = await session.scalar(select(VoteSession.campaign_id).where(VoteSession.id == session_id))
    signed_up = await registrations.registered(session, campaign_id) if campaign_id else None
    rows = (await session.execute(
        select(VoteCandidate, Nomination, Unit.name)
        .join(Nomination, Nomination.id == VoteCandidate.nomination_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(VoteCandidate.session_id == session_id).order_by(VoteCandidate.number)
    )).all()
    def had_registered(n: Nomination) -> bool | None:
        if signed_up is None:
            return None
        names = signed_up.get(n.unit_id, set())
        return bool(names) if n.kind == "collective" else name_key(n.full_name) in names

    return [Candidate(c.number, n.id, n.full_name, n.kind, unit, n.reward_form, c.yes_count, c.no_count, c.result,
                      had_registered(n)) for c, n, unit in rows]


def required_voters(size: int, settings: Settings) -> int:
    return max(1, math.ceil(settings.council.quorum * size))


def votes_to_pass(size: int, settings: Settings) -> int:
    return math.floor(settings.council.pass_share * size) + 1  # more than that share


async def voters_count(session: AsyncSession, session_id: int) -> int:
    return await session.scalar(select(func.count()).select_from(VoteVoter).where(VoteVoter.session_id == session_id))


async def outcome(session: AsyncSession, session_id: int, settings: Settings) -> Outcome:
    vote = await session.get(VoteSession, session_id)
    if vote is None:
        raise CouncilError(t.SESSION_NOT_FOUND.format(id=session_id))
    title = await session.scalar(select(Campaign.title).where(Campaign.id == vote.campaign_id))
    voters = vote.voters_count if vote.status == "decided" else await voters_count(session, session_id)
    return Outcome(vote, title or "", await candidates_of(session, session_id), voters,
                   required_voters(vote.council_size, settings), votes_to_pass(vote.council_size, settings))


async def open_sessions_for(session: AsyncSession, member: Member) -> list[VoteSession]:
    """The open sessions of the member's own office's council."""
    if not member.council_member:
        return []
    return list((await session.scalars(
        select(VoteSession).join(Campaign, Campaign.id == VoteSession.campaign_id)
        .where(VoteSession.status == "open", scope.level_clause(member.scope_unit_id)).order_by(VoteSession.id))).all())


# --- voting -------------------------------------------------------------------------------------


def _voter_key(vote: VoteSession, member_id: int, settings: Settings) -> str:
    secret = settings.council.ballot_secret or settings.zalo.link_secret or vote.ballot_salt
    return hmac.new(secret.encode(), f"ballot/{vote.id}/{member_id}".encode(), hashlib.sha256).hexdigest()


async def _open_for_voting(session: AsyncSession, member: Member, session_id: int) -> VoteSession:
    if not member.council_member:
        raise CouncilError(t.NOT_COUNCIL)
    vote = await session.get(VoteSession, session_id)
    owner = await session.scalar(select(Campaign.owner_unit_id).where(Campaign.id == vote.campaign_id)) if vote else None
    if vote is None or owner != member.scope_unit_id:  # another level's council
        raise CouncilError(t.SESSION_NOT_FOUND.format(id=session_id))
    if vote.status != "open" or vote.deadline_at <= clock.now():
        raise CouncilError(t.SESSION_CLOSED.format(id=vote.id))
    return vote


async def my_choices(session: AsyncSession, vote: VoteSession, member: Member, settings: Settings) -> dict[int, str]:
    """This member's own choices on an open ballot (number → yes/no), shown only to them."""
    key = _voter_key(vote, member.id, settings)
    rows = await session.execute(
        select(VoteCandidate.number, VoteBallot.choice).join(VoteCandidate, VoteCandidate.id == VoteBallot.candidate_id)
        .where(VoteBallot.session_id == vote.id, VoteBallot.voter_key == key))
    return dict(rows.all())


async def ballot(session: AsyncSession, member: Member, session_id: int, settings: Settings
                 ) -> tuple[Outcome, dict[int, str]]:
    vote = await _open_for_voting(session, member, session_id)
    return await outcome(session, vote.id, settings), await my_choices(session, vote, member, settings)


async def cast(session: AsyncSession, member: Member, session_id: int, numbers: list[int], choice: str,
               settings: Settings) -> dict[int, str]:
    """Record (or change) this member's choice for these candidates; their whole ballot after."""
    vote = await _open_for_voting(session, member, session_id)
    by_number = {c.number: c.id for c in (await session.scalars(
        select(VoteCandidate).where(VoteCandidate.session_id == vote.id))).all()}
    wrong = [n for n in numbers if n not in by_number]
    if wrong or not numbers:
        raise CouncilError(t.BAD_NUMBERS.format(numbers=", ".join(map(str, wrong)) or "—", last=len(by_number)))
    key = _voter_key(vote, member.id, settings)
    existing = {b.candidate_id: b for b in (await session.scalars(
        select(VoteBallot).where(VoteBallot.session_id == vote.id, VoteBallot.voter_key == key))).all()}
    for number in dict.fromkeys(numbers):
        row = existing.get(by_number[number])
        if row is None:
            session.add(VoteBallot(session_id=vote.id, voter_key=key, candidate_id=by_number[number], choice=choice))
        else:
            row.choice = choice
    if await session.scalar(select(VoteVoter.id).where(VoteVoter.session_id == vote.id,
                                                       VoteVoter.member_id == member.id)) is None:
        session.add(VoteVoter(session_id=vote.id, member_id=member.id, voted_at=clock.now()))
    await session.flush()
    return await my_choices(session, vote, member, settings)


# --- closing, extending, the tick ------------------------------------------------------------------


async def _admins(session: AsyncSession, vote: VoteSession) -> list[Member]:
    return await members.campaign_office(session, vote.campaign_id)


async def _council_of(session: AsyncSession, vote: VoteSession) -> list[Member]:
    owner = await session.scalar(select(Campaign.owner_unit_id).where(Campaign.id == vote.campaign_id))
    return await members_of_council(session, owner)


async def _tell(session: AsyncSession, members: list[Member], text: str, key: str, campaign_id: int) -> None:
    for m in {m.id: m for m in members}.values():
        await outbox.enqueue(session, **destination(m), member_id=m.id, kind="council", campaign_id=campaign_id,
                             dedupe_key=f"{key}:{m.id}", payload={"method": "sendMessage", "text": text})


async def close(session: AsyncSession, session_id: int, settings: Settings, admin: Member | None = None) -> Outcome:
    """Count the votes, or — without a quorum — leave the session undecided; everyone concerned told."""
    vote = await session.get(VoteSession, session_id)
    if vote is None:
        raise CouncilError(t.SESSION_NOT_FOUND.format(id=session_id))
    if vote.status != "open":
        raise CouncilError(t.SESSION_NOT_OPEN.format(id=vote.id))
    now = clock.now()
    result = await outcome(session, vote.id, settings)
    vote.closed_at = now
    if not result.quorum_met:
        vote.status = "undecided"
        audit.record(session, "council.session_undecided", actor=admin, vote_session=vote.id, voters=result.voters)
        others = [m for m in await _admins(session, vote) if admin is None or m.id != admin.id]
        await _tell(session, others, t.no_quorum(result), f"vote:{vote.id}:undecided:{now.timestamp():.0f}",
                    vote.campaign_id)
        return await outcome(session, vote.id, settings)
    counts = {cid: {"yes": 0, "no": 0} for cid in (await session.scalars(
        select(VoteCandidate.id).where(VoteCandidate.session_id == vote.id))).all()}
    for candidate_id, choice, n in (await session.execute(
            select(VoteBallot.candidate_id, VoteBallot.choice, func.count()).where(VoteBallot.session_id == vote.id)
            .group_by(VoteBallot.candidate_id, VoteBallot.choice))).all():
        counts[candidate_id][choice] = n
    for candidate in (await session.scalars(select(VoteCandidate).where(VoteCandidate.session_id == vote.id))).all():
        candidate.yes_count, candidate.no_count = counts[candidate.id]["yes"], counts[candidate.id]["no"]
        candidate.result = "passed" if candidate.yes_count >= result.pass_votes else "failed"
    # The choices are now only counts: the rows that could link one to a member go.
    await session.execute(delete(VoteBallot).where(VoteBallot.session_id == vote.id))
    vote.status, vote.voters_count = "decided", result.voters
    audit.record(session, "council.session_decided", actor=admin, vote_session=vote.id, voters=result.voters)
    decided = await outcome(session, vote.id, settings)
    told = [m for m in await _admins(session, vote) + await _council_of(session, vote) if admin is None or m.id != admin.id]
    await _tell(session, told, t.results(decided), f"vote:{vote.id}:results", vote.campaign_id)  # the closer has it
    return decided


async def extend(session: AsyncSession, admin: Member, session_id: int, deadline_day: date,
                 settings: Settings) -> Outcome:
    vote = await session.get(VoteSession, session_id)
    if vote is None:
        raise CouncilError(t.SESSION_NOT_FOUND.format(id=session_id))
    if vote.status == "decided":
        raise CouncilError(t.SESSION_DECIDED.format(id=vote.id))
    deadline = deadline_of(deadline_day)
    if deadline <= clock.now():
        raise CouncilError(t.DEADLINE_PAST.format(when=clock.fmt_datetime(deadline)))
    vote.status, vote.deadline_at, vote.closed_at, vote.nudged_at = "open", deadline, None, None
    audit.record(session, "council.session_extended", actor=admin, vote_session=vote.id)
    title = await session.scalar(select(Campaign.title).where(Campaign.id == vote.campaign_id))
    voted = set((await session.scalars(select(VoteVoter.member_id).where(VoteVoter.session_id == vote.id))).all())
    waiting = [m for m in await _council_of(session, vote) if m.id not in voted]
    await _tell(session, waiting, t.extended_notice(vote.id, title or "", deadline),
                f"vote:{vote.id}:extended:{deadline.timestamp():.0f}", vote.campaign_id)
    return await outcome(session, vote.id, settings)


async def tick(session: AsyncSession, settings: Settings, now: datetime | None = None) -> tuple[int, int]:
    """Remind once the members who have not voted, `remind_hours` before the deadline; close the
    sessions whose deadline has passed. (reminders queued, sessions closed)"""
    now = now or clock.now()
    reminded = closed = 0
    for vote in (await session.scalars(select(VoteSession).where(VoteSession.status == "open"))).all():
        if vote.deadline_at <= now:
            await close(session, vote.id, settings)
            closed += 1
            continue
        if vote.nudged_at is None and vote.deadline_at - timedelta(hours=settings.council.remind_hours) <= now:
            vote.nudged_at = now
            voted = set((await session.scalars(select(VoteVoter.member_id).where(VoteVoter.session_id == vote.id))).all())
            waiting = [m for m in await _council_of(session, vote) if m.id not in voted]
            await _tell(session, waiting, t.reminder(vote.id, vote.deadline_at), f"vote:{vote.id}:remind",
                        vote.campaign_id)
            reminded += len(waiting)
    return reminded, closed
