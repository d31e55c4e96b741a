"""People, chats and the messages in them, and the people's side: what they type, press and send."""

from __future__ import annotations

import asyncio
import copy
import mimetypes
import time
from collections.abc import Callable, Iterable
from typing import Any

from devkit.simulator.common import JsonDict, bad_request, blocked, _media_kind, _utf16_len


class ChatsMixin:
    """People, chats and the messages in them, and the people's side: what they type, press and send.

    A part of BotApiSimulator: its state is set up in BotApiSimulator.__init__.
    """

    # ------------------------------------------------------------------ #
    # People and chats
    # ------------------------------------------------------------------ #

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
    ) -> JsonDict:
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JsonDict = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            user["last_name"] = chat["last_name"] = last_name
        if username:
            user["username"] = chat["username"] = username
        user["language_code"] = language_code
        self._users[user_id] = user
        self._chats[user_id] = chat
        return copy.deepcopy(user)

    def add_group(self, chat_id: int, title: str, member_ids: Iterable[int] = ()) -> JsonDict:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        # Telegram's -100... ids are supergroups; shorter negative ids are basic groups.
        kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        self._chats[chat_id] = {"id": chat_id, "type": kind, "title": title}
        members = self._group_members.setdefault(chat_id, set())
        for member in member_ids:
            self._ensure_user(member)
            members.add(member)
        return copy.deepcopy(self._chats[chat_id])

    def block_user(self, user_id: int) -> None:
        self._blocked.add(user_id)

    def unblock_user(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def migrate_group(self, old_id: int, new_id: int) -> None:
        old = self._chats.get(old_id)
        title = old["title"] if old else f"Nhóm {new_id}"
        self.add_group(new_id, title, self._group_members.get(old_id, ()))
        self._migrated[old_id] = new_id

    def _ensure_user(self, user_id: int) -> JsonDict:
        if user_id not in self._users:
            self.add_user(user_id, f"Người dùng {user_id}")
        return self._users[user_id]

    def _people_chat(self, user_id: int, chat_id: int | None) -> JsonDict:
        """The chat a person acts in: their private chat, or a group (auto-created)."""
        self._ensure_user(user_id)
        if chat_id is None or chat_id == user_id:
            # Writing to the bot again means the person unblocked it.
            self._blocked.discard(user_id)
            return self._chats[user_id]
        if chat_id not in self._chats:
            self.add_group(chat_id, f"Nhóm {chat_id}")
        self._group_members.setdefault(chat_id, set()).add(user_id)
        return self._chats[chat_id]

    def _target_chat(self, params: JsonDict) -> JsonDict:
        """Resolve the chat a bot request addresses, failing like Telegram would."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if chat_id in self._migrated:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat["type"] == "private" and chat_id in self._blocked:
            raise blocked()
        return chat

    # ------------------------------------------------------------------ #
    # Messages
    # ------------------------------------------------------------------ #

    def _new_message(self, chat: JsonDict, sender: JsonDict, **content: Any) -> JsonDict:
        chat_id = chat["id"]
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JsonDict = {
            "message_id": message_id,
            "from": copy.deepcopy(sender),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        message.update({key: value for key, value in content.items() if value is not None})
        self._messages[(chat_id, message_id)] = message
        return message

    def _bot_message(self, chat: JsonDict, **content: Any) -> JsonDict:
        message = self._new_message(chat, self.bot_user, **content)
        key = (chat["id"], message["message_id"])
        self._bot_message_ids.setdefault(chat["id"], []).append(key[1])
        self._sent_order.append(key)
        self.stats["messages_sent"] += 1
        return message

    def _find_bot_message(self, chat_id: Any, message_id: Any) -> JsonDict | None:
        key = (chat_id, message_id)
        message = self._messages.get(key)
        if message is None or key in self._deleted or message["from"]["id"] != self.bot_id:
            return None
        return message

    async def _publish(self, message: JsonDict) -> None:
        """Record a create/edit of a bot message and wake wait_for callers."""
        self._message_events.append(copy.deepcopy(message))
        async with self._messages_changed:
            self._messages_changed.notify_all()

    def messages(self, chat_id: int) -> list[JsonDict]:
        """The bot's messages to ``chat_id`` in order, each in its current (edited) state."""
        return [
            copy.deepcopy(self._messages[(chat_id, mid)])
            for mid in self._bot_message_ids.get(chat_id, [])
            if (chat_id, mid) not in self._deleted
        ]

    def all_sent(self) -> list[JsonDict]:
        return [
            copy.deepcopy(self._messages[key]) for key in self._sent_order if key not in self._deleted
        ]

    def edit_history(self, chat_id: int, message_id: int) -> list[JsonDict]:
        """Earlier versions of a bot message, oldest first (current state excluded)."""
        return copy.deepcopy(self._edit_history.get((chat_id, message_id), []))

    def deleted_messages(self) -> list[tuple[int, int]]:
        return sorted(self._deleted)

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id].content

    def commands_for(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        return copy.deepcopy(self._commands.get(self._scope_key(scope, language_code), []))

    def _describe_chat(self, chat_id: int | None) -> str:
        received = self.messages(chat_id) if chat_id is not None else self.all_sent()
        lines = [
            f"  #{m['message_id']} chat={m['chat']['id']}: "
            + repr(m.get("text") or m.get("caption") or _media_kind(m))
            for m in received
        ]
        where = f"chat {chat_id}" if chat_id is not None else "any chat"
        return f"{where} received {len(received)} bot message(s)" + (
            ":\n" + "\n".join(lines) if lines else ""
        )

    async def wait_for(
        self,
        predicate: Callable[[JsonDict], bool],
        chat_id: int | None = None,
        timeout: float = 5.0,
    ) -> JsonDict:
        """First bot message (existing, new or newly edited) matching ``predicate``.

        A predicate raising KeyError/TypeError/IndexError (e.g. ``m["text"]`` on a
        document) counts as "no match" so simple lambdas work on mixed chats.
        """

        def matches(message: JsonDict) -> bool:
            if chat_id is not None and message["chat"]["id"] != chat_id:
                return False
            try:
                return bool(predicate(message))
            except (KeyError, TypeError, IndexError):
                return False

        current = self.messages(chat_id) if chat_id is not None else self.all_sent()
        for message in current:
            if matches(message):
                return message
        cursor = len(self._message_events)
        try:
            async with asyncio.timeout(timeout):
                async with self._messages_changed:
                    while True:
                        await self._messages_changed.wait_for(
                            lambda: len(self._message_events) > cursor
                        )
                        while cursor < len(self._message_events):
                            event = self._message_events[cursor]
                            cursor += 1
                            if matches(event):
                                return copy.deepcopy(event)
        except TimeoutError:
            raise TimeoutError(
                f"no matching bot message within {timeout}s; {self._describe_chat(chat_id)}"
            ) from None

    # ------------------------------------------------------------------ #
    # Acting as people
    # ------------------------------------------------------------------ #

    def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> int:
        chat = self._people_chat(user_id, chat_id)
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        message = self._new_message(chat, self._users[user_id], text=text, entities=entities)
        return self._enqueue_update({"message": copy.deepcopy(message)})

    def press_button(
        self,
        user_id: int,
        message_id: int,
        data: str | None = None,
        text: str | None = None,
        chat_id: int | None = None,
    ) -> int:
        """Press an inline button; forged or stale presses are delivered anyway,
        since the bot must cope with both."""
        if data is None and text is None:
            raise ValueError("press_button needs data or text")
        chat = self._people_chat(user_id, chat_id)
        message = self._find_bot_message(chat["id"], message_id)
        if message is not None and data is None:
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("text") == text:
                        if "callback_data" not in button:
                            raise ValueError(f"button {text!r} has no callback_data")
                        data = button["callback_data"]
                        break
                if data is not None:
                    break
        if message is not None:
            shown: JsonDict = copy.deepcopy(message)
        else:
            # Telegram's shape for a message the bot can no longer access (date 0).
            shown = {"chat": copy.deepcopy(chat), "message_id": message_id, "date": 0}
        query_id = str(self._next_query_id)
        self._next_query_id += 1
        query: JsonDict = {
            "id": query_id,
            "from": copy.deepcopy(self._users[user_id]),
            "message": shown,
            "chat_instance": str(abs(chat["id"]) * 7919 + 13),
        }
        if data is not None:
            query["data"] = data
        self._open_queries[query_id] = query
        return self._enqueue_update({"callback_query": copy.deepcopy(query)})

    def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> int:
        chat = self._people_chat(user_id, chat_id)
        mime_type = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = self._store_file(content, "documents", filename, mime_type)
        message = self._new_message(
            chat, self._users[user_id], document=stored.as_document(), caption=caption
        )
        return self._enqueue_update({"message": copy.deepcopy(message)})

    def send_photo(
        self, user_id: int, content: bytes, caption: str | None = None, chat_id: int | None = None
    ) -> int:
        chat = self._people_chat(user_id, chat_id)
        stored = self._store_file(content, "photos", None, "image/jpeg")
        message = self._new_message(
            chat, self._users[user_id], photo=stored.as_photo(), caption=caption
        )
        return self._enqueue_update({"message": copy.deepcopy(message)})

    def send_sticker(self, user_id: int, chat_id: int | None = None) -> int:
        chat = self._people_chat(user_id, chat_id)
        stored = self._store_file(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "stickers", None, "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "😀",
            "file_size": len(stored.content),
        }
        message = self._new_message(chat, self._users[user_id], sticker=sticker)
        return self._enqueue_update({"message": copy.deepcopy(message)})
