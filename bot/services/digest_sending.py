"""The digest as it is sent: text and chart built once per moment, queued through the outbox.

Used by the tick (scheduled digests), by /digest (on demand) and by `python -m bot digest`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import charts, clock
from bot.texts import digests as digest_texts
from bot.config import Settings
from bot.services import digests, files, outbox
from bot.services.digests import CampaignDigest
from bot.services.nudges import allowed_now
from storage.models import Campaign, Member


@dataclass(frozen=True)
class RenderedDigest:
    text: str
    chart: bytes | None  # None when there is no active campaign
    caption: str


def chart_data(items: list[CampaignDigest]) -> tuple[dict[str, list[int]], list[tuple[date, int]]]:
    """Completion per unit kind over the campaigns' current periods; nominations per week, summed."""
    by_kind: dict[str, list[int]] = {}
    weeks: Counter = Counter()
    for d in items:
        if d.current is not None:
            for kind, counts in d.current.by_kind.items():
                total = by_kind.setdefault(kind, [0, 0, 0])
                for i in range(3):
                    total[i] += counts[i]
        for week, n in d.weekly_nominations:
            weeks[week] += n
    return by_kind, sorted(weeks.items())


async def render(session: AsyncSession, now: datetime, since: datetime, level: int | None = None) -> RenderedDigest:
    """The digest of one office's campaigns (`level`: its scope unit; None: the top office's)."""
    items = await digests.build(session, now, since, level)
    undelivered = digest_texts.undelivered_line(await digests.undelivered_to_leadership(session, since=since))
    text = digest_texts.digest(items, now, since, undelivered)
    caption = digest_texts.CHART_CAPTION.format(day=clock.fmt_date(now))
    if not items:
        return RenderedDigest(text, None, caption)
    by_kind, weekly = chart_data(items)
    return RenderedDigest(text, charts.digest_chart(digest_texts.chart_title(items, now), by_kind, weekly), caption)


async def campaign_chart(session: AsyncSession, campaign_id: int, now: datetime) -> bytes | None:
    """One campaign's digest chart (the web dashboard's): completion of its current period per
    unit kind, its nominations per week. None when there is no such campaign."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    item = await digests.campaign_digest(session, campaign, clock.local(now).date(), now)
    by_kind, weekly = chart_data([item])
    return charts.digest_chart(digest_texts.chart_title([item], now), by_kind, weekly)


async def on_demand(session: AsyncSession, member_id: int, settings: Settings, now: datetime) -> RenderedDigest:
    """/digest: the changes since the person's last digest (or a period's worth, by their schedule)."""
    sub = await digests.subscription(session, member_id, settings.digest, settings.quiet_hours)
    since = sub.last_sent_at or digests.default_since(now, "weekly" if sub.frequency == "off" else sub.frequency)
    level = await session.scalar(select(Member.scope_unit_id).where(Member.id == member_id))
    return await render(session, now, since, level)


async def store_chart(session: AsyncSession, png: bytes, now: datetime) -> int:
    return (await files.store(session, png, f"ban-tin-{clock.local(now):%Y-%m-%d}.png", "image/png", now=now)).id


@dataclass
class DigestReport:
    sent: int = 0  # people whose digest was queued
    new_subscriptions: int = 0
    quiet: bool = False  # in quiet hours: nothing claimed


async def send_due(session: AsyncSession, settings: Settings, now: datetime | None = None) -> DigestReport:
    """The tick step: claim the due digests and queue each person's text and chart — out of the
    quiet hours and days only, as the nudges (nudges.allowed_now): a digest that fell due while
    the bot was down is not sent on a Sunday or at night, but at the next allowed moment."""
    now = now or clock.now()
    report = DigestReport()
    cfg, quiet = settings.digest, settings.quiet_hours
    report.new_subscriptions = await digests.ensure_subscriptions(session, cfg, quiet, now)
    if not allowed_now(now, quiet):
        report.quiet = True
        return report
    due = await digests.claim_due(session, cfg, quiet, now)
    if not due:
        return report
    rendered: dict[tuple[datetime, int | None], tuple[RenderedDigest, int | None]] = {}
    charts_of: dict[int | None, int] = {}
    messages = []
    for item in due:
        seen = (item.since, item.level)
        if seen not in rendered:  # people of one office with the same "since" read the same digest
            digest = await render(session, now, item.since, item.level)
            if digest.chart is not None and item.level not in charts_of:
                charts_of[item.level] = await store_chart(session, digest.chart, now)
            rendered[seen] = (digest, charts_of.get(item.level) if digest.chart is not None else None)
        digest, file_id = rendered[seen]
        key = f"digest:{item.member_id}:{item.slot.isoformat()}"
        messages.append({**item.to, "member_id": item.member_id, "dedupe_key": key,
                         "topic": f"digest:{item.member_id}",
                         "payload": {"method": "sendMessage", "text": digest.text}})
        if file_id is not None:
            messages.append({**item.to, "member_id": item.member_id, "dedupe_key": key + ":chart",
                             "topic": f"digest-chart:{item.member_id}",
                             "payload": {"method": "sendPhoto", "file_id": file_id, "caption": digest.caption}})
    # A digest still queued (the channel was down) is stale once a newer one is: it is dropped.
    await outbox.enqueue_many(session, messages, kind="digest", supersede=True)
    report.sent = len(due)
    return report
