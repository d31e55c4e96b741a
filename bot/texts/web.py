"""Words of the web pages and of the chat command that opens them."""

from __future__ import annotations

ASK_IN_CHAT = "Gõ /web trong Telegram, hoặc “mở trang” trong Zalo, để nhận đường link mới."
LINK_TITLE = "Đường link không dùng được"
LINK_REFUSED = {
    "used": "Đường link này đã được dùng. Mỗi đường link chỉ mở được một lần. " + ASK_IN_CHAT,
    "expired": "Đường link này đã hết hạn. " + ASK_IN_CHAT,
    "unknown": "Đường link không hợp lệ. " + ASK_IN_CHAT,
    "inactive": "Tài khoản của bạn không còn hoạt động trong hệ thống. Hãy liên hệ Văn phòng.",
}
SIGNED_OUT_TITLE = "Chưa đăng nhập"
SIGNED_OUT = "Phiên làm việc đã hết hoặc bạn đã đăng xuất. " + ASK_IN_CHAT
SIGNED_OUT_DONE = "Bạn đã đăng xuất. " + ASK_IN_CHAT
FORBIDDEN_TITLE = "Không có quyền"
FORBIDDEN = "Trang này không dành cho vai trò của bạn."
CSRF_REFUSED = "Yêu cầu không hợp lệ (thiếu mã bảo vệ của trang), không có gì thay đổi. Hãy tải lại trang rồi làm lại."
NOT_FOUND_TITLE = "Không tìm thấy"

HOME_TITLE = "Trang làm việc"
SIGNOUT = "Đăng xuất"


def signin_link(url: str, minutes: int) -> str:
    return (f"🔗 Đường link vào trang làm việc (dùng một lần, trong {minutes} phút):\n{url}\n\n"
            "Không chuyển đường link này cho người khác: ai mở nó sẽ đăng nhập bằng tên của bạn.")


WEB_DISABLED = "Trang web chưa được bật trên máy chủ này (mục [web] của cấu hình). Hãy báo người quản trị máy chủ."


# --- Upload page (/web/upload/<draft>): a file for the question a form is asking -----------------

UPLOAD_BUTTON = "📤 Tải tệp lên qua trang web"
# On Zalo, under a question that takes a file (Zalo cannot send documents).
UPLOAD_TYPED = ("📤 Zalo không gửi được tệp .docx, .pdf: gõ “{typed}” để nhận đường link tải tệp lên "
                "qua trang web.")
UPLOAD_NO_DRAFT = "Bạn không có biểu mẫu nào đang hỏi tệp. Tệp chỉ được tải lên khi bot đang hỏi tệp."
UPLOAD_NOT_ASKING = "Câu hỏi hiện tại của biểu mẫu không nhận tệp. Hãy trả lời tiếp trong chat."


def upload_link(url: str, minutes: int, form_title: str) -> str:
    return (f"🔗 Đường link tải tệp lên cho biểu mẫu {form_title} (dùng một lần, trong {minutes} phút):\n{url}\n\n"
            "Chọn tệp trên trang, bấm “Tải lên”; bot trả lời tiếp ngay trong chat này. "
            "Không chuyển đường link này cho người khác.")


UPLOAD_TITLE = "Tải tệp lên"
UPLOAD_FORM = "Biểu mẫu"
UPLOAD_QUESTION = "Câu bot đang hỏi"
UPLOAD_ACCEPT = "Nhận các loại tệp"
UPLOAD_CAP = "Mỗi tệp không quá {mb} MB."
UPLOAD_PICK = "Chọn tệp"
UPLOAD_SEND = "Tải lên"
UPLOAD_PICK_FIRST = "Hãy chọn một tệp trước khi bấm “Tải lên”."
UPLOAD_GONE = ("Biểu mẫu này không còn (đã hủy, đã gửi xong, hoặc không phải của bạn), nên tệp không được nhận. "
               "Không có gì thay đổi.")
UPLOAD_DONE_TITLE = "Đã nhận tệp"
UPLOAD_DONE = "Đã nhận tệp «{filename}». Bot đã trả lời tiếp trong chat: hãy quay lại chat để làm tiếp."
UPLOAD_REFUSED_TITLE = "Tệp không được nhận"
UPLOAD_REFUSED_TAIL = "Biểu mẫu vẫn giữ nguyên. Chọn tệp khác rồi tải lên lại, hoặc quay lại chat."
UPLOAD_WAITING = ("Đã nhận tệp «{filename}», bot đang đọc tệp. Kết quả sẽ được gửi vào chat của bạn trong giây lát: "
                  "hãy quay lại chat.")
UPLOAD_FAILED = "Bot gặp lỗi khi xử lý tệp này; quản trị viên đã được báo. Hãy thử lại sau ít phút."
UPLOAD_BACK = "Quay lại chat để làm tiếp."
