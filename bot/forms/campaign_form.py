"""The /new_campaign form: the plan document fills it in; the admin checks, targets and confirms."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock, vn_format
from bot.texts import scopes as texts
from bot.forms.model import Answers, Choice, Field, Form
from bot.config import FileSettings
from bot.services import campaigns, cascade, scope, untrusted_files
from bot.services.plan_reader import PlanReadError

NAME = "new_campaign"

CADENCES = (
    Choice("6-monthly", "6 tháng một lần (sơ kết, tổng kết)"),
    Choice("quarterly", "Hằng quý"),
    Choice("yearly", "Hằng năm"),
    Choice("none", "Không báo cáo định kỳ"),
)
QUOTA_PER = (
    Choice("quarter", "Mỗi quý"),
    Choice("6-months", "Mỗi 6 tháng"),
    Choice("year", "Mỗi năm"),
    Choice("campaign", "Cả đợt thi đua"),
)
REWARD_FORMS = (
    "Giấy khen", "Bằng khen", "Cờ thi đua", "Chiến sĩ thi đua cơ sở", "Lao động tiên tiến",
    "Tập thể lao động tiên tiến", "Tập thể lao động xuất sắc", "Giấy chứng nhận",
)
TARGET_MODES = (
    Choice("all", "Tất cả đơn vị"),
    Choice("kind", "Theo loại đơn vị (xã, phường, cơ quan…)"),
    Choice("subtree", "Một đơn vị và các đơn vị trực thuộc"),
    Choice("units", "Chọn từng đơn vị (gõ mã)"),
)


async def _read_document(filename: str, content: bytes, limits: FileSettings) -> tuple[dict[str, Any], str | None]:
    """It must read as a plan document: read with caps, in a process of its own, before it is stored
    (a later file replaces it: the field takes one)."""
    try:
        return {"plan": await untrusted_files.read_plan(filename, content, limits)}, None
    except PlanReadError as exc:
        return {}, str(exc)


def _reward_choices(names: list[str]) -> list[str]:
    """Reward forms by name (a plan's, a parent campaign's) as the form's choices; unknown ones left out."""
    known = {name.lower(): f"r{i}" for i, name in enumerate(REWARD_FORMS)}
    return [known[r.lower()] for r in names if r.lower() in known]


async def _reach(session: AsyncSession, context: dict) -> scope.Scope:
    """The launching office's reach, named when the form was opened (the launch checks it again)."""
    return await scope.of_unit(session, context.get("scope_unit_id"))


async def _from_parent(session: AsyncSession, plan: dict, filled: Answers, context: dict) -> str | None:
    """A plan that carries out one in the bot ("Thực hiện Kế hoạch số …") is linked to it, and what
    the document leaves out is taken from it (period, reporting, reward forms). The note line says so."""
    named = plan.get("implements")
    if not named:
        return None
    found = await cascade.find_parent(session, named)
    reach = await _reach(session, context)
    parent = await cascade.parent_for(session, reach, found.id) if found is not None else None
    label = f"{named['number']}/{named['symbol']}"
    if parent is None:
        return texts.PARENT_NOT_FOUND.format(label=label)
    filled["_parent_id"] = parent.id
    taken = []
    for key, value, name in (("period_start", parent.period_start, "ngày bắt đầu"),
                             ("period_end", parent.period_end, "ngày kết thúc")):
        if not filled.get(key) and value is not None:
            filled[key] = value.isoformat()
            taken.append(name)
    if not filled.get("reporting_cadence") and parent.reporting_cadence:
        filled["reporting_cadence"] = parent.reporting_cadence
        taken.append("báo cáo định kỳ")
    if not filled.get("reward_forms") and parent.reward_forms:
        filled["reward_forms"] = _reward_choices(parent.reward_forms)
        taken.append("hình thức khen thưởng")
    return texts.parent_found(parent.id, label, taken)


