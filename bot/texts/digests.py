"""What leaders read in a digest, and the words of /digest, /digest_settings, /export and
/report_docx (Vietnamese). A digest fits one Telegram message: unit names are summarised, never
cut mid-word."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot import clock
from bot.texts.commands import cmd
from bot.texts.reports import when_due
from bot.text_chunks import TELEGRAM_TEXT_LIMIT, utf16_len
from bot.texts import short
from bot import vn_format

if TYPE_CHECKING:  # the services' data words are put to; texts never call a service
    from bot.services.digests import CampaignDigest, Undelivered
    from bot.services.report_periods import PeriodStatus

LIMIT = TELEGRAM_TEXT_LIMIT  # UTF-16 units, as Telegram counts (bot.text_chunks)
# Below this many missing units the names are listed as they are; above, grouped by unit kind.
GROUP_FROM = 15
NAME_BUDGETS = (1600, 900, 500, 250, 0)

STATUS_NAMES = {
    "submitted": "chờ duyệt", "approved": "đã duyệt", "returned": "trả lại", "rejected": "không duyệt",
    "withdrawn": "đã rút",
}
FREQUENCY_NAMES = {"daily": "hằng ngày", "weekly": "hằng tuần", "off": "tắt"}
FREQUENCY_WORDS = {
    "daily": "daily", "ngày": "daily", "hằng ngày": "daily", "hang ngay": "daily", "ngay": "daily",
    "weekly": "weekly", "tuần": "weekly", "hằng tuần": "weekly", "hang tuan": "weekly", "tuan": "weekly",
    "off": "off", "tắt": "off", "tat": "off", "không": "off", "khong": "off",
}
WEEKDAY_NAMES = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

NO_CAMPAIGNS = "📊 Bản tin thi đua {day}\n\nHiện không có phong trào nào đang diễn ra."
CHART_CAPTION = "📈 Biểu đồ kèm bản tin thi đua {day}: nộp báo cáo theo nhóm đơn vị và đề xuất điển hình theo tuần."
DIGEST_SETTINGS_SAVED = "✅ Đã đặt bản tin thi đua: {current}{when}."
# The typed word of each frequency (what the buttons run: digest_settings ngày | tuần | tắt).
FREQUENCY_TYPED = {"daily": "ngày", "weekly": "tuần", "off": "tắt"}
FREQUENCY_LABELS = {"daily": "Hằng ngày", "weekly": "Hằng tuần", "off": "Tắt"}
CAMPAIGN_NOT_FOUND = "Không có phong trào #{id}. Danh sách phong trào: /campaigns"
PERIOD_PICK = "Phong trào #{id} có các kỳ báo cáo sau; gõ /report_docx {id} <số kỳ> (số sau dấu #):\n{lines}"
PERIOD_NONE = "Phong trào #{id} chưa có kỳ báo cáo nào. Quản trị thêm bằng /periods {id}."
PERIOD_BAD_INDEX = "Phong trào #{id} không có kỳ “{n}”. Các kỳ báo cáo:\n{lines}\nGõ /report_docx {id} <số kỳ> (số sau dấu #)."
# The same, for `python -m bot export` (the server's command line, not the chat).
CLI_CAMPAIGN_NOT_FOUND = "Không có phong trào #{id} trong cơ sở dữ liệu này."
CLI_PERIOD_PICK = "Phong trào #{id} có các kỳ báo cáo sau; thêm --period <số kỳ> (số sau dấu #):\n{lines}"
CLI_PERIOD_NONE = "Phong trào #{id} chưa có kỳ báo cáo nào (quản trị thêm trong chat: /periods {id})."
CLI_PERIOD_BAD_INDEX = "Phong trào #{id} không có kỳ “{n}”. Các kỳ báo cáo:\n{lines}\nDùng --period <số kỳ> (số sau dấu #)."
EXPORT_XLSX_CAPTION = "📊 Tổng hợp phong trào #{id}: điển hình, báo cáo, xác nhận (lập lúc {at})."
EXPORT_DOCX_CAPTION = "📄 Dự thảo báo cáo tổng hợp {label} — phong trào #{id}. Số văn bản để trống cho văn thư."
EXPORT_FAILED = "⚠️ Chưa lập được tệp do lỗi hệ thống; bạn thử lại sau ít phút."
# What a failed message to an admin or a leader was, and why it failed (from the transport's error).
MESSAGE_KINDS = {
    "report_escalation": "báo đơn vị chưa nộp báo cáo", "digest": "bản tin", "launch_summary": "kết quả gửi phát động",
    "link_notice": "thông báo liên kết tài khoản", "campaign_notice": "thông báo phát động", "nomination": "tin về đề xuất khen thưởng",
    "campaign_launch": "phát động", "campaign_document": "văn bản phát động", "report_nudge": "nhắc báo cáo", "report_opened": "báo mở kỳ báo cáo",
    "report_received": "báo đơn vị đã nộp báo cáo",
    "reply": "trả lời",
}
FAILURE_REASONS = (
    (("403", "blocked", "kicked"), "đã chặn bot"),
    (("too long",), "tin quá dài"),
    (("chat not found", "deactivated", "not found"), "không còn cuộc trò chuyện với bot"),
)
UNDELIVERED_SHOWN = 5


def _failure_reason(error: str | None) -> str:
    text = (error or "").lower()
    return next((reason for markers, reason in FAILURE_REASONS if any(m in text for m in markers)), "lỗi khi gửi")


def undelivered_line(items: list[Undelivered]) -> str | None:
    """'⚠️ 2 tin gửi lãnh đạo không đến được: …' — None when every message arrived."""
    if not items:
        return None
    roles = {i.role for i in items}
    who = "lãnh đạo" if roles == {"leader"} else "quản trị" if roles == {"admin"} else "lãnh đạo và quản trị"
    # A digest's text and chart failing for one person read as one entry, "bản tin, 2 tin".
    groups = Counter((short(i.member_name, 40), MESSAGE_KINDS.get(i.kind, "tin nhắn"), _failure_reason(i.error))
                     for i in items)
    shown = [f"{name} ({kind}{f', {n} tin' if n > 1 else ''} — {reason})"
             for (name, kind, reason), n in list(groups.items())[:UNDELIVERED_SHOWN]]
    left = sum(list(groups.values())[UNDELIVERED_SHOWN:])
    more = f" và {vn_format.number(left)} tin khác" if left else ""
    return f"⚠️ {vn_format.number(len(items))} tin gửi {who} không đến được: {'; '.join(shown)}{more}."


def _names(names: list[str], budget: int) -> tuple[list[str], int]:
    """As many whole names as fit in `budget` characters; and how many are left out."""
    shown, used = [], 0
    for name in names:
        if used + len(name) + 2 > budget:
            break
        shown.append(name)
        used += len(name) + 2
    return shown, len(names) - len(shown)


def missing_lines(missing: list[tuple[str, str]], budget: int) -> list[str]:
    """The units still missing: by name, or grouped by kind when many; 'và N đơn vị khác'."""
    if not missing:
        return []
    if budget <= 0:
        return [f"  Chưa nộp: {len(missing)} đơn vị."]
    if len(missing) < GROUP_FROM:
        shown, more = _names([n for n, _ in missing], budget)
        tail = f" và {vn_format.number(more)} đơn vị khác" if more else ""
        return [f"  Chưa nộp: {', '.join(shown)}{tail}." if shown else f"  Chưa nộp: {more} đơn vị."]
    groups: dict[str, list[str]] = {}
    for name, kind in missing:
        groups.setdefault(kind, []).append(name)
    lines = [f"  Chưa nộp ({len(missing)} đơn vị):"]
    each = max(0, budget // len(groups))
    for kind, names in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        shown, more = _names(names, each)
        listed = ", ".join(shown) + (f" và {vn_format.number(more)} đơn vị khác" if shown and more else "")
        lines.append(f"  – {kind.capitalize()} ({len(names)}): {listed or f'{more} đơn vị'}")
    return lines


def _period_lines(view: PeriodStatus, today: date, budget: int) -> list[str]:
    p = view.period
    reported = len(view.on_time) + len(view.late)
    total = reported + len(view.missing)
    return [
        f"• {p.label} (hạn {clock.fmt_date(p.due_on)}, {when_due(p.due_on, today)}): "
        f"đã nộp {reported}/{total} (đúng hạn {len(view.on_time)}, trễ {len(view.late)}), "
        f"chưa nộp {len(view.missing)}",
        *missing_lines(view.missing, budget),
    ]


STAGE_WORDS = {"in_review": "đang xét", "passed": "đạt, chờ quyết định", "failed": "không đạt",
               "awarded": "đã khen thưởng"}


def _nomination_line(counts: Counter) -> str:
    if not counts:
        return "• Đề xuất điển hình: không có thay đổi."
    parts = [f"{counts[s]} {STATUS_NAMES[s]}" for s in STATUS_NAMES if counts.get(s)]
    return "• Đề xuất điển hình: " + ", ".join(parts) + "."


def rollup_line(children: list) -> str:
    """The units that launch to their own, in one line: how many launched their implementing plan,
    and their units' counts summed."""
    n = vn_format.number
    launched = [c for c in children if c.child_campaign_id]
    line = f"• Kế hoạch thực hiện: {n(len(launched))}/{n(len(children))} đơn vị đã phát động"
    if launched:
        line += (f"; cấp dưới: {n(sum(c.acknowledged for c in launched))}/{n(sum(c.units for c in launched))} đơn vị "
                 f"đã nhận, {n(sum(c.reports for c in launched))} báo cáo, {n(sum(c.nominations for c in launched))} "
                 f"đề xuất ({n(sum(c.approved for c in launched))} đã duyệt)")
    return line + "."


