"""A campaign with its answers, written straight to the database: for tests of the digest and the
exports, and for bench/digest.py at the size of a province (3,321 units, 20,000 nominations).

Bulk INSERTs, not the services: the services' rules are tested elsewhere; here we want realistic
rows fast. Everything is deterministic for given arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Campaign, CampaignUnit, Member, Nomination, OutboxMessage, Report, ReportPeriod, Unit,
)

KINDS = ("xã", "phường", "cơ quan", "trường", "đoàn thể")
SECTORS = ("Kinh tế", "Văn hóa – xã hội", "Quốc phòng – an ninh", "Xây dựng Đảng và hệ thống chính trị",
           "Cải cách hành chính")
REWARDS = ("Giấy khen", "Bằng khen", "Lao động tiên tiến", "Chiến sĩ thi đua cơ sở")
STATUSES = ("submitted", "approved", "returned", "rejected", "approved")
CHUNK = 2000


@dataclass(frozen=True)
class SampleCampaign:
    campaign_id: int
    unit_ids: list[int]
    period_ids: list[int]  # sơ kết 6 tháng (due 15/06/2026), then tổng kết năm (due 05/12/2026)
    leader_ids: list[int]  # members
    admin_ids: list[int]


async def _bulk(session: AsyncSession, model, rows: list[dict]) -> None:  # noqa: ANN001 - a model class
    for i in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[i:i + CHUNK])


async def seed(
    session: AsyncSession,
    *,
    units: int = 12,
    nominations: int = 20,
    reports: int = 8,
    acknowledged: int | None = None,
    launched_at: datetime = datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    title: str = "Phong trào thi đua “Chuyển đổi số vì nhân dân phục vụ” năm 2026",
    extra_nominee: str | None = None,
    code_prefix: str = "S",
    with_heads: bool = True,
    delivered: int | None = None,
) -> SampleCampaign:
    """One campaign over 2026 (6-monthly rule) launched to `units` new units under a province,
    with one officer each, two leaders and an admin; `reports` reports on the first period (every
    third one late), those beyond one per unit on the second, `acknowledged` units acknowledged (default: two thirds), `nominations`
    nominations of every status spread over the year. `delivered` units get the launch sent to their
