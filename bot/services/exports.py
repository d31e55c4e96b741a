"""The files the office forwards, by campaign and period as people name them: used by /export,
/report_docx and `python -m bot export`. The files themselves are built in bot/exports/."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.texts import digests as t
from bot.config import Settings
from bot.services.report_periods import by_ref, periods_of
from storage.models import Campaign, ReportPeriod

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ExportError(Exception):
    """What the person asked for does not exist: .text says so in Vietnamese for the chat,
    .cli_text for the server's command line (which has options, not chat commands)."""

    def __init__(self, text: str, cli_text: str | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.cli_text = cli_text or text


def _refuse(name: str, **params) -> ExportError:  # noqa: ANN003 - the text's fields
    return ExportError(getattr(t, name).format(**params), getattr(t, "CLI_" + name).format(**params))


@dataclass(frozen=True)
class Export:
    filename: str
    mime_type: str
    content: bytes
    label: str = ""  # the period's, for a DOCX


async def _campaign(session: AsyncSession, campaign_id: int) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise _refuse("CAMPAIGN_NOT_FOUND", id=campaign_id)
    return campaign


def period_lines(periods: list[ReportPeriod]) -> str:
    return "\n".join(f"#{p.id} {p.label} (hạn {clock.fmt_date(p.due_on)})" for p in periods)


async def find_period(session: AsyncSession, campaign_id: int, which: str | None) -> ReportPeriod:
    """A period of the campaign by its id ("7" or "#7"), the number /periods, /due and /report show."""
    periods = await periods_of(session, campaign_id)
    if not periods:
        raise _refuse("PERIOD_NONE", id=campaign_id)
    which = (which or "").strip()
    found = by_ref(periods, which)
    if found is not None:
        return found
    if not which:
        raise _refuse("PERIOD_PICK", id=campaign_id, lines=period_lines(periods))
    raise _refuse("PERIOD_BAD_INDEX", id=campaign_id, n=which, lines=period_lines(periods))


async def campaign_workbook(session: AsyncSession, campaign_id: int, settings: Settings) -> Export:
    from bot.exports.xlsx import campaign_xlsx  # xlsxwriter loads only when a file is asked for

    from bot.services.awards import stages

    await _campaign(session, campaign_id)
    content = await campaign_xlsx(session, campaign_id, organisation=settings.organisation_name,
                                  stages=await stages(session, campaign_id=campaign_id))
    day = clock.local(clock.now())
    return Export(f"phong-trao-{campaign_id}-tong-hop-{day:%Y-%m-%d}.xlsx", XLSX_MIME, content)


async def period_report(session: AsyncSession, campaign_id: int, which: str | None, settings: Settings) -> Export:
    from bot.exports.docx_report import Signer, period_report_docx  # python-docx loads only when asked for

    campaign = await _campaign(session, campaign_id)
    period = await find_period(session, campaign_id, which)
    signer = Signer(settings.organisation_name, superior=settings.organisation_superior,
                    title=settings.signer_title, name=settings.signer_name)
    content = await period_report_docx(session, campaign_id, period.id, organisation=signer, place=campaign.place)
    return Export(f"bao-cao-tong-hop-phong-trao-{campaign_id}-ky-{period.id}.docx", DOCX_MIME, content, period.label)