def campaign_section(d: CampaignDigest, today: date, budget: int) -> str:
    c = d.campaign
    lines = [f"#{c.id} «{short(c.title, 110)}»", f"• Xác nhận phát động: {d.acknowledged}/{d.units} đơn vị"]
    if d.current is not None:
        lines += _period_lines(d.current, today, budget)
    else:
        lines.append("• Chưa có kỳ báo cáo đang mở.")
    for period, missing in d.overdue[:3]:
        lines.append(f"• Kỳ trước — {period.label}: còn {missing} đơn vị chưa nộp (/status {c.id}).")
    lines.append(_nomination_line(d.nominations))
    if d.children:
        lines.append(rollup_line(d.children))
    if d.stages:  # past the office's approval: the council and the decision
        lines.append("• Xét khen thưởng: " + ", ".join(
            f"{d.stages[s]} {STAGE_WORDS[s]}" for s in STAGE_WORDS if d.stages.get(s)) + ".")
    if d.approved:
        items = [f"{short(name, 40)} ({short(unit, 40)}) – {reward}" for name, unit, reward in d.approved]
        more = f"; và {d.approved_more} điển hình khác" if d.approved_more else ""
        lines.append("• Mới được duyệt: " + "; ".join(items) + more + ".")
    if d.next_due:
        lines.append("• Hạn tới: " + "; ".join(f"{p.label} {clock.fmt_date(p.due_on)}" for p in d.next_due) + ".")
    return "\n".join(lines)


