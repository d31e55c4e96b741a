"""What people read about report periods, reports and nudges (Vietnamese)."""

from __future__ import annotations

from datetime import date

from bot import clock
from bot.text_chunks import TELEGRAM_TEXT_LIMIT, shorten_lines, vn_number
from bot.texts.commands import cmd

REPORT_FOR_PERIOD = "Kỳ báo cáo: {label}."
REPORT_BUTTON = "📝 Gửi báo cáo"
KIND_NAMES = {
    "semiannual": "sơ kết 6 tháng", "annual": "tổng kết năm", "quarterly": "hằng quý",
    "yearly": "hằng năm", "final": "tổng kết đợt", "one-off": "đột xuất",
}

CAMPAIGN_NOT_FOUND = "Không có phong trào #{id}."
PERIODS_CONFIRMED = "✅ Đã xác nhận {n} kỳ báo cáo; bot sẽ nhắc các đơn vị chưa nộp."
PERIODS_ALREADY = "Các kỳ báo cáo này đã được xác nhận trước đó."
PERIOD_BAD_INDEX = "Không có kỳ thứ {n}. Hãy chọn số trong danh sách."
PERIODS_CONFIRM_BUTTON = "✅ Xác nhận các kỳ"

REPORT_NOT_OFFICER = "Chỉ cán bộ phụ trách thi đua của đơn vị mới gửi báo cáo."
REPORT_NO_PERIODS = "Đơn vị của bạn hiện không có kỳ báo cáo nào đang mở. Xem các kỳ sắp tới bằng /due."
PERIOD_ERRORS = {
    "not_found": "Không có kỳ báo cáo #{id}. Gõ /report để chọn trong danh sách kỳ đang mở.",
    "not_yours": "Kỳ báo cáo #{id} không thuộc phong trào gửi tới đơn vị của bạn. Gõ /report để chọn kỳ của đơn vị.",
    "not_open": "Kỳ báo cáo #{id} chưa mở: đơn vị gửi được từ ngày {opens}. Gõ /due để xem các kỳ.",
    "bad_summary": "Tóm tắt kết quả phải từ 20 đến 3000 ký tự.",
}
DRAFT_KEPT = "Biểu mẫu bạn đang điền vẫn được giữ nguyên."
SUMMARY_ERROR = "Hãy viết tóm tắt kết quả từ 20 đến 3000 ký tự (không để trống)."
FILE_ERROR = "Chỉ nhận tệp .docx hoặc .pdf (tối đa 20 MB). Gửi lại tệp đúng loại, hoặc bấm “Bỏ qua” để chỉ gửi nội dung."


def period_line(label: str, campaign_title: str, due_on: date) -> str:
    return f"{label} — {short(campaign_title, 80)} (hạn {clock.fmt_date(due_on)})"


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def when_due(due_on: date, today: date) -> str:
    days = (due_on - today).days
    if days > 0:
        return f"còn {days} ngày"
    if days == 0:
        return "hạn là hôm nay"
    return f"đã trễ {-days} ngày"


def nudge(unit_name: str, label: str, campaign_title: str, due_on: date, today: date) -> str:
    head = "⏰ Nhắc báo cáo" if due_on >= today else "❗ Báo cáo quá hạn"
    return (
        f"{head}: {label}\n"
        f"Phong trào: {short(campaign_title, 200)}\n"
        f"Đơn vị: {unit_name}\n"
        f"Hạn nộp: {clock.fmt_date(due_on)} ({when_due(due_on, today)}).\n"
        f"Bấm “{REPORT_BUTTON}” hoặc gõ /report để gửi."
    )


def escalation(label: str, campaign_title: str, due_on: date, today: date, units: list[str],
               limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """The leaders' message naming the late units; within `limit` (the channel's), the names
    that do not fit summed up as "… và N đơn vị khác"."""
    head = [
        f"📣 {vn_number(len(units))} đơn vị chưa nộp báo cáo {label}",
        f"Phong trào: {short(campaign_title, 200)}",
        f"Hạn nộp: {clock.fmt_date(due_on)} ({when_due(due_on, today)}). Bot đã nhắc nhiều lần.",
        "",
    ]
    return shorten_lines([*head, *(f"• {name}" for name in units)], limit, keep=len(head))


def report_saved(label: str, days_late: int, replaced: bool) -> str:
    text = f"📨 Đã nhận báo cáo {label}."
    if days_late:
        text += f" Báo cáo nộp trễ {days_late} ngày."
    if replaced:
        text += " Bản này thay bản đã nộp trước (bản cũ vẫn được lưu)."
    return text


def already_reported(at: str) -> str:
    return f"Đơn vị đã nộp báo cáo kỳ này lúc {at}. Gửi tiếp thì bản mới sẽ thay bản cũ khi bạn xác nhận (bản cũ vẫn được lưu)."


# --- the dialogues' words (bot/core/reports.py): hints name commands as typed on the channel ---

PERIOD_LIST_MAX = 40


def periods_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'periods', '<số phong trào>')}\n"
            f"• {cmd(channel, 'periods', 3, 'sửa', 2, '20/06/2026')} — đổi hạn kỳ thứ 2\n"
            f"• {cmd(channel, 'periods', 3, 'thêm', '30/09/2026', 'Báo cáo chuyên đề')} — thêm kỳ đột xuất")