officer and the others' copy failed (default: no launch messages at all). `extra_nominee` names one more (for tests of
    what a name may hold). with_heads=False leaves out the leaders and admin (a test brings its own)."""
    now = launched_at
    province = Unit(code=f"{code_prefix}TINH", name="UBND tỉnh Đồng Nai (mẫu)", kind="tỉnh", created_at=now)
    session.add(province)
    await session.flush()
    await _bulk(session, Unit, [
        {"code": f"{code_prefix}{i:05d}", "name": f"{KINDS[i % len(KINDS)].capitalize()} số {i + 1}",
         "kind": KINDS[i % len(KINDS)], "parent_id": province.id, "created_at": now}
        for i in range(units)
    ])
    unit_ids = list((await session.scalars(
        select(Unit.id).where(Unit.parent_id == province.id).order_by(Unit.id))).all())
    base_user = 70_000_000 + sum(map(ord, code_prefix)) * 10_000
    member_rows = [
        {"telegram_user_id": base_user + i, "chat_id": base_user + i, "full_name": f"Cán bộ {i + 1}",
         "unit_id": u, "role": "officer", "joined_at": now} for i, u in enumerate(unit_ids)
    ]
    people = [("Trần Văn Hùng", "leader"), ("Lê Quang Minh", "leader"), ("Nguyễn Thị Lan", "admin")] if with_heads else []
    for j, (name, role) in enumerate(people):
        member_rows.append({"telegram_user_id": base_user + units + j, "chat_id": base_user + units + j,
                            "full_name": name, "unit_id": province.id, "role": role, "joined_at": now})
    await _bulk(session, Member, member_rows)
    officers = dict((await session.execute(
        select(Member.unit_id, Member.id).join(Unit, Unit.id == Member.unit_id)
        .where(Unit.parent_id == province.id, Member.role == "officer")
    )).all())
    heads = (await session.execute(
        select(Member.id, Member.role).where(Member.unit_id == province.id).order_by(Member.id))).all()

    campaign = Campaign(
        doc_type="KH", number="45", symbol="KH-UBND", place="Đồng Nai", issued_on=date(2026, 2, 20),
        title=title, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
        reporting_cadence="6-monthly", reporting_text="Định kỳ 06 tháng báo cáo kết quả thực hiện.",
        quota_collectives=2, quota_individuals=3, quota_per="quarter", reward_forms=["Giấy khen", "Bằng khen"],
        signer_name="Võ Tấn Đức", signer_title="CHỦ TỊCH", created_at=now, launched_at=now,
    )
    session.add(campaign)
    await session.flush()
    if delivered is not None:
        await _bulk(session, OutboxMessage, [
            {"channel": "telegram", "chat_id": base_user + i, "member_id": officers.get(u), "kind": "campaign_launch",
             "campaign_id": campaign.id, "dedupe_key": f"launch:{campaign.id}:r0:{officers.get(u)}",
             "payload": {"method": "sendMessage", "text": title}, "attempts": 1, "next_attempt_at": now,
             "status": "sent" if i < delivered else "failed", "sent_at": now if i < delivered else None,
             "error": None if i < delivered else "Forbidden: bot was blocked by the user", "created_at": now}
            for i, u in enumerate(unit_ids)
        ])
    acked = len(unit_ids) * 2 // 3 if acknowledged is None else acknowledged
    await _bulk(session, CampaignUnit, [
        {"campaign_id": campaign.id, "unit_id": u,
         "acknowledged_at": now + timedelta(hours=1 + i % 48) if i < acked else None}
        for i, u in enumerate(unit_ids)
    ])
    periods = [
        ReportPeriod(campaign_id=campaign.id, kind="semiannual", label="Sơ kết 6 tháng đầu năm 2026",
                     opens_on=date(2026, 5, 16), due_on=date(2026, 6, 15), confirmed_at=now, created_at=now),
        ReportPeriod(campaign_id=campaign.id, kind="annual", label="Tổng kết năm 2026",
                     opens_on=date(2026, 11, 5), due_on=date(2026, 12, 5), confirmed_at=now, created_at=now),
    ]
    session.add_all(periods)
    await session.flush()
    due = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
    report_rows = []
    # The first period's reports first, then (beyond one per unit) the second's.
    for n in range(min(reports, 2 * len(unit_ids))):
        round_, i = divmod(n, len(unit_ids))
        u = unit_ids[i]
        late = 3 + i % 5 if i % 3 == 2 else 0
        report_rows.append({
            "period_id": periods[round_].id, "unit_id": u, "member_id": officers.get(u),
            "summary": f"Đơn vị đã tổ chức {i % 9 + 2} hội nghị quán triệt, phát hiện {i % 4 + 1} điển hình tiên tiến.",
            "figures": {"exemplars": i % 4 + 1, "new_models": i % 3},
            "submitted_at": (due if round_ == 0 else datetime(2026, 12, 5, 3, 0, tzinfo=UTC)) + timedelta(days=late - 2),
            "days_late": late,
        })
    await _bulk(session, Report, report_rows)

    names = ("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Nam", "Phạm Thu Hà", "Võ Minh Tâm")
    nomination_rows = []
    year_start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    for n in range(nominations):
        unit = unit_ids[n % len(unit_ids)]
        individual = n % 2 == 0
        status = STATUSES[n % len(STATUSES)]
        sent = year_start + timedelta(hours=7 * n % (260 * 24))
        nomination_rows.append({
            "campaign_id": campaign.id, "unit_id": unit, "kind": "individual" if individual else "collective",
            "full_name": names[n % len(names)] if individual else f"Tổ dân phố số {n % 40 + 1}",
            "position": "Công chức Văn phòng – Thống kê" if individual else None,
            "workplace": "UBND xã" if individual else None,
            "sector": SECTORS[n % len(SECTORS)],
            "summary": "Hoàn thành xuất sắc nhiệm vụ, dẫn đầu phong trào chuyển đổi số, 100% hồ sơ trực tuyến đúng hạn.",
            "reward_form": REWARDS[n % len(REWARDS)], "evidence_file_ids": [],
            "period_key": f"2026-Q{(sent.month - 1) // 3 + 1}", "status": status, "created_at": sent,
            "first_submitted_at": sent, "submitted_at": sent,
            "reviewed_at": sent + timedelta(days=2) if status != "submitted" else None,
            "review_reason": "Chưa đủ minh chứng" if status in ("returned", "rejected") else None,
            "updated_at": sent + timedelta(days=2) if status != "submitted" else sent,
        })
    if extra_nominee is not None:
        nomination_rows.append({**nomination_rows[0], "full_name": extra_nominee} if nomination_rows else {
            "campaign_id": campaign.id, "unit_id": unit_ids[0], "kind": "individual", "full_name": extra_nominee,
            "sector": SECTORS[0], "summary": "Hoàn thành xuất sắc nhiệm vụ được giao trong năm 2026.",
            "reward_form": REWARDS[0], "evidence_file_ids": [], "period_key": "2026-Q1", "status": "submitted",
            "created_at": now, "first_submitted_at": now, "submitted_at": now, "updated_at": now,
        })
    await _bulk(session, Nomination, nomination_rows)
    return SampleCampaign(
        campaign_id=campaign.id, unit_ids=unit_ids, period_ids=[p.id for p in periods],
        leader_ids=[m for m, role in heads if role == "leader"], admin_ids=[m for m, role in heads if role == "admin"],
    )
