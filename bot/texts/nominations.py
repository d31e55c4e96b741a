"""What the bot says about nominations (đề xuất điển hình), in Vietnamese. No markup."""

from __future__ import annotations

from bot import clock
from bot import vn_format
from bot.texts.commands import cmd

KIND_NAMES = {"collective": "Tập thể", "individual": "Cá nhân"}
KIND_LOWER = {"collective": "tập thể", "individual": "cá nhân"}
STATUS_NAMES = {
    "draft": "Đang soạn",
    "submitted": "⏳ Chờ duyệt",
    "approved": "✅ Đã duyệt",
    "returned": "↩️ Trả lại để sửa",
    "rejected": "⛔ Không được chấp nhận",
    "withdrawn": "Đã rút",
}
# Past the office's approval: the council's session and the decision (bot.services.awards.stages).
STAGE_NAMES = {"in_review": "🗳 Đang xét", "passed": "🏆 Đạt, chờ quyết định khen thưởng",
               "failed": "Không đạt khi Hội đồng xét", "awarded": "🏅 Đã khen thưởng"}
EVENT_NAMES = {
    "submitted": "gửi đề xuất",
    "resubmitted": "sửa và gửi lại",
    "withdrawn": "rút đề xuất",
    "forwarded": "cấp dưới đề nghị lên",
    "approved": "duyệt",
    "returned": "trả lại",
    "rejected": "không chấp nhận",
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# --- the form ---------------------------------------------------------------------------------------

FORM_TITLE = "đề xuất điển hình"
FORM_INTRO = "Đề xuất điển hình tiên tiến (tập thể hoặc cá nhân) của đơn vị."
CONFIRM_LABEL = "📨 Gửi đề xuất"
Q_CAMPAIGN = "Đề xuất cho phong trào nào?"
Q_KIND = "Đề xuất tập thể hay cá nhân?"
Q_NAME = "Tên tập thể, hoặc họ và tên đầy đủ của cá nhân (viết đầy đủ, không viết tắt)."
Q_POSITION = "Chức vụ của cá nhân (ví dụ: Phó Chủ tịch UBND xã, giáo viên, công chức văn phòng)."
Q_WORKPLACE = "Nơi công tác của cá nhân (cơ quan, đơn vị)."
Q_SECTOR = "Thành tích thuộc lĩnh vực nào?"
Q_SECTOR_OTHER = "Gõ tên lĩnh vực."
Q_SUMMARY = "Trích ngang thành tích: tóm tắt thành tích nổi bật (từ 30 đến 1.500 ký tự)."
Q_REWARD = "Hình thức khen thưởng đề nghị?"
Q_EVIDENCE = ("Gửi ảnh hoặc tệp minh chứng (tối đa 5; ảnh .jpg/.png, tệp .pdf/.docx, mỗi tệp không quá 20 MB), "
              "hoặc bấm “Bỏ qua” nếu không có.")
LABEL_CAMPAIGN = "Phong trào"
LABEL_KIND = "Loại"
LABEL_NAME = "Tên / Họ và tên"
NAME_TITLE_CASED = "✍️ Đã viết hoa chữ cái đầu: “{typed}” → “{name}”. Nếu cần giữ như cũ, sửa ở bước kiểm tra lại."
LABEL_POSITION = "Chức vụ"
LABEL_WORKPLACE = "Nơi công tác"
LABEL_SECTOR = "Lĩnh vực"
LABEL_SECTOR_OTHER = "Lĩnh vực (khác)"
LABEL_SUMMARY = "Trích ngang thành tích"
LABEL_REWARD = "Hình thức khen thưởng"
LABEL_EVIDENCE = "Minh chứng"

NAME_DIGITS_ONLY = "Tên không thể chỉ gồm chữ số. Hãy gõ tên đầy đủ."
NAME_HAS_DIGITS = "Họ tên của cá nhân không có chữ số. Hãy gõ lại họ và tên, ví dụ: Nguyễn Văn An."
NAME_ABBREVIATED = "Hãy viết đầy đủ họ và tên, không viết tắt (ví dụ: Nguyễn Văn An, không phải “Ng. V. A”)."
NAME_ONE_WORD = "Hãy gõ đủ họ và tên (ít nhất hai chữ), ví dụ: Nguyễn Văn An."
NAME_BAD_CHARS = "Họ tên chỉ gồm chữ cái, dấu cách và dấu gạch nối. Hãy gõ lại."
NAME_TOO_SHORT = "Tên tập thể quá ngắn. Hãy gõ tên đầy đủ, ví dụ: Tổ dân phố 5, phường Long Bình."
ANSWER_INVALID = "Đề xuất thiếu hoặc sai một mục. Hãy kiểm tra lại từng mục rồi gửi."
SUMMARY_NEEDS_WORDS = "Trích ngang thành tích cần được viết bằng chữ, không chỉ biểu tượng cảm xúc hay dấu câu."

# --- commands -------------------------------------------------------------------------------------

NO_OPEN_CAMPAIGN = ("Hiện không có phong trào thi đua nào đang mở cho đơn vị của bạn, nên chưa đề xuất được. "
                    "Khi Văn phòng phát động, bạn sẽ nhận được tin.")
DRAFT_IN_PROGRESS = ("Bạn đang có một đề xuất làm dở. Hãy hoàn tất (hoặc gõ /cancel để bỏ) trước khi sửa "
                     "đề xuất #{id}.")
NOT_FOUND = "Không có đề xuất số {id}."
NOT_YOURS = "Đề xuất số {id} không thuộc đơn vị của bạn; bạn không xem hay thay đổi được."
NOT_RETURNED = "Đề xuất #{id} đang ở trạng thái “{status}”, không phải bị trả lại, nên không sửa được."
NOT_WITHDRAWABLE = "Đề xuất #{id} đang ở trạng thái “{status}”; chỉ rút được đề xuất đang chờ duyệt."
ALREADY_REVIEWED = "Đề xuất #{id} đã được xử lý trước đó ({status}); không thay đổi gì."
CAMPAIGN_CLOSED = "Phong trào này không còn nhận đề xuất của đơn vị bạn. Hãy sửa mục “Phong trào”."
CAMPAIGN_FIXED = "Đề xuất đã gửi không đổi được phong trào. Hãy giữ phong trào cũ, hoặc /cancel và tạo đề xuất mới."
MY_EMPTY = "Đơn vị bạn chưa có đề xuất nào. Gõ /nominate để đề xuất điển hình."
REVIEW_EMPTY = "Không còn đề xuất nào chờ duyệt. 👍"
REVIEW_PUT_OFF_AGAIN = "Đã xem hết các đề xuất chưa để sau; tiếp theo là những đề xuất bạn đã để sau."
PUT_OFF_GONE = "Đề xuất #{id} không còn chờ duyệt (đã được duyệt hoặc rút lại)."
EDIT_BUTTON = "✏️ Sửa và gửi lại #{id}"
WITHDRAW_BUTTON = "↩ Rút đề xuất #{id}"
SHOW_BUTTON = "#{id} {name}"
APPROVE_BUTTON = "✅ Duyệt"
RETURN_BUTTON = "↩️ Trả lại"
REJECT_BUTTON = "⛔ Từ chối"
LATER_BUTTON = "⏭ Để sau"
WITHDRAWN = "Đã rút đề xuất #{id}. Đề xuất không còn trong danh sách chờ duyệt."
APPROVED_ADMIN = "Đã duyệt đề xuất #{id}. Đơn vị được báo ngay."
EVIDENCE_CAPTION = "Minh chứng {n}/{total} của đề xuất #{id}"

RETURN_TITLE = "lý do trả lại đề xuất"
RETURN_CONFIRM = "↩️ Trả lại"
REJECT_TITLE = "lý do từ chối đề xuất"
REJECT_CONFIRM = "⛔ Từ chối"
LABEL_REASON = "Lý do"
Q_RETURN_REASON = ("Gõ lý do trả lại đề xuất #{id} (đơn vị sẽ nhận nguyên văn, hãy nói rõ cần sửa gì).")
Q_REJECT_REASON = "Gõ lý do không chấp nhận đề xuất #{id} (đơn vị sẽ nhận nguyên văn)."
REASON_Q = "Gõ lý do (đơn vị sẽ nhận nguyên văn)."
RETURNED_ADMIN = "Đã trả lại đề xuất #{id} kèm lý do. Đơn vị được báo ngay."
REJECTED_ADMIN = "Đã từ chối đề xuất #{id} kèm lý do. Đơn vị được báo ngay."

QUOTA_CAMPAIGN_NOT_FOUND = "Không có phong trào số {id}. Xem danh sách: /campaigns"
QUOTA_UNIT_NOT_FOUND = "Không có đơn vị mã {code}."
QUOTA_NOT_TARGETED = "Phong trào #{id} không gửi tới đơn vị {code}."
QUOTA_BAD_NUMBER = "Số lượng phải là số nguyên từ 0 đến 50."


def _short(title: str, limit: int = 80) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"


def campaign_choice(campaign_id: int, title: str) -> str:
    return f"#{campaign_id} {_short(title, 50)}"


def limit_text(limit: int | None) -> str:
    return "không giới hạn" if limit is None else str(limit)


def quota_full(q) -> str:
    """q: services.nominations.QuotaStatus, full."""
    text = (f"Đơn vị {q.unit_name} đã đề xuất {q.used}/{q.limit} {KIND_LOWER[q.kind]} trong {q.period.label} "
            f"cho phong trào «{_short(q.campaign_title)}» — đã đủ chỉ tiêu.")
    if q.period.next_start is not None:
        text += f" Kỳ tiếp theo bắt đầu từ ngày {clock.fmt_date(q.period.next_start)}."
    else:
        text += " Phong trào không còn kỳ đề xuất nào sau kỳ này."
    return text + " Nếu cần thêm, hãy liên hệ Văn phòng để điều chỉnh chỉ tiêu."


def quota_both_full(collective, individual) -> str:
    return quota_full(collective) + "\n" + (
        f"Cá nhân cũng đã đủ: {individual.used}/{individual.limit}."
    )


def quota_summary(campaign_id: int, unit_name: str, statuses: list, overridden: bool) -> str:
    period = statuses[0].period
    lines = [f"Chỉ tiêu đề xuất của {unit_name}, phong trào #{campaign_id}, {period.label}:"]
    for q in statuses:
        lines.append(f"• {KIND_NAMES[q.kind]}: đã dùng {q.used}/{limit_text(q.limit)}")
    lines.append("(đặt riêng cho đơn vị)" if overridden else "(theo kế hoạch của phong trào)")
    if period.next_start is not None:
        lines.append(f"Kỳ tiếp theo bắt đầu từ ngày {clock.fmt_date(period.next_start)}.")
    return "\n".join(lines)


def quota_set(campaign_id: int, unit_name: str, collectives: int, individuals: int, period_label: str) -> str:
    return (f"Đã đặt chỉ tiêu riêng cho {unit_name}, phong trào #{campaign_id}, {period_label}: "
            f"{collectives} tập thể, {individuals} cá nhân.")


def who(n) -> str:
    """'cá nhân Nguyễn Văn An' / 'tập thể Tổ dân phố 5'."""
    return f"{KIND_LOWER[n.kind]} {n.full_name}"


def submitted(n, resubmitted: bool = False) -> str:
    verb = "Đã gửi lại" if resubmitted else "Đã gửi"
    return (f"📨 {verb} đề xuất #{n.id} ({who(n)}) tới Văn phòng. Bạn sẽ được báo khi có kết quả; "
            f"xem tình trạng: /my_nominations")


def admin_new(n, unit_name: str, resubmitted: bool = False) -> str:
    head = "🔁 Đã sửa và gửi lại" if resubmitted else "📝 Đề xuất mới"
    return f"{head}: #{n.id} của {unit_name} — {who(n)}. Xét duyệt: /review"


def reason_length(n: int, least: int, most: int) -> str:
    return f"Lý do cần từ {vn_format.number(least)} đến {vn_format.number(most)} ký tự (bạn đã gõ {vn_format.number(n)}); không có gì thay đổi."


def officer_decision(n, campaign_title: str, decision: str, reason: str | None) -> str:
    what = f"Đề xuất #{n.id} ({who(n)}, phong trào «{_short(campaign_title, 60)}»)"
    if decision == "approved":
        return f"✅ {what} đã được Văn phòng DUYỆT."
    if decision == "returned":
        return (f"↩️ {what} được Văn phòng TRẢ LẠI để sửa.\nLý do: {reason}\n"
                f"Xem đề xuất bị trả lại, sửa và gửi lại: /my_nominations {n.id}")
    return f"⛔ {what} KHÔNG được chấp nhận.\nLý do: {reason}"


def detail(n, campaign_title: str, unit_name: str, files: list, events: list | None = None) -> str:
    lines = [f"📋 Đề xuất #{n.id} — {STATUS_NAMES[n.status]}",
             f"Phong trào: #{n.campaign_id} «{_short(campaign_title, 120)}»",
             f"Đơn vị: {unit_name}",
             f"Loại: {KIND_NAMES[n.kind]}",
             f"{'Họ và tên' if n.kind == 'individual' else 'Tên tập thể'}: {n.full_name}"]
    if n.kind == "individual":
        lines.append(f"Chức vụ: {n.position or '—'}")
        lines.append(f"Nơi công tác: {n.workplace or '—'}")
    lines.append(f"Lĩnh vực: {n.sector}")
    lines.append(f"Hình thức khen thưởng đề nghị: {n.reward_form}")
    lines.append(f"Trích ngang thành tích:\n{n.summary}")
    if files:
        lines.append(f"Minh chứng: {len(files)} tệp — " + ", ".join(f.filename for f in files))
    else:
        lines.append("Minh chứng: không có")
    if n.submitted_at:
        lines.append(f"Gửi lúc: {clock.fmt_datetime(n.submitted_at)}")
    if n.review_reason and n.status in ("returned", "rejected"):
        lines.append(f"Lý do: {n.review_reason}")
    if events:
        lines.append("Lịch sử:")
        for e in events[-10:]:
            line = f"• {clock.fmt_datetime(e.at)} {EVENT_NAMES.get(e.action, e.action)}"
            if e.reason:
                line += f" — {_short(e.reason, 120)}"
            lines.append(line)
    return "\n".join(lines)


def lower_review(n, campaign, unit_name: str, events: list) -> str:
    """The review a lower level gave a nomination before putting it forward."""
    lines = [f"↪️ Cấp dưới đề nghị: {unit_name} đã duyệt #{n.id} ở phong trào #{campaign.id} «{_short(campaign.title, 80)}»"]
    for e in events[-10:]:
        line = f"• {clock.fmt_datetime(e.at)} {EVENT_NAMES.get(e.action, e.action)}"
        if e.reason:
            line += f" — {_short(e.reason, 120)}"
        lines.append(line)
    return "\n".join(lines)


def review_item(text: str, waiting: int) -> str:
    return f"{text}\n\nĐang chờ duyệt: {waiting} đề xuất (cũ nhất trước)."


def status_name(n, stages: dict[int, str] | None = None) -> str:  # noqa: ANN001 - a Nomination
    stage = (stages or {}).get(n.id)
    return STAGE_NAMES[stage] if n.status == "approved" and stage else STATUS_NAMES[n.status]


def my_list(items: list, unit_name: str, stages: dict[int, str] | None = None) -> str:
    """items: (nomination, campaign title)."""
    lines = [f"Đề xuất của {unit_name}:"]
    for n, _title in items[:30]:
        when = clock.fmt_date(n.submitted_at) if n.submitted_at else ""
        lines.append(f"#{n.id} {status_name(n, stages)} — {who(n)} ({when}, phong trào #{n.campaign_id})")
    if len(items) > 30:
        lines.append(f"… và {len(items) - 30} đề xuất cũ hơn.")
    lines.append("Xem một đề xuất: /my_nominations SỐ_ĐỀ_CỬ")
    return "\n".join(lines)


def edit_intro(n, channel: str = "telegram") -> str:
    howto = ("Gõ “sửa” và số mục để sửa từng mục (ví dụ: sửa 8 để sửa trích ngang thành tích), xong gõ “gửi”." if channel == "zalo"
             else "Bấm ✏️ để sửa từng mục, xong bấm “Gửi đề xuất”.")
    return f"Sửa đề xuất #{n.id} bị trả lại. Lý do: {n.review_reason}\n{howto}"


# --- how to type them -------------------------------------------------------------------------


def my_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'my_nominations')} (danh sách đề xuất của đơn vị) hoặc "
            f"{cmd(channel, 'my_nominations', 'SỐ_ĐỀ_CỬ')} (xem một đề xuất), "
            f"ví dụ {cmd(channel, 'my_nominations', 12)}.")


def number_usage(channel: str, name: str) -> str:
    """approve / return_nomination / reject / later / edit_nomination / withdraw without a proper number."""
    if name in ("approve", "return_nomination", "reject", "later"):
        where = f"Xem các đề xuất chờ duyệt: {cmd(channel, 'review')}."
    else:
        where = f"Xem số của các đề xuất: {cmd(channel, 'my_nominations')}."
    return f"Cần số của đề xuất. Cách dùng: {cmd(channel, name, 'SỐ_ĐỀ_CỬ')}, ví dụ {cmd(channel, name, 12)}.\n{where}"


def quota_usage(channel: str) -> str:
    see = cmd(channel, "quota", "SỐ_PHONG_TRÀO", "MÃ_ĐƠN_VỊ")
    set_ = cmd(channel, "quota", "SỐ_PHONG_TRÀO", "MÃ_ĐƠN_VỊ", "SỐ_TẬP_THỂ", "SỐ_CÁ_NHÂN")
    return (f"Cách dùng:\n{see} — xem chỉ tiêu kỳ này của đơn vị\n"
            f"{set_} — đặt riêng cho đơn vị trong kỳ này\n"
            f"Ví dụ: {cmd(channel, 'quota', 1, 'LB', 3, 4)}")
