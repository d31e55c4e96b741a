"""Typed SQLAlchemy 2 models. Times are stored as timezone-aware UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, utcnow

ROLES = ("admin", "officer", "leader")


class Unit(Base):
    """A unit of the tree: province, commune, office, mass organisation, school…"""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], lazy="raise")


class Member(Base):
    """A person bound to a unit with a role; left_at set when they leave or are deactivated."""

    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'officer', 'leader')", name="role"),
        CheckConstraint("channel IN ('telegram', 'zalo')", name="channel"),
        CheckConstraint("telegram_user_id IS NOT NULL OR zalo_user_id IS NOT NULL", name="identity"),
        # One active membership per Telegram account and per Zalo account; past ones stay for history.
        Index(
            "uq_members_active_user",
            "telegram_user_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
        Index(
            "uq_members_active_zalo_user",
            "zalo_user_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A person reaches the bot on Telegram, on Zalo, or both; `channel` is where broadcasts,
    # nudges and digests go (default: the one they joined on).
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # the Telegram chat
    zalo_user_id: Mapped[str | None] = mapped_column(String(64))  # Zalo ids are strings
    zalo_chat_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), default="telegram", server_default="telegram")
    full_name: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    reachable: Mapped[bool] = mapped_column(default=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    # When they accepted what the bot stores, on each channel, having been shown that channel's
    # notice (bot.first_contact): by joining there, or by linking it. None: not on that channel,
    # or a member from before consent was recorded (migration 0011).
    telegram_accepted_at: Mapped[datetime | None]
    zalo_accepted_at: Mapped[datetime | None]
    # A member of the Hội đồng Thi đua – Khen thưởng: gets a ballot in each review session.
    council_member: Mapped[bool] = mapped_column(default=False, server_default=false())
    # An admin's or leader's reach (bot.services.scope): this unit and everything under it; None:
    # the whole tree (the top office, and every admin and leader from before migration 0021).
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)

    unit: Mapped[Unit | None] = relationship(lazy="raise", foreign_keys=[unit_id])

    @property
    def active(self) -> bool:
        return self.left_at is None


class FirstContact(Base):
    """A channel account the bot has told what it is and what it keeps (bot.first_contact), before
    they are a member: their id on that channel and when, nothing else — except, while they are
    asked to confirm a join they began before seeing the notice, the invite code they sent (the
    office's code, not their data), cleared once used."""

    __tablename__ = "first_contacts"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # their user id on the channel
    told_at: Mapped[datetime]
    pending_code: Mapped[str | None] = mapped_column(String(64))


class Invite(Base):
    """A one-time code that binds whoever opens it to a unit and a role."""

    __tablename__ = "invites"
    __table_args__ = (CheckConstraint("role IN ('admin', 'officer', 'leader')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    used_at: Mapped[datetime | None]
    # A link code: whoever opens it on another channel becomes this member there (not a new one).
    link_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # An admin's or leader's invite: the reach its member gets (Member.scope_unit_id).
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    unit: Mapped[Unit | None] = relationship(lazy="raise", foreign_keys=[unit_id])


class AuditEntry(Base):
    """Who did what, when. Kept when a person erases their data, with them anonymised."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StoredFile(Base):
    """A file the bot received or must send again: kept whole, so no channel's file ids are needed."""

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    uploaded_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FormDraft(Base):
    """A form being filled in: the answers so far and where the person is. Survives restarts."""

    __tablename__ = "form_drafts"
    __table_args__ = (UniqueConstraint("member_id", "form", name="uq_form_drafts_member_form"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    form: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Context the form was opened with (e.g. a nomination's campaign), not asked of the person.
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    current_field: Mapped[str | None] = mapped_column(String(64))
    # Fields answered, in order, so /back retraces the person's own path.
    path: Mapped[list[str]] = mapped_column(JSON, default=list)
    stage: Mapped[str] = mapped_column(String(16), default="filling")  # filling | review | editing
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last inbox row applied (bot.inbox): the same update handled again after a crash is not
    # applied a second time.
    last_update_id: Mapped[int | None] = mapped_column(BigInteger)


class Campaign(Base):
    """A phong trào / đợt thi đua, launched by a plan document."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_type: Mapped[str | None] = mapped_column(String(8))
    number: Mapped[str | None] = mapped_column(String(32))
    symbol: Mapped[str | None] = mapped_column(String(64))
    place: Mapped[str | None] = mapped_column(String(128))
    issued_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(1000))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    period_text: Mapped[str | None] = mapped_column(Text)
    reporting_cadence: Mapped[str | None] = mapped_column(String(16))
    reporting_text: Mapped[str | None] = mapped_column(Text)
    quota_collectives: Mapped[int | None]
    quota_individuals: Mapped[int | None]
    quota_per: Mapped[str | None] = mapped_column(String(16))
    reward_forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    signer_name: Mapped[str | None] = mapped_column(String(255))
    signer_title: Mapped[str | None] = mapped_column(String(255))
    document_file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id"))
    created_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    launched_at: Mapped[datetime | None]
    # The admin's progress message, edited while the broadcast drains, and when its summary went.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_updated_at: Mapped[datetime | None]
    summary_sent_at: Mapped[datetime | None]
    # Whose campaign it is: the office of this unit (a xã's own campaign to its schools and thôn);
    # None: the top office's. The campaign it carries out, when it implements a higher level's.
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    parent_campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"),
                                                           index=True)


class CampaignUnit(Base):
    """A unit a campaign was launched to, and its acknowledgement (first officer wins)."""

    __tablename__ = "campaign_units"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", name="uq_campaign_units_campaign_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class OutboxMessage(Base):
    """One message to send. Claimed before it is sent, so each goes out once across processes."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="telegram")
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # a Telegram chat
    address: Mapped[str | None] = mapped_column(String(64))  # the chat on other channels (Zalo: a string id)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # campaign_launch, campaign_document, notice…
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    # Re-enqueueing the same key is a no-op: a launch re-run or a retried job adds no duplicate.
    dedupe_key: Mapped[str | None] = mapped_column(String(128))
    # What the message is about for its person ("nudge:<period>:<member>", "digest:<member>"): a
    # newer message on the topic supersedes an older one still pending (bot.services.outbox).
    topic: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed|superseded
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)



class SendBudget(Base):
    """One row per channel, shared by every process sending with its token (bot.sending_budget):
    the next free start slot and the end of a 429 pause, in seconds since the epoch."""

    __tablename__ = "send_budget"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_slot: Mapped[float] = mapped_column(Float, default=0.0)
    paused_until: Mapped[float] = mapped_column(Float, default=0.0)


class ZaloUsage(Base):
    """Zalo messages sent in one calendar month (Asia/Ho_Chi_Minh), claimed before each send so
    several processes together stay within zalo.monthly_quota; and when the admins were warned
    that the month reached 80 % of it (claimed once)."""

    __tablename__ = "zalo_usage"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    sent: Mapped[int] = mapped_column(Integer, default=0)
    warned_at: Mapped[datetime | None]


# --- nominations (điển hình tiên tiến) ---------------------------------------------------------------

NOMINATION_KINDS = ("collective", "individual")
NOMINATION_STATUSES = ("draft", "submitted", "approved", "returned", "rejected", "withdrawn")


class Nomination(Base):
    """An exemplar a unit puts forward for a campaign: a collective or an individual.

    The form in progress is a FormDraft; a row here exists from the first submission and goes
    submitted → approved / returned (fixed and resubmitted) / rejected, or withdrawn before review.
    """

    __tablename__ = "nominations"
    __table_args__ = (
        CheckConstraint("kind IN ('collective', 'individual')", name="kind"),
        CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'returned', 'rejected', 'withdrawn')", name="status"
        ),
        Index("ix_nominations_quota", "campaign_id", "unit_id", "period_key"),
        Index("ix_nominations_queue", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(255))  # a person's or a collective's name, as typed
    position: Mapped[str | None] = mapped_column(String(255))  # individual only
    workplace: Mapped[str | None] = mapped_column(String(255))  # individual only
    sector: Mapped[str] = mapped_column(String(64))  # lĩnh vực
    summary: Mapped[str] = mapped_column(Text)  # trích ngang thành tích
    reward_form: Mapped[str] = mapped_column(String(255))
    evidence_file_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The quota period the first submission fell in ("2026-Q2", "2026-H1", "2026", "campaign").
    period_key: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_submitted_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]  # the latest (re)submission: the review queue's order
    # "⏭ Để sau": the nomination waits behind every one not put off (cleared when it is sent again)
    put_off_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    review_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Put forward to the higher level ("đề nghị cấp trên khen thưởng"): the lower level's approved
    # nomination this one carries, with its review history.
    forwarded_from_id: Mapped[int | None] = mapped_column(ForeignKey("nominations.id", ondelete="SET NULL"))


class NominationEvent(Base):
    """One change of a nomination: who, when, from which status to which, and why."""

    __tablename__ = "nomination_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))  # submitted | resubmitted | withdrawn | approved | returned | rejected
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)


class NominationQuotaOverride(Base):
    """An admin's quota for one unit in one period of a campaign, instead of the campaign's own."""

    __tablename__ = "nomination_quota_overrides"
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id", "period_key", name="uq_nomination_quota_overrides_campaign_unit_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(16))
    collectives: Mapped[int | None]
    individuals: Mapped[int | None]
    set_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- report periods, reports and nudges --------------------------------------------------------

PERIOD_KINDS = ("semiannual", "annual", "quarterly", "yearly", "final", "one-off")


class ReportPeriod(Base):
    """A kỳ báo cáo of a campaign: each targeted unit owes one report by due_on (local dates).

    Proposed from the campaign's reporting rule; nudges are planned once an admin confirms it.
    """

    __tablename__ = "report_periods"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('semiannual', 'annual', 'quarterly', 'yearly', 'final', 'one-off')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(255))
    opens_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    confirmed_at: Mapped[datetime | None]
    # The one escalation to the leaders, claimed like a nudge (… WHERE escalated_at IS NULL).
    escalated_at: Mapped[datetime | None]
    # The officers told that the period is open, claimed the same way (bot.services.report_notices).
    opened_notice_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(Base):
    """A unit's report for a period. A resubmission adds a row and points the old one at it."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_period_unit", "period_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("report_periods.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    days_late: Mapped[int] = mapped_column(default=0)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    # The admins told of it (bot.services.report_notices), claimed … WHERE office_told_at IS NULL.
    office_told_at: Mapped[datetime | None] = mapped_column(index=True)


class Nudge(Base):
    """One planned reminder of a unit for a period; claimed before it is sent, so it goes out once.

    outcome: sent, or skipped (an older step missed during downtime, or the unit had reported).
    """

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("period_id", "unit_id", "step", name="uq_nudges_period_unit_step"),
        Index("ix_nudges_due", "sent_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("report_periods.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))  # before-7, due, after-2…
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))


# --- leadership digests ------------------------------------------------------------------------

DIGEST_FREQUENCIES = ("daily", "weekly", "off")


class DigestSubscription(Base):
    """How often a leader or admin gets the digest, and when the next one is due.

    The tick claims a due row by moving next_at (… WHERE id = :id AND next_at = :seen), so a digest
    goes out once across processes; after downtime only one catch-up digest is sent.
    """

    __tablename__ = "digest_subscriptions"
    __table_args__ = (
        CheckConstraint("frequency IN ('daily', 'weekly', 'off')", name="frequency"),
        Index("ix_digest_subscriptions_due", "next_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    frequency: Mapped[str] = mapped_column(String(8))
    next_at: Mapped[datetime | None]  # None when off
    last_sent_at: Mapped[datetime | None]  # "since the last digest" counts from here
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxUpdate(Base):
    """An incoming update from a channel, stored before the platform is told it was received.

    `update_key` is Telegram's update_id, or Zalo's message_id (Zalo's getUpdates has no offset).
    Handling claims a row (status handling, a lease that the handling process renews); one chat's
    rows are handled one at a time, in arrival order, by whichever process claims them.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_key", name="uq_inbox_channel_update_key"),
        CheckConstraint("status IN ('pending', 'handling', 'handled', 'parked')", name="status"),
        Index("ix_inbox_chat", "channel", "chat_key", "id"),
        Index("ix_inbox_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(64))
    chat_key: Mapped[str] = mapped_column(String(64))  # whose turn: the chat, else the person
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the raw update
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    handled_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class WebSignin(Base):
    """A one-time link to the web pages, asked for in chat (/web): only its hash is kept; it works
    once, until expires_at, and opens `next_path` for the member who asked."""

    __tablename__ = "web_signins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    next_path: Mapped[str] = mapped_column(String(255), default="/web")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """A browser signed in as a member: the cookie's hash, its CSRF token and its end. Rows, so any
    bot process serves them; a member who leaves or is deactivated is signed out at once."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]



# The council's review sessions have their own module; imported here so that their tables are in
# Base.metadata and their classes importable from storage.models like every other.
from storage.council_models import (  # noqa: E402,F401,I001
    Award, AwardDecision, Registration, RegistrationCall, VoteBallot, VoteCandidate, VoteSession, VoteVoter,
)
