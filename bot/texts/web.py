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

# --- Review queue (/web/review, /web/nominations/N) ----------------------------------------------------

REVIEW_TITLE = "Xét duyệt đề xuất"
REVIEW_LINK_ABOUT = "Hàng đợi đề xuất điển hình chờ duyệt, xem ảnh minh chứng ngay bên cạnh, duyệt / trả lại / từ chối."
REVIEW_WAITING = "Đang chờ duyệt: {n} đề xuất (cũ nhất trước)."
REVIEW_OPEN = "Xem và xét duyệt"
NOMINATION_TITLE = "Đề xuất #{id}"
NOMINATION_HIDDEN = "Không có đề xuất này, hoặc bạn không có quyền xem."
EVIDENCE = "Minh chứng"
EVIDENCE_NONE = "Không có tệp minh chứng."
EVIDENCE_DOWNLOAD = "Tải về"
HISTORY = "Lịch sử"
DECISIONS = "Quyết định của Văn phòng"
REASON_LABEL_RETURN = "Lý do trả lại (đơn vị sẽ nhận nguyên văn)"
REASON_LABEL_REJECT = "Lý do không chấp nhận (đơn vị sẽ nhận nguyên văn)"
BACK_TO_QUEUE = "← Hàng đợi xét duyệt"
READ_ONLY = "Chỉ Văn phòng xét duyệt đề xuất; bạn theo dõi tình trạng tại đây hoặc trong chat."
REASON = "Lý do"
FACT_UNIT = "Đơn vị"
FACT_CAMPAIGN = "Phong trào"
FACT_KIND = "Loại"
FACT_REWARD = "Khen thưởng đề nghị"
FACT_SUBMITTED = "Gửi lúc"
FILES = "{n} tệp"

# --- Units (/web/units) -------------------------------------------------------------------------

UNITS_LINK = "Đơn vị và mã mời"
UNITS_ABOUT = "Cây đơn vị, nhập danh sách từ Excel/CSV (xem trước rồi mới áp dụng), in mã mời có mã QR."
UNITS_TITLE = "Đơn vị"
UNITS_EMPTY = "Chưa có đơn vị nào. Hãy nhập danh sách đơn vị ở dưới."
UNITS_PREVIEW_TITLE = "Xem trước khi nhập"
UNITS_CANNOT_APPLY = ("Tệp có {n} dòng lỗi nên chưa áp dụng được: chưa có gì thay đổi. Hãy sửa các dòng dưới đây "
                      "trong tệp rồi tải lên lại.")
UNITS_NOTHING_TO_DO = "Tệp không thay đổi đơn vị nào: mọi dòng đã giống trong hệ thống."
UNITS_FILE_GONE = "Không tìm thấy tệp đã tải lên. Hãy tải tệp lên lại."
UNITS_NO_FILE = "Chưa chọn tệp. Hãy chọn tệp CSV hoặc Excel (.xlsx) danh sách đơn vị."
UNIT_GONE = "Không tìm thấy đơn vị này. Có thể danh sách vừa được nhập lại; hãy tải lại trang."


UNITS_APPLIED = "Đã nhập {filename}: {created} đơn vị mới, {updated} cập nhật, {unchanged} không đổi."
INVITE_ROLE_BAD = "Vai trò phải là cán bộ hoặc lãnh đạo. Chưa tạo mã mời nào."
INVITE_COUNT_BAD = "Số mã mời phải từ 1 đến {max}. Chưa tạo mã mời nào."
INVITE_UNIT_INACTIVE = "Đơn vị {name} đã ngừng hoạt động nên không tạo mã mời được. Chưa tạo mã mời nào."
INVITES_TITLE = "Mã mời — {unit}"
INVITES_NONE = "Đơn vị này không còn mã mời nào dùng được."
