"""The council's review sessions (bot.services.council): the session, its candidates with their
counts, who voted, and the open ballots. Part of storage.models' metadata (imported there)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class VoteSession(Base):
    """A review session of the council (phiên họp xét) for a campaign: its candidates are approved
    nominations; council members vote until `deadline_at` or the admin's close. `council_size` is
    the number of members when it opened: the quorum and the pass rule count from it."""

    __tablename__ = "vote_sessions"
    __table_args__ = (CheckConstraint("status IN ('open', 'decided', 'undecided')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    council_size: Mapped[int] = mapped_column(Integer)
    deadline_at: Mapped[datetime]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    nudged_at: Mapped[datetime | None]  # the one reminder to members who had not voted
    closed_at: Mapped[datetime | None]  # decided, or found without quorum (then it can be extended)
    voters_count: Mapped[int | None] = mapped_column(Integer)  # at the close
    # Keys the ballots only when no ballot secret is configured (council.ballot_secret): then
    # whoever reads the database while the session is open could link a ballot to a member.
    ballot_salt: Mapped[str] = mapped_column(String(64))


class VoteCandidate(Base):
    """A nomination on a session's ballot, numbered as the ballot shows it; its counts and result
    are written once, at the close: the only record of how the council voted on it."""

    __tablename__ = "vote_candidates"
    __table_args__ = (UniqueConstraint("session_id", "number", name="uq_vote_candidates_session_number"),
                      UniqueConstraint("session_id", "nomination_id", name="uq_vote_candidates_session_nomination"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("vote_sessions.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    yes_count: Mapped[int | None] = mapped_column(Integer)
    no_count: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(String(16))  # passed | failed


class VoteVoter(Base):
    """Who voted in a session (for the quorum) — never what they chose."""

    __tablename__ = "vote_voters"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("vote_sessions.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoteBallot(Base):
    """One choice on an open session's ballot, under a key only the bot's ballot secret links to a
    member (so a choice can be changed until the close); tallied into VoteCandidate and deleted
    when the session is decided."""

    __tablename__ = "vote_ballots"
    __table_args__ = (UniqueConstraint("session_id", "voter_key", "candidate_id"),
                      CheckConstraint("choice IN ('yes', 'no')", name="choice"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("vote_sessions.id", ondelete="CASCADE"), index=True)
    voter_key: Mapped[str] = mapped_column(String(64))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("vote_candidates.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(8))


class AwardDecision(Base):
    """A Quyết định khen thưởng as the admin recorded it (its number, date and signer as signed),
    with the session whose results it follows, when there was one."""

    __tablename__ = "award_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("vote_sessions.id", ondelete="SET NULL"))
    number: Mapped[str] = mapped_column(String(64))  # "125/QĐ-UBND"
    signed_on: Mapped[date]
    signer: Mapped[str] = mapped_column(String(255), default="")
    recorded_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Award(Base):
    """One exemplar awarded by a decision: the person's or collective's name and unit as they stood,
    so their history (/history) reads across campaigns and years; the reward money as computed."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("award_decisions.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nominations.id", ondelete="SET NULL"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)  # folded, for /history's search
    # Who this is across campaigns and years: the folded name and the unit ("le van binh@12") until an
    # admin merges two spellings into one person or splits an award off (/history_merge, _split).
    person_key: Mapped[str] = mapped_column(String(300), index=True)
    reward_form: Mapped[str] = mapped_column(String(255))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int | None] = mapped_column(Integer)  # đồng; None when config has no multiplier for the form


class RegistrationCall(Base):
    """A campaign's call to register (đăng ký thi đua / giao ước thi đua) by a due date; the one
    overdue nudge to units that have not registered is claimed on `nudged_at`."""

    __tablename__ = "registration_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), unique=True)
    due_on: Mapped[date]
    opened_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    nudged_at: Mapped[datetime | None]


class Registration(Base):
    """What a unit registers for in a campaign: the collective title it aims for and the individuals
    who register for a title ([{"name": …, "title": …}]). One per unit; sent again, it is replaced."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", name="uq_registrations_campaign_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    collective_title: Mapped[str] = mapped_column(String(255))
    individuals: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
