"""Bot API methods on messages: send, edit, delete, copy, callback answers, commands, chats."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from devkit.simulator.common import (
    CALLBACK_DATA_LIMIT, CAPTION_LIMIT, _COMMAND_RE, TEXT_LIMIT, JsonDict, _as_bool,
    bad_request, _utf16_len,
)
from devkit.simulator.telegram_html import format_text


class MessagesMixin:
    """Bot API methods on messages: send, edit, delete, copy, callback answers, commands, chats.

    A part of BotApiSimulator: its state is set up in BotApiSimulator.__init__.
    """

    # -- messages --------------------------------------------------------- #

    def _apply_markup(self, message: JsonDict, params: JsonDict) -> None:
        markup = params.get("reply_markup")
        if not isinstance(markup, dict):
            return
        if "inline_keyboard" in markup:
            _validate_inline_keyboard(markup)
            message["reply_markup"] = copy.deepcopy(markup)
        elif "keyboard" in markup:
            # Reply keyboards are not echoed in Message; keep the latest per chat.
            self.reply_keyboards[message["chat"]["id"]] = copy.deepcopy(markup)
        elif markup.get("remove_keyboard"):
            self.reply_keyboards.pop(message["chat"]["id"], None)

    def _reply_target(self, chat_id: int, params: JsonDict) -> JsonDict | None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            legacy = params.get("reply_to_message_id")
            if legacy in (None, ""):
                return None
            reply = {"message_id": int(legacy)}
        target = self._messages.get((chat_id, int(reply.get("message_id", 0))))
        if target is None or (chat_id, target["message_id"]) in self._deleted:
            if _as_bool(reply.get("allow_sending_without_reply")):
                return None
            raise bad_request("message to be replied not found")
        target = copy.deepcopy(target)
        target.pop("reply_to_message", None)  # Telegram nests only one level
        return target

    @staticmethod
    def _check_text(text: str) -> None:
        if not text.strip():
            raise bad_request("message text is empty")
        if _utf16_len(text) > TEXT_LIMIT:  # Telegram counts UTF-16 code units
            raise bad_request("message is too long")

    @staticmethod
    def _check_caption(caption: str) -> None:
        if _utf16_len(caption) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat = self._target_chat(params)
        text, entities = format_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        self._check_text(text)
        reply_to = self._reply_target(chat["id"], params)
        message = self._bot_message(chat, text=text, entities=entities, reply_to_message=reply_to)
        self._apply_markup(message, params)
        await self._publish(message)
        return copy.deepcopy(message)

    async def _send_media(self, params: JsonDict, field: str) -> JsonDict:
        chat = self._target_chat(params)
        folder = "photos" if field == "photo" else "documents"
        stored = self._input_file(params, field, folder)
        caption, caption_entities = format_text(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        self._check_caption(caption)
        reply_to = self._reply_target(chat["id"], params)
        media = stored.as_photo() if field == "photo" else stored.as_document()
        message = self._bot_message(
            chat,
            **{field: media},
            caption=caption or None,
            caption_entities=caption_entities,
            reply_to_message=reply_to,
        )
        self._apply_markup(message, params)
        await self._publish(message)
        return copy.deepcopy(message)

    async def _send_document(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "document")

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "photo")

    def _message_to_edit(self, params: JsonDict) -> JsonDict:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the simulator")
        chat = self._target_chat(params)
        if params.get("message_id") in (None, ""):
            raise bad_request("message identifier is not specified")
        message = self._find_bot_message(chat["id"], params.get("message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        return message

    async def _commit_edit(self, old: JsonDict, new: JsonDict, params: JsonDict) -> JsonDict:
        # Telegram drops the inline keyboard when an edit omits reply_markup.
        new.pop("reply_markup", None)
        self._apply_markup(new, params)
        if all(old.get(k) == new.get(k) for k in ("text", "entities", "caption", "caption_entities", "reply_markup")):
            raise bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        key = (old["chat"]["id"], old["message_id"])
        self._edit_history.setdefault(key, []).append(copy.deepcopy(old))
        new["edit_date"] = int(time.time())
        self._messages[key] = new
        await self._publish(new)
        return copy.deepcopy(new)

    async def _edit_message_text(self, params: JsonDict) -> JsonDict:
        old = self._message_to_edit(params)
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        text, entities = format_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        self._check_text(text)
        new = copy.deepcopy(old)
        new["text"] = text
        new.pop("entities", None)
        if entities:
            new["entities"] = entities
        return await self._commit_edit(old, new, params)

    async def _edit_message_caption(self, params: JsonDict) -> JsonDict:
        old = self._message_to_edit(params)
        if "text" in old:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = format_text(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        self._check_caption(caption)
        new = copy.deepcopy(old)
        new.pop("caption", None)
        new.pop("caption_entities", None)
        if caption:
            new["caption"] = caption
        if entities:
            new["caption_entities"] = entities
        return await self._commit_edit(old, new, params)

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        old = self._message_to_edit(params)
        return await self._commit_edit(old, copy.deepcopy(old), params)

    async def _delete_message(self, params: JsonDict) -> bool:
        chat = self._target_chat(params)
        key = (chat["id"], params.get("message_id"))
        if key not in self._messages or key in self._deleted:
            raise bad_request("message to delete not found")
        self._deleted.add(key)  # type: ignore[arg-type]
        return True

    async def _copy_message(self, params: JsonDict) -> JsonDict:
        chat = self._target_chat(params)
        source = self._messages.get((params.get("from_chat_id"), params.get("message_id")))  # type: ignore[arg-type]
        if source is None:
            raise bad_request("message to copy not found")
        content = {
            key: copy.deepcopy(source[key])
            for key in ("text", "entities", "document", "photo", "sticker", "caption", "caption_entities")
            if key in source
        }
        if "caption" in params:
            content["caption"] = params["caption"]
        message = self._bot_message(chat, **content)
        self._apply_markup(message, params)
        await self._publish(message)
        return {"message_id": message["message_id"]}

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._open_queries.pop(query_id, None)
        if query is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "user_id": query["from"]["id"],
                "data": query.get("data"),
                "message_id": query["message"]["message_id"],
                "text": params.get("text"),
                "show_alert": _as_bool(params.get("show_alert")),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
            }
        )
        return True


    # -- commands ---------------------------------------------------------- #

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> str:
        scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + str(language_code or "")

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("commands is empty")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self.commands_for(params.get("scope"), params.get("language_code") or "")

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        self._commands.pop(self._scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    async def _send_chat_action(self, params: JsonDict) -> bool:
        self._target_chat(params)
        return True

    async def _get_chat(self, params: JsonDict) -> JsonDict:
        chat = self._target_chat(params)
        return {**copy.deepcopy(chat), "accent_color_id": 0, "max_reaction_count": 11}


def _validate_inline_keyboard(markup: JsonDict) -> None:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")
