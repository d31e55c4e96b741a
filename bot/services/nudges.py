"""Deadline nudges: one database row per (period, unit, step), claimed before it is sent.

The plan of a confirmed period: before the due date (nudges.before_days), on the day, after it
(every after_every_days, after_times times), each at nudges.at local time moved out of quiet
hours; then one escalation to the leaders and the admins, claimed on the period row. The tick step claims due
rows with a conditional UPDATE (… WHERE id IN (…) AND sent_at IS NULL), so two processes never
send one twice; after downtime only a unit's latest due step goes out and older ones are marked
skipped; a unit that has reported is never nudged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.collation import sort_by_name
from bot.texts import reports as t
from bot.texts import zalo as zt
from bot.config import NudgeSettings, QuietHours, Settings
from bot.services import outbox, scope, zalo_usage
from bot.services.members import DESTINATION_COLUMNS, destination
from bot.text_chunks import LIMITS
from storage.db import insert_ignoring
from storage.models import Campaign, CampaignUnit, Member, Nudge, Report, ReportPeriod, Unit

BATCH = 5000
CHUNK = 500  # ids per IN (…): well under SQLite's and asyncpg's parameter limits


@dataclass
class NudgeReport:
    """sent = nudges claimed and queued; skipped = older missed steps or units that reported;
    messages = outbox rows queued; escalations = periods escalated to the leaders."""

    sent: int = 0
    skipped: int = 0
    messages: int = 0
    escalations: int = 0
    quiet: bool = False


def next_allowed(moment: datetime, quiet: QuietHours) -> datetime:
    """The first moment at or after `moment` when nudges may go out (aware UTC)."""
    local = clock.local(moment)
    for _ in range(10):
        if quiet.no_sundays and local.weekday() == 6:
            local = datetime.combine(local.date() + timedelta(days=1), quiet.start, local.tzinfo)
            continue
        if local.time() < quiet.start:
            local = datetime.combine(local.date(), quiet.start, local.tzinfo)
            continue
        if local.time() >= quiet.end:
            local = datetime.combine(local.date() + timedelta(days=1), quiet.start, local.tzinfo)
            continue
        break
    return local.astimezone(UTC)


def allowed_now(moment: datetime, quiet: QuietHours) -> bool:
    return next_allowed(moment, quiet) == moment


def steps(due_on: date, cfg: NudgeSettings) -> list[tuple[str, date]]:
    """(step name, local date) of every nudge of a period due on due_on, in order."""
    out = [(f"before-{d}", due_on - timedelta(days=d)) for d in cfg.before_days]
    if cfg.on_due_day:
        out.append(("due", due_on))
    # Overdue: the day after the due date, then every after_every_days.
    for k in range(cfg.after_times):
        days = 1 + k * cfg.after_every_days
        out.append((f"after-{days}", due_on + timedelta(days=days)))
    return out


def _at(day: date, settings: Settings) -> datetime:
    local = datetime.combine(day, settings.nudges.at, clock.LOCAL_TZ)
    return next_allowed(local.astimezone(UTC), settings.quiet_hours)


def escalation_at(due_on: date, settings: Settings) -> datetime:
    """After the last overdue nudge, one more interval: then the leaders are told."""
    cfg = settings.nudges
    return _at(due_on + timedelta(days=_escalation_days(cfg)), settings)


def _escalation_days(cfg: NudgeSettings) -> int:
    return 1 + cfg.after_times * cfg.after_every_days


async def plan(session: AsyncSession, period: ReportPeriod, unit_ids: Iterable[int], settings: Settings) -> int:
    """Insert the period's nudge rows for these units (existing ones are left as they are)."""
    planned = [(step, _at(day, settings)) for step, day in steps(period.due_on, settings.nudges)]
    # A step pushed by quiet hours onto the day of the next one (Sunday's onto Monday) is dropped.
    times = [
        (step, moment) for i, (step, moment) in enumerate(planned)
        if i + 1 == len(planned) or clock.local(moment).date() < clock.local(planned[i + 1][1]).date()
    ]
    rows = [{"period_id": period.id, "unit_id": u, "step": step, "due_at": at} for u in unit_ids for step, at in times]
    for i in range(0, len(rows), CHUNK):
        await session.execute(insert_ignoring(session, Nudge, ["period_id", "unit_id", "step"]), rows[i:i + CHUNK])
    return len(rows)


async def replan(session: AsyncSession, period: ReportPeriod, unit_ids: Iterable[int], settings: Settings) -> int:
    """A period's due date moved: its unsent nudges are planned again from the new date."""
    await session.execute(delete(Nudge).where(Nudge.period_id == period.id, Nudge.sent_at.is_(None)))
    period.escalated_at = None
    return await plan(session, period, unit_ids, settings)


