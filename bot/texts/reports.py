"""What people read about report periods, reports and nudges (Vietnamese)."""

from __future__ import annotations

from datetime import date

from bot import clock
from bot.text_chunks import TELEGRAM_TEXT_LIMIT, shorten_lines, vn_number

REPORT_FOR_PERIOD = "Kỳ báo cáo: {label}."
REPORT_BUTTON = "📝 Gửi báo cáo"
KIND_NAMES = {
    "semiannual": "sơ kết 6 tháng", "annual": "tổng kết năm", "quarterly": "hằng quý",
    "yearly": "hằng năm", "final": "tổng kết đợt", "one-off": "đột xuất",
}

PERIODS_USAGE = (
    "Cách dùng: /periods <số phong trào>\n"
    "• /periods 3 sửa 2 20/06/2026 — đổi hạn kỳ thứ 2\n"
    "• /periods 3 thêm 30/09/2026 Báo cáo chuyên đề — thêm kỳ đột xuất"
)
CAMPAIGN_NOT_FOUND = "Không có phong trào #{id}."
NO_PERIODS = "Phong trào #{id} không có quy định báo cáo định kỳ. Thêm kỳ đột xuất: /periods {id} thêm <ngày> <tên kỳ>."
PERIODS_CONFIRMED = "✅ Đã xác nhận {n} kỳ báo cáo; bot sẽ nhắc các đơn vị chưa nộp."
PERIODS_ALREADY = "Các kỳ báo cáo này đã được xác nhận trước đó."
PERIOD_BAD_INDEX = "Không có kỳ thứ {n}. Hãy chọn số trong danh sách."
PERIOD_BAD_DATE = "Ngày {value!r} không hợp lệ; hãy gõ ngày/tháng/năm, ví dụ 15/06/2026."
PERIOD_ONE_OFF_LABEL = "Hãy ghi tên kỳ sau ngày hạn, ví dụ: /periods 3 thêm 30/09/2026 Báo cáo chuyên đề."
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
