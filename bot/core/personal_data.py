"""mydata and forget (Law 91/2025/QH15 on personal data): see and erase what the bot keeps."""

from __future__ import annotations

import json

from bot import texts
from bot.core.commands import command
from bot.core.screens import Action
from bot.core.turn import Turn
from bot.services import files, personal_data
from bot.texts import zalo as zt
from bot.texts.commands import cmd
from bot.text_chunks import split_text

# Characters per message: at most 2 UTF-16 units each, so a piece stays within Telegram's 4,096
# (and within Zalo's 2,000 characters).
SUMMARY_PIECE = 1900


@command("mydata")
async def mydata(turn: Turn) -> None:
    """mydata: a summary, and the full record as a JSON file."""
    async with turn.db.session() as session:
        data = await personal_data.export(session, turn.member.id)
        # Their copy is theirs: stored as their upload, so forget erases it too.
        stored = await files.store(session, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                                   "du-lieu-ca-nhan.json", "application/json", uploaded_by=turn.member.id)
    hint = zt.MYDATA_FORGET_HINT if turn.channel == "zalo" else texts.MYDATA_FORGET_HINT
    for piece in split_text(texts.mydata_summary(data, hint), SUMMARY_PIECE):
        turn.say(piece)
    turn.attach(stored.id, stored.filename, stored.mime_type, texts.MYDATA_CAPTION)


@command("forget")
async def forget(turn: Turn) -> None:
    """forget: asked before erasing."""
    question = texts.FORGET_CONFIRM
    if turn.channel == "zalo":
        question += f"\n\nĐể xóa, gõ: {cmd('zalo', 'forget_confirmed')}\nNếu muốn giữ lại, bạn không cần làm gì."
    turn.say(question, [[Action(texts.FORGET_YES, "forget_confirmed"), Action(texts.CANCEL, "keep")]])


@command("forget_confirmed")
async def forget_confirmed(turn: Turn) -> None:
    async with turn.db.session() as session:
        await personal_data.forget(session, turn.member.id)
    turn.effects.append("menu_cleared")
    # Sent now or not at all: a queued copy would keep their chat id in the outbox.
    turn.say(texts.FORGOTTEN, direct=True)
