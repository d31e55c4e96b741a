"""Campaigns: launch to units through the outbox, acknowledgements, who has what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock, texts
from bot.services import audit, cascade, outbox, scope
from bot.services.members import destination
from storage.models import Campaign, CampaignUnit, Member, OutboxMessage, StoredFile, Unit

ACK_PREFIX = "ack:"


class CampaignError(Exception):
    """'not_found', 'no_targets'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Launch:
    campaign_id: int
    units: int
    officers: int
    leaders: int
    units_without_officers: list[str]


@dataclass(frozen=True)
class UnitStatus:
    code: str
    name: str
    kind: str
    officers: int
    delivered: bool
    failed: bool  # every officer's copy failed (blocked, chat gone) or nobody to send to
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    unit_id: int | None = None

    @property
    def unreachable(self) -> bool:
        return not self.delivered and self.failed


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    units: int
    acknowledged: int


# --- targets ------------------------------------------------------------------------------------------


def _launchable(reach: scope.Scope):  # noqa: ANN202 - a where clause
    """The units an office launches to: those in its reach, its own unit left out."""
    clause = Unit.active.is_(True) & reach.units_clause(Unit.id)
    return clause if reach.unit_id is None else clause & (Unit.id != reach.unit_id)


async def unit_kinds(session: AsyncSession, reach: scope.Scope = scope.WHOLE_TREE) -> list[str]:
    rows = await session.scalars(select(Unit.kind).where(_launchable(reach)).distinct().order_by(Unit.kind))
    return list(rows.all())


async def active_units(session: AsyncSession, reach: scope.Scope = scope.WHOLE_TREE) -> list[Unit]:
    """The units a campaign can go to, by code."""
    return list((await session.scalars(select(Unit).where(_launchable(reach)).order_by(Unit.code))).all())


async def units_by_codes(session: AsyncSession, codes: list[str]) -> tuple[list[Unit], list[str]]:
    """Active units with these codes (case-insensitive), and the codes that match none."""
    wanted = {c.strip().upper(): c.strip() for c in codes if c.strip()}
    found = (
        await session.scalars(select(Unit).where(func.upper(Unit.code).in_(list(wanted)), Unit.active.is_(True)))
    ).all()
    have = {u.code.upper() for u in found}
    return sorted(found, key=lambda u: u.code), [orig for key, orig in wanted.items() if key not in have]


async def resolve_targets(
    session: AsyncSession, mode: str, *, kinds: list[str] | None = None, root: str | None = None,
    codes: list[str] | None = None, reach: scope.Scope = scope.WHOLE_TREE,
) -> list[Unit]:
    """The active units a campaign goes to: all (the top of the tree left out: it is the office's
    own level, with no officer to report), by kind, a subtree (its root included), or picked —
    within the launching office's reach (a xã's office: its own sub-units, never the xã itself)."""
    active = await active_units(session, reach)
    if mode == "all":  # the units, not the organisation itself: a root with units under it is not one
        if not reach.whole_tree:
            return list(active)
        parents = {u.parent_id for u in active}
        return [u for u in active if u.parent_id is not None or u.id not in parents]
    if mode == "kind":
        return [u for u in active if u.kind in set(kinds or [])]
    if mode == "subtree":
        by_parent: dict[int | None, list[Unit]] = {}
        for u in active:
            by_parent.setdefault(u.parent_id, []).append(u)
        start = next((u for u in active if u.code == root), None)
        if start is None:
            return []
        out, stack = [], [start]
        while stack:
            unit = stack.pop()
            out.append(unit)
            stack.extend(by_parent.get(unit.id, []))
        return sorted(out, key=lambda u: u.code)
    if mode == "units":
        inside = {u.id for u in active}
        return [u for u in (await units_by_codes(session, codes or []))[0] if u.id in inside]
    raise ValueError(f"unknown target mode {mode!r}")


# --- launching -------------------------------------------------------------------------------------------


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def campaign_from_answers(answers: dict[str, Any], admin_id: int) -> Campaign:
    plan = answers.get("_plan") or {}
    document = (answers.get("document") or [None])[0]
    number = symbol = None
    if answers.get("doc_number"):
        number, _, symbol = str(answers["doc_number"]).partition("/")
        number, symbol = number.strip() or None, symbol.strip() or None
    return Campaign(
        doc_type=plan.get("doc_type"),
        number=number,
        symbol=symbol,
        place=plan.get("place"),
        issued_on=_iso(answers.get("issued_on")),
        title=answers["title"],
        period_start=_iso(answers.get("period_start")),
        period_end=_iso(answers.get("period_end")),
        period_text=(plan.get("period") or {}).get("text"),
        reporting_cadence=answers.get("reporting_cadence") if answers.get("reporting_cadence") != "none" else None,
        reporting_text=(plan.get("reporting") or {}).get("text"),
        quota_collectives=answers.get("quota_collectives"),
        quota_individuals=answers.get("quota_individuals"),
        quota_per=answers.get("quota_per"),
        reward_forms=list(answers.get("reward_forms") or []),
        signer_name=(plan.get("signer") or {}).get("name"),
        signer_title=(plan.get("signer") or {}).get("title"),
        document_file_id=document["stored_file_id"] if document else None,
        created_by_member_id=admin_id,
        created_at=clock.now(),
    )