async def _prefill(session: AsyncSession, files: list[dict], answers: Answers, context: dict) -> tuple[Answers, str | None]:
    plan = files[-1]["plan"]
    number = f"{plan['number']}/{plan['symbol']}" if plan["number"] and plan["symbol"] else None
    quota = plan["quota"] or {}
    filled: Answers = {
        "_plan": plan,
        "doc_number": number,
        "issued_on": plan["issued_on"],
        "period_start": plan["period"]["start"],
        "period_end": plan["period"]["end"],
        "reporting_cadence": plan["reporting"]["cadence"],
        "quota_collectives": quota.get("collectives"),
        "quota_individuals": quota.get("individuals"),
        "quota_per": quota.get("per"),
        "reward_forms": _reward_choices(plan["reward_forms"]),
    }
    if plan["title"]:  # left out when absent, so that the required title is asked next
        filled["title"] = plan["title"][:1000]
    parent_note = await _from_parent(session, plan, filled, context)
    found = []
    if number or plan["issued_on"]:
        head = f"số {number}" if number else "chưa ghi số"
        if plan["issued_on"]:
            head += f" ngày {clock.fmt_date(_date(plan['issued_on']))}"
        found.append(f"• Văn bản {head}")
    if plan["title"]:
        found.append(f"• Tiêu đề: {plan['title'][:200]}")
    if filled["period_start"] or filled["period_end"]:
        start = clock.fmt_date(_date(filled["period_start"])) if filled["period_start"] else "nay"
        end = clock.fmt_date(_date(filled["period_end"])) if filled["period_end"] else "(chưa rõ)"
        found.append(f"• Thời gian: từ {start} đến {end}")
    elif plan["period"]["text"]:
        found.append(f"• Thời gian (chưa có ngày cụ thể): {plan['period']['text'][:200]}")
    if filled["reporting_cadence"]:
        found.append(f"• Báo cáo: {dict((c.value, c.label) for c in CADENCES)[filled['reporting_cadence']]}")
    if parent_note:
        found.append(parent_note)
    note = "📄 Đã đọc văn bản. Bot điền sẵn:\n" + ("\n".join(found) if found else "• (không tìm thấy mục nào)")
    note += "\nMục nào chưa đúng, bạn sửa được ở bước kiểm tra cuối."
    return filled, note


def _date(iso: str):
    from datetime import date

    return date.fromisoformat(iso)


def _end_after_start(value: Any, answers: Answers) -> str | None:
    start = answers.get("period_start")
    if value and start and value < start:
        return f"Ngày kết thúc phải sau ngày bắt đầu ({clock.fmt_date(_date(start))})."
    return None


def _start_before_end(value: Any, answers: Answers) -> str | None:
    end = answers.get("period_end")
    if value and end and value > end:
        return f"Ngày bắt đầu phải trước ngày kết thúc ({clock.fmt_date(_date(end))})."
    return None


async def _kinds(session: AsyncSession, answers: Answers, context: dict) -> list[Choice]:
    return [Choice(k[:40], k) for k in await campaigns.unit_kinds(session, await _reach(session, context))]


UNITS_SHOWN = 60


async def _unit_list(session: AsyncSession, answers: Answers, context: dict) -> str | None:
    """The codes to type, under the question: the office picks from what exists."""
    units = await campaigns.active_units(session, await _reach(session, context))
    if not units:
        return None
    lines = [f"{u.code} — {u.name}" for u in units[:UNITS_SHOWN]]
    more = (f"\n… và {vn_format.number(len(units) - UNITS_SHOWN)} đơn vị khác — đủ danh sách ở trang Đơn vị "
            "(Telegram: /web · Zalo: “mở trang”).") if len(units) > UNITS_SHOWN else ""
    return "Mã các đơn vị:\n" + "\n".join(lines) + more


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[,;\s]+", text) if c]


async def _resolve_units(session: AsyncSession, text: str, answers: Answers, context: dict) -> tuple[Any, str | None]:
    codes = _codes(text)
    if len(codes) > 500:
        return None, "Tối đa 500 mã mỗi lần; hãy chọn theo loại đơn vị hoặc theo đơn vị cấp trên."
    units, unknown = await campaigns.units_by_codes(session, codes)
    if unknown:
        return None, f"Không có đơn vị mã: {', '.join(unknown[:20])}. Xem các mã ở danh sách dưới câu hỏi."
    reach = await _reach(session, context)
    outside = [u.code for u in units if not reach.covers(u.id) or u.id == reach.unit_id]
    if outside:
        return None, texts.OUTSIDE_REACH.format(codes=", ".join(outside[:20]))
    return [{"code": u.code, "name": u.name} for u in units], None


