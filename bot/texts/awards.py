"""What the decisions and the exemplars' history say (bot.services.awards, bot.core.awards)."""

from __future__ import annotations

from bot import clock, vn_format
from bot.texts.commands import cmd

KIND_NAMES = {"individual": "cá nhân", "collective": "tập thể"}
SESSION_NOT_FOUND = "Không có phiên xét #{id}."
SESSION_NOT_DECIDED = "Phiên xét #{id} chưa có kết quả: kiểm phiếu trước (/vote_close {id})."
ALREADY_RECORDED = "Quyết định khen thưởng theo phiên xét #{id} đã được ghi trước đó."
LEAVE_OUT_UNKNOWN = "Số {numbers} không phải ứng viên đạt của phiên xét #{id}."
NOBODY = "Không còn ứng viên đạt nào của phiên xét #{id} để ghi vào quyết định."
AWARD_NOT_FOUND = "Không có khen thưởng số #{id}. Số khen thưởng xem bằng /history TÊN."
HISTORY_NONE = "Chưa có khen thưởng nào của “{name}” trên hệ thống."


def money(amount: int | None) -> str:
    return f"{vn_format.number(amount)} đồng" if amount is not None else "chưa có mức thưởng trong cấu hình"


def _award_line(i: int, a) -> str:  # noqa: ANN001 - storage.models.Award
    return f"{i}. {a.full_name} ({KIND_NAMES.get(a.kind, a.kind)}) — {a.reward_form}: {money(a.amount)}"


def recorded(decision, awards: list, units: dict[int, str]) -> str:  # noqa: ANN001
    lines = [f"✅ Đã ghi Quyết định khen thưởng số {decision.number} ngày {clock.fmt_date(decision.signed_on)}"
             + (f" ({decision.signer} ký)" if decision.signer else "") + f": {len(awards)} tập thể, cá nhân."]
    for i, a in enumerate(awards, 1):
        lines.append(f"{_award_line(i, a)} — {units.get(a.unit_id, '')}")
    if any(a.amount is not None for a in awards):
        total = f"Tổng tiền thưởng: {vn_format.number(sum(a.amount or 0 for a in awards))} đồng."
    else:
        total = "Tiền thưởng: chưa tính được — cấu hình chưa có hệ số của các hình thức này ([awards.multipliers])."
    lines.append(f"\n{total} Các đơn vị có người được khen đã được báo.")
    return "\n".join(lines)


def unit_notice(decision, title: str, unit_name: str, awards: list) -> str:  # noqa: ANN001
    lines = [f"🏅 KHEN THƯỞNG — Quyết định số {decision.number} ngày {clock.fmt_date(decision.signed_on)}",
             f"Phong trào «{vn_format.shorten(title, 120)}»: {unit_name} có {len(awards)} tập thể, cá nhân được khen thưởng:"]
    lines += [_award_line(i, a) for i, a in enumerate(awards, 1)]
    lines.append("Chúc mừng các tập thể, cá nhân!")
    return "\n".join(lines)


def history(name: str, entries: list) -> str:
    if not entries:
        return HISTORY_NONE.format(name=vn_format.shorten(name, 60))
    lines = [f"Khen thưởng của “{vn_format.shorten(name, 60)}”:"]
    person = None
    for e in entries:
        if e.person_key != person:
            person = e.person_key
            lines.append(f"\n{e.full_name} ({KIND_NAMES.get(e.kind, e.kind)}, {e.unit_name}):")
        lines.append(f"• [#{e.award_id}] {e.reward_form} {e.year} — QĐ số {e.decision_number}, "
                     f"phong trào «{vn_format.shorten(e.campaign_title, 80)}»"
                     + (f" ({e.full_name}, {e.unit_name})" if (e.full_name, e.unit_name) != _first(entries, person) else ""))
    lines.append("\nLà một người: /history_merge <số giữ> <số gộp> · không phải cùng người: /history_split <số>")
    return "\n".join(lines)


def _first(entries: list, person: str) -> tuple[str, str]:
    first = next(e for e in entries if e.person_key == person)
    return first.full_name, first.unit_name


def earlier(awards: list[tuple[str, int]]) -> str:
    """"đã có Giấy khen 2024, 2025; Bằng khen 2026" for the review screen."""
    by_form: dict[str, list[int]] = {}
    for form, year in awards:
        by_form.setdefault(form, []).append(year)
    return "🏅 Đã có: " + "; ".join(f"{form} {', '.join(map(str, years))}" for form, years in by_form.items())


def decision_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'decision', '<số phiên>', '<số quyết định>', '<ngày/tháng/năm>')} [bỏ <số ứng viên> …], "
            f"ví dụ {cmd(channel, 'decision', 1, '125/QĐ-UBND', '20/06/2026')}.")


def merged(n: int, keep_id: int) -> str:
    return f"Đã gộp {n} khen thưởng vào người của khen thưởng #{keep_id}."


def split_done(award_id: int) -> str:
    return f"Khen thưởng #{award_id} đã tách thành một người riêng."


MERGE_USAGE = "Cách dùng: /history_merge <số khen thưởng giữ> <số khen thưởng gộp vào> (số trong /history TÊN)."
SPLIT_USAGE = "Cách dùng: /history_split <số khen thưởng> (số trong /history TÊN)."


def history_usage(channel: str) -> str:
    return f"Cách dùng: {cmd(channel, 'history', '<họ tên hoặc tên tập thể>')}, ví dụ {cmd(channel, 'history', 'Nguyễn Văn An')}."
