"""What the council's review sessions say (bot.services.council, bot.core.council)."""

from __future__ import annotations

from datetime import datetime

from bot import clock, vn_format
from bot.texts.commands import cmd

KIND_NAMES = {"individual": "cá nhân", "collective": "tập thể"}
CHOICE_MARKS = {"yes": "✅ đồng ý", "no": "❌ không đồng ý"}
BALLOT_BUTTON = "🗳 Xem phiếu và bỏ phiếu"

MEMBER_NOT_FOUND = "Không có thành viên đang hoạt động số {ids}. Xem số thành viên bằng /members."
NO_COUNCIL = "Chưa có thành viên Hội đồng Thi đua – Khen thưởng nào. Xem cách thêm: /council"
NOT_A_LEADER = ("{names}: cán bộ thi đua của đơn vị không vào Hội đồng. Hội đồng gồm quản trị và lãnh đạo; "
                "mời người đó với vai trò lãnh đạo trước.")
DOCS_NOT_DECIDED = "Phiên xét #{id} chưa có kết quả: biên bản và tờ trình lập được sau khi kiểm phiếu (/vote_close {id})."
DOCS_OTHER_CAMPAIGN = "Phiên họp xét #{id} không thuộc phong trào #{campaign}."
DOCS_NOT_DECIDED_CLI = "Phiên xét #{id} chưa có kết quả (chưa kiểm phiếu); chưa lập được văn bản."
CAMPAIGN_NOT_FOUND = "Không có phong trào #{id}. Danh sách phong trào: /campaigns"
NO_CANDIDATES = ("Phong trào #{id} chưa có đề xuất nào đã duyệt mà chưa đưa ra xét. "
                 "Duyệt đề xuất bằng /review trước khi mở phiên xét.")
LEAVE_OUT_UNKNOWN = "{ids} không phải đề xuất đã duyệt đang chờ xét của phong trào #{id}."
DEADLINE_PAST = "Hạn bỏ phiếu {when} đã qua. Hãy chọn một ngày sau hôm nay."
SESSION_NOT_FOUND = "Không có phiên xét #{id}."
SESSION_CLOSED = "Phiên xét #{id} đã hết hạn bỏ phiếu hoặc đã đóng."
SESSION_NOT_OPEN = "Phiên xét #{id} không còn mở (đã đóng trước đó)."
SESSION_DECIDED = "Phiên xét #{id} đã có kết quả, không gia hạn được."
NOT_COUNCIL = "Chỉ thành viên Hội đồng Thi đua – Khen thưởng mới bỏ phiếu (Văn phòng thêm thành viên bằng /council)."
BAD_NUMBERS = "Không có ứng viên số {numbers} trên phiếu (các số từ 1 đến {last})."
NO_OPEN_SESSION = "Hiện không có phiên xét nào đang mở để bạn bỏ phiếu."


def _line(c, with_result: bool) -> str:  # noqa: ANN001 - a services.council.Candidate
    head = f"{c.number}. {c.name} ({KIND_NAMES.get(c.kind, c.kind)}, {c.unit_name})"
    if c.registered is False:
        head += " — ⚠️ chưa đăng ký thi đua"
    if not with_result or c.yes is None:
        return head
    mark = "✅ Đạt" if c.result == "passed" else "❌ Không đạt"
    return f"{head}: {c.yes} đồng ý, {c.no} không đồng ý — {mark}"


def grouped(candidates: list, with_result: bool = False) -> list[str]:
    """The candidates under the reward form proposed for each (the ballot's order)."""
    lines: list[str] = []
    form = None
    for c in candidates:
        if c.reward_form != form:
            form = c.reward_form
            lines.append(f"\n{form}:")
        lines.append(_line(c, with_result))
    return lines


def ballot_notice(session_id: int, campaign_id: int, title: str, count: int, deadline: datetime) -> str:
    return (f"🗳 PHIÊN HỌP XÉT #{session_id} — phong trào #{campaign_id} «{vn_format.shorten(title, 120)}»\n"
            f"Hội đồng xét {vn_format.number(count)} ứng viên. Hạn bỏ phiếu: {clock.fmt_datetime(deadline)}.\n"
            f"Phiếu kín: bot chỉ lưu số phiếu, không lưu ai chọn gì.\n"
            f"Xem phiếu và bỏ phiếu: /vote {session_id}")


