"""Decisions and each exemplar's history (issue 16, items 4–5).

An admin records the Quyết định khen thưởng that followed a review session: its number, date and
signer, with the candidates who passed (less any the decision left out). Each becomes an award
row carrying the name and unit as they stood, the reward form, the year and the reward money
(config [awards]: lương cơ sở × the form's multiplier). The officers of each awarded unit are told
once, through the outbox. /history NAME reads the awards of a person or a collective across
campaigns and years; the review screen shows the same for the nomination on it.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.collation import vn_key
from bot.config import Settings
from bot.services import audit, outbox, scope
from bot.services.members import destination
from bot.texts import awards as t
from storage.models import Award, AwardDecision, Campaign, Member, Nomination, Unit, VoteCandidate, VoteSession

HISTORY_MAX = 20


class AwardError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def name_key(name: str) -> str:
    """The same person or collective across years: case, diacritics and spaces aside."""
    marks = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in marks if unicodedata.category(c) != "Mn").lower().split())[:255]


def amount_for(reward_form: str, settings: Settings) -> int | None:
    """Reward money in đồng: the lương cơ sở times the form's multiplier, rounded to 1.000 đồng as
    paid; None when config names no multiplier for the form."""
    wanted = name_key(reward_form)
    factor = next((f for form, f in settings.awards.multipliers if name_key(form) == wanted), None)
    if factor is None:
        return None
    return int(round(settings.awards.base_salary * factor / 1000) * 1000)


@dataclass(frozen=True)
class Recorded:
    decision: AwardDecision
    awards: list[Award]
    unit_names: dict[int, str]


async def record_decision(session: AsyncSession, admin: Member, session_id: int, number: str, signed_on: date,
                          settings: Settings, leave_out: tuple[int, ...] = ()) -> Recorded:
    vote = await session.get(VoteSession, session_id)
    if vote is None:
        raise AwardError(t.SESSION_NOT_FOUND.format(id=session_id))
    if vote.status != "decided":
        raise AwardError(t.SESSION_NOT_DECIDED.format(id=session_id))
    if await session.scalar(select(AwardDecision.id).where(AwardDecision.session_id == vote.id)) is not None:
        raise AwardError(t.ALREADY_RECORDED.format(id=session_id))
    rows = (await session.execute(
        select(VoteCandidate.number, Nomination, Unit.name).join(Nomination, Nomination.id == VoteCandidate.nomination_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(VoteCandidate.session_id == vote.id, VoteCandidate.result == "passed").order_by(VoteCandidate.number)
    )).all()
    wrong = [n for n in leave_out if n not in {number_ for number_, _, _ in rows}]
    if wrong:
        raise AwardError(t.LEAVE_OUT_UNKNOWN.format(numbers=", ".join(map(str, wrong)), id=session_id))
    chosen = [(n, unit) for number_, n, unit in rows if number_ not in leave_out]
    if not chosen:
        raise AwardError(t.NOBODY.format(id=session_id))
    decision = AwardDecision(campaign_id=vote.campaign_id, session_id=vote.id, number=number[:64], signed_on=signed_on,
                             signer=settings.signer_name, recorded_by_member_id=admin.id, recorded_at=clock.now())
    session.add(decision)
    await session.flush()
    made = []
    for n, _unit in chosen:
        award = Award(decision_id=decision.id, nomination_id=n.id, unit_id=n.unit_id, kind=n.kind,
                      full_name=n.full_name, name_key=name_key(n.full_name),
                      person_key=await person_of(session, n.full_name, n.unit_id), reward_form=n.reward_form,
                      year=signed_on.year, amount=amount_for(n.reward_form, settings))
        session.add(award)
        made.append(award)
    await session.flush()
    audit.record(session, "awards.decision_recorded", actor=admin, decision=decision.id, vote_session=vote.id,
                 awards=[a.id for a in made])
    units = {n.unit_id: unit for n, unit in chosen}
    await _tell_units(session, decision, made, units)
    return Recorded(decision, made, units)


async def _tell_units(session: AsyncSession, decision: AwardDecision, made: list[Award], units: dict[int, str]) -> None:
    """One message to each officer of each awarded unit, naming that unit's awards."""
    title = await session.scalar(select(Campaign.title).where(Campaign.id == decision.campaign_id)) or ""
    by_unit: dict[int, list[Award]] = defaultdict(list)
    for award in made:
        by_unit[award.unit_id].append(award)
    for unit_id, awards in by_unit.items():
        officers = (await session.scalars(select(Member).where(
            Member.unit_id == unit_id, Member.role == "officer", Member.left_at.is_(None)))).all()
        text = t.unit_notice(decision, title, units[unit_id], awards)
        for m in officers:
            await outbox.enqueue(session, **destination(m), member_id=m.id, kind="award",
                                 campaign_id=decision.campaign_id, dedupe_key=f"award:{decision.id}:{m.id}",
                                 payload={"method": "sendMessage", "text": text})


async def person_of(session: AsyncSession, full_name: str, unit_id: int) -> str:
    """The person an award of this name and unit belongs to: the one an earlier award of the same
    folded name and unit was given (it may have been merged into someone), else a new one."""
    key = name_key(full_name)
    known = await session.scalar(select(Award.person_key).where(Award.name_key == key, Award.unit_id == unit_id)
                                 .order_by(Award.id.desc()).limit(1))
    return known or f"{key}@{unit_id}"


