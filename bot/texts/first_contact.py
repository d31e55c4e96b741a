"""What a person is told the first time they write to the bot on a channel, and how their
acceptance is shown afterwards (the welcome, /mydata)."""

from __future__ import annotations

from datetime import datetime

from bot import clock

CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}

# What differs per channel: their ids there, the words for /mydata and /forget, how to join.
_ON = {
    "telegram": {
        "ids": "mã tài khoản và mã cuộc trò chuyện Telegram", "id": "mã tài khoản Telegram",
        "see": "gõ /mydata", "delete": "gõ /forget",
        "join": "bấm vào đường link mời do Văn phòng gửi, hoặc gõ /start MÃ_MỜI",
        "confirm": "bấm nút “✅ Đồng ý và tham gia” dưới đây",
    },
    "zalo": {
        "ids": "mã người dùng và mã cuộc trò chuyện Zalo", "id": "mã người dùng Zalo",
        "see": "gõ “dữ liệu của tôi”", "delete": "gõ “xóa dữ liệu”",
        "join": "gõ: tham gia MÃ_MỜI (mã do Văn phòng cấp)",
        "confirm": "gõ “đồng ý”",
    },
}

NOTICE = (
    "Xin chào! Đây là trợ lý tự động (bot) của {org}, không phải người trả lời trực tiếp.\n\n"
    "Bot dành cho cán bộ được Văn phòng mời. Khi bạn tham gia, bot lưu: họ tên, đơn vị, vai trò, "
    "{ids} của bạn, và những gì bạn gửi (đề cử, báo cáo, tệp, tin nhắn) — chỉ để tổ chức các phong "
    "trào thi đua của Văn phòng: gửi phát động, nhắc hạn, nhận đề cử và báo cáo.\n\n"
    "Xem dữ liệu bot lưu: {see}. Xóa dữ liệu: {delete}.\n"
    "Khi bạn chưa tham gia, bot chỉ giữ {id} của bạn, để biết đã báo cho bạn điều này."
)
TO_JOIN = "\n\nĐể tham gia, {join}. Tham gia là bạn đồng ý để bot lưu dữ liệu như trên."
TO_CONFIRM = ("\n\nBạn vừa gửi mã mời. Nếu đồng ý để bot lưu dữ liệu như trên, hãy {confirm} để tham gia. "
              "Nếu không đồng ý, bạn không cần làm gì.")
CONFIRM_BUTTON = "✅ Đồng ý và tham gia"
NO_CODE_HELD = "Bot không còn giữ mã mời nào của bạn. Hãy {join}."
# Typed on Zalo (folded: no diacritics, lower case) to confirm a join held for confirmation.
CONSENT_WORDS = ("dong y", "toi dong y", "dong y tham gia", "dong y de tham gia", "ok", "co")


def notice(org_name: str, channel: str, *, confirm: bool) -> str:
    """The notice on `channel`; `confirm`: they sent an invite code with it, to be confirmed."""
    on = _ON[channel]
    text = NOTICE.format(org=org_name, ids=on["ids"], id=on["id"], see=on["see"], delete=on["delete"])
    return text + (TO_CONFIRM.format(confirm=on["confirm"]) if confirm else TO_JOIN.format(join=on["join"]))


def no_code_held(channel: str) -> str:
    return NO_CODE_HELD.format(join=_ON[channel]["join"])


def accepted_line(channel: str, at: datetime | None) -> str:
    """The welcome's last line: their acceptance, recorded."""
    if at is None:
        return ""
    return f"Bot đã ghi nhận bạn đồng ý việc lưu dữ liệu này lúc {clock.fmt_datetime(at)} trên {CHANNEL_NAMES[channel]}."


def consent_lines(data: dict) -> list[str]:
    """/mydata's lines on when they were told and when they accepted, on each channel they use."""
    lines = ["", "Thông báo và đồng ý lưu dữ liệu:"]
    for channel in ("telegram", "zalo"):
        c = (data.get("consent") or {}).get(channel) or {}
        told, accepted = c.get("notice_shown_at"), c.get("accepted_at")
        if not told and not accepted and not data["accounts"].get(f"{channel}_user_ids"):
            continue
        parts = []
        if told:
            parts.append(f"được thông báo lúc {clock.fmt_datetime(datetime.fromisoformat(told))}")
        parts.append(f"đồng ý lúc {clock.fmt_datetime(datetime.fromisoformat(accepted))}" if accepted
                     else "chưa ghi nhận đồng ý (tham gia trước khi bot ghi nhận)")
        lines.append(f"• {CHANNEL_NAMES[channel]}: " + "; ".join(parts))
    return lines if len(lines) > 2 else []
