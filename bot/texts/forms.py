"""What the form engine says, in Vietnamese. Channel-neutral: no markup."""

REQUIRED = "Mục này không được để trống."
CANNOT_SKIP = "Mục này bắt buộc, không bỏ qua được."
TOO_LONG = "Nội dung dài {n} ký tự, vượt quá {max} ký tự cho phép. Hãy rút gọn rồi gửi lại."
TOO_SHORT = "Nội dung mới có {n} ký tự; cần ít nhất {min} ký tự."
NEEDS_LETTERS = "Nội dung cần có chữ hoặc số, không chỉ biểu tượng hay dấu câu."
DATE_FORMAT = "Không hiểu ngày “{value}”. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 30/08/2026."
DATE_BAD_MONTH = "Ngày {value} không đúng: tháng phải từ 1 đến 12."
DATE_NOT_REAL = "Ngày {value} không có thật: tháng {month}/{year} chỉ có {days} ngày."
NUMBER_FORMAT = "“{value}” không phải là số nguyên. Hãy nhập số nguyên, ví dụ 3."
NUMBER_RANGE = "Số phải từ {min} đến {max}."
NUMBER_MIN = "Số phải từ {min} trở lên."
NUMBER_MAX = "Số không được quá {max}."
CHOICE_INVALID = "Hãy bấm một nút hoặc gõ số thứ tự từ 1 đến {n}."
MULTI_INVALID = "“{value}” không có trong danh sách. Gõ các số từ 1 đến {n}, cách nhau bằng dấu phẩy."
PICK_AT_LEAST_ONE = "Hãy chọn ít nhất một mục."
TYPE_ANSWER = "Hãy gõ câu trả lời."
FILE_NEEDED = "Hãy gửi tệp (đính kèm tệp trong Telegram)."
FILE_TYPE = "Tệp {suffix} không được nhận. Chỉ nhận: {accept}."
FILE_TOO_BIG = "Tệp nặng {mb:.1f} MB, vượt quá {max:.0f} MB cho phép. Hãy gửi tệp nhỏ hơn (ảnh chụp nhỏ hơn, hoặc tách tệp)."
FILE_OVER = "Tệp nặng hơn {max:.0f} MB cho phép nên bot đã dừng tải. Hãy gửi tệp nhỏ hơn (ảnh chụp nhỏ hơn, hoặc tách tệp)."
FILE_EMPTY = "Tệp rỗng. Hãy gửi lại tệp có nội dung."
FILE_TOO_MANY = "Đã đủ {max} tệp. Bấm “Xong” để tiếp tục."
FILE_RECEIVED = "Đã nhận tệp thứ {n} (tối đa {max})."
FILES_HOWTO = "Gửi từng tệp một (tối đa {max}; đã có {n}). Gửi xong bấm “Xong” hoặc gõ: xong"
UNSUPPORTED = {
    "text": "Ở bước này bot cần bạn gõ chữ.",
    "choice": "Ở bước này hãy bấm một nút hoặc gõ số thứ tự.",
    "multi": "Ở bước này hãy bấm các nút hoặc gõ số thứ tự.",
    "date": "Ở bước này hãy gõ một ngày, ví dụ 30/08/2026.",
    "number": "Ở bước này hãy gõ một số.",
    "file": "Ở bước này hãy gửi tệp đính kèm.",
    "units": "Ở bước này hãy gõ mã các đơn vị.",
}
AT_FIRST = "Đây là câu hỏi đầu tiên, không quay lại được nữa. Gõ /cancel nếu muốn hủy."
FINISH_FIRST = "Hãy trả lời câu hỏi này trước; khi xong bạn sẽ được xem lại và sửa mọi mục."
REVIEW_HEAD = "Kiểm tra lại {title}:"
REVIEW_HOWTO = "Bấm “{confirm}” để hoàn tất, hoặc bấm ✏️ (hay gõ “sửa 2”) để sửa một mục."
REVIEW_INVALID = "Gõ “sửa” và số mục từ 1 đến {n} để sửa, hoặc bấm Xác nhận."
CONFIRMED = "Đã ghi nhận {title}."
CANCELLED = "Đã hủy {title}. Bản nháp đã được xóa."
RESUME = "Bạn có {title} đang làm dở (cập nhật lần cuối {when}). Tiếp tục, hay bỏ bản nháp để làm lại từ đầu?"
CURRENT_VALUE = "Hiện tại: {value}\n(Gõ giá trị mới để thay.)"
CHOICE_HOWTO = "Bấm một nút hoặc gõ số thứ tự."
COUNT_FEWER = "bớt {n} câu không cần hỏi"  # after the step counter when it drops
COUNT_MORE = "thêm {n} câu theo câu trả lời vừa rồi"
CHOICE_HOWTO_BY_ID = "Bấm một nút hoặc gõ số sau dấu # (ví dụ: {example})."
CHOICE_INVALID_BY_ID = "Hãy bấm một nút hoặc gõ một số sau dấu # trong danh sách (ví dụ: {example})."
MULTI_HOWTO = "Bấm để chọn/bỏ chọn, hoặc gõ các số cách nhau bằng dấu phẩy (ví dụ: 1, 3). Xong bấm “Xong”."
NAV_HOWTO = "/back quay lại · /cancel hủy"
NAV_HOWTO_OPTIONAL = "/skip bỏ qua · /back quay lại · /cancel hủy"
EMPTY_VALUE = "(để trống)"
BACK_BUTTON = "◀ Quay lại"
SKIP_BUTTON = "Bỏ qua ▶"
CANCEL_BUTTON = "✖ Hủy"
# Cancelling a form with answers in it is asked first (a slip of the finger must not lose them).
CANCEL_HOWTO = "Bấm “✖ Hủy thật” để hủy, hoặc “↩️ Điền tiếp” để làm tiếp."
CANCEL_ASK = "Hủy {title}? Các câu bạn đã trả lời sẽ bị xóa.\n" + CANCEL_HOWTO
CANCEL_YES = "✖ Hủy thật"
CANCEL_NO = "↩️ Điền tiếp"
DONE_BUTTON = "✔ Xong"
CONTINUE_BUTTON = "▶ Tiếp tục"
DISCARD_BUTTON = "🗑 Bỏ bản nháp, làm lại"
