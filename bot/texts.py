"""Every user-facing string, in Vietnamese. Handlers and the CLI format these; nothing else speaks."""

from __future__ import annotations

from dataclasses import dataclass

ROLE_NAMES = {
    "admin": "Quản trị (Thường trực Hội đồng Thi đua – Khen thưởng)",
    "officer": "Cán bộ phụ trách thi đua",
    "leader": "Lãnh đạo",
}
ROLE_SHORT = {"admin": "Quản trị", "officer": "Cán bộ thi đua", "leader": "Lãnh đạo"}


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    roles: tuple[str, ...]


ALL_ROLES = ("admin", "officer", "leader")

# The order here is the order of /help and of the command menu.
COMMANDS: tuple[Command, ...] = (
    Command("help", "Các lệnh bạn dùng được", ALL_ROLES),
    Command("whoami", "Thông tin của bạn: họ tên, đơn vị, vai trò", ALL_ROLES),
    Command("members", "Danh sách thành viên (có thể kèm mã đơn vị)", ("admin",)),
    Command("deactivate", "Vô hiệu hóa một thành viên: /deactivate <số thành viên>", ("admin",)),
    Command("mydata", "Xem dữ liệu cá nhân bot đang lưu", ALL_ROLES),
    Command("forget", "Xóa dữ liệu cá nhân của bạn", ALL_ROLES),
    Command("leave", "Rời khỏi bot", ALL_ROLES),
)

STRANGER_COMMANDS = (
    Command("start", "Tham gia bằng mã mời", ()),
    Command("help", "Hướng dẫn tham gia", ()),
)


def commands_for(role: str) -> list[Command]:
    return [c for c in COMMANDS if role in c.roles]


def help_text(role: str) -> str:
    lines = [f"Bạn đang dùng bot với vai trò: {ROLE_NAMES[role]}.", "", "Các lệnh của bạn:"]
    lines += [f"/{c.name} — {c.description}" for c in commands_for(role)]
    return "\n".join(lines)


PRIVACY_NOTE = (
    "Về dữ liệu cá nhân: bot lưu họ tên và mã tài khoản Telegram của bạn, đơn vị, vai trò, thời "
    "điểm tham gia và những việc bạn làm trong bot, chỉ để gửi thông báo thi đua đến đúng người và "
    "theo dõi tiến độ. Gõ /mydata để xem, /forget để xóa."
)


def welcome(full_name: str, role: str, unit_name: str | None, org_name: str) -> str:
    where = f", đơn vị {unit_name}" if unit_name else ""
    what = {
        "officer": (
            "Bạn sẽ nhận kế hoạch, phát động thi đua gửi về đơn vị, xác nhận đã nhận, đề xuất điển "
            "hình tiên tiến và gửi báo cáo định kỳ ngay tại đây."
        ),
        "leader": (
            "Bạn sẽ nhận bản tin tổng hợp tiến độ các phong trào thi đua và có thể hỏi tình hình bất "
            "cứ lúc nào."
        ),
        "admin": (
            "Bạn có thể quản lý thành viên, phát động phong trào thi đua, theo dõi báo cáo và xét "
            "duyệt đề xuất khen thưởng."
        ),
    }[role]
    return (
        f"Chào mừng {full_name}! Bạn đã tham gia Thi đua bot ({org_name}) "
        f"với vai trò {ROLE_NAMES[role]}{where}.\n\n{what}\n\nGõ /help để xem các lệnh.\n\n{PRIVACY_NOTE}"
    )


START_NO_CODE = (
    "Xin chào! Đây là bot thi đua – khen thưởng. Để tham gia, bạn cần mã mời do Văn phòng "
    "(Thường trực Hội đồng Thi đua – Khen thưởng) cấp.\n\n"
    "Hãy bấm vào đường link mời bạn nhận được, hoặc gõ: /start MÃ_MỜI"
)
INVITE_REFUSED = {
    "unknown": (
        "Mã mời này không đúng. Hãy kiểm tra lại (mã gồm chữ in hoa và số) hoặc bấm lại vào "
        "đường link mời. Nếu vẫn không được, hãy liên hệ Văn phòng để được cấp mã mới."
    ),
    "used": (
        "Mã mời này đã được dùng. Mỗi mã chỉ dùng một lần — hãy liên hệ Văn phòng để được cấp mã mới."
    ),
    "expired": "Mã mời này đã hết hạn. Hãy liên hệ Văn phòng để được cấp mã mới.",
    "unit_inactive": "Đơn vị của mã mời này đã ngừng hoạt động. Hãy liên hệ Văn phòng.",
}


