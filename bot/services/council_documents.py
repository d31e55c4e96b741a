"""The documents of a decided review session: the biên bản (members present, counts, results), the
tờ trình (the candidates who passed, with their reward forms), and a draft báo cáo thành tích for
each candidate who passed, prefilled from the nomination for the unit to complete. Used by
/vote_docs in chat and `python -m bot export --format minutes|proposal|achievements --session N`.

Each is a template (bot.exports.council_docs) filled with a context of plain values: the fields
listed in README, "The council's documents". No field pairs a member with a choice: the members
present are named, the choices are counts per candidate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.collation import vn_key
from bot.config import Settings
from bot.exports import council_docs
from bot.exports.common import cite
from bot.services import council
from bot.services.exports import DOCX_MIME, Export, ExportError
from bot.texts import council as t
from storage.models import Campaign, Member, Nomination, VoteCandidate, VoteVoter

FORMATS = ("minutes", "proposal", "achievements")
RESULT_WORDS = {"passed": "Đạt", "failed": "Không đạt"}


def _date_fields(campaign: Campaign) -> dict[str, Any]:
    today = clock.local(clock.now())
    return {"place": campaign.place or "……", "day": f"{today.day:02d}", "month": f"{today.month:02d}",
            "year": str(today.year)}


def _signer(settings: Settings) -> dict[str, str]:
    org = settings.organisation_name
    return {"organisation": org, "superior": settings.organisation_superior, "signer_title": settings.signer_title,
            "SIGNER_TITLE": settings.signer_title.upper(), "signer_name": settings.signer_name}


def _candidate(c: council.Candidate) -> dict[str, Any]:
    return {"number": c.number, "name": c.name, "kind": t.KIND_NAMES.get(c.kind, c.kind), "unit": c.unit_name,
            "reward_form": c.reward_form, "yes": c.yes, "no": c.no, "result": RESULT_WORDS.get(c.result or "", ""),
            "passed": c.result == "passed", "registered": c.registered}


async def context(session: AsyncSession, session_id: int, settings: Settings,
                  campaign_id: int | None = None) -> dict[str, Any]:
    """What the biên bản and the tờ trình are filled with (of a session of that campaign, if given)."""
    try:
        outcome = await council.outcome(session, session_id, settings)
    except council.CouncilError as exc:
        raise ExportError(exc.message) from exc
    vote = outcome.session
    if campaign_id is not None and vote.campaign_id != campaign_id:
        raise ExportError(t.DOCS_OTHER_CAMPAIGN.format(id=vote.id, campaign=campaign_id))
    if vote.status != "decided":
        raise ExportError(t.DOCS_NOT_DECIDED.format(id=vote.id), t.DOCS_NOT_DECIDED_CLI.format(id=vote.id))
    campaign = await session.get(Campaign, vote.campaign_id)
    present = (await session.scalars(select(Member.full_name).join(VoteVoter, VoteVoter.member_id == Member.id)
                                     .where(VoteVoter.session_id == vote.id))).all()
    candidates = [_candidate(c) for c in outcome.candidates]
    return {
        **_signer(settings), **_date_fields(campaign),
        "session_id": vote.id, "campaign_id": campaign.id, "campaign_title": campaign.title,
        "campaign_cite": cite(campaign) or "", "opened_at": clock.fmt_datetime(vote.opened_at),
        "closed_at": clock.fmt_datetime(vote.closed_at or clock.now()), "council_size": vote.council_size,
        "voters": outcome.voters, "required": outcome.required, "pass_votes": outcome.pass_votes,
        "members": sorted(present, key=vn_key), "candidates": candidates,
        "passed": [c for c in candidates if c["passed"]],
        "ties": ", ".join(f"số {c.number}" for c in outcome.candidates if c.tie),
    }


async def documents(session: AsyncSession, session_id: int, which: str, settings: Settings, *,
                    campaign_id: int | None = None) -> list[Export]:
    """The biên bản, the tờ trình, or the báo cáo thành tích drafts (one per candidate who passed)."""
    fields = await context(session, session_id, settings, campaign_id)
    folder, now = settings.council.templates_dir, clock.now()
    author = settings.organisation_name
    if which == "minutes":
        content = council_docs.render(council_docs.template_path(folder, council_docs.MINUTES), fields,
                                      author=author, title=f"Biên bản phiên họp xét #{session_id}", now=now)
        return [Export(f"bien-ban-phien-xet-{session_id}.docx", DOCX_MIME, content)]
    if which == "proposal":
        content = council_docs.render(council_docs.template_path(folder, council_docs.PROPOSAL), fields,
                                      author=author, title=f"Tờ trình khen thưởng, phiên họp xét #{session_id}",
                                      now=now)
        return [Export(f"to-trinh-khen-thuong-{session_id}.docx", DOCX_MIME, content)]
    made = []
    for c in fields["passed"]:
        n = await session.scalar(select(Nomination).join(VoteCandidate, VoteCandidate.nomination_id == Nomination.id)
                                 .where(VoteCandidate.session_id == session_id, VoteCandidate.number == c["number"]))
        own = {**fields, "organisation": c["unit"], "superior": "", "signer_title": "Thủ trưởng đơn vị",
               "SIGNER_TITLE": "THỦ TRƯỞNG ĐƠN VỊ", "signer_name": "",
               "name": n.full_name, "position": n.position or "", "workplace": n.workplace or "",
               "unit": c["unit"], "sector": n.sector, "summary": n.summary, "reward_form": n.reward_form,
               "period": n.period_key}
        content = council_docs.render(council_docs.template_path(folder, council_docs.ACHIEVEMENTS[n.kind]), own,
                                      author=author, title=f"Báo cáo thành tích — {n.full_name}", now=now)
        made.append(Export(f"bao-cao-thanh-tich-{session_id}-{c['number']}.docx", DOCX_MIME, content, n.full_name))
    return made
