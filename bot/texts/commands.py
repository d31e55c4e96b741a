"""What each command is called and what it does, as people read and type it.

`words`: the Vietnamese forms typed without a slash (any channel; diacritics optional). `usage`:
what follows the command. `about`: the line in /help. Commands without `about` are not listed
(they are reached from buttons or from another answer's hint).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    words: tuple[str, ...] = ()
    usage: str = ""
    about: str = ""


WORDING: dict[str, Wording] = {
    "help": Wording(("trợ giúp", "giúp", "hướng dẫn"), "", "Các lệnh bạn dùng được"),
    "start": Wording(("tham gia", "bắt đầu"), "MÃ_MỜI", ""),
    "whoami": Wording(("tôi là ai",), "", "Thông tin của bạn: họ tên, đơn vị, vai trò"),
    "new_campaign": Wording(("phát động",), "", "Phát động phong trào thi đua mới"),
    "campaigns": Wording(("các phong trào", "danh sách phong trào"), "", "Danh sách phong trào và tiến độ xác nhận"),
    "campaign": Wording(("phong trào",), "<số phong trào>", "Chi tiết một phong trào: từng đơn vị đã nhận, đã xác nhận"),
    "resend": Wording(("gửi lại",), "<số phong trào>", ""),
    "ack": Wording(("đã nhận", "xác nhận"), "[số phong trào]", "Xác nhận đơn vị đã nhận phát động"),
    "nominate": Wording(("đề cử", "đề xuất"), "", "Đề xuất điển hình tiên tiến (tập thể, cá nhân)"),
    "my_nominations": Wording(("đề cử của tôi", "danh sách đề cử"), "[số đề cử]", "Các đề xuất của đơn vị: tình trạng, sửa, rút"),
    "edit_nomination": Wording(("sửa đề cử",), "<số đề cử>", ""),
    "withdraw": Wording(("rút đề cử",), "<số đề cử>", ""),
    "review": Wording(("xét duyệt", "duyệt"), "", "Xét duyệt các đề xuất điển hình đang chờ"),
    "approve": Wording(("duyệt",), "<số đề cử>", ""),
    "return_nomination": Wording(("trả lại",), "<số đề cử>", ""),
    "reject": Wording(("từ chối",), "<số đề cử>", ""),
    "later": Wording(("để sau",), "<số đề cử>", ""),
    "forward": Wording(("đề nghị cấp trên", "đề nghị lên"), "<số đề cử>",
                       "Đề nghị cấp trên khen thưởng một đề xuất đã duyệt"),
    "quota": Wording(("chỉ tiêu",), "<số phong trào> <mã đơn vị> [số tập thể] [số cá nhân]",
                     "Xem hoặc đặt chỉ tiêu đề xuất của một đơn vị"),
    "periods": Wording(("kỳ báo cáo",), "<số phong trào>", "Kỳ báo cáo của phong trào: xem, sửa hạn, thêm, xác nhận"),
    "confirm_periods": Wording(("xác nhận kỳ",), "<số phong trào>", ""),
    "status": Wording(("tình hình",), "<số phong trào>", "Tình hình nộp báo cáo theo kỳ"),
    "digest": Wording(("bản tin",), "", "Bản tin thi đua: tiến độ các phong trào, kèm biểu đồ"),
    "digest_settings": Wording(("cài đặt bản tin",), "[ngày | tuần | tắt]", "Nhận bản tin hằng ngày, hằng tuần hoặc tắt"),
    "export": Wording(("xuất excel", "xuất"), "<số phong trào>", "Tải tệp Excel tổng hợp phong trào"),
    "report_docx": Wording(("báo cáo tổng hợp",), "<số phong trào> [kỳ]", "Dự thảo báo cáo tổng hợp một kỳ (.docx)"),
    "report": Wording(("báo cáo", "gửi báo cáo"), "[số kỳ]", "Gửi báo cáo kết quả thi đua của đơn vị"),
    "due": Wording(("hạn báo cáo",), "", "Các kỳ báo cáo đang mở của đơn vị"),
    "council": Wording(("hội đồng",), "[thêm | bỏ] [số thành viên …]", "Thành viên Hội đồng Thi đua – Khen thưởng"),
    "vote_open": Wording(("mở phiên xét",), "<số phong trào> [hạn] [bỏ số đề cử …]",
                         "Mở phiên họp xét: Hội đồng bỏ phiếu kín các đề xuất đã duyệt"),
    "vote_close": Wording(("đóng phiên xét",), "<số phiên>", "Đóng phiên xét và kiểm phiếu"),
    "vote_extend": Wording(("gia hạn phiên xét",), "<số phiên> <ngày/tháng/năm>", ""),
    "vote_docs": Wording(("văn bản phiên xét",), "<số phiên>", "Biên bản, tờ trình và báo cáo thành tích của phiên xét"),
    "vote_status": Wording(("tình hình phiên xét",), "<số phiên>", "Tình hình một phiên xét: số đã bỏ phiếu, kết quả"),
    "vote": Wording(("phiếu xét", "bỏ phiếu"), "[số phiên] [đồng ý | không] [số ứng viên …]",
                    "Bỏ phiếu kín trong phiên họp xét (thành viên Hội đồng)"),
    "vote_yes": Wording(("đồng ý",), "<số ứng viên> [số …]", ""),
    "vote_no": Wording(("không đồng ý", "không"), "<số ứng viên> [số …]", ""),
    "decision": Wording(("quyết định khen thưởng", "ghi quyết định"), "<số phiên> <số quyết định> <ngày> [bỏ số …]",
                        "Ghi quyết định khen thưởng theo kết quả phiên xét; báo các đơn vị"),
    "history": Wording(("lịch sử khen thưởng", "quá trình khen thưởng"), "<họ tên> [tên tiếp …]",
                       "Các khen thưởng của một người, một tập thể qua các năm"),
    "registration_call": Wording(("yêu cầu đăng ký thi đua",), "<số phong trào> <hạn ngày/tháng/năm>",
                                 "Yêu cầu các đơn vị đăng ký thi đua trước một hạn"),
    "registrations": Wording(("sổ đăng ký thi đua", "sổ đăng ký"), "<số phong trào>", "Sổ đăng ký thi đua của từng đơn vị"),
    "register": Wording(("đăng ký thi đua",), "[số phong trào]", "Đăng ký thi đua: danh hiệu tập thể, cá nhân"),
    "history_merge": Wording(("gộp khen thưởng",), "<số giữ> <số gộp>", ""),
    "history_split": Wording(("tách khen thưởng",), "<số khen thưởng>", ""),
    "members": Wording(("thành viên",), "[mã đơn vị]", "Danh sách thành viên"),
    "deactivate": Wording(("vô hiệu hóa",), "<số thành viên>", "Vô hiệu hóa một thành viên"),
    "invite": Wording(("tạo mã mời", "mời"), "<cán bộ | lãnh đạo | quản trị> [mã đơn vị] [số mã]",
                      "Tạo mã mời cho đơn vị, lãnh đạo hoặc quản trị"),
    "channel": Wording(("kênh",), "[zalo | telegram]", "Nhận thông báo qua Telegram hay Zalo"),
    "link": Wording(("liên kết",), "", "Lấy mã để dùng cùng tài khoản trên kênh kia"),
    "web": Wording(("mở trang", "trang web"), "", "Mở trang làm việc trên trình duyệt (tải tệp, bảng theo dõi…)"),
    "upload": Wording(("tải tệp", "tải tệp lên"), "", ""),
    "mydata": Wording(("dữ liệu của tôi", "xem dữ liệu"), "", "Xem dữ liệu cá nhân bot đang lưu"),
    "forget": Wording(("xóa dữ liệu",), "", "Xóa dữ liệu cá nhân của bạn"),
    "forget_confirmed": Wording(("đồng ý xóa dữ liệu",), "", ""),
    "leave": Wording(("rời bot", "rời khỏi bot"), "", "Rời khỏi bot"),
    "leave_confirmed": Wording(("đồng ý rời bot",), "", ""),
    "keep": Wording(("giữ lại",), "", ""),
    "consent": Wording(("đồng ý",), "", ""),
    "cancel": Wording(("hủy", "huỷ"), "", "Hủy biểu mẫu đang điền"),
    "back": Wording(("quay lại",), "", ""),
    "skip": Wording(("bỏ qua",), "", ""),
    "confirm": Wording((), "", ""),
    "continue": Wording(("tiếp tục",), "", ""),
    "discard": Wording(("làm lại",), "", ""),
}


# Where a command does something else for a role, what /help and the menu say for that role.
ABOUT_FOR_ROLE: dict[tuple[str, str], str] = {
    ("campaigns", "officer"): "Các phong trào đơn vị bạn đã nhận",
    ("campaign", "officer"): "Nhận lại tin phát động và văn bản của một phong trào",
    ("web", "officer"): "Mở trang làm việc trên trình duyệt",  # no dashboard for officers: no promise of one
}


def for_role(name: str, wording: Wording, role: str) -> Wording:
    about = ABOUT_FOR_ROLE.get((name, role))
    return Wording(wording.words, wording.usage, about) if about else wording


# Telegram commands can only be a-z, 0-9 and _: the Vietnamese name without diacritics, beside the
# English one (the menu shows both; either can be typed, on any channel).
ALIASES: dict[str, str] = {
    "help": "trogiup", "whoami": "toilaai", "new_campaign": "phatdong", "campaigns": "phongtrao",
    "campaign": "chitiet", "ack": "xacnhan", "nominate": "denghi", "my_nominations": "decucuatoi",
    "review": "xetduyet", "quota": "chitieu", "periods": "kybaocao", "status": "tinhhinh",
    "digest": "bantin", "digest_settings": "caidatbantin", "export": "xuatexcel",
    "report_docx": "baocaotonghop", "report": "baocao", "due": "hanbaocao", "members": "thanhvien",
    "deactivate": "vohieuhoa", "invite": "taomamoi", "channel": "kenh", "link": "lienket", "web": "motrang",
    "mydata": "dulieu", "forget": "xoadulieu", "leave": "roibot", "cancel": "huy",
    "council": "hoidong", "vote_open": "mophienxet", "vote_close": "dongphienxet", "vote": "bophieu",
    "decision": "quyetdinh", "history": "lichsu", "register": "dangky", "registrations": "sodangky",
}


def cmd(channel: str, name: str, *args: object) -> str:
    """How a hint names a command on a channel: "/report 7" on Telegram, "“báo cáo 7”" on Zalo."""
    tail = "".join(f" {a}" for a in args)
    wording = WORDING.get(name)
    if channel == "zalo" and wording is not None and wording.words:
        return f"“{wording.words[0]}{tail}”"
    return f"/{name}{tail}"


def help_lines(channel: str, commands: list[tuple[str, Wording]]) -> list[str]:
    """One line per command: "/status <số phong trào> — …" or "• tình hình <số phong trào> — …"."""
    lines = []
    for name, w in commands:
        usage = f" {w.usage}" if w.usage else ""
        if channel == "zalo" and w.words:
            lines.append(f"• {w.words[0]}{usage} — {w.about}")
        else:
            alias = f" (/{ALIASES[name]})" if name in ALIASES else ""
            lines.append(f"/{name}{alias}{usage} — {w.about}")
    return lines


def role_help(channel: str, role_name: str, commands: list[tuple[str, Wording]]) -> str:
    """/help: the role's commands, as they are typed on this channel."""
    head = [f"Bạn đang dùng bot với vai trò: {role_name}.", ""]
    if channel == "zalo":
        head.append("Gõ một trong các lệnh sau (có dấu hay không dấu đều được):")
        tail: list[str] = []
    else:
        head.append("Các lệnh của bạn:")
        tail = ["", "Có thể gõ lệnh bằng chữ tiếng Việt, có dấu hay không dấu, ví dụ: trợ giúp, tôi là ai."]
    return "\n".join(head + help_lines(channel, commands) + tail)