def confirm_periods_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'confirm_periods', '<số phong trào>')}, ví dụ {cmd(channel, 'confirm_periods', 3)}. "
            f"Xem các kỳ trước khi xác nhận: {cmd(channel, 'periods', '<số phong trào>')}.")


def no_periods(channel: str, campaign_id: int) -> str:
    add = cmd(channel, "periods", campaign_id, "thêm", "<ngày>", "<tên kỳ>")
    return f"Phong trào #{campaign_id} không có quy định báo cáo định kỳ. Thêm kỳ đột xuất: {add}."


def one_off_label(channel: str, campaign_id: int) -> str:
    return f"Hãy ghi tên kỳ sau ngày hạn, ví dụ: {cmd(channel, 'periods', campaign_id, 'thêm', '30/09/2026', 'Báo cáo chuyên đề')}."


def periods_list(channel: str, campaign_id: int, title: str, periods: list) -> str:
    """The campaign's periods, numbered as `periods N sửa <số kỳ>` counts them."""
    lines = [f"Kỳ báo cáo của phong trào #{campaign_id}: {short(title, 150)}"]
    for i, p in enumerate(periods[:PERIOD_LIST_MAX], 1):
        state = "đã xác nhận" if p.confirmed_at else "đề xuất"
        lines.append(f"{i}. {p.label} ({KIND_NAMES[p.kind]}): mở {clock.fmt_date(p.opens_on)}, "
                     f"hạn {clock.fmt_date(p.due_on)} — {state}")
    if len(periods) > PERIOD_LIST_MAX:
        lines.append(f"… và {vn_number(len(periods) - PERIOD_LIST_MAX)} kỳ khác.")
    if any(p.confirmed_at is None for p in periods):
        edit = cmd(channel, "periods", campaign_id, "sửa", "<số kỳ>", "<ngày/tháng/năm>")
        lines.append(f"\nĐổi hạn: {edit}. Xác nhận để bot bắt đầu nhắc.")
    lines.append(f"Thêm kỳ đột xuất: {cmd(channel, 'periods', campaign_id, 'thêm', '<ngày/tháng/năm>', '<tên kỳ>')}.")
    return "\n".join(lines)


DUE_NONE = REPORT_NO_PERIODS.replace(" Xem các kỳ sắp tới bằng /due.", "")


def status_usage(channel: str) -> str:
    return f"Cách dùng: {cmd(channel, 'status', '<số phong trào>')}, ví dụ {cmd(channel, 'status', 3)}."


def status_none(channel: str, campaign_id: int) -> str:
    return (f"Phong trào #{campaign_id} chưa có kỳ báo cáo đã xác nhận. "
            f"Quản trị xem và xác nhận các kỳ bằng {cmd(channel, 'periods', campaign_id)}.")


def _names(names: list[str], limit: int = 30) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" và {vn_number(len(names) - limit)} đơn vị khác" if len(names) > limit else "")


def status_text(campaign_id: int, title: str, rows: list, today: date) -> str:
    """Per confirmed period: the units on time, late (by how many days), still missing."""
    lines = [f"Tình hình báo cáo — phong trào #{campaign_id}: {short(title, 150)}"]
    for row in rows:
        p = row.period
        lines.append(f"\n{p.label} (hạn {clock.fmt_date(p.due_on)}, {when_due(p.due_on, today)})")
        lines.append(f"✅ Đúng hạn: {len(row.on_time)}" + (f" — {_names(row.on_time)}" if row.on_time else ""))
        late = [f"{name} ({days} ngày)" for name, days in row.late]
        lines.append(f"⏰ Nộp trễ: {len(late)}" + (f" — {_names(late)}" if late else ""))
        missing_label = "❌ Chưa nộp (quá hạn)" if p.due_on < today else "⏳ Chưa nộp"
        missing = [name for name, _kind in row.missing]
        lines.append(f"{missing_label}: {len(missing)}" + (f" — {_names(missing)}" if missing else ""))
    return "\n".join(lines)


def due_text(channel: str, unit_name: str, items: list, today: date) -> str:
    """The unit's open periods and whether it has reported each."""
    lines = [f"Các kỳ báo cáo đang mở của {unit_name}:"]
    for item in items:
        p = item.period
        if item.report is not None:
            state = f"đã nộp {clock.fmt_datetime(item.report.submitted_at)}"
            if item.report.days_late:
                state += f" (trễ {item.report.days_late} ngày)"
        else:
            state = f"chưa nộp, {when_due(p.due_on, today)}"
        lines.append(f"• #{p.id} {period_line(p.label, item.campaign_title, p.due_on)}: {state}")
    first = items[0].period.id
    lines.append(f"\nGửi báo cáo: {cmd(channel, 'report', '<số kỳ>')} (ví dụ {cmd(channel, 'report', first)}).")
    return "\n".join(lines)


def report_usage(channel: str, value: str) -> str:
    return (f"Không hiểu số kỳ “{short(value, 40)}”. Gõ {cmd(channel, 'report')} để chọn trong các kỳ đang mở, "
            f"hoặc {cmd(channel, 'report', '<số kỳ>')} (số kỳ xem bằng {cmd(channel, 'due')}).")
