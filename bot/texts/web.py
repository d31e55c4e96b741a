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

# --- Campaign dashboard (/web/campaigns, bot/web/pages/campaigns.py) -----------------------------
CAMPAIGNS_LINK = "Theo dõi phong trào"
CAMPAIGNS_ABOUT = "Từng đơn vị: nhận, xác nhận, đề xuất, báo cáo từng kỳ; lọc, biểu đồ, tải XLSX và DOCX."
CAMPAIGNS_TITLE = "Các phong trào thi đua"
CAMPAIGNS_NONE = "Chưa có phong trào nào được phát động."
CAMPAIGN_NOT_FOUND = "Không có phong trào #{id}. Danh sách phong trào ở trang “Các phong trào thi đua”."
ALL = "Tất cả"
FILTER_KIND, FILTER_STATUS, FILTER_PERIOD, FILTER_BUTTON = "Loại đơn vị", "Tình trạng", "Kỳ báo cáo", "Lọc"
STATUS_FILTERS = {
    "unacknowledged": "Chưa xác nhận phát động", "undelivered": "Chưa nhận được phát động",
    "missing": "Chưa nộp báo cáo (đã đến hạn)", "late": "Nộp báo cáo trễ", "on_time": "Nộp báo cáo đúng hạn",
    "upcoming": "Báo cáo chưa đến hạn", "no_nominations": "Chưa có đề xuất",
}
REPORT_STATES = {"on_time": "Đúng hạn", "late": "Trễ {days} ngày", "missing": "Chưa nộp", "upcoming": "Chưa đến hạn"}
NOMINATION_STATES = {"submitted": "chờ duyệt", "approved": "đã duyệt", "returned": "trả lại",
                     "rejected": "không duyệt", "withdrawn": "đã rút"}
DELIVERED, UNREACHABLE, NOT_DELIVERED = "Đã nhận", "Không gửi được", "Chưa nhận"
NOT_ACKNOWLEDGED = "Chưa"
COL_UNIT, COL_DELIVERED, COL_ACK, COL_NOMINATIONS = "Đơn vị", "Phát động", "Xác nhận", "Đề xuất"
NO_ROWS = "Không có đơn vị nào khớp bộ lọc."
NO_PERIODS = "Chưa có kỳ báo cáo nào được xác nhận."
PERIOD_NOT_FOUND = "Phong trào #{id} không có kỳ báo cáo này."
CHART_ALT = "Biểu đồ: nộp báo cáo kỳ hiện tại theo nhóm đơn vị và đề xuất điển hình theo tuần"
DOWNLOADS = "Tải về"
XLSX_LINK = "Tổng hợp (XLSX): điển hình, báo cáo, xác nhận"
DOCX_LINK = "Dự thảo báo cáo tổng hợp (DOCX) — {label}"


def _n(value: int) -> str:
    from bot import vn_format

    return vn_format.number(value)


def dashboard_summary(units: int, total: int, delivered: int, acknowledged: int, nominations: dict[str, int]) -> str:
    """'Hiển thị 3/12 đơn vị · đã nhận phát động 2 · đã xác nhận 1 · đề xuất 5 (3 chờ duyệt, 2 đã duyệt)'."""
    nominated = sum(nominations.values())
    parts = [f"{_n(nominations[s])} {label}" for s, label in NOMINATION_STATES.items() if nominations.get(s)]
    detail = f" ({', '.join(parts)})" if parts else ""
    return (f"Hiển thị {_n(units)}/{_n(total)} đơn vị · đã nhận phát động {_n(delivered)} · "
            f"đã xác nhận {_n(acknowledged)} · đề xuất {_n(nominated)}{detail}")


def period_summary(label: str, due: str, states: dict[str, int]) -> str:
    """'Sơ kết 6 tháng (hạn 15/06/2026): đúng hạn 6, trễ 2, chưa nộp 4, chưa đến hạn 0'."""
    return (f"{label} (hạn {due}): đúng hạn {_n(states.get('on_time', 0))}, trễ {_n(states.get('late', 0))}, "
            f"chưa nộp {_n(states.get('missing', 0))}, chưa đến hạn {_n(states.get('upcoming', 0))}")

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

UNITS_IMPORT_TOP_ONLY = ("Chỉ quản trị của cấp cao nhất (toàn bộ cây đơn vị) mới nhập danh sách đơn vị. "
                         "Hãy gửi danh sách đơn vị trực thuộc của bạn cho cấp trên.")