async def _resolve_root(session: AsyncSession, text: str, answers: Answers, context: dict) -> tuple[Any, str | None]:
    codes = _codes(text)
    if len(codes) != 1:
        return None, "Hãy gõ đúng một mã đơn vị."
    return await _resolve_units(session, text, answers, context)


FORM = Form(
    name=NAME,
    title="phát động phong trào",
    intro="Phát động phong trào thi đua mới.",
    confirm_label="🚀 Phát động",
    fields=(
        Field("document", "Văn bản", "Gửi văn bản kế hoạch/chỉ thị phát động (.docx, .pdf, .txt) để bot tự điền, "
              "hoặc bấm “Bỏ qua” để nhập tay.", kind="file", required=False, accept=(".docx", ".pdf", ".txt", ".md"),
              reads=_read_document, fills=_prefill),
        Field("title", "Tiêu đề", "Nhập tiêu đề (trích yếu) của phong trào.", min_len=10, max_len=1000),
        Field("doc_number", "Số, ký hiệu", "Số và ký hiệu văn bản, ví dụ 108/KH-UBND.", required=False, max_len=64),
        Field("issued_on", "Ngày ban hành", "Ngày ban hành văn bản (ngày/tháng/năm).", kind="date", required=False),
        Field("period_start", "Bắt đầu", "Ngày bắt đầu đợt thi đua (ngày/tháng/năm).", kind="date", required=False,
              check=_start_before_end),
        Field("period_end", "Kết thúc", "Ngày kết thúc đợt thi đua (ngày/tháng/năm).", kind="date", required=False,
              check=_end_after_start),
        Field("reporting_cadence", "Báo cáo định kỳ", "Đơn vị báo cáo kết quả bao lâu một lần?", kind="choice",
              required=False, choices=CADENCES),
        Field("quota_collectives", "Số tập thể được đề xuất", "Mỗi đơn vị được giới thiệu tối đa bao nhiêu tập thể?",
              kind="number", required=False, min_value=0, max_value=50),
        Field("quota_individuals", "Số cá nhân được đề xuất", "Mỗi đơn vị được giới thiệu tối đa bao nhiêu cá nhân?",
              kind="number", required=False, min_value=0, max_value=50),
        Field("quota_per", "Chỉ tiêu tính theo", "Số lượng trên tính cho khoảng thời gian nào?", kind="choice",
              choices=QUOTA_PER, when=lambda a: bool(a.get("quota_collectives") or a.get("quota_individuals"))),
        Field("reward_forms", "Hình thức khen thưởng", "Các hình thức khen thưởng của phong trào.", kind="multi",
              required=False, choices=tuple(Choice(f"r{i}", name) for i, name in enumerate(REWARD_FORMS))),
        Field("target_mode", "Gửi tới", "Gửi phát động tới những đơn vị nào?", kind="choice", choices=TARGET_MODES),
        Field("target_kinds", "Loại đơn vị", "Chọn loại đơn vị nhận phát động.", kind="multi",
              choices_provider=_kinds, when=lambda a: a.get("target_mode") == "kind", slot="targets"),
        Field("target_root", "Đơn vị cấp trên", "Gõ mã đơn vị cấp trên; đơn vị này và mọi đơn vị trực thuộc sẽ nhận.",
              kind="units", resolver=_resolve_root, hint_provider=_unit_list, when=lambda a: a.get("target_mode") == "subtree",
              slot="targets"),
        Field("target_units", "Các đơn vị", "Gõ mã các đơn vị nhận, cách nhau bằng dấu phẩy (ví dụ: LB, XD, CM).",
              kind="units", resolver=_resolve_units, hint_provider=_unit_list, when=lambda a: a.get("target_mode") == "units",
              max_len=5000, slot="targets"),
    ),
)


def to_launch(answers: Answers) -> Answers:
    """The confirmed answers in the terms of the campaigns service (names and codes, not buttons)."""
    out = dict(answers)
    out["reward_forms"] = [REWARD_FORMS[int(v[1:])] for v in answers.get("reward_forms") or []]
    out["target_root"] = (answers.get("target_root") or [{}])[0].get("code")
    out["target_units"] = [u["code"] for u in answers.get("target_units") or []]
    out["parent_campaign_id"] = answers.get("_parent_id")
    return out
