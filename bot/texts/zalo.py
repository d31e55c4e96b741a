"""What the bot says on Zalo that differs from Telegram: no buttons, commands typed as words."""

from __future__ import annotations

from datetime import date

from bot import clock, texts
from bot.texts import reports as rt
from bot import vn_format

START_NO_CODE = (
    "Xin chào! Đây là bot thi đua – khen thưởng. Để tham gia, bạn cần mã mời do Văn phòng "
    "(Thường trực Hội đồng Thi đua – Khen thưởng) cấp.\n\nHãy gõ: tham gia MÃ_MỜI (ví dụ: tham gia ABCD234567)"
)
NOT_A_MEMBER = "Bạn chưa tham gia bot. Hãy gõ: tham gia MÃ_MỜI (mã do Văn phòng cấp)."
UNKNOWN_MESSAGE = "Bot chưa hiểu tin nhắn này. Gõ “trợ giúp” để xem các lệnh của bạn."
GROUP_CHAT = "Hãy nhắn tin riêng cho bot để dùng các lệnh."
STICKER = "Bot chưa hiểu nhãn dán. Gõ “trợ giúp” để xem các lệnh của bạn."
PHOTO_FAILED = "Bot chưa tải được ảnh này từ Zalo. Hãy gửi lại ảnh."
ACK_WHICH_ANY = "Đơn vị có {n} phát động chưa xác nhận:\n{lines}\n\nXác nhận từng phát động theo số của nó."
ACK_USAGE = "Cách dùng: “đã nhận <số>” (số của phát động), hoặc chỉ “đã nhận” khi đơn vị có một phát động."
ACK_NONE = "Đơn vị của bạn không còn phát động nào chưa xác nhận."
CHANNEL_NOW = ("Thông báo, nhắc hạn và bản tin đang gửi cho bạn qua {channel}.\n"
               "Đổi: gõ “kênh zalo” hoặc “kênh telegram”.")
CHANNEL_SET = "Từ nay thông báo, nhắc hạn và bản tin gửi cho bạn qua {channel}."
CHANNEL_NO_CHAT = ("Bạn chưa dùng bot trên {channel}. Gõ “liên kết” để lấy mã, rồi nhắn mã đó cho bot "
                   "trên {channel}.")
CHANNEL_BAD = "Gõ “kênh zalo” hoặc “kênh telegram”."
LINK_CODE = ("Mã liên kết của bạn: {code} (dùng một lần, trong {minutes} phút, chỉ trên Telegram).\n"
             "Trên Telegram, nhắn cho bot: /start {code}")
LINKED = ("Đã liên kết Zalo với tài khoản của bạn ({role}{where}). Thông báo vẫn gửi qua {channel}; "
          "gõ “kênh zalo” để nhận trên Zalo.")
CHANNEL_NAMES = texts.CHANNEL_NAMES
MYDATA_FORGET_HINT = "Gõ “xóa dữ liệu” nếu muốn xóa."
FILE_LINK = "📎 {caption}\nTải tệp (link hết hạn lúc {until}): {url}"


# --- the monthly message budget (bot.services.zalo_usage) -------------------------------------


def month_label(month: str) -> str:
    """"2026-12" → "12/2026"."""
    year, number = month.split("-")
    return f"{number}/{year}"


def usage_line(month: str, sent: int, quota: int, queued: int) -> str:
    """The admins' one line, e.g. "Zalo tháng 12/2026: đã gửi 1.234/3.000 tin (41 %)"."""
    if quota:
        line = (f"Zalo tháng {month_label(month)}: đã gửi {vn_format.number(sent)}/{vn_format.number(quota)} tin "
                f"({sent * 100 // quota} %)")
    else:
        line = f"Zalo tháng {month_label(month)}: đã gửi {vn_format.number(sent)} tin (không đặt hạn mức)"
    if queued:
        line += f", {vn_format.number(queued)} tin đang chờ gửi"
    if quota and sent >= quota:
        line += " — đã hết hạn mức, tin chờ sang tháng sau"
    return line


def quota_warning(month: str, sent: int, quota: int) -> str:
    return (
        f"⚠️ Zalo tháng {month_label(month)}: bot đã gửi {vn_format.number(sent)}/{vn_format.number(quota)} tin, "
        f"{sent * 100 // quota} % hạn mức tháng (zalo.monthly_quota).\n"
        "Gần hết hạn mức, các nhắc báo cáo cùng ngày của một người được gộp thành một tin. "
        "Khi hết hạn mức, thông báo, nhắc việc và bản tin trên Zalo chờ đến đầu tháng sau "
        "(không mất tin nào); phần cuối hạn mức dành cho trả lời người đang nhắn với bot.\n"
        "Nếu cần, hãy nhắc các đơn vị chọn nhận thông báo qua Telegram (gõ “kênh telegram”)."
    )


def combined_nudge(unit_name: str, items: list[tuple[int, str, str, date]], today: date) -> str:
    """One message for a person's nudges of a day, near the month's budget: items are (period
    id, label, campaign title, due date) of each period, each with its "báo cáo <số kỳ>" hint."""
    late = all(due_on < today for *_, due_on in items)
    head = "❗ Báo cáo quá hạn" if late else "⏰ Nhắc báo cáo"
    lines = [f"{head}: đơn vị {unit_name} có {vn_format.number(len(items))} kỳ báo cáo cần nộp."]
    for i, (period_id, label, title, due_on) in enumerate(items, 1):
        lines += ["", f"{i}. {label}", f"Phong trào: {rt.short(title, 150)}",
                  f"Hạn nộp: {clock.fmt_date(due_on)} ({rt.when_due(due_on, today)}).",
                  f"👉 Gõ “báo cáo {period_id}” để gửi báo cáo kỳ này."]
    return "\n".join(lines)
