"""What registration (đăng ký thi đua) says (bot.services.registrations, bot.core.registrations)."""

from __future__ import annotations

from datetime import date

from bot import clock, vn_format
from bot.texts.commands import cmd

CAMPAIGN_NOT_FOUND = "Không có phong trào #{id}. Danh sách phong trào: /campaigns"
DUE_PAST = "Hạn đăng ký {day} đã qua. Hãy chọn một ngày từ hôm nay trở đi."
NOT_OFFICER = "Chỉ cán bộ phụ trách thi đua của đơn vị mới đăng ký thi đua cho đơn vị."
NOT_CALLED = "Phong trào #{id} không yêu cầu đơn vị của bạn đăng ký thi đua."
NONE_OPEN = "Hiện không có phong trào nào yêu cầu đơn vị của bạn đăng ký thi đua."
BAD_LINE = "Dòng “{line}” chưa đúng: mỗi dòng một người, dạng “Họ và tên - danh hiệu đăng ký”."
TOO_MANY = "Tối đa {n} cá nhân trong một bản đăng ký."
LABEL_CAMPAIGN, LABEL_COLLECTIVE, LABEL_INDIVIDUALS = "Phong trào", "Danh hiệu tập thể", "Cá nhân đăng ký"
Q_CAMPAIGN = "Đăng ký thi đua cho phong trào nào?"
Q_COLLECTIVE = "Đơn vị đăng ký danh hiệu tập thể nào? (ví dụ: Tập thể lao động tiên tiến)"
Q_INDIVIDUALS = ("Các cá nhân đăng ký danh hiệu: mỗi dòng một người, dạng “Họ và tên - danh hiệu” "
                 "(ví dụ: Nguyễn Văn An - Lao động tiên tiến). Không có ai thì bỏ qua.")


def call_notice(campaign, due_on: date) -> str:  # noqa: ANN001 - storage.models.Campaign
    return (f"📝 ĐĂNG KÝ THI ĐUA — phong trào #{campaign.id} «{vn_format.shorten(campaign.title, 120)}»\n"
            f"Đơn vị đăng ký danh hiệu tập thể và các cá nhân đăng ký danh hiệu trước ngày {clock.fmt_date(due_on)}.\n"
            f"Đăng ký: /register {campaign.id}")


def overdue_notice(campaign, due_on: date) -> str:  # noqa: ANN001
    return (f"❗ Đơn vị chưa đăng ký thi đua phong trào #{campaign.id} «{vn_format.shorten(campaign.title, 120)}» "
            f"(hạn {clock.fmt_date(due_on)}). Đăng ký ngay: /register {campaign.id}")


def called(campaign_id: int, due_on: date, told: int) -> str:
    return (f"Đã yêu cầu các đơn vị của phong trào #{campaign_id} đăng ký thi đua, hạn {clock.fmt_date(due_on)}; "
            f"đã báo {vn_format.number(told)} cán bộ. Xem sổ đăng ký: /registrations {campaign_id}")


def saved(campaign_id: int, title: str, people: list, replaced: bool, late: bool) -> str:
    head = "Đã cập nhật bản đăng ký thi đua" if replaced else "Đã ghi nhận bản đăng ký thi đua"
    tail = " (sau hạn)" if late else ""
    return f"{head}{tail} của đơn vị cho phong trào #{campaign_id}: {title}; {len(people)} cá nhân đăng ký."


def register_list(campaign_id: int, title: str, call, rows: list, channel: str) -> str:  # noqa: ANN001
    if call is None:
        return (f"Phong trào #{campaign_id} chưa yêu cầu đăng ký thi đua. Yêu cầu: "
                f"{cmd(channel, 'registration_call', campaign_id, '<hạn ngày/tháng/năm>')}")
    done = sum(1 for r in rows if r.registration)
    lines = [f"Sổ đăng ký thi đua — phong trào #{campaign_id} «{vn_format.shorten(title, 100)}», "
             f"hạn {clock.fmt_date(call.due_on)}: {done}/{len(rows)} đơn vị đã đăng ký."]
    for r in rows:
        if r.registration is None:
            lines.append(f"• {r.unit_name}: ⏳ chưa đăng ký")
            continue
        people = ", ".join(f"{p['name']} ({p['title']})" if p.get("title") else p["name"]
                           for p in r.registration.individuals) or "không có cá nhân"
        lines.append(f"• {r.unit_name}: {r.registration.collective_title}; {people}"
                     + (" — đăng ký sau hạn" if r.late else ""))
    return "\n".join(lines)


def call_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'registration_call', '<số phong trào>', '<hạn ngày/tháng/năm>')}, "
            f"ví dụ {cmd(channel, 'registration_call', 3, '31/03/2026')}.")


def list_usage(channel: str) -> str:
    return f"Cách dùng: {cmd(channel, 'registrations', '<số phong trào>')}."


NOT_REGISTERED = "chưa đăng ký thi đua"