def ack_keyboard(campaign_id: int) -> dict:
    return {"inline_keyboard": [[{"text": texts.ACK_BUTTON, "callback_data": f"{ACK_PREFIX}{campaign_id}"}]]}


async def _enqueue_launch(session: AsyncSession, campaign: Campaign, officers: list[Member], round_key: str) -> None:
    text = texts.launch_message(campaign)
    document = await session.get(StoredFile, campaign.document_file_id) if campaign.document_file_id else None
    for m in officers:
        await outbox.enqueue(
            session, **destination(m), member_id=m.id, campaign_id=campaign.id, kind="campaign_launch",
            dedupe_key=f"launch:{campaign.id}:{round_key}:{m.id}",
            payload={"method": "sendMessage", "text": text, "reply_markup": ack_keyboard(campaign.id)},
        )
        if document is not None:
            await outbox.enqueue(
                session, **destination(m), member_id=m.id, campaign_id=campaign.id, kind="campaign_document",
                dedupe_key=f"launch-doc:{campaign.id}:{round_key}:{m.id}",
                payload={"method": "sendDocument", "file_id": document.id, "caption": texts.DOCUMENT_CAPTION},
            )


async def launch(session: AsyncSession, answers: dict[str, Any], admin_id: int) -> Launch:
    """Create the campaign from the confirmed form and queue every message it needs. It is the
    launching office's (its scope unit's) and goes to units in its reach only."""
    admin = await session.get(Member, admin_id)
    reach = await scope.of(session, admin) if admin is not None else scope.WHOLE_TREE
    targets = await resolve_targets(
        session, answers["target_mode"], kinds=answers.get("target_kinds"),
        root=answers.get("target_root"), codes=answers.get("target_units"), reach=reach,
    )
    if not targets:
        raise CampaignError("no_targets")
    campaign = campaign_from_answers(answers, admin_id)
    campaign.owner_unit_id = reach.unit_id
    parent = await cascade.parent_for(session, reach, answers.get("parent_campaign_id"))
    campaign.parent_campaign_id = parent.id if parent is not None else None  # only a plan its unit received
    campaign.launched_at = clock.now()
    session.add(campaign)
    await session.flush()
    session.add_all(CampaignUnit(campaign_id=campaign.id, unit_id=u.id) for u in targets)
    unit_ids = [u.id for u in targets]
    officers = (
        await session.scalars(
            select(Member).where(Member.unit_id.in_(unit_ids), Member.role == "officer", Member.left_at.is_(None))
            .order_by(Member.id)
        )
    ).all()
    leaders = (  # the launching office's own leaders
        await session.scalars(select(Member).where(Member.role == "leader", Member.left_at.is_(None),
                                                   scope.office_clause(reach.unit_id)).order_by(Member.id))
    ).all()
    await _enqueue_launch(session, campaign, list(officers), "r0")
    notice = texts.leader_notice(campaign, len(targets))
    for m in leaders:
        await outbox.enqueue(
            session, **destination(m), member_id=m.id, campaign_id=campaign.id, kind="campaign_notice",
            dedupe_key=f"notice:{campaign.id}:{m.id}", payload={"method": "sendMessage", "text": notice},
        )
    with_officers = {m.unit_id for m in officers}
    lonely = [u.name for u in targets if u.id not in with_officers]
    audit.record(session, "campaign.launched", actor=await session.get(Member, admin_id),
                 campaign_id=campaign.id, units=len(targets), officers=len(officers))
    return Launch(campaign.id, len(targets), len(officers), len(leaders), lonely)