def ballot(outcome, mine: dict[int, str], channel: str) -> str:  # noqa: ANN001 - services.council.Outcome
    vote = outcome.session
    lines = [f"🗳 Phiếu xét #{vote.id} — phong trào #{vote.campaign_id} «{vn_format.shorten(outcome.campaign_title, 120)}»",
             f"Hạn bỏ phiếu: {clock.fmt_datetime(vote.deadline_at)}. Đã bỏ phiếu: {outcome.voters}/{vote.council_size} thành viên."]
    for line in grouped(outcome.candidates):
        number = line.split(".", 1)[0]
        if number.isdigit() and int(number) in mine:
            line += f" — phiếu của bạn: {CHOICE_MARKS[mine[int(number)]]}"
        lines.append(line)
    numbers = [c.number for c in outcome.candidates] or [1]
    several, last = " ".join(map(str, numbers[:3])), numbers[-1]
    if channel == "zalo":
        lines.append(f"\nGõ “đồng ý” và số ứng viên (ví dụ: đồng ý {several}), hoặc “không” và số "
                     f"(ví dụ: không {last}). Sửa được đến hạn. Chỉ bạn thấy phiếu của mình.")
    else:
        lines.append(f"\nBấm ✅ hoặc ❌ cạnh số ứng viên, hoặc gõ /vote {vote.id} đồng ý {several} "
                     f"(hay /vote {vote.id} không {last}). Sửa được đến hạn. Chỉ bạn thấy phiếu của mình.")
    return "\n".join(lines)


def cast_done(numbers: list[int], choice: str, mine: dict[int, str], total: int) -> str:
    said = ", ".join(map(str, numbers))
    left = total - len(mine)
    tail = f" Còn {left} ứng viên bạn chưa chọn." if left else " Bạn đã chọn đủ các ứng viên."
    return f"Đã ghi: {CHOICE_MARKS[choice]} với ứng viên {said}.{tail}"


def reminder(session_id: int, deadline: datetime) -> str:
    return (f"⏰ Nhắc bỏ phiếu: phiên họp xét #{session_id} hết hạn lúc {clock.fmt_datetime(deadline)} "
            f"và bạn chưa bỏ phiếu. Xem phiếu: /vote {session_id}")


def extended_notice(session_id: int, title: str, deadline: datetime) -> str:
    return (f"🗳 Phiên họp xét #{session_id} («{vn_format.shorten(title, 120)}») được gia hạn bỏ phiếu đến "
            f"{clock.fmt_datetime(deadline)}. Xem phiếu: /vote {session_id}")


def _rule(outcome) -> str:  # noqa: ANN001
    size = outcome.session.council_size
    return (f"Thành viên Hội đồng: {size} · đã bỏ phiếu: {outcome.voters} (cần ít nhất {outcome.required}). "
            f"Đạt khi có từ {outcome.pass_votes}/{size} thành viên đồng ý.")


def results(outcome) -> str:  # noqa: ANN001
    vote = outcome.session
    passed = sum(1 for c in outcome.candidates if c.result == "passed")
    lines = [f"🗳 KẾT QUẢ PHIÊN HỌP XÉT #{vote.id} — phong trào #{vote.campaign_id} "
             f"«{vn_format.shorten(outcome.campaign_title, 120)}»", _rule(outcome),
             f"Đạt: {passed}/{len(outcome.candidates)} ứng viên."]
    lines += grouped(outcome.candidates, with_result=True)
    ties = [c for c in outcome.candidates if c.tie]
    if ties:
        lines.append("\n⚖️ Ngang phiếu (đồng ý bằng không đồng ý): " + ", ".join(f"số {c.number}" for c in ties)
                     + ". Gợi ý: Điều 4 Luật Thi đua, khen thưởng ưu tiên nữ, hoặc tập thể có từ 70% nữ, khi các "
                       "ứng viên ngang nhau — Hội đồng cân nhắc, bot không tự áp dụng.")
    lines.append("\nPhiếu kín: chỉ có số phiếu, không ai biết thành viên nào chọn gì.")
    return "\n".join(lines)


def no_quorum(outcome) -> str:  # noqa: ANN001
    vote = outcome.session
    return (f"⚠️ Phiên họp xét #{vote.id} (phong trào #{vote.campaign_id}) chưa đủ số thành viên bỏ phiếu: "
            f"{outcome.voters}/{vote.council_size}, cần ít nhất {outcome.required}. Chưa có kết quả.\n"
            f"Gia hạn: /vote_extend {vote.id} <ngày/tháng/năm>")


