"""What we hold about a person (PDPL 91/2025): hand it over on request, erase it on request.

A person is every membership that shares a Telegram or a Zalo account with the one asking (their
history, and both channels once linked). What they sent (drafts, files, the raw updates in the
inbox) and what was sent to them (outbox rows) goes with them; nominations and reports stay, as the
unit's submissions, with the link to the person cut; audit rows stay, anonymised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import clock
from bot.services import audit, first_contact, web_sessions
from storage.models import (
    AuditEntry,
    Campaign,
    CampaignUnit,
    DigestSubscription,
    FormDraft,
    InboxUpdate,
    Invite,
    Member,
    Nomination,
    OutboxMessage,
    Report,
    StoredFile,
)

ERASED_LABEL = "người dùng đã xóa dữ liệu"


@dataclass
class Person:
    """The memberships of one person and the accounts they used."""

    memberships: list[Member]
    telegram_user_ids: set[int] = field(default_factory=set)
    telegram_chat_ids: set[int] = field(default_factory=set)
    zalo_user_ids: set[str] = field(default_factory=set)
    zalo_chat_ids: set[str] = field(default_factory=set)

    @property
    def member_ids(self) -> list[int]:
        return [m.id for m in self.memberships]

    @property
    def names(self) -> set[str]:
        """Their names as others' texts may hold them. A one-word name ("Mai", "Nguyễn") is left
        alone in others' texts, where it would mostly match other people; their own rows go whole."""
        return {n for n in (m.full_name.strip() for m in self.memberships) if len(n.split()) >= 2 or n.isdigit()}

    @property
    def telegram_keys(self) -> set[str]:
        """The inbox's chat_key of their Telegram chats (the chat, else the person)."""
        return {str(i) for i in self.telegram_user_ids | self.telegram_chat_ids}

    @property
    def zalo_keys(self) -> set[str]:
        return self.zalo_user_ids | self.zalo_chat_ids

    def id_values(self) -> set[int | str]:
        """Every id of theirs, as a JSON value may hold it (Telegram ids as numbers or strings)."""
        return set(self.telegram_user_ids) | self.telegram_chat_ids | self.telegram_keys | self.zalo_keys


async def person(session: AsyncSession, member_id: int) -> Person:
    """Every membership sharing an account with this one, transitively (past ones included)."""
    found: dict[int, Member] = {}
    tg: set[int] = set()
    zl: set[str] = set()
    frontier = [Member.id == member_id]
    while frontier:
        rows = (
            await session.scalars(select(Member).options(selectinload(Member.unit)).where(or_(*frontier)))
        ).all()
        new = [m for m in rows if m.id not in found]
        frontier = []
        for m in new:
            found[m.id] = m
            if m.telegram_user_id is not None and m.telegram_user_id not in tg:
                tg.add(m.telegram_user_id)
                frontier.append(Member.telegram_user_id == m.telegram_user_id)
            if m.zalo_user_id and m.zalo_user_id not in zl:
                zl.add(m.zalo_user_id)
                frontier.append(Member.zalo_user_id == m.zalo_user_id)
    memberships = sorted(found.values(), key=lambda m: (m.joined_at, m.id))
    return Person(
        memberships=memberships,
        telegram_user_ids=tg,
        telegram_chat_ids={m.chat_id for m in memberships if m.chat_id is not None},
        zalo_user_ids=zl,
        zalo_chat_ids={m.zalo_chat_id for m in memberships if m.zalo_chat_id},
    )


def _their_outbox(p: Person):
    return or_(
        OutboxMessage.member_id.in_(p.member_ids),
        (OutboxMessage.channel == "telegram") & OutboxMessage.chat_id.in_(p.telegram_chat_ids | p.telegram_user_ids),
        (OutboxMessage.channel == "zalo") & OutboxMessage.address.in_(p.zalo_keys),
    )


def _their_inbox(p: Person):
    return or_(
        (InboxUpdate.channel == "telegram") & InboxUpdate.chat_key.in_(p.telegram_keys),
        (InboxUpdate.channel == "zalo") & InboxUpdate.chat_key.in_(p.zalo_keys),
    )


