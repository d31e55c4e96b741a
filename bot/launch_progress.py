"""The launch's progress message on Telegram (edited as the broadcast goes), and its summary.

A tick step: Telegram is the only channel that can edit a message, so the progress message
exists there only; the summary goes through the outbox to the admin on any channel.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot import clock, texts
from bot.services import campaigns
from storage.db import Database
from storage.models import Campaign

log = logging.getLogger(__name__)
PROGRESS_EVERY = timedelta(seconds=3)


async def report_progress(bot: Bot, db: Database) -> int:
    """Edit each launch's progress message; queue its summary once nothing is left.

    Returns how many summaries were queued. The edits are best effort (the next tick edits again);
    the summary goes through the outbox, claimed once across processes and retried until it arrives.
    """
    summaries = 0
    async with db.session() as session:
        running = await campaigns.campaigns_in_progress(session)
    for campaign in running:
        async with db.session() as session:
            counts = await campaigns.delivery_counts(session, campaign.id)
        left = sum(n for status, n in counts.items() if status not in ("sent", "failed"))
        if left and campaign.progress_updated_at and clock.now() - campaign.progress_updated_at < PROGRESS_EVERY:
            continue
        try:
            await bot.edit_message_text(texts.launch_progress(campaign.id, campaign.title, counts),
                                        chat_id=campaign.progress_chat_id, message_id=campaign.progress_message_id)
        except TelegramError as exc:  # "not modified" or a deleted message: the next tick tries again
            log.debug("progress edit for campaign %s: %s", campaign.id, exc)
        async with db.session() as session:
            if left:
                row = await session.get(Campaign, campaign.id)
                row.progress_updated_at = clock.now()
            elif await campaigns.queue_summary(session, campaign.id):
                summaries += 1
    return summaries
