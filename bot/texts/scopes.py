"""What the bot says about an office's reach (bot.services.scope) and cascading campaigns."""

from __future__ import annotations

from bot import vn_format

KIND_NAMES = {"campaign": "phong trào", "unit": "đơn vị", "nomination": "đề xuất", "member": "thành viên",
              "session": "phiên họp xét", "award": "khen thưởng"}

OUT_OF_SCOPE = ("⛔ {what} “{arg}” không thuộc phạm vi của bạn ({unit} và các đơn vị trực thuộc). "
                "Bạn chỉ xem và làm việc với đơn vị mình phụ trách.")


def received_list(campaigns, channel: str) -> str:  # noqa: ANN001 - Campaign rows
    """The campaigns the level above launched to this office's unit."""
    from bot.texts.commands import cmd

    lines = [f"📥 Cấp trên phát động tới đơn vị bạn ({len(campaigns)}):"]
    lines += [f"• #{c.id} {c.title[:90]}" for c in campaigns[:10]]
    lines.append(f"Để triển khai tới các đơn vị trực thuộc: {cmd(channel, 'new_campaign')} và gửi kế hoạch "
                 "thực hiện (văn bản ghi “Thực hiện Kế hoạch số …” được bot tự liên kết).")
    return "\n".join(lines)


def implements_line(parent_id: int) -> str:
    return f"↪️ Thực hiện phong trào #{parent_id} của cấp trên."


def rollup(children) -> str:  # noqa: ANN001 - cascade.ChildRollup rows
    """Per unit the campaign went to: its implementing plan and its units, in counts."""
    launched = [c for c in children if c.child_campaign_id]
    lines = [f"🔗 Kế hoạch thực hiện của đơn vị: {len(launched)}/{len(children)} đã phát động"]
    for c in children[:40]:
        if c.child_campaign_id:
            n = vn_format.number
            lines.append(f"• {c.name}: ✅ đã phát động #{c.child_campaign_id} — {n(c.acknowledged)}/{n(c.units)} đơn vị "
                         f"đã nhận, {n(c.reports)} báo cáo, {n(c.nominations)} đề xuất ({n(c.approved)} đã duyệt)")
        else:
            lines.append(f"• {c.name}: ⏳ chưa phát động kế hoạch thực hiện")
    if len(children) > 40:
        lines.append(f"… và {vn_format.number(len(children) - 40)} đơn vị khác (tệp Excel: /export)")
    return "\n".join(lines)


FORWARD_USAGE = "Gõ: {typed} — số đề xuất đã duyệt cần đề nghị cấp trên khen thưởng."
FORWARDED = ("⬆️ Đã đề nghị cấp trên: đề xuất #{id} đi tiếp thành #{new} trong phong trào #{parent} "
             "«{title}». Cấp trên sẽ xét duyệt và thấy lịch sử duyệt của đơn vị bạn.")
FORWARD_REFUSED = {
    "not_found": "Không có đề xuất số {id} trong phạm vi của bạn.",
    "not_approved": "Đề xuất #{id} chưa được duyệt; chỉ đề xuất đã duyệt mới đề nghị cấp trên được.",
    "no_parent": "Phong trào của đề xuất #{id} không thực hiện phong trào nào của cấp trên, nên không có nơi để đề nghị.",
    "already": "Đề xuất #{id} đã được đề nghị cấp trên rồi.",
}
FORWARD_NOTICE = "⬆️ {unit} đề nghị khen thưởng: #{id} {name} ({form}) — phong trào #{campaign}. Xét duyệt: /review"
FORWARD_BUTTON = "⬆️ Đề nghị cấp trên"


PARENT_NOT_FOUND = ("• Văn bản thực hiện Kế hoạch số {label} của cấp trên — kế hoạch này chưa có trong bot (hoặc "
                    "không phát động tới đơn vị bạn): phong trào sẽ không gắn với cấp trên.")
OUTSIDE_REACH = ("Các đơn vị {codes} không thuộc phạm vi của bạn (chỉ phát động tới các đơn vị trực thuộc). "
                 "Xem các mã ở danh sách dưới câu hỏi.")


def parent_found(parent_id: int, label: str, taken: list[str]) -> str:
    """The launch form's note: the plan carries out the parent campaign, and what came from it."""
    line = f"• Thực hiện Kế hoạch số {label} — phong trào #{parent_id} của cấp trên: bot gắn hai phong trào với nhau"
    if taken:
        line += f"; lấy theo cấp trên: {', '.join(taken)}"
    return line + "."


def subunits_sum(total: int, reported: int, units: int) -> str:
    """Under a report's figure question, for a unit whose own units reported on its implementing plan."""
    n = vn_format.number
    return (f"📊 Các đơn vị trực thuộc đã báo cáo ({n(reported)}/{n(units)} đơn vị): tổng {n(total)}. "
            f"Gõ {total} để dùng số này.")
