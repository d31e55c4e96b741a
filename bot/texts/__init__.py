"""Every user-facing string, in Vietnamese. Handlers and the CLI format these; nothing else speaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import clock
from bot.text_chunks import shorten_lines
from bot import vn_format

ROLE_NAMES = {
    "admin": "Quản trị (Thường trực Hội đồng Thi đua – Khen thưởng)",
    "officer": "Cán bộ phụ trách thi đua",
    "leader": "Lãnh đạo",
}
ROLE_SHORT = {"admin": "Quản trị", "officer": "Cán bộ thi đua", "leader": "Lãnh đạo"}


# Decree 30/2020/NĐ-CP, Phụ lục III: abbreviation -> name. "CV" (công văn) has no abbreviation
# in its symbol; we use it when the document carries a "V/v" line and no type heading.
DOC_TYPES = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế", "QYĐ": "Quy định",
    "TC": "Thông cáo", "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình", "KH": "Kế hoạch",
    "PA": "Phương án", "ĐA": "Đề án", "DA": "Dự án", "BC": "Báo cáo", "BB": "Biên bản",
    "TTr": "Tờ trình", "HĐ": "Hợp đồng", "CĐ": "Công điện", "GN": "Bản ghi nhớ",
    "TTh": "Bản thỏa thuận", "GUQ": "Giấy ủy quyền", "GM": "Giấy mời", "GT": "Giấy giới thiệu",
    "CV": "Công văn",
}


@dataclass(frozen=True)
class MenuEntry:
    name: str
    description: str


# The command menu of people who have not joined (members get their role's: bot.core.commands).
STRANGER_COMMANDS = (
    MenuEntry("start", "Tham gia bằng mã mời"),
    MenuEntry("help", "Hướng dẫn tham gia"),
)


PRIVACY_NOTES = {
    "telegram": (
        "Về dữ liệu cá nhân: bot lưu họ tên, mã tài khoản và mã cuộc trò chuyện Telegram của bạn, đơn "
        "vị, vai trò, thời điểm tham gia, những gì bạn gửi cho bot (tin nhắn, biểu mẫu, tệp) và tin bot "
        "gửi cho bạn, chỉ để gửi thông báo thi đua đến đúng người và theo dõi tiến độ. Gõ /mydata để "
        "xem, /forget để xóa."
    ),
    "zalo": (
        "Về dữ liệu cá nhân: bot lưu tên Zalo, mã người dùng và mã cuộc trò chuyện Zalo của bạn, đơn "
        "vị, vai trò, thời điểm tham gia, những gì bạn gửi cho bot (tin nhắn, biểu mẫu, ảnh) và tin bot "
        "gửi cho bạn, chỉ để gửi thông báo thi đua đến đúng người và theo dõi tiến độ. Gõ “dữ liệu của "
        "tôi” để xem, “xóa dữ liệu” để xóa."
    ),
}


def welcome(full_name: str, role: str, unit_name: str | None, org_name: str, channel: str = "telegram",
            accepted_at: datetime | None = None) -> str:
    """The welcome on `channel`, with what it stores there and, once recorded, their acceptance."""
    from bot.texts.first_contact import accepted_line

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
    accepted = accepted_line(channel, accepted_at)
    help_hint = "Gõ “trợ giúp” để xem các lệnh." if channel == "zalo" else "Gõ /help để xem các lệnh."
    return (
        f"Chào mừng {full_name}! Bạn đã tham gia bot thi đua – khen thưởng của {org_name} "
        f"với vai trò {ROLE_NAMES[role]}{where}.\n\n{what}\n\n{help_hint}\n\n{PRIVACY_NOTES[channel]}"
        + (f" {accepted}" if accepted else "")
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
    "link_same_channel": (
        "Mã liên kết này không dùng được trên {here}: nó chỉ để thêm {other} vào tài khoản đã tạo mã, "
        "và tài khoản đó đã có {here}. Không có gì thay đổi."
    ),
    "link_identity_bound": (
        "Tài khoản {here} này đang là của một thành viên khác nên không liên kết được. Không có gì "
        "thay đổi; mã liên kết vẫn chưa được dùng."
    ),
    "link_used": "Mã liên kết này đã được dùng. Mỗi mã chỉ dùng một lần — gõ /link để lấy mã mới.",
    "link_expired": "Mã liên kết này đã hết hạn. Gõ /link trên kênh bạn đang dùng để lấy mã mới.",
}


def invite_refused(reason: str, here: str | None = None, other: str | None = None) -> str:
    """Why a code was refused; link codes name the channels involved."""
    return INVITE_REFUSED[reason].format(here=CHANNEL_NAMES.get(here, ""), other=CHANNEL_NAMES.get(other, ""))


def already_member(role: str, unit_name: str | None) -> str:
    where = f", đơn vị {unit_name}" if unit_name else ""
    return (
        f"Bạn đã tham gia với vai trò {ROLE_NAMES[role]}{where}. Mã mời này chưa được dùng. "
        "Nếu cần đổi đơn vị hoặc vai trò, hãy gõ /leave rồi dùng mã mời mới."
    )


LINKED = ("Đã liên kết Telegram với tài khoản của bạn ({role}{where}). Thông báo vẫn gửi qua {channel}; "
          "gõ /channel telegram để nhận trên Telegram.")
LINK_CODE = ("Mã liên kết của bạn: {code} (dùng một lần, trong {minutes} phút, chỉ trên Zalo).\n"
             "Trên Zalo, nhắn cho bot: tham gia {code}")
LINK_COMPLETE = ("Bạn đã dùng bot trên cả Telegram và Zalo nên không cần mã liên kết. Nếu đổi tài khoản "
                 "Telegram hoặc Zalo, hãy liên hệ Văn phòng.")
LINK_NOTICE = ("🔗 Tài khoản của bạn vừa được liên kết thêm {channel} (lúc {at}); từ nay bạn dùng bot được "
               "trên cả hai kênh, với vai trò như cũ. Nếu không phải bạn làm, hãy báo ngay cho Văn phòng.")
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}
CHANNEL_NOW = "Thông báo, nhắc hạn và bản tin đang gửi cho bạn qua {channel}. Đổi: /channel zalo hoặc /channel telegram."
CHANNEL_SET = "Từ nay thông báo, nhắc hạn và bản tin gửi cho bạn qua {channel}."
CHANNEL_NO_CHAT = "Bạn chưa dùng bot trên {channel}. Gõ /link để lấy mã, rồi nhắn mã đó cho bot trên {channel}."
CHANNEL_BAD = "Cách dùng: /channel zalo hoặc /channel telegram"

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
    "Bạn có chắc muốn xóa dữ liệu cá nhân? Bot sẽ xóa họ tên, tài khoản Telegram và Zalo, tư cách "
    "thành viên, biểu mẫu đang điền, tệp bạn gửi (trừ minh chứng của đơn vị), tin nhắn bạn gửi và tin "
    "bot gửi cho bạn. Đề xuất và báo cáo đã gửi được giữ lại là hồ sơ của đơn vị, không còn gắn với "
    "bạn; nhật ký hoạt động được giữ lại nhưng không còn gắn với bạn. Việc này không hoàn tác."
)
FORGET_YES = "Xóa dữ liệu của tôi"
FORGOTTEN = "Đã xóa dữ liệu cá nhân của bạn. Khi cần tham gia lại, hãy xin Văn phòng mã mời mới."
MYDATA_CAPTION = "Toàn bộ dữ liệu bot đang lưu về bạn (tệp JSON)."
MYDATA_FORGET_HINT = "Gõ /forget nếu muốn xóa."

OUTBOX_KIND_NAMES = {
    "campaign_launch": "phát động thi đua", "campaign_document": "văn bản phát động",
    "campaign_notice": "thông báo phong trào", "report_nudge": "nhắc hạn báo cáo",
    "report_escalation": "báo cáo trễ hạn (gửi lãnh đạo)", "digest": "bản tin",
    "nomination": "đề xuất khen thưởng", "reply": "trả lời", "notice": "thông báo",
    "report_opened": "mở kỳ báo cáo", "report_received": "đơn vị đã nộp báo cáo",
}
OUTBOX_STATUS_NAMES = {"pending": "chờ gửi", "sending": "đang gửi", "sent": "đã gửi", "failed": "không gửi được",
                       "superseded": "không gửi (đã có tin mới hơn)"}
DIGEST_FREQUENCY_NAMES = {"daily": "hằng ngày", "weekly": "hằng tuần", "off": "đã tắt"}


def _ids(values: list) -> str:
    return ", ".join(str(v) for v in values) or "chưa có"


def mydata_summary(data: dict, forget_hint: str = MYDATA_FORGET_HINT) -> str:
    """/mydata as a person reads it on a phone: short lines, counts, the latest message."""
    def when(iso: str | None) -> str:
        return clock.fmt_datetime(datetime.fromisoformat(iso)) if iso else "—"

    acc = data["accounts"]
    lines = ["Dữ liệu bot đang lưu về bạn:", "", "Tài khoản:"]
    lines.append(f"• Telegram: mã người dùng {_ids(acc['telegram_user_ids'])}; "
                 f"mã cuộc trò chuyện {_ids(acc['telegram_chat_ids'])}")
    lines.append(f"• Zalo: mã người dùng {_ids(acc['zalo_user_ids'])}; mã cuộc trò chuyện {_ids(acc['zalo_chat_ids'])}")
    lines += ["", "Tư cách thành viên:"]
    for m in data["memberships"]:
        unit = m["unit"]["name"] if m["unit"] else "không gắn đơn vị"
        state = (f"đang tham gia từ {when(m['joined_at'])}" if m["left_at"] is None
                 else f"{when(m['joined_at'])} – {when(m['left_at'])}, đã rời")
        lines.append(f"• {m['full_name']} — {ROLE_NAMES[m['role']]}, {unit} ({state}; "
                     f"nhận thông báo qua {CHANNEL_NAMES[m['channel']]})")
    sent = data["updates_sent"]
    by_channel = ", ".join(f"{CHANNEL_NAMES.get(c['channel'], 'nhóm và nơi khác')} {c['count']}" for c in sent["by_channel"])
    lines += [
        "", "Những gì bạn gửi:",
        f"• Tin nhắn gửi bot (lưu để xử lý): {sent['count']}" + (f" ({by_channel})" if by_channel else ""),
        f"• Biểu mẫu đang điền: {len(data['form_drafts'])}",
        f"• Đề xuất điển hình đã gửi: {len(data['nominations_submitted'])}",
        f"• Báo cáo đã gửi: {len(data['reports_submitted'])}",
        f"• Tệp đã gửi: {len(data['files_uploaded'])}",
        f"• Xác nhận đã nhận phát động: {len(data['acknowledgements'])}",
    ]
    received = data["messages_received"]
    lines += ["", f"Tin bot gửi cho bạn: {received['count']}"]
    for row in received["by_kind_and_status"]:
        kind = OUTBOX_KIND_NAMES.get(row["kind"], row["kind"])
        lines.append(f"• {kind[:1].upper()}{kind[1:]}, {OUTBOX_STATUS_NAMES.get(row['status'], row['status'])}: {row['count']}")
    latest = received["latest"]
    if latest:
        excerpt = short(" ".join((latest["text"] or "(tệp)").split()), 80)
        lines.append(f"• Gần nhất ({when(latest['at'])}): {excerpt}")
    for d in data["digest_subscription"]:
        lines.append(f"\nBản tin: {DIGEST_FREQUENCY_NAMES.get(d['frequency'], d['frequency'])}")
    from bot.texts.first_contact import consent_lines

    lines += consent_lines(data)
    lines += ["", f"Nhật ký hoạt động: {len(data['activity'])} mục", "", forget_hint]
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
# To the admins, once an hour per channel, when an incoming message could not be handled.
INBOX_PARKED = ("⚠️ Bot không xử lý được một tin nhắn đến qua {channel} (mục #{row_id} trong hộp thư đến): {error}\n"
                "Tin này được giữ lại để kiểm tra; các tin khác vẫn được xử lý bình thường.")


# --- campaigns ---------------------------------------------------------------------------------------

ACK_BUTTON = "✅ Đã nhận"
DOCUMENT_CAPTION = "Văn bản gốc của phát động thi đua."
CADENCE_NAMES = {"6-monthly": "6 tháng một lần", "quarterly": "hằng quý", "yearly": "hằng năm"}
QUOTA_PER_NAMES = {"quarter": "mỗi quý", "6-months": "mỗi 6 tháng", "year": "mỗi năm", "campaign": "trong cả đợt"}
DOC_TYPE_NAMES = {"KH": "Kế hoạch", "CT": "Chỉ thị", "QĐ": "Quyết định", "HD": "Hướng dẫn", "TB": "Thông báo",
                  "CV": "Công văn", "NQ": "Nghị quyết", "CTr": "Chương trình"}


def _d(value) -> str:
    return clock.fmt_date(value)


def document_line(campaign) -> str | None:
    """'Kế hoạch số 108/KH-UBND ngày 26/05/2020', with whatever parts are known."""
    parts = []
    if campaign.doc_type:
        parts.append(DOC_TYPE_NAMES.get(campaign.doc_type, campaign.doc_type))
    if campaign.number or campaign.symbol:
        number = "/".join(p for p in (campaign.number, campaign.symbol) if p)
        parts.append(f"số {number}")
    if campaign.issued_on:
        parts.append(f"ngày {_d(campaign.issued_on)}")
    return " ".join(parts) if parts else None


def period_line(campaign) -> str | None:
    if campaign.period_start and campaign.period_end:
        return f"Thời gian: từ {_d(campaign.period_start)} đến {_d(campaign.period_end)}"
    if campaign.period_end:
        return f"Thời gian: đến hết ngày {_d(campaign.period_end)}"
    if campaign.period_start:
        return f"Thời gian: từ {_d(campaign.period_start)}"
    if campaign.period_text:
        text = campaign.period_text
        return text if text.lower().startswith("thời gian") else f"Thời gian: {text}"
    return None


def asks_lines(campaign) -> list[str]:
    lines = []
    if campaign.quota_collectives or campaign.quota_individuals:
        parts = []
        if campaign.quota_collectives:
            parts.append(f"{campaign.quota_collectives:02d} tập thể")
        if campaign.quota_individuals:
            parts.append(f"{campaign.quota_individuals:02d} cá nhân")
        per = QUOTA_PER_NAMES.get(campaign.quota_per or "", "")
        lines.append(f"• Giới thiệu tối đa {', '.join(parts)} tiêu biểu {per}".rstrip() + ".")
    if campaign.reporting_cadence:
        lines.append(f"• Báo cáo kết quả {CADENCE_NAMES[campaign.reporting_cadence]}.")
    if campaign.reward_forms:
        lines.append(f"• Hình thức khen thưởng: {', '.join(campaign.reward_forms)}.")
    return lines


def launch_message(campaign) -> str:
    lines = ["📢 PHÁT ĐỘNG THI ĐUA"]
    if (doc := document_line(campaign)):
        lines.append(doc)
    lines.append(f"«{campaign.title}»")
    lines.append("")
    if (period := period_line(campaign)):
        lines.append(period)
    asks = asks_lines(campaign)
    if asks:
        lines.append("Đơn vị cần:")
        lines += asks
    if campaign.document_file_id:
        lines.append("")
        lines.append("Văn bản gốc được gửi kèm ngay sau tin này.")
    lines.append("")
    lines.append("Bấm “✅ Đã nhận” để xác nhận đơn vị đã nhận được phát động.")
    return "\n".join(lines)


def leader_notice(campaign, units: int) -> str:
    doc = document_line(campaign)
    head = f"Văn phòng đã phát động: «{campaign.title}»" + (f" ({doc})" if doc else "")
    return f"{head}, gửi tới {units} đơn vị. Tiến độ nhận và xác nhận: /campaign {campaign.id}"


def launch_progress(campaign_id: int, title: str, counts: dict[str, int]) -> str:
    total = sum(counts.values())
    sent, failed = counts.get("sent", 0), counts.get("failed", 0)
    left = total - sent - failed
    return (
        f"⏳ Đang gửi phát động #{campaign_id} «{short(title)}»\n"
        f"Đã gửi: {sent}/{total} · Lỗi: {failed} · Còn lại: {left}"
    )


def launch_summary(campaign_id: int, title: str, statuses: list) -> str:
    """What the admin reads once a launch has drained: every unreachable unit that fits in one
    Telegram message, the rest summed up as "… và N đơn vị khác"."""
    delivered = [s for s in statuses if s.delivered]
    unreachable = [s for s in statuses if s.unreachable]
    head = [
        f"✅ Đã gửi xong phát động #{campaign_id} «{short(title)}».",
        f"Đơn vị đã nhận được tin: {vn_format.number(len(delivered))}/{vn_format.number(len(statuses))}.",
        f"Xem chi tiết và gửi lại: /campaign {campaign_id}",
    ]
    if not unreachable:
        return "\n".join(head)
    head.append(f"Không liên lạc được {vn_format.number(len(unreachable))} đơn vị:")
    names = [f"• {s.name}" + (" (chưa có cán bộ tham gia bot)" if s.officers == 0 else " (cán bộ đã chặn bot hoặc không liên lạc được)")
             for s in unreachable]
    return shorten_lines([*head, *names], keep=len(head))


def short(title: str, limit: int = 80) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"


ACK_RECORDED = "Đã ghi nhận: {unit} đã nhận phát động «{title}». Cảm ơn bạn!"
ACK_ALREADY = "{unit} đã xác nhận lúc {at}{by}. {again}"
ACK_AGAIN_PRESS = "Không cần bấm lại."
ACK_AGAIN_TYPE = "Không cần xác nhận lại."


def ack_answer(ack, again: str = ACK_AGAIN_PRESS) -> str:  # noqa: ANN001 - a campaigns.Ack
    """What the person is told of their acknowledgement, whatever its outcome."""
    if ack.status == "recorded":
        return ACK_RECORDED.format(unit=ack.unit_name, title=short(ack.title, 60))
    if ack.status == "already":
        by = f" ({ack.by})" if ack.by else ""
        return ACK_ALREADY.format(unit=ack.unit_name, at=clock.fmt_datetime(ack.at), by=by, again=again)
    return ACK_NOT_TARGETED if ack.status == "not_targeted" else ACK_NOT_FOUND
ACK_NOT_TARGETED = "Phát động này không gửi tới đơn vị của bạn."
ACK_NOT_FOUND = "Không tìm thấy phát động này."
ACK_DONE_BUTTON = "✅ Đơn vị đã xác nhận"

NEW_CAMPAIGN_NOT_NEEDED = "Bạn không có biểu mẫu nào đang điền."
CAMPAIGN_NO_TARGETS = "Không có đơn vị nào khớp với lựa chọn gửi tới. Hãy sửa mục “Gửi tới”."
CAMPAIGNS_EMPTY = "Chưa có phong trào nào. Quản trị dùng /new_campaign để phát động."
CAMPAIGN_USAGE = "Cách dùng: /campaign SỐ (xem số ở /campaigns)."
CAMPAIGN_NOT_FOUND = "Không có phong trào số {id}. Xem danh sách: /campaigns"
RESEND_BUTTON = "🔁 Gửi lại cho đơn vị chưa xác nhận"
RESENT = "Đã xếp lịch gửi lại phát động #{id} cho {units} đơn vị chưa xác nhận."
RESEND_USAGE = "Cách dùng: /resend SỐ_PHONG_TRÀO (xem số ở /campaigns)."
NOTHING_TO_RESEND = "Mọi đơn vị đã xác nhận phát động #{id}; không cần gửi lại."


def launched(campaign_id: int, units: int, officers: int, lonely: list[str]) -> str:
    text = f"🚀 Đã phát động #{campaign_id}: gửi tới {officers} cán bộ của {units} đơn vị."
    if lonely:
        text += f"\n{len(lonely)} đơn vị chưa có cán bộ tham gia bot: " + ", ".join(lonely[:20])
        if len(lonely) > 20:
            text += f" … và {len(lonely) - 20} đơn vị nữa"
        text += "."
    return text


STILL_FILLING = "✏️ Bạn vẫn đang điền {title} — câu hỏi đang chờ trả lời (tin nhắn tiếp theo sẽ là câu trả lời):"
UNIT_CAMPAIGNS_EMPTY = "Đơn vị của bạn chưa nhận phát động nào."
CAMPAIGN_SENT_AGAIN = "Bot gửi lại phát động #{id} (và văn bản gốc, nếu có) ngay sau tin này."
CAMPAIGN_NOT_YOUR_UNIT = "Phong trào #{id} không gửi tới đơn vị của bạn. Các phong trào của đơn vị: /campaigns"


def newcomer_campaigns(active: int, sent: int) -> str:
    more = f" Xem cả {active} phong trào: /campaigns" if active > sent else ""
    which = "phong trào đó" if sent == 1 else f"{sent} phong trào mới nhất"
    return (f"📢 Đơn vị của bạn đang có {active} phong trào thi đua; bot gửi lại {which} (kèm văn bản) "
            f"ngay sau tin này.{more}")


def unit_campaigns_list(items: list) -> str:  # noqa: ANN001 - campaigns.UnitCampaign
    lines = ["Các phong trào đơn vị bạn đã nhận:"]
    for item in items[:30]:
        c = item.campaign
        acked = f"đã xác nhận {_d(item.acknowledged_at)}" if item.acknowledged_at else "⏳ chưa xác nhận"
        ended = "" if item.active else " (đã kết thúc)"
        lines.append(f"#{c.id} «{short(c.title, 70)}»{ended} — phát động {_d(c.launched_at)}, {acked}")
    lines.append("Nhận lại văn bản phát động: /campaign SỐ")
    return "\n".join(lines)


def campaigns_list(items: list) -> str:
    lines = ["Các phong trào thi đua:"]
    for s in items[:30]:
        c = s.campaign
        when = _d(c.launched_at) if c.launched_at else "chưa phát động"
        lines.append(f"#{c.id} «{short(c.title, 70)}» — {when}, đã xác nhận {s.acknowledged}/{s.units} đơn vị")
    lines.append("Xem chi tiết: /campaign SỐ")
    return "\n".join(lines)


def campaign_detail(campaign, statuses: list, undelivered: str | None = None) -> str:
    """/campaign ID: per unit, delivered / acknowledged / unreachable, within one Telegram message;
    `undelivered` (the line naming messages to admins and leaders that failed) comes first."""
    acked = sum(1 for s in statuses if s.acknowledged_at)
    delivered = sum(1 for s in statuses if s.delivered)
    unreachable = sum(1 for s in statuses if s.unreachable)
    lines = [f"#{campaign.id} «{short(campaign.title, 150)}»"]
    if (doc := document_line(campaign)):
        lines.append(doc)
    lines.append(f"Đã nhận tin: {delivered}/{len(statuses)} · Đã xác nhận: {acked}/{len(statuses)} · Không liên lạc được: {unreachable}")
    if undelivered:
        lines.append(undelivered)
    lines.append("")
    body = []
    for s in statuses:
        if s.acknowledged_at:
            mark = f"✅ xác nhận {clock.fmt_datetime(s.acknowledged_at)}" + (f" ({s.acknowledged_by})" if s.acknowledged_by else "")
        elif s.delivered:
            mark = "📨 đã nhận tin, chưa xác nhận"
        elif s.unreachable:
            mark = "⚠️ không liên lạc được" + (" (chưa có cán bộ)" if s.officers == 0 else "")
        else:
            mark = "⏳ đang gửi"
        body.append(f"{s.name}: {mark}")
    return shorten_lines([*lines, *body], keep=len(lines))




def members_list(people: list, total: int) -> str:
    lines = [f"Thành viên đang hoạt động ({vn_format.number(total)}):"]
    for m in people:
        unit = f", {m.unit.name}" if m.unit else ""
        flag = "" if m.reachable else " ⚠️ không liên lạc được"
        channels = "/".join(name for name, has in (("Telegram", m.telegram_user_id), ("Zalo", m.zalo_user_id)) if has)
        lines.append(f"#{m.id} {m.full_name} — {ROLE_SHORT[m.role]}{unit} ({channels}){flag}")
    if total > len(people):
        lines.append(f"… và {vn_format.number(total - len(people))} người nữa. Gõ /members MÃ_ĐƠN_VỊ để lọc.")
    lines.append("Vô hiệu hóa một người: /deactivate SỐ")
    return "\n".join(lines)


INVITE_USAGE = ("Cách dùng: /invite cán bộ MÃ_ĐƠN_VỊ [số mã] · /invite lãnh đạo [số mã] · /invite quản trị\n"
                "Ví dụ: /invite cán bộ XA01 2 (xem mã đơn vị ở /members).")
INVITE_COUNT = "Mỗi lần tạo từ 1 đến {max} mã."
INVITE_NEEDS_UNIT = "Mã mời cán bộ cần mã đơn vị, ví dụ: /invite cán bộ XA01"
INVITE_UNIT_INACTIVE = "Đơn vị {code} đã ngừng hoạt động."


def invites_made(codes: list[str], role: str, unit_name: str | None, expires: str, bot_username: str,
                 zalo_url: str = "") -> str:
    where = f", đơn vị {unit_name}" if unit_name else ""
    lines = [f"Đã tạo {len(codes)} mã mời — vai trò {ROLE_NAMES[role]}{where}, hết hạn {expires}."]
    if role != "officer" and unit_name:  # an office's admin or leader: the unit's subtree is their reach
        lines.append(f"Người tham gia bằng mã này chỉ làm việc với {unit_name} và các đơn vị trực thuộc.")
    lines += ["Gửi mỗi người một mã; mỗi mã dùng một lần.", ""]
    for code in codes:
        telegram = f"https://t.me/{bot_username}?start={code}" if bot_username else f"/start {code}"
        zalo = f"mở {zalo_url} rồi nhắn “tham gia {code}”" if zalo_url else f"nhắn cho bot “tham gia {code}”"
        lines.append(f"• {code}\n  Zalo: {zalo}\n  Telegram: {telegram}")
    return "\n".join(lines)


def already_joined(role: str, unit_name: str | None) -> str:
    where = f", đơn vị {unit_name}" if unit_name else ""
    return f"Bạn đã tham gia bot với vai trò {ROLE_NAMES[role]}{where}. Gõ /help để xem các lệnh."