async def resend_unacknowledged(session: AsyncSession, campaign_id: int, admin_id: int) -> int:
    """Queue the launch again for the officers of units that have not acknowledged. Returns units."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("not_found")
    pending_units = (
        await session.scalars(
            select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign_id, CampaignUnit.acknowledged_at.is_(None))
        )
    ).all()
    officers = (
        await session.scalars(
            select(Member).where(Member.unit_id.in_(pending_units), Member.role == "officer", Member.left_at.is_(None))
        )
    ).all()
    round_key = f"r{int(clock.now().timestamp())}"
    await _enqueue_launch(session, campaign, list(officers), round_key)
    campaign.summary_sent_at = None  # a new round gets its own summary
    audit.record(session, "campaign.resent", actor=await session.get(Member, admin_id),
                 campaign_id=campaign_id, units=len(pending_units))
    return len(pending_units)


# --- acknowledgements ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ack:
    status: str  # recorded | already | not_targeted | not_found
    at: datetime | None = None
    by: str | None = None
    unit_name: str | None = None
    title: str | None = None


async def acknowledge(session: AsyncSession, campaign_id: int, member_id: int) -> Ack:
    """Record the unit's acknowledgement; the first officer's press wins."""
    member = await session.get(Member, member_id)
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or member is None:
        return Ack("not_found")
    unit = await session.get(Unit, member.unit_id) if member.unit_id else None
    row = await session.scalar(
        select(CampaignUnit).where(CampaignUnit.campaign_id == campaign_id, CampaignUnit.unit_id == member.unit_id)
    )
    if row is None:
        return Ack("not_targeted", title=campaign.title)
    now = clock.now()
    won = await session.execute(
        update(CampaignUnit)
        .where(CampaignUnit.id == row.id, CampaignUnit.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by_member_id=member.id)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount == 1:
        audit.record(session, "campaign.acknowledged", actor=member, campaign_id=campaign_id, unit_id=member.unit_id)
        return Ack("recorded", now, member.full_name, unit.name if unit else None, campaign.title)
    await session.refresh(row)
    by = await session.get(Member, row.acknowledged_by_member_id) if row.acknowledged_by_member_id else None
    return Ack("already", row.acknowledged_at, by.full_name if by else None, unit.name if unit else None, campaign.title)


async def unacknowledged_for_unit(session: AsyncSession, unit_id: int) -> list[Campaign]:
    """Launched campaigns the unit has not acknowledged yet, newest first."""
    return list((await session.scalars(
        select(Campaign).join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
        .where(CampaignUnit.unit_id == unit_id, CampaignUnit.acknowledged_at.is_(None), Campaign.launched_at.is_not(None))
        .order_by(Campaign.id.desc())
    )).all())


# --- a unit's own campaigns (officers: late joiners, a lost document) ------------------------------------------


@dataclass(frozen=True)
class UnitCampaign:
    campaign: Campaign
    acknowledged_at: datetime | None
    active: bool  # launched and its period not over


NEWCOMER_MAX = 3  # a newcomer gets at most this many launches again; /campaigns lists the rest


def _active(campaign: Campaign, today: date) -> bool:
    return campaign.launched_at is not None and (campaign.period_end is None or campaign.period_end >= today)


async def for_unit(session: AsyncSession, unit_id: int) -> list[UnitCampaign]:
    """The launched campaigns targeting the unit, newest first."""
    today = clock.local(clock.now()).date()
    rows = await session.execute(
        select(Campaign, CampaignUnit.acknowledged_at).join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
        .where(CampaignUnit.unit_id == unit_id, Campaign.launched_at.is_not(None)).order_by(Campaign.id.desc())
    )
    return [UnitCampaign(c, acked, _active(c, today)) for c, acked in rows.all()]


async def send_again(session: AsyncSession, campaign_id: int, member_id: int) -> bool:
    """The launch (text, ✅ button, document) again to one officer of a targeted unit, through the
    outbox like the launch itself. False when the campaign does not target their unit."""
    member = await session.get(Member, member_id)
    campaign = await session.get(Campaign, campaign_id)
    if member is None or campaign is None or campaign.launched_at is None or member.unit_id is None:
        return False
    targeted = await session.scalar(select(CampaignUnit.id).where(
        CampaignUnit.campaign_id == campaign_id, CampaignUnit.unit_id == member.unit_id))
    if targeted is None:
        return False
    await _enqueue_launch(session, campaign, [member], f"again{clock.now().timestamp():.6f}")
    return True


async def send_to_newcomer(session: AsyncSession, member_id: int) -> list[UnitCampaign]:
    """A new officer gets their unit's active campaigns (newest NEWCOMER_MAX); the active ones."""
    member = await session.get(Member, member_id)
    if member is None or member.role != "officer" or member.unit_id is None:
        return []
    active = [c for c in await for_unit(session, member.unit_id) if c.active]
    for item in reversed(active[:NEWCOMER_MAX]):  # the newest arrives last, nearest the reply box
        await _enqueue_launch(session, item.campaign, [member], f"join{member.id}")
    return active


