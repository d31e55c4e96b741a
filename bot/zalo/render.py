"""Screens and outbox payloads as Zalo text: Zalo has no buttons, so every button becomes words
to type. The engine's screens already number their choices; only the "press …" phrases change."""

from __future__ import annotations

import re
from typing import Any

from bot.core.screens import Action
from bot.forms import Screen
from bot.texts.commands import WORDING
from bot.texts import forms as ft
from bot.texts import web as wt

# What the engine says about buttons, and what to type on Zalo instead.
SCREEN_PHRASES = {
    ft.CHOICE_HOWTO: "Gõ số thứ tự của lựa chọn (ví dụ: 1).",
    "Bấm một nút hoặc gõ số sau dấu #": "Gõ số sau dấu #",
    "Hãy bấm một nút hoặc gõ một số sau dấu #": "Hãy gõ một số sau dấu #",
    ft.MULTI_HOWTO: "Gõ các số cách nhau bằng dấu phẩy (ví dụ: 1, 3), rồi gõ: xong",
    "Gửi xong bấm “Xong” hoặc gõ: xong": "Gửi xong gõ: xong",
    # The longer first: NAV_HOWTO is a part of NAV_HOWTO_OPTIONAL.
    ft.NAV_HOWTO_OPTIONAL: "Gõ “bỏ qua” để bỏ qua · “quay lại” để về câu trước · “hủy” để hủy",
    ft.NAV_HOWTO: "Gõ “quay lại” để về câu trước · “hủy” để hủy",
    ft.FILE_NEEDED: "Hãy gửi ảnh, hoặc dán nội dung văn bản vào tin nhắn.",
    "Gửi văn bản kế hoạch/chỉ thị phát động (.docx, .pdf, .txt) để bot tự điền":
        "Dán toàn văn kế hoạch/chỉ thị phát động vào tin nhắn để bot tự điền",
    ft.CANCEL_HOWTO: "Gõ “hủy” lần nữa để hủy, hoặc “tiếp tục” để làm tiếp.",
    "bấm “Bỏ qua”": "gõ “bỏ qua”",
    "bấm “Xong”": "gõ “xong”",
}
RESUME_HOWTO = "Gõ “tiếp tục” để làm tiếp, hoặc “làm lại” để bỏ bản nháp và bắt đầu lại."
REVIEW_HOWTO = "Gõ “gửi” để hoàn tất, hoặc “sửa 2” để sửa mục 2 (số mục theo danh sách trên). Gõ “hủy” để hủy."

# Actions whose typed line on Zalo says why (Zalo sends no documents: the upload page instead).
ACTION_LINES = {"upload": wt.UPLOAD_TYPED}

# Buttons the outbox's payloads carry (see bot.services.campaigns / nudges), as words to type.
BUTTON_WORDS = {
    "ack": "👉 Trả lời “đã nhận {arg}” để xác nhận đơn vị đã nhận được phát động.",
    "rep": "👉 Trả lời “báo cáo {arg}” để gửi báo cáo kỳ này.",
}


def screen_text(screen: Screen) -> str:
    text = screen.text
    if screen.status == "review":
        head, _, _ = text.rpartition(ft.REVIEW_HOWTO.split("{")[0])
        return f"{head.rstrip()}\n\n{REVIEW_HOWTO}" if head.strip() else text
    if screen.status == "resume":
        return f"{text}\n\n{RESUME_HOWTO}"
    for phrase, typed in SCREEN_PHRASES.items():
        text = text.replace(phrase, typed)
    return text


def payload_text(payload: dict[str, Any]) -> str:
    """A sendMessage payload's text, its buttons' "Bấm …" lines replaced by what to type, and its
    commands as the words typed on Zalo."""
    text = payload.get("text") or ""
    buttons = [b for row in (payload.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
    typed = []
    for b in buttons:
        prefix, _, arg = str(b.get("callback_data", "")).partition(":")
        if prefix in BUTTON_WORDS:
            typed.append(BUTTON_WORDS[prefix].format(arg=arg))
    if not typed:
        return typed_commands(text)
    kept = [line for line in text.splitlines() if not line.startswith("Bấm ")]
    return typed_commands("\n".join(kept).rstrip()) + "\n\n" + "\n".join(typed)


_SLASH = re.compile(r"(?<![\w/])/([a-z_]+)\b((?:\s+(?:#?\d+|<[^<>\n]{1,40}>|[A-ZĐ][A-ZĐ_\u00c0-\u1ef9]*_[A-ZĐ_\u00c0-\u1ef9]+))*)")


def typed_commands(text: str) -> str:
    """"/status 3" → "“tình hình 3”": the words a Zalo person types (the slash form works too)."""
    def words(match: re.Match) -> str:
        wording = WORDING.get(match.group(1))
        if wording is None or not wording.words:
            return match.group(0)
        return f"“{wording.words[0]}{match.group(2)}”"

    return _SLASH.sub(words, text or "")


def actions_text(rows: list[list[Action]], text: str = "") -> str:
    """Buttons as what to type: "👉 ✅ Duyệt: gõ “duyệt 12”" (not when the text says it already)."""
    lines = []
    for row in rows:
        for a in row:
            wording = WORDING.get(a.command)
            head = wording.words[0] if wording is not None and wording.words else f"/{a.command}"
            typed = " ".join([head, *a.args])
            if f"“{typed}”" in text:
                continue
            if a.command in ACTION_LINES:  # says more than its button would
                lines.append(ACTION_LINES[a.command].format(typed=typed))
                continue
            lines.append(f"👉 {a.label}: gõ “{typed}”")
    return "\n".join(lines)
