"""Cascading campaigns: a unit that received a campaign launches its own that carries it out, to
its own units; the parent sees, per unit it launched to, whether that unit launched its plan and
how its units stand; a lower level's approved nomination is put forward to the higher level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.services import audit, scope
from bot.texts import nominations as nomination_texts
from storage.models import Campaign, CampaignUnit, Member, Nomination, NominationEvent, Report, ReportPeriod, Unit


class CascadeError(Exception):
    """'not_found', 'not_approved', 'no_parent', 'already', 'not_targeted'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- the link to the parent -----------------------------------------------------------------------------


async def find_parent(session: AsyncSession, implements: dict | None) -> Campaign | None:
    """The campaign in the bot that a plan's "Thực hiện Kế hoạch số N/KH-… ngày …" names."""
    if not implements or not implements.get("number"):
        return None
    query = select(Campaign).where(Campaign.number == str(implements["number"]),
                                   func.upper(Campaign.symbol) == str(implements.get("symbol") or "").upper())
    if implements.get("issued_on"):
        query = query.where(Campaign.issued_on == date.fromisoformat(implements["issued_on"]))
    return (await session.scalars(query.order_by(Campaign.id.desc()).limit(1))).first()


async def parent_for(session: AsyncSession, reach: scope.Scope, parent_id: int | None) -> Campaign | None:
    """The parent an office may carry out: a campaign its own unit received."""
    if parent_id is None or reach.unit_id is None:
        return None
    received = await session.scalar(select(CampaignUnit.id).where(
        CampaignUnit.campaign_id == parent_id, CampaignUnit.unit_id == reach.unit_id))
    return await session.get(Campaign, parent_id) if received else None


async def received(session: AsyncSession, reach: scope.Scope) -> list[Campaign]:
    """The campaigns a xã's office received from above (its own unit targeted), newest first."""
    if reach.unit_id is None:
        return []
    return list((await session.scalars(
        select(Campaign).join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
        .where(CampaignUnit.unit_id == reach.unit_id, Campaign.launched_at.is_not(None))
        .order_by(Campaign.id.desc()))).all())


# --- roll-up ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRollup:
    """One unit a campaign went to: its implementing campaign (if launched) and its units' counts."""

    unit_id: int
    code: str
    name: str
    child_campaign_id: int | None
    subunits: int = 0  # its active units below: it has units to launch to
    units: int = 0
    acknowledged: int = 0
    reports: int = 0
    nominations: int = 0
    approved: int = 0


async def rollup(session: AsyncSession, campaign_id: int) -> list[ChildRollup]:
    """Per targeted unit, whether it launched its implementing plan and, in counts, how that
    plan's units stand. A handful of grouped queries, whatever the number of units."""
    targets = (await session.execute(
        select(Unit.id, Unit.code, Unit.name).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign_id).order_by(Unit.code))).all()
    children = dict((await session.execute(
        select(Campaign.owner_unit_id, func.max(Campaign.id))
        .where(Campaign.parent_campaign_id == campaign_id, Campaign.launched_at.is_not(None))
        .group_by(Campaign.owner_unit_id))).all())
    below = dict((await session.execute(
        select(Unit.parent_id, func.count()).where(Unit.parent_id.in_([uid for uid, _, _ in targets]),
                                                   Unit.active.is_(True))
        .group_by(Unit.parent_id))).all()) if targets else {}
    if not children:
        return [ChildRollup(uid, code, name, None, below.get(uid, 0)) for uid, code, name in targets]
    ids = list(children.values())
    units = dict((await session.execute(
        select(CampaignUnit.campaign_id, func.count()).where(CampaignUnit.campaign_id.in_(ids))
        .group_by(CampaignUnit.campaign_id))).all())
    acked = dict((await session.execute(
        select(CampaignUnit.campaign_id, func.count()).where(CampaignUnit.campaign_id.in_(ids),
                                                             CampaignUnit.acknowledged_at.is_not(None))
        .group_by(CampaignUnit.campaign_id))).all())
    reports = dict((await session.execute(
        select(ReportPeriod.campaign_id, func.count(Report.id)).join(Report, Report.period_id == ReportPeriod.id)
        .where(ReportPeriod.campaign_id.in_(ids), Report.replaced_by_id.is_(None))
        .group_by(ReportPeriod.campaign_id))).all())
    noms: dict[int, dict[str, int]] = {}
    for cid, status, n in (await session.execute(
            select(Nomination.campaign_id, Nomination.status, func.count())
            .where(Nomination.campaign_id.in_(ids), Nomination.status.in_(("submitted", "approved", "returned")))
            .group_by(Nomination.campaign_id, Nomination.status))).all():
        noms.setdefault(cid, {})[status] = n
    out = []
    for uid, code, name in targets:
        child = children.get(uid)
        if child is None:
            out.append(ChildRollup(uid, code, name, None, below.get(uid, 0)))
            continue
        counts = noms.get(child, {})
        out.append(ChildRollup(uid, code, name, child, below.get(uid, 0), units.get(child, 0), acked.get(child, 0), reports.get(child, 0),
                               sum(counts.values()), counts.get("approved", 0)))
    return out