# --- who has what ---------------------------------------------------------------------------------------------


async def summaries(session: AsyncSession, reach: scope.Scope = scope.WHOLE_TREE) -> list[CampaignSummary]:
    """The campaigns owned in the reach (launched by the office or by one below it)."""
    rows = await session.execute(
        select(Campaign, func.count(CampaignUnit.id), func.count(CampaignUnit.acknowledged_at))
        .join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id, isouter=True)
        .where(reach.owned_clause())
        .group_by(Campaign.id)
        .order_by(Campaign.id.desc())
    )
    return [CampaignSummary(c, units, acked) for c, units, acked in rows.all()]


async def unit_statuses(session: AsyncSession, campaign_id: int) -> list[UnitStatus]:
    """Per targeted unit: delivered (an officer got the launch), acknowledged, unreachable. Three
    queries, columns only (a province's 3,321 units read as rows, not as objects)."""
    targeted = (
        await session.execute(
            select(Unit.id, Unit.code, Unit.name, Unit.kind, CampaignUnit.acknowledged_at, Member.full_name)
            .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
            .outerjoin(Member, Member.id == CampaignUnit.acknowledged_by_member_id)
            .where(CampaignUnit.campaign_id == campaign_id).order_by(Unit.code)
        )
    ).all()
    sends = (
        await session.execute(
            select(Member.unit_id, OutboxMessage.status, func.count())
            .join(Member, Member.id == OutboxMessage.member_id)
            .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == "campaign_launch")
            .group_by(Member.unit_id, OutboxMessage.status)
        )
    ).all()
    by_unit: dict[int, dict[str, int]] = {}
    for unit_id, status, n in sends:
        by_unit.setdefault(unit_id, {})[status] = n
    officers = dict(
        (
            await session.execute(
                select(Member.unit_id, func.count()).where(Member.role == "officer", Member.left_at.is_(None))
                .group_by(Member.unit_id)
            )
        ).all()
    )
    out = []
    for unit_id, code, name, kind, acknowledged_at, acknowledged_by in targeted:
        counts = by_unit.get(unit_id, {})
        total = sum(counts.values())
        out.append(
            UnitStatus(
                code=code, name=name, kind=kind, officers=officers.get(unit_id, 0),
                delivered=counts.get("sent", 0) > 0,
                failed=total == 0 or counts.get("failed", 0) == total,
                acknowledged_at=acknowledged_at,
                acknowledged_by=acknowledged_by,
                unit_id=unit_id,
            )
        )
    return out


async def delivery_counts(session: AsyncSession, campaign_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == "campaign_launch")
        .group_by(OutboxMessage.status)
    )
    return {status: n for status, n in rows.all()}


async def campaigns_in_progress(session: AsyncSession) -> list[Campaign]:
    """Launched campaigns whose admin has not had the summary of the current round yet."""
    return list(
        (
            await session.scalars(
                select(Campaign).where(and_(Campaign.launched_at.is_not(None), Campaign.summary_sent_at.is_(None),
                                            Campaign.progress_chat_id.is_not(None)))
            )
        ).all()
    )


SUMMARY_KIND = "launch_summary"


async def queue_summary(session: AsyncSession, campaign_id: int) -> bool:
    """Claim this round's summary for the admin and queue it through the outbox in the same unit
    of work: sent once across processes, and retried within the sending budget like any message.
    False when another process (or an earlier tick) has it."""
    if not await claim_summary(session, campaign_id):
        return False
    campaign = await session.get(Campaign, campaign_id)
    statuses = await unit_statuses(session, campaign_id)
    admin_id = await session.scalar(
        select(Member.id).where(Member.chat_id == campaign.progress_chat_id, Member.left_at.is_(None)).limit(1)
    )
    await outbox.enqueue(
        session, chat_id=campaign.progress_chat_id, member_id=admin_id, campaign_id=campaign.id, kind=SUMMARY_KIND,
        dedupe_key=f"summary:{campaign.id}:{campaign.progress_message_id}",
        payload={"method": "sendMessage", "text": texts.launch_summary(campaign.id, campaign.title, statuses)},
    )
    return True


async def claim_summary(session: AsyncSession, campaign_id: int) -> bool:
    """Exactly one process sends a campaign's summary."""
    won = await session.execute(
        update(Campaign).where(Campaign.id == campaign_id, Campaign.summary_sent_at.is_(None))
        .values(summary_sent_at=clock.now()).execution_options(synchronize_session=False)
    )
    return won.rowcount == 1