def _needles(p: Person) -> set[str]:
    """What their ids and names look like inside stored JSON text (names may be \\u-escaped)."""
    out = {str(v) for v in p.id_values()}
    for name in p.names:
        out |= {name, json.dumps(name)[1:-1]}
    return out


def _may_mention(column, p: Person):  # noqa: ANN001 - a JSON column
    """A cheap filter in SQL; _mentions() decides exactly."""
    as_text = cast(column, Text)
    return or_(*(as_text.contains(n, autoescape=True) for n in _needles(p)))


# Where a JSON value is one of a person's ids: under these keys, or under "id" of these objects
# (Telegram's message.from / message.chat / callback_query.from, Zalo's message.from / chat).
ID_KEYS = {"user_id", "chat_id", "telegram_user_id", "telegram_chat_id", "zalo_user_id", "zalo_chat_id", "address"}
PERSON_OBJECTS = {"from", "chat", "user", "sender", "new_chat_member", "old_chat_member", "new_chat_members"}


def _is_their_id(value: Any, ids: set[int | str], key: str | None, parent: str | None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | str) or value not in ids:
        return False
    return key in ID_KEYS or (key == "id" and parent in PERSON_OBJECTS)


def _mentions(value: Any, ids: set[int | str], names: set[str], key: str | None = None, parent: str | None = None) -> bool:
    if isinstance(value, dict):
        return any(_mentions(v, ids, names, k, key) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions(v, ids, names, key, parent) for v in value)
    if _is_their_id(value, ids, key, parent):
        return True
    return isinstance(value, str) and any(name in value for name in names)


def _scrubbed(value: Any, ids: set[int | str], names: set[str], key: str | None = None, parent: str | None = None) -> Any:
    """The value with their ids replaced by None and their names by ERASED_LABEL."""
    if isinstance(value, dict):
        return {k: _scrubbed(v, ids, names, k, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, ids, names, key, parent) for v in value]
    if _is_their_id(value, ids, key, parent):
        return None
    if isinstance(value, str):
        for name in sorted(names, key=len, reverse=True):
            value = value.replace(name, ERASED_LABEL)
    return value


# --- access ------------------------------------------------------------------------------------


def _iso(moment) -> str | None:  # noqa: ANN001 - an aware datetime or None
    return moment.isoformat() if moment else None