# --- putting a nomination forward (đề nghị cấp trên khen thưởng) ------------------------------------------


COPIED = ("kind", "full_name", "position", "workplace", "sector", "summary", "reward_form", "evidence_file_ids",
          "period_key")


async def forward(session: AsyncSession, admin_id: int, nomination_id: int) -> tuple[Nomination, Campaign]:
    """The lower level's approved nomination goes to the parent campaign's review queue, as its
    unit's (the xã's) nomination, carrying a link to its own review history."""
    admin = await session.get(Member, admin_id)
    reach = await scope.of(session, admin)
    source = await scope.nomination(session, reach, nomination_id)
    if source is None:
        raise CascadeError("not_found")
    campaign = await session.get(Campaign, source.campaign_id)
    if source.status != "approved":
        raise CascadeError("not_approved")
    if campaign.parent_campaign_id is None or campaign.owner_unit_id is None:
        raise CascadeError("no_parent")
    if await session.scalar(select(Nomination.id).where(Nomination.forwarded_from_id == source.id)):
        raise CascadeError("already")
    parent = await session.get(Campaign, campaign.parent_campaign_id)
    now = clock.now()
    carried = Nomination(campaign_id=parent.id, unit_id=campaign.owner_unit_id, status="submitted",
                         created_by_member_id=admin_id, created_at=now, first_submitted_at=now, submitted_at=now,
                         updated_at=now, forwarded_from_id=source.id,
                         **{name: getattr(source, name) for name in COPIED})
    session.add(carried)
    await session.flush()
    session.add(NominationEvent(nomination_id=carried.id, actor_member_id=admin_id, action="forwarded",
                                from_status=None, to_status="submitted", at=now,
                                reason=f"#{source.id} của phong trào #{campaign.id}"))
    audit.record(session, "nomination.forwarded", actor=admin, nomination_id=source.id, to=carried.id,
                 campaign_id=parent.id)
    return carried, parent


async def lower_history(session: AsyncSession, nomination: Nomination) -> list[tuple[Nomination, list[NominationEvent]]]:
    """The review history of a forwarded nomination at each lower level, nearest first."""
    out = []
    current = nomination
    while current.forwarded_from_id is not None and len(out) < 5:
        current = await session.get(Nomination, current.forwarded_from_id)
        if current is None:
            break
        events = list((await session.scalars(select(NominationEvent).where(
            NominationEvent.nomination_id == current.id).order_by(NominationEvent.id))).all())
        out.append((current, events))
    return out


async def lower_review(session: AsyncSession, nomination: Nomination) -> str:
    """How the lower level(s) reviewed a nomination put forward, as the review screen shows it."""
    parts = []
    for source, events in await lower_history(session, nomination):
        campaign = await session.get(Campaign, source.campaign_id)
        unit = await session.get(Unit, source.unit_id)
        parts.append(nomination_texts.lower_review(source, campaign, unit.name, events))
    return "\n".join(parts)


# --- a unit's report upstairs: its own units' figures summed -----------------------------------------------


@dataclass(frozen=True)
class SubunitFigures:
    """What a unit's own units reported for the matching period of its implementing campaign."""

    sums: dict[str, int]
    reported: int
    units: int


async def subunit_figures(session: AsyncSession, period_id: int, unit_id: int | None) -> SubunitFigures | None:
    """For a unit reporting on a parent campaign's period: its implementing campaign's period of
    the same kind and label (bot.services.report_periods._before_parent copies them), and the
    figures its units sent for it, summed. None when the unit launched no implementing plan."""
    period = await session.get(ReportPeriod, period_id)
    if period is None or unit_id is None:
        return None
    child = await session.scalar(
        select(ReportPeriod).join(Campaign, Campaign.id == ReportPeriod.campaign_id)
        .where(Campaign.parent_campaign_id == period.campaign_id, Campaign.owner_unit_id == unit_id,
               Campaign.launched_at.is_not(None), ReportPeriod.kind == period.kind, ReportPeriod.label == period.label)
        .order_by(Campaign.id.desc()).limit(1))
    if child is None:
        return None
    units = await session.scalar(select(func.count()).select_from(CampaignUnit)
                                 .where(CampaignUnit.campaign_id == child.campaign_id))
    sums: dict[str, int] = {}
    reported = 0
    for (figures,) in (await session.execute(select(Report.figures).where(
            Report.period_id == child.id, Report.replaced_by_id.is_(None)))).all():
        reported += 1
        for key, value in (figures or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                sums[key] = sums.get(key, 0) + int(value)
    return SubunitFigures(sums, reported, units or 0)
