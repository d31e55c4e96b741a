"""What a launch queues and how to count what arrived — shared by the benches and the tests.

A launch sends each officer the campaign's text with its "✅ Đã nhận" button, then the plan
document (bot.services.campaigns._enqueue_launch): two messages to every chat, the second of
which must wait for the chat's second.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.services import outbox
from storage.db import Database
from storage.models import StoredFile

LAUNCH_TEXT = "Phát động phong trào thi đua chuyển đổi số năm 2026"
DOCUMENT = "Kế hoạch số 108/KH-UBND".encode() * 200  # ~4.6 kB
BUTTON = {"inline_keyboard": [[{"text": "✅ Đã nhận", "callback_data": "ack:1"}]]}


async def enqueue_launch(db: Database, chats: Iterable[int], *, campaign_id: int | None = None) -> int:
    """Queue the text and the document for each chat, as a launch does; returns the rows added."""
    async with db.session() as session:
        stored = StoredFile(filename="KH-108.pdf", mime_type="application/pdf", size=len(DOCUMENT),
                            sha256="0" * 64, content=DOCUMENT)
        session.add(stored)
        await session.flush()
        rows: list[dict[str, Any]] = []
        for chat in chats:
            rows.append({"chat_id": chat, "kind": "campaign_launch", "dedupe_key": f"launch:{chat}",
                         "payload": {"method": "sendMessage", "text": LAUNCH_TEXT, "reply_markup": BUTTON}})
            rows.append({"chat_id": chat, "kind": "campaign_document", "dedupe_key": f"document:{chat}",
                         "payload": {"method": "sendDocument", "file_id": stored.id, "caption": "Kế hoạch"}})
        return await outbox.enqueue_many(session, rows, campaign_id=campaign_id)


def is_launch_message(message: dict[str, Any]) -> bool:
    return message.get("text") == LAUNCH_TEXT or "document" in message


def launch_received(sim, chats: Iterable[int]) -> dict[str, int]:  # noqa: ANN001 - a BotApiSimulator
    """delivered messages; lost: chats that miss the text or the document; duplicated: copies
    beyond one of each."""
    delivered = lost = duplicated = 0
    for chat in chats:
        got = sim.messages(chat)
        texts = sum(1 for m in got if m.get("text") == LAUNCH_TEXT)
        documents = sum(1 for m in got if "document" in m)
        delivered += min(texts, 1) + min(documents, 1)
        lost += texts == 0 or documents == 0
        duplicated += max(texts - 1, 0) + max(documents - 1, 0)
    return {"delivered": delivered, "lost": lost, "duplicated": duplicated}