async def export(session: AsyncSession, member_id: int) -> dict[str, Any]:
    """Everything stored about this person, on both channels, as plain JSON-able data."""
    p = await person(session, member_id)
    ids = p.member_ids
    entries = (
        await session.scalars(
            select(AuditEntry)
            .where(or_(AuditEntry.actor_member_id.in_(ids), AuditEntry.subject_member_id.in_(ids)))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    ).all()
    drafts = (await session.scalars(select(FormDraft).where(FormDraft.member_id.in_(ids)).order_by(FormDraft.id))).all()
    nominations = (
        await session.scalars(select(Nomination).where(Nomination.created_by_member_id.in_(ids)).order_by(Nomination.id))
    ).all()
    reports = (await session.scalars(select(Report).where(Report.member_id.in_(ids)).order_by(Report.id))).all()
    uploaded = (
        await session.execute(
            select(StoredFile.id, StoredFile.filename, StoredFile.size, StoredFile.created_at)
            .where(StoredFile.uploaded_by_member_id.in_(ids)).order_by(StoredFile.id)
        )
    ).all()
    acks = (
        await session.execute(
            select(CampaignUnit.campaign_id, CampaignUnit.acknowledged_at)
            .where(CampaignUnit.acknowledged_by_member_id.in_(ids)).order_by(CampaignUnit.id)
        )
    ).all()
    digests = (await session.scalars(select(DigestSubscription).where(DigestSubscription.member_id.in_(ids)))).all()
    outbox_rows = (
        await session.execute(
            select(OutboxMessage.kind, OutboxMessage.status, func.count())
            .where(_their_outbox(p)).group_by(OutboxMessage.kind, OutboxMessage.status)
        )
    ).all()
    latest_out = await session.scalar(
        select(OutboxMessage).where(_their_outbox(p)).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    inbox_rows = list(
        (await session.execute(
            select(InboxUpdate.channel, func.count(), func.max(InboxUpdate.received_at))
            .where(_their_inbox(p)).group_by(InboxUpdate.channel)
        )).all()
    )
    elsewhere = await _mentioning(session, InboxUpdate, "payload", p, besides=_their_inbox(p))  # e.g. in a group
    if elsewhere:
        inbox_rows.append(("other", len(elsewhere), max(r.received_at for r in elsewhere)))
    told = await first_contact.told_at(session, p.telegram_user_ids, p.zalo_user_ids)

    def accepted(channel: str):  # noqa: ANN202 - the earliest acceptance there, over their memberships
        times = [getattr(m, f"{channel}_accepted_at") for m in p.memberships]
        return min((t for t in times if t is not None), default=None)

    return {
        "accounts": {
            "telegram_user_ids": sorted(p.telegram_user_ids),
            "telegram_chat_ids": sorted(p.telegram_chat_ids),
            "zalo_user_ids": sorted(p.zalo_user_ids),
            "zalo_chat_ids": sorted(p.zalo_chat_ids),
        },
        "memberships": [
            {
                "id": m.id,
                "full_name": m.full_name,
                "unit": {"code": m.unit.code, "name": m.unit.name} if m.unit else None,
                "role": m.role,
                "channel": m.channel,
                "telegram_user_id": m.telegram_user_id,
                "telegram_chat_id": m.chat_id,
                "zalo_user_id": m.zalo_user_id,
                "zalo_chat_id": m.zalo_chat_id,
                "reachable": m.reachable,
                "joined_at": _iso(m.joined_at),
                "left_at": _iso(m.left_at),
                "telegram_accepted_at": _iso(m.telegram_accepted_at),
                "zalo_accepted_at": _iso(m.zalo_accepted_at),
            }
            for m in p.memberships
        ],
        # When each channel's notice (what the bot stores, why, how to see and erase it) was shown
        # to them, and when they accepted it there by joining or linking (None: not recorded).
        "consent": {
            channel: {"notice_shown_at": _iso(told.get(channel)), "accepted_at": _iso(accepted(channel))}
            for channel in ("telegram", "zalo")
        },
        "form_drafts": [
            {"form": d.form, "stage": d.stage, "answers": d.answers, "updated_at": _iso(d.updated_at)} for d in drafts
        ],
        "nominations_submitted": [
            {"id": n.id, "campaign_id": n.campaign_id, "full_name": n.full_name, "status": n.status,
             "submitted_at": _iso(n.submitted_at)}
            for n in nominations
        ],
        "reports_submitted": [
            {"id": r.id, "period_id": r.period_id, "summary": r.summary, "submitted_at": _iso(r.submitted_at)}
            for r in reports
        ],
        "files_uploaded": [
            {"id": f.id, "filename": f.filename, "size": f.size, "at": _iso(f.created_at)} for f in uploaded
        ],
        "acknowledgements": [{"campaign_id": c, "at": _iso(at)} for c, at in acks],
        "digest_subscription": [
            {"frequency": d.frequency, "next_at": _iso(d.next_at), "last_sent_at": _iso(d.last_sent_at)} for d in digests
        ],
        "messages_received": {
            "count": sum(n for _, _, n in outbox_rows),
            "by_kind_and_status": [{"kind": k, "status": s, "count": n} for k, s, n in sorted(outbox_rows)],
            "latest": None if latest_out is None else {
                "kind": latest_out.kind, "status": latest_out.status, "channel": latest_out.channel,
                "at": _iso(latest_out.sent_at or latest_out.created_at),
                "text": latest_out.payload.get("text") or latest_out.payload.get("caption"),
            },
        },
        "updates_sent": {
            "count": sum(n for _, n, _ in inbox_rows),
            "by_channel": [{"channel": c, "count": n, "latest_at": _iso(at)} for c, n, at in sorted(inbox_rows)],
        },
        "activity": [{"at": _iso(e.at), "action": e.action} for e in entries],
        "exported_at": clock.now().isoformat(),
    }


# --- erasure -----------------------------------------------------------------------------------


async def _unit_evidence(session: AsyncSession, file_ids: Iterable[int]) -> set[int]:
    """Those of the files that are a unit's or a campaign's record (evidence, report, plan)."""
    candidates = set(file_ids)
    if not candidates:
        return set()
    kept = set(
        (await session.scalars(select(Report.file_id).where(Report.file_id.in_(candidates)))).all()
    ) | set((await session.scalars(select(Campaign.document_file_id).where(Campaign.document_file_id.in_(candidates)))).all())
    for evidence in (await session.scalars(select(Nomination.evidence_file_ids))).all():
        kept |= candidates & set(evidence or [])
    return kept


async def _mentioning(session: AsyncSession, model, column_name: str, p: Person, *, besides=None) -> list:  # noqa: ANN001
    """Rows whose JSON column mentions this person (their ids where ids go, their names anywhere)."""
    query = select(model).where(_may_mention(getattr(model, column_name), p))
    if besides is not None:
        query = query.where(~besides)
    ids, names = p.id_values(), p.names
    return [row for row in (await session.scalars(query)).all() if _mentions(getattr(row, column_name), ids, names)]


async def _scrub_json_rows(session: AsyncSession, model, column_name: str, p: Person, *, drop: bool) -> None:  # noqa: ANN001
    """Rows of others whose JSON mentions this person: dropped, or with their ids and names scrubbed."""
    ids, names = p.id_values(), p.names
    for row in await _mentioning(session, model, column_name, p):
        value = getattr(row, column_name)
        if drop:
            await session.delete(row)
        else:
            setattr(row, column_name, _scrubbed(value, ids, names))


async def forget(session: AsyncSession, member_id: int) -> int:
    """Erase this person: returns how many memberships were erased."""
    p = await person(session, member_id)
    ids = p.member_ids
    if not ids:
        return 0
    quiet = {"synchronize_session": False}
    # What was sent to them, and what they sent.
    await session.execute(delete(OutboxMessage).where(_their_outbox(p)).execution_options(**quiet))
    await session.execute(delete(InboxUpdate).where(_their_inbox(p)).execution_options(**quiet))
    await _scrub_json_rows(session, InboxUpdate, "payload", p, drop=True)  # e.g. their words in a group
    await _scrub_json_rows(session, OutboxMessage, "payload", p, drop=False)  # others told about them
    await first_contact.forget(session, p.telegram_user_ids, p.zalo_user_ids)  # told again if they come back
    await session.execute(delete(FormDraft).where(FormDraft.member_id.in_(ids)).execution_options(**quiet))
    await web_sessions.forget(session, ids)
    uploaded = (await session.scalars(select(StoredFile.id).where(StoredFile.uploaded_by_member_id.in_(ids)))).all()
    keep = await _unit_evidence(session, uploaded)
    await session.execute(
        delete(StoredFile).where(StoredFile.id.in_(set(uploaded) - keep)).execution_options(**quiet)
    )
    # An admin's launch progress message lives in their chat.
    await session.execute(
        update(Campaign).where(Campaign.progress_chat_id.in_(p.telegram_chat_ids | p.telegram_user_ids))
        .values(progress_chat_id=None, progress_message_id=None).execution_options(**quiet)
    )
    # The audit log keeps what happened, not who.
    await session.execute(
        update(AuditEntry).where(AuditEntry.actor_member_id.in_(ids))
        .values(actor_member_id=None, actor_label=ERASED_LABEL).execution_options(**quiet)
    )
    await session.execute(
        update(AuditEntry).where(AuditEntry.subject_member_id.in_(ids))
        .values(subject_member_id=None).execution_options(**quiet)
    )
    await _scrub_json_rows(session, AuditEntry, "details", p, drop=False)
    await session.execute(
        update(Invite).where(Invite.used_by_member_id.in_(ids)).values(used_by_member_id=None).execution_options(**quiet)
    )
    await session.flush()
    # Nominations, reports, acknowledgements, campaigns keep their rows: the foreign keys to the
    # member are ON DELETE SET NULL; drafts, digest subscriptions and link codes go with the member.
    await session.execute(delete(Member).where(Member.id.in_(ids)).execution_options(**quiet))
    audit.record(session, "member.erased", actor_label=ERASED_LABEL, memberships=len(ids))
    return len(ids)