def opened(outcome) -> str:  # noqa: ANN001
    vote = outcome.session
    lines = [f"Đã mở phiên họp xét #{vote.id} — phong trào #{vote.campaign_id} "
             f"«{vn_format.shorten(outcome.campaign_title, 120)}»: {len(outcome.candidates)} ứng viên, "
             f"hạn bỏ phiếu {clock.fmt_datetime(vote.deadline_at)}. Phiếu đã gửi tới {vote.council_size} thành viên Hội đồng.",
             _rule(outcome)]
    lines += grouped(outcome.candidates)
    lines.append(f"\nĐóng phiên và kiểm phiếu: /vote_close {vote.id}")
    return "\n".join(lines)


def status(outcome) -> str:  # noqa: ANN001
    """A session as admins see it: who has voted is a count, never names beside choices."""
    vote = outcome.session
    if vote.status == "decided":
        return results(outcome)
    state = {"open": f"đang mở, hạn {clock.fmt_datetime(vote.deadline_at)}",
             "undecided": "đã hết hạn, chưa đủ số thành viên bỏ phiếu"}[vote.status]
    lines = [f"🗳 Phiên họp xét #{vote.id} — {state}", _rule(outcome)] + grouped(outcome.candidates)
    if vote.status == "undecided":
        lines.append(f"\nGia hạn: /vote_extend {vote.id} <ngày/tháng/năm>")
    else:
        lines.append(f"\nĐóng phiên và kiểm phiếu: /vote_close {vote.id}")
    return "\n".join(lines)


def council_list(members: list, channel: str) -> str:
    if not members:
        return f"Chưa có thành viên Hội đồng Thi đua – Khen thưởng nào.\n{council_usage(channel)}"
    lines = [f"Hội đồng Thi đua – Khen thưởng: {len(members)} thành viên"]
    lines += [f"#{m.id} {m.full_name}" for m in members]
    lines.append(f"\nThêm: {cmd(channel, 'council', 'thêm', '<số thành viên>')} · "
                 f"bỏ: {cmd(channel, 'council', 'bỏ', '<số thành viên>')}")
    return "\n".join(lines)


def council_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'council')} (danh sách), {cmd(channel, 'council', 'thêm', 7, 8)} "
            f"hoặc {cmd(channel, 'council', 'bỏ', 7)} (số thành viên xem bằng {cmd(channel, 'members')}).")


def vote_open_usage(channel: str) -> str:
    return (f"Cách dùng: {cmd(channel, 'vote_open', '<số phong trào>')} [hạn ngày/tháng/năm] [bỏ <số đề cử> …], "
            f"ví dụ {cmd(channel, 'vote_open', 3, '10/12/2026', 'bỏ', 12)}.")


def vote_usage(channel: str) -> str:
    if channel == "zalo":
        return ("Cách dùng: “phiếu xét” (xem phiếu), “đồng ý 1 3 4” hoặc “không 2” (số ứng viên trên phiếu); "
                "khi có nhiều phiên đang mở: “phiếu xét 5 đồng ý 1 3”.")
    return "Cách dùng: /vote (xem phiếu), /vote 5 đồng ý 1 3 4 hoặc /vote 5 không 2 (số ứng viên trên phiếu)."


def which_session(channel: str, ids: list[int]) -> str:
    listed = ", ".join(f"#{i}" for i in ids)
    return f"Đang mở {len(ids)} phiên xét ({listed}). Ghi rõ số phiên: {cmd(channel, 'vote', ids[0])}."


def extend_usage(channel: str) -> str:
    return f"Cách dùng: {cmd(channel, 'vote_extend', '<số phiên>', '<ngày/tháng/năm>')}."


def status_usage(channel: str) -> str:
    return f"Cách dùng: {cmd(channel, 'vote_status', '<số phiên>')}."


def close_usage(channel: str) -> str:
    return f"Cách dùng: {cmd(channel, 'vote_close', '<số phiên>')}."


DOC_CAPTIONS = {
    "minutes": "📄 Dự thảo biên bản phiên họp xét #{id}. Số văn bản để trống cho văn thư.",
    "proposal": "📄 Dự thảo tờ trình khen thưởng theo phiên họp xét #{id}.",
    "achievements": "📄 Dự thảo báo cáo thành tích: {name} — đơn vị bổ sung và hoàn thiện.",
}


def docs_usage(channel: str) -> str:
    return f"Cách dùng: {cmd(channel, 'vote_docs', '<số phiên>')} (sau khi kiểm phiếu)."


def changed_council(changed: list, on: bool) -> str:
    if not changed:
        return "Không có gì thay đổi."
    names = ", ".join(m.full_name for m in changed)
    return f"Đã {'thêm vào' if on else 'bỏ khỏi'} Hội đồng: {names}."