async def merge(session: AsyncSession, admin: Member, keep_id: int, other_id: int) -> int:
    """The person of award `other_id` is the person of `keep_id` (another spelling, another unit):
    all of the other's awards move over. How many moved."""
    keep, other = await session.get(Award, keep_id), await session.get(Award, other_id)
    if keep is None or other is None:
        raise AwardError(t.AWARD_NOT_FOUND.format(id=other_id if keep else keep_id))
    moved = (await session.scalars(select(Award).where(Award.person_key == other.person_key))).all()
    for award in moved:
        award.person_key = keep.person_key
    audit.record(session, "awards.merged", actor=admin, kept=keep.id, merged=[a.id for a in moved])
    return len(moved)


async def split(session: AsyncSession, admin: Member, award_id: int) -> Award:
    """Award `award_id` belongs to someone else of the same name: a person of its own."""
    award = await session.get(Award, award_id)
    if award is None:
        raise AwardError(t.AWARD_NOT_FOUND.format(id=award_id))
    award.person_key = f"{award.name_key}@{award.unit_id}#{award.id}"
    audit.record(session, "awards.split", actor=admin, award=award.id)
    return award


@dataclass(frozen=True)
class HistoryEntry:
    award_id: int
    person_key: str
    full_name: str
    unit_name: str
    kind: str
    reward_form: str
    year: int
    decision_number: str
    campaign_title: str


async def history(session: AsyncSession, name: str, reach: scope.Scope = scope.WHOLE_TREE) -> list[HistoryEntry]:
    """The awards of everyone whose name contains these words (diacritics aside) — and every award of
    the same people under other spellings (merged) — by person, newest first; of units in the
    office's reach only."""
    key = name_key(name)
    people = select(Award.person_key).where(Award.name_key.contains(key, autoescape=True))
    rows = (await session.execute(
        select(Award, Unit.name, AwardDecision.number, Campaign.title)
        .join(Unit, Unit.id == Award.unit_id).join(AwardDecision, AwardDecision.id == Award.decision_id)
        .join(Campaign, Campaign.id == AwardDecision.campaign_id)
        .where(Award.person_key.in_(people), reach.units_clause(Award.unit_id))
    )).all()
    entries = [HistoryEntry(a.id, a.person_key, a.full_name, unit, a.kind, a.reward_form, a.year, number, title)
               for a, unit, number, title in rows]
    firsts: dict[str, HistoryEntry] = {}
    for e in sorted(entries, key=lambda e: e.award_id):
        firsts.setdefault(e.person_key, e)
    order = {k: (vn_key(e.full_name), vn_key(e.unit_name), k) for k, e in firsts.items()}
    return sorted(entries, key=lambda e: (order[e.person_key], -e.year, e.award_id))[:HISTORY_MAX]


async def earlier_awards(session: AsyncSession, nomination: Nomination) -> list[tuple[str, int]]:
    """What the same person (same name, same unit) was awarded before: (form, year), oldest first."""
    person = await person_of(session, nomination.full_name, nomination.unit_id)
    rows = (await session.execute(
        select(Award.reward_form, Award.year).where(Award.person_key == person,
                                                    Award.nomination_id.is_distinct_from(nomination.id))
        .order_by(Award.year, Award.id))).all()
    return [(form, year) for form, year in rows]


async def stages(session: AsyncSession, nomination_ids: list[int] | None = None, *,
                 campaign_id: int | None = None) -> dict[int, str]:
    """Where approved nominations stand past the approval (these, or all of a campaign's):
    in_review (on an open or undecided session's ballot), passed / failed (the council's result),
    awarded (in a recorded decision)."""
    if nomination_ids is not None and not nomination_ids:
        return {}
    ballots = (select(VoteCandidate.nomination_id, VoteSession.status, VoteCandidate.result)
               .join(VoteSession, VoteSession.id == VoteCandidate.session_id).order_by(VoteSession.id))
    awarded = select(Award.nomination_id).join(AwardDecision, AwardDecision.id == Award.decision_id)
    if nomination_ids is not None:
        ballots = ballots.where(VoteCandidate.nomination_id.in_(nomination_ids))
        awarded = awarded.where(Award.nomination_id.in_(nomination_ids))
    if campaign_id is not None:
        ballots = ballots.where(VoteSession.campaign_id == campaign_id)
        awarded = awarded.where(AwardDecision.campaign_id == campaign_id)
    found: dict[int, str] = {}
    for nid, status, result in (await session.execute(ballots)).all():
        found[nid] = result if status == "decided" else "in_review"  # the latest session counts
    for nid in (await session.scalars(awarded)).all():
        if nid is not None:
            found[nid] = "awarded"
    return found


async def of_campaign(session: AsyncSession, campaign_id: int) -> list[tuple[Award, str, AwardDecision]]:
    """The campaign's awards with their unit's name and decision (for the XLSX)."""
    rows = (await session.execute(
        select(Award, Unit.name, AwardDecision).join(Unit, Unit.id == Award.unit_id)
        .join(AwardDecision, AwardDecision.id == Award.decision_id).where(AwardDecision.campaign_id == campaign_id)
    )).all()
    return sorted(((a, u, d) for a, u, d in rows), key=lambda r: (vn_key(r[1]), vn_key(r[0].full_name), r[0].id))