async def _mark(session: AsyncSession, ids: list[int], now: datetime, outcome: str) -> list[int]:
    """The conditional claim: only rows still unsent change; returns the ids this call won."""
    won: list[int] = []
    for i in range(0, len(ids), CHUNK):
        result = await session.execute(
            update(Nudge).where(Nudge.id.in_(ids[i:i + CHUNK]), Nudge.sent_at.is_(None))
            .values(sent_at=now, outcome=outcome).returning(Nudge.id)
            .execution_options(synchronize_session=False)
        )
        won += [row[0] for row in result]
    return won


def topic(period_id: int, member_id: int) -> str:
    """The outbox topic of a person's messages about a period's deadline (the opening notice, the
    nudges): a newer one supersedes an older one still queued (outbox.enqueue_many)."""
    return f"nudge:{period_id}:{member_id}"


def nudge_keyboard(period_id: int) -> dict:
    return {"inline_keyboard": [[{"text": t.REPORT_BUTTON, "callback_data": f"rep:{period_id}"}]]}


async def send_due(session: AsyncSession, settings: Settings, now: datetime | None = None) -> NudgeReport:
    """The tick step: claim the due nudges and queue each unit's one message through the outbox."""
    now = now or clock.now()
    report = NudgeReport()
    if not allowed_now(now, settings.quiet_hours):
        report.quiet = True
        return report
    due = (
        await session.execute(
            select(Nudge.id, Nudge.period_id, Nudge.unit_id, Nudge.due_at)
            .where(Nudge.sent_at.is_(None), Nudge.due_at <= now).order_by(Nudge.due_at, Nudge.id).limit(BATCH)
        )
    ).all()
    if due:
        await _send_nudges(session, due, now, report, settings)
    if settings.nudges.escalate:
        await _escalate(session, settings, now, report)
    return report


async def _send_nudges(session: AsyncSession, due: list, now: datetime, report: NudgeReport,
                       settings: Settings) -> None:
    latest: dict[tuple[int, int], int] = {}
    for row in due:  # ordered by due_at: the last one seen per unit is its latest step
        latest[(row.period_id, row.unit_id)] = row.id
    reported: set[tuple[int, int]] = set()
    by_period: dict[int, list[int]] = {}
    for period_id, unit_id in latest:
        by_period.setdefault(period_id, []).append(unit_id)
    for period_id, units in by_period.items():
        for i in range(0, len(units), CHUNK):
            rows = await session.execute(
                select(Report.unit_id).where(Report.period_id == period_id, Report.unit_id.in_(units[i:i + CHUNK]))
            )
            reported.update((period_id, r.unit_id) for r in rows)
    to_send = [nid for key, nid in latest.items() if key not in reported]
    to_skip = [row.id for row in due if latest[(row.period_id, row.unit_id)] != row.id or (row.period_id, row.unit_id) in reported]
    report.skipped += len(await _mark(session, to_skip, now, "skipped"))
    won = set(await _mark(session, to_send, now, "sent"))
    report.sent += len(won)
    if not won:
        return
    won_rows = [row for row in due if row.id in won]
    period_ids = {row.period_id for row in won_rows}
    unit_ids = {row.unit_id for row in won_rows}
    periods = {
        p.id: (p, title) for p, title in (
            await session.execute(
                select(ReportPeriod, Campaign.title).join(Campaign, Campaign.id == ReportPeriod.campaign_id)
                .where(ReportPeriod.id.in_(period_ids))
            )
        ).all()
    }
    names: dict[int, str] = {}
    officers: dict[int, list[tuple[int, dict]]] = {}
    unit_list = list(unit_ids)
    for i in range(0, len(unit_list), CHUNK):
        chunk = unit_list[i:i + CHUNK]
        names.update((r.id, r.name) for r in await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(chunk))))
        for r in await session.execute(
            select(Member.id, Member.unit_id, *DESTINATION_COLUMNS)
            .where(Member.unit_id.in_(chunk), Member.role == "officer", Member.left_at.is_(None)).order_by(Member.id)
        ):
            officers.setdefault(r.unit_id, []).append((r.id, destination(r)))
    today = clock.local(now).date()
    messages = []
    for row in won_rows:
        period, title = periods[row.period_id]
        text = t.nudge(names.get(row.unit_id, ""), period.label, title, period.due_on, today)
        for member_id, to in officers.get(row.unit_id, []):
            messages.append({
                **to, "member_id": member_id, "campaign_id": period.campaign_id,
                "dedupe_key": f"nudge:{row.id}:{member_id}", "topic": topic(period.id, member_id),
                "payload": {"method": "sendMessage", "text": text, "reply_markup": nudge_keyboard(period.id)},
                "_nudge": (row.id, period, title, names.get(row.unit_id, "")),
            })
    on_zalo = sum(m["channel"] == "zalo" for m in messages)
    if on_zalo > 1 and await zalo_usage.near_budget(session, settings, now, on_zalo):
        combined = _one_per_person_on_zalo(messages, today)
        # A combined message has no one topic: what it replaces still queued is dropped here.
        kept = {m.get("topic") for m in combined}
        await outbox.supersede_older(session, sorted({m["topic"] for m in messages} - kept))
        messages = combined
    for message in messages:
        message.pop("_nudge", None)
    # After an outage the 7-day nudge may still be queued beside the overdue one: it is dropped.
    report.messages += await outbox.enqueue_many(session, messages, kind="report_nudge", supersede=True)


