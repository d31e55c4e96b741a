"""What people read about report periods, reports and nudges (Vietnamese)."""

from __future__ import annotations

from datetime import date, datetime

from bot import clock, report_states
from bot.text_chunks import MORE_LINES, TELEGRAM_TEXT_LIMIT, shorten_lines
from bot.texts.commands import cmd
from bot import vn_format

REPORT_FOR_PERIOD = "Kỳ báo cáo: {label}."
REPORT_BUTTON = "📝 Gửi báo cáo"
KIND_NAMES = {
    "semiannual": "sơ kết 6 tháng", "annual": "tổng kết năm", "quarterly": "hằng quý",
    "yearly": "hằng năm", "final": "tổng kết đợt", "one-off": "đột xuất",
}

CAMPAIGN_NOT_FOUND = "Không có phong trào #{id}."
PERIODS_CONFIRMED = "✅ Đã xác nhận {n} kỳ báo cáo; bot sẽ nhắc các đơn vị chưa nộp."
PERIODS_ALREADY = "Các kỳ báo cáo này đã được xác nhận trước đó."
PERIODS_CONFIRM_BUTTON = "✅ Xác nhận các kỳ"

REPORT_NOT_OFFICER = "Chỉ cán bộ phụ trách thi đua của đơn vị mới gửi báo cáo."
REPORT_NO_PERIODS = "Đơn vị của bạn hiện không có kỳ báo cáo nào đang mở. Xem các kỳ sắp tới bằng /due."
PERIOD_ERRORS = {
    "not_found": "Không có kỳ báo cáo #{id}. Gõ /report để chọn trong danh sách kỳ đang mở.",
    "not_yours": "Kỳ báo cáo #{id} không thuộc phong trào gửi tới đơn vị của bạn. Gõ /report để chọn kỳ của đơn vị.",
    "not_open": "Kỳ báo cáo #{id} chưa mở: đơn vị gửi được từ ngày {opens}. Gõ /due để xem các kỳ.",
    "bad_summary": "Tóm tắt kết quả phải từ 20 đến 3.000 ký tự.",
}
DRAFT_KEPT = "Biểu mẫu bạn đang điền vẫn được giữ nguyên."
SUMMARY_ERROR = "Hãy viết tóm tắt kết quả từ 20 đến 3.000 ký tự (không để trống)."
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


def period_opened(channel: str, unit_name: str, period_id: int, label: str, campaign_title: str, due_on: date,
                  today: date) -> str:
    """The officers' notice that a period is open: what, for which unit, by when, and how to
    report on their channel (Telegram: the button or /report N; Zalo: “báo cáo N”)."""
    how = (f"Bấm “{REPORT_BUTTON}” hoặc gõ {cmd(channel, 'report', period_id)} để gửi." if channel == "telegram"
           else f"Gõ {cmd(channel, 'report', period_id)} để gửi báo cáo kỳ này.")
    return (
        f"📬 Đã mở kỳ báo cáo: {label}\n"
        f"Phong trào: {short(campaign_title, 200)}\n"
        f"Đơn vị: {unit_name}\n"
        f"Hạn nộp: {clock.fmt_date(due_on)} ({when_due(due_on, today)}).\n"
        f"{how}"
    )