def already_member(role: str, unit_name: str | None) -> str:
    where = f", đơn vị {unit_name}" if unit_name else ""
    return (
        f"Bạn đã tham gia với vai trò {ROLE_NAMES[role]}{where}. Mã mời này chưa được dùng. "
        "Nếu cần đổi đơn vị hoặc vai trò, hãy gõ /leave rồi dùng mã mời mới."
    )


NOT_A_MEMBER = (
    "Bạn chưa tham gia bot nên chưa dùng được chức năng này. Hãy bấm vào đường link mời do "
    "Văn phòng gửi, hoặc gõ /start MÃ_MỜI."
)
NOT_A_MEMBER_BUTTON = "Bạn chưa tham gia bot. Gõ /start MÃ_MỜI để tham gia."
NOT_ALLOWED = "Chức năng này dành cho {roles}. Gõ /help để xem các lệnh của bạn."
UNKNOWN_COMMAND = "Bot không hiểu lệnh này. Gõ /help để xem các lệnh của bạn."
UNKNOWN_MESSAGE = "Bot chưa hiểu tin nhắn này. Gõ /help để xem các lệnh của bạn."
STALE_BUTTON = "Nút này không còn hiệu lực. Gõ /help để xem các lệnh."


def whoami(full_name: str, role: str, unit_code: str | None, unit_name: str | None, joined: str) -> str:
    unit = f"{unit_name} (mã {unit_code})" if unit_name else "không gắn với đơn vị"
    return (
        f"Họ tên: {full_name}\nĐơn vị: {unit}\nVai trò: {ROLE_NAMES[role]}\nTham gia từ: {joined}"
    )


LEAVE_CONFIRM = (
    "Bạn có chắc muốn rời khỏi bot? Sau khi rời, bạn sẽ không nhận thông báo thi đua nữa và cần "
    "mã mời mới để tham gia lại."
)
LEAVE_YES = "Rời khỏi bot"
CANCEL = "Hủy"
LEFT = "Bạn đã rời khỏi bot. Cảm ơn bạn! Khi cần tham gia lại, hãy xin Văn phòng mã mời mới."
CANCELLED = "Đã hủy, không có gì thay đổi."

FORGET_CONFIRM = (
    "Bạn có chắc muốn xóa dữ liệu cá nhân? Bot sẽ xóa họ tên, tài khoản và tư cách thành viên "
    "của bạn; nhật ký hoạt động được giữ lại nhưng không còn gắn với bạn. Việc này không hoàn tác."
)
FORGET_YES = "Xóa dữ liệu của tôi"
FORGOTTEN = "Đã xóa dữ liệu cá nhân của bạn. Khi cần tham gia lại, hãy xin Văn phòng mã mời mới."
MYDATA_CAPTION = "Toàn bộ dữ liệu bot đang lưu về bạn (tệp JSON)."


def mydata_summary(memberships: list[dict], activity_count: int) -> str:
    lines = ["Dữ liệu bot đang lưu về bạn:"]
    for m in memberships:
        unit = m["unit"]["name"] if m["unit"] else "không gắn đơn vị"
        state = "đang tham gia" if m["left_at"] is None else "đã rời"
        lines.append(f"• {m['full_name']} — {ROLE_NAMES[m['role']]}, {unit} ({state})")
    lines.append(f"• {activity_count} mục trong nhật ký hoạt động")
    lines.append("Gõ /forget nếu muốn xóa.")
    return "\n".join(lines)


MEMBERS_EMPTY = "Chưa có thành viên nào."
MEMBERS_USAGE = "Cách dùng: /members hoặc /members MÃ_ĐƠN_VỊ"
UNIT_NOT_FOUND = "Không có đơn vị mã {code}. Gõ /members để xem tất cả."
DEACTIVATE_USAGE = "Cách dùng: /deactivate SỐ_THÀNH_VIÊN (xem số ở /members)."
DEACTIVATE_NOT_FOUND = "Không có thành viên số {id}. Xem số ở /members."
DEACTIVATE_SELF = "Bạn không thể tự vô hiệu hóa chính mình. Dùng /leave nếu muốn rời bot."
DEACTIVATE_ALREADY = "Thành viên số {id} đã không còn hoạt động."
DEACTIVATED = "Đã vô hiệu hóa {name} ({role}{unit})."
YOU_WERE_DEACTIVATED = (
    "Tài khoản của bạn trong bot thi đua đã bị Văn phòng vô hiệu hóa. Nếu đây là nhầm lẫn, hãy "
    "liên hệ Văn phòng để được cấp mã mời mới."
)
ERROR_GENERIC = "Xin lỗi, bot gặp lỗi khi xử lý yêu cầu này. Những gì bạn đã nhập vẫn được giữ; hãy thử lại sau ít phút."