def _one_per_person_on_zalo(messages: list[dict], today: date) -> list[dict]:
    """Near Zalo's monthly budget: a Zalo person's nudges of this tick — the day's, as every step
    is planned at nudges.at — as one message listing each period. Queued in the same transaction
    that claimed the nudges, so each is sent once, in one message or in its own."""
    kept, by_person = [], {}
    for message in messages:
        if message["channel"] == "zalo":
            by_person.setdefault(message["member_id"], []).append(message)
        else:
            kept.append(message)
    for member_id, own in by_person.items():
        if len(own) == 1:
            kept.append(own[0])
            continue
        own.sort(key=lambda m: (m["_nudge"][1].due_on, m["_nudge"][1].id))
        items = [(period.id, period.label, title, period.due_on) for _, period, title, _ in (m["_nudge"] for m in own)]
        first_nudge, unit_name = own[0]["_nudge"][0], own[0]["_nudge"][3]
        kept.append({
            "channel": "zalo", "chat_id": None, "address": own[0]["address"], "member_id": member_id,
            "dedupe_key": f"nudges:{first_nudge}:{member_id}",
            "payload": {"method": "sendMessage", "text": zt.combined_nudge(unit_name, items, today)},
        })
    return kept


async def _escalate(session: AsyncSession, settings: Settings, now: datetime, report: NudgeReport) -> None:
    cfg = settings.nudges
    today = clock.local(now).date()
    horizon = today - timedelta(days=_escalation_days(cfg))
    candidates = (
        await session.scalars(
            select(ReportPeriod).where(ReportPeriod.confirmed_at.is_not(None), ReportPeriod.escalated_at.is_(None),
                                       ReportPeriod.due_on <= horizon)
        )
    ).all()
    offices: dict[int | None, list] = {}  # the leaders and admins of each campaign's own office
    for period in candidates:
        if escalation_at(period.due_on, settings) > now:
            continue
        claimed = await session.execute(
            update(ReportPeriod).where(and_(ReportPeriod.id == period.id, ReportPeriod.escalated_at.is_(None)))
            .values(escalated_at=now)
        )
        if claimed.rowcount != 1:
            continue
        late = [u.name for u in await missing_units(session, period)]
        if not late:
            continue
        title, owner = (await session.execute(select(Campaign.title, Campaign.owner_unit_id)
                                              .where(Campaign.id == period.campaign_id))).one()
        if owner not in offices:
            offices[owner] = (
                await session.execute(
                    select(Member.id, *DESTINATION_COLUMNS)
                    .where(Member.role.in_(("leader", "admin")), Member.left_at.is_(None), scope.office_clause(owner))
                    .order_by(Member.id)
                )
            ).all()
        leaders = offices[owner]
        texts: dict[str, str] = {}  # one per channel: each within that channel's length
        messages = []
        for leader in leaders:
            to = destination(leader)
            if to["channel"] not in texts:
                texts[to["channel"]] = t.escalation(period.label, title, period.due_on, today, late,
                                                    limit=LIMITS[to["channel"]])
            messages.append({**to, "member_id": leader.id, "campaign_id": period.campaign_id,
                             "dedupe_key": f"escalate:{period.id}:{leader.id}",
                             "payload": {"method": "sendMessage", "text": texts[to["channel"]]}})
        await outbox.enqueue_many(session, messages, kind="report_escalation")
        report.escalations += 1


async def missing_units(session: AsyncSession, period: ReportPeriod) -> list[Unit]:
    """Targeted units with no report for the period, in Vietnamese order of names: the late units an escalation names."""
    reported = select(Report.unit_id).where(Report.period_id == period.id)
    rows = await session.scalars(
        select(Unit).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == period.campaign_id, Unit.id.not_in(reported))
    )
    return sort_by_name(rows, lambda u: u.name, lambda u: u.id)