def digest(digests: list[CampaignDigest], now: datetime, since: datetime, undelivered: str | None = None) -> str:
    """The whole digest, within LIMIT: names shrink first, then campaigns are cut. `undelivered`
    (messages to admins and leaders that failed since the last digest) comes right after the head."""
    today = clock.local(now).date()
    day = clock.fmt_date(now)
    if not digests:
        text = NO_CAMPAIGNS.format(day=day)
        return f"{text}\n\n{undelivered}" if undelivered else text
    head = f"📊 BẢN TIN THI ĐUA {day}\n(thay đổi từ {clock.fmt_datetime(since)} đến nay)"
    if undelivered:
        head += f"\n\n{undelivered}"
    foot = "Chi tiết: /status <số phong trào> · Tải tệp: /export <số phong trào>"
    for budget in NAME_BUDGETS:
        each = budget // len(digests)
        text = "\n\n".join([head, *(campaign_section(d, today, each) for d in digests), foot])
        if utf16_len(text) <= LIMIT:
            return text
    # Too many campaigns even without names: as many whole sections as fit, then how many more.
    parts, used = [head], utf16_len(head) + utf16_len(foot) + 80
    for i, d in enumerate(digests):
        section = campaign_section(d, today, 0)
        if used + utf16_len(section) + 2 > LIMIT:
            parts.append(f"… và {vn_format.number(len(digests) - i)} phong trào khác: /campaigns")
            break
        parts.append(section)
        used += utf16_len(section) + 2
    return "\n\n".join([*parts, foot])


def chart_title(digests: list[CampaignDigest], now: datetime) -> str:
    if len(digests) == 1:
        return f"#{digests[0].campaign.id} {short(digests[0].campaign.title, 90)} — {clock.fmt_date(now)}"
    return f"{len(digests)} phong trào đang diễn ra — {clock.fmt_date(now)}"


def schedule_words(frequency: str, next_at: datetime | None, weekday: int) -> tuple[str, str]:
    """('hằng tuần', ', bản tiếp theo lúc 07:30 thứ Hai 30/11/2026') for /digest_settings."""
    current = FREQUENCY_NAMES[frequency]
    if next_at is None:
        return current, ""
    local = clock.local(next_at)
    return current, f", bản tiếp theo lúc {local:%H:%M} {WEEKDAY_NAMES[local.weekday()]} {local:%d/%m/%Y}"


# --- the dialogues' words (bot/core/digests.py) ---------------------------------------------------


def digest_settings(channel: str, current: str, when: str) -> str:
    how = ("Chọn tần suất bằng nút dưới đây, hoặc gõ /digest_settings ngày | tuần | tắt." if channel == "telegram"
           else "Đổi tần suất: gõ một trong các lệnh dưới đây.")
    return f"Bản tin thi đua của bạn: {current}{when}.\n{how}"


def digest_settings_bad(channel: str, value: str) -> str:
    daily, weekly, off = (cmd(channel, "digest_settings", w) for w in FREQUENCY_TYPED.values())
    return f"Không hiểu “{value}”. Gõ {daily}, {weekly} hoặc {off}."


def export_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'export', '<số phong trào>')}, ví dụ {cmd(channel, 'export', 1)}. "
            f"Danh sách phong trào: {cmd(channel, 'campaigns')}")


def report_docx_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'report_docx', '<số phong trào>', '<số kỳ>')}, "
            f"ví dụ {cmd(channel, 'report_docx', 1, '#2')} (số kỳ xem bằng {cmd(channel, 'report_docx', '<số phong trào>')}).")