def escalation(label: str, campaign_title: str, due_on: date, today: date, units: list[str],
               limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """The leaders' message naming the late units; within `limit` (the channel's), the names
    that do not fit summed up as "… và N đơn vị khác"."""
    head = [
        f"📣 {vn_format.number(len(units))} đơn vị chưa nộp báo cáo {label}",
        f"Phong trào: {short(campaign_title, 200)}",
        f"Hạn nộp: {clock.fmt_date(due_on)} ({when_due(due_on, today)}). Bot đã nhắc nhiều lần.",
        "",
    ]
    return shorten_lines([*head, *(f"• {name}" for name in units)], limit, keep=len(head))


ARRIVALS_NAMES_SHOWN = 10


def report_received(channel: str, unit_name: str, label: str, campaign_id: int, campaign_title: str,
                    submitted_at: datetime, days_late: int, resent: bool, done: int, owed: int) -> str:
    """The admins' notice of one report: who, for what, when, on time or not, and where it stands."""
    state = f"trễ {days_late} ngày" if days_late else "đúng hạn"
    again = ", gửi lại thay bản trước" if resent else ""
    return (
        f"📨 {unit_name} đã nộp báo cáo {label} lúc {clock.fmt_datetime(submitted_at)} ({state}{again}).\n"
        f"Phong trào #{campaign_id}: {short(campaign_title, 200)}\n"
        f"Đã nộp {vn_format.number(done)}/{vn_format.number(owed)} đơn vị. Xem tình hình: {cmd(channel, 'status', campaign_id)}."
    )


def reports_received(channel: str, groups: list[tuple[str, int, str, list[str], int, int]],
                     limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """Many reports at once, in one message: per period (label, campaign id, campaign title, the
    units' names, reported, owed) one line naming the units, the first ARRIVALS_NAMES_SHOWN of them
    and how many more; within `limit` (the channel's)."""
    lines = []
    for label, campaign_id, title, names, done, owed in groups:
        if lines:
            lines.append("")
        lines.append(f"📨 {vn_format.number(len(names))} đơn vị đã nộp báo cáo {label}: "
                     f"{_names(names, ARRIVALS_NAMES_SHOWN)}.")
        lines.append(f"Phong trào #{campaign_id}: {short(title, 150)} — đã nộp {vn_format.number(done)}/"
                     f"{vn_format.number(owed)} đơn vị. Xem tình hình: {cmd(channel, 'status', campaign_id)}.")
    return shorten_lines(lines, limit, keep=2, more=MORE_LINES)


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


def period_bad_ref(channel: str, campaign_id: int, ref: str, periods: list) -> str:
    ids = ", ".join(f"#{p.id}" for p in periods[:PERIOD_LIST_MAX])
    return (f"Phong trào #{campaign_id} không có kỳ báo cáo “{short(ref, 20)}”. Các kỳ của phong trào: {ids} "
            f"(xem bằng {cmd(channel, 'periods', campaign_id)}).")


def periods_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'periods', '<số phong trào>')}\n"
            f"• {cmd(channel, 'periods', 3, 'sửa', '#7', '20/06/2026')} — đổi hạn kỳ #7\n"
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
    """The campaign's periods by id (#7), as `periods N sửa #7`, /due, /report and the nudges name them."""
    lines = [f"Kỳ báo cáo của phong trào #{campaign_id}: {short(title, 150)}"]
    for p in periods[:PERIOD_LIST_MAX]:
        state = "đã xác nhận" if p.confirmed_at else "dự kiến, chưa xác nhận"
        lines.append(f"#{p.id} {p.label} ({KIND_NAMES[p.kind]}): mở {clock.fmt_date(p.opens_on)}, "
                     f"hạn {clock.fmt_date(p.due_on)} — {state}")
    if len(periods) > PERIOD_LIST_MAX:
        lines.append(f"… và {vn_format.number(len(periods) - PERIOD_LIST_MAX)} kỳ khác.")
    if any(p.confirmed_at is None for p in periods):
        edit = cmd(channel, "periods", campaign_id, "sửa", f"#{periods[0].id}", "<ngày/tháng/năm>")
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
    return shown + (f" và {vn_format.number(len(names) - limit)} đơn vị khác" if len(names) > limit else "")


def status_text(campaign_id: int, title: str, rows: list, today: date) -> str:
    """Per confirmed period, as it stands today (bot.report_states.period_phase): one not open yet
    is upcoming, with when it opens and is due; an open one lists the units on time and those that
    have not sent yet (nothing is late before the due date has passed); a past one the units on
    time, late (by how many days) and still missing."""
    lines = [f"Tình hình báo cáo — phong trào #{campaign_id}: {short(title, 150)}"]
    for row in rows:
        p = row.period
        phase = report_states.period_phase(p.opens_on, p.due_on, today)
        owed = len(row.on_time) + len(row.late) + len(row.missing)
        if phase == report_states.NOT_OPEN:
            lines.append(f"\n{p.label}")
            lines.append(f"⏳ Sắp tới — mở nhận báo cáo từ {clock.fmt_date(p.opens_on)}, hạn {clock.fmt_date(p.due_on)} "
                         f"({vn_format.number(owed)} đơn vị phải nộp).")
            continue
        lines.append(f"\n{p.label} (hạn {clock.fmt_date(p.due_on)}, {when_due(p.due_on, today)})")
        lines.append(f"✅ Đúng hạn: {len(row.on_time)}" + (f" — {_names(row.on_time)}" if row.on_time else ""))
        missing = [name for name, _kind in row.missing]
        if phase == report_states.OPEN:
            lines.append(f"📝 Đang mở, chưa nộp: {len(missing)}" + (f" — {_names(missing)}" if missing else ""))
            continue
        late = [f"{name} ({days} ngày)" for name, days in row.late]
        lines.append(f"⏰ Nộp trễ: {len(late)}" + (f" — {_names(late)}" if late else ""))
        lines.append(f"❌ Chưa nộp (quá hạn): {len(missing)}" + (f" — {_names(missing)}" if missing else ""))
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
