"""The side API (/sim/...): the people-side methods over HTTP, JSON in/out."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.web_request import FileField

from devkit.simulator.common import JsonDict


class SideApiMixin:
    """The side API (/sim/...): the people-side methods over HTTP, JSON in/out.

    A part of BotApiSimulator: its state is set up in BotApiSimulator.__init__.
    """

    # ------------------------------------------------------------------ #
    # Side API (/sim/...): the people-side methods over HTTP, JSON in/out
    # ------------------------------------------------------------------ #

    def _add_side_routes(self, router: web.UrlDispatcher) -> None:
        routes: list[tuple[str, str, Callable[[web.Request], Awaitable[JsonDict]]]] = [
            ("POST", "/sim/users", self._side_add_user),
            ("POST", "/sim/groups", self._side_add_group),
            ("POST", "/sim/users/{id}/text", self._side_text),
            ("POST", "/sim/users/{id}/press", self._side_press),
            ("POST", "/sim/users/{id}/document", self._side_document),
            ("POST", "/sim/users/{id}/photo", self._side_photo),
            ("POST", "/sim/users/{id}/sticker", self._side_sticker),
            ("POST", "/sim/users/{id}/block", self._side_block),
            ("POST", "/sim/users/{id}/unblock", self._side_unblock),
            ("GET", "/sim/chats/{id}/messages", self._side_messages),
            ("GET", "/sim/callback_answers", self._side_callback_answers),
            ("POST", "/sim/faults", self._side_faults),
            ("GET", "/sim/stats", self._side_stats),
        ]
        for verb, path, handler in routes:
            router.add_route(verb, path, self._side_wrapper(handler))

    @staticmethod
    def _side_wrapper(
        handler: Callable[[web.Request], Awaitable[JsonDict]],
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def wrapped(request: web.Request) -> web.Response:
            try:
                result = await handler(request)
            except (ValueError, KeyError, TypeError) as exc:
                return web.json_response({"ok": False, "error": str(exc)}, status=400)
            return web.json_response({"ok": True, **result})

        return wrapped

    @staticmethod
    async def _json_body(request: web.Request) -> JsonDict:
        if not request.can_read_body:
            return {}
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        return body

    async def _side_add_user(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        user_id = int(body.get("user_id", body.get("id")))
        user = self.add_user(
            user_id,
            str(body.get("first_name") or f"Người dùng {user_id}"),
            body.get("last_name"),
            body.get("username"),
            body.get("language_code") or "vi",
        )
        return {"user": user}

    async def _side_add_group(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        chat = self.add_group(
            int(body["chat_id"]), str(body["title"]), [int(m) for m in body.get("member_ids", [])]
        )
        return {"chat": chat}

    async def _side_text(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        chat_id = body.get("chat_id")
        update_id = self.send_text(
            int(request.match_info["id"]), str(body["text"]), int(chat_id) if chat_id else None
        )
        return {"update_id": update_id}

    async def _side_press(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        update_id = self.press_button(
            int(request.match_info["id"]),
            int(body["message_id"]),
            data=body.get("data"),
            text=body.get("text"),
        )
        return {"update_id": update_id}

    async def _side_upload(self, request: web.Request) -> tuple[bytes, JsonDict]:
        """Read an uploaded file: multipart (any file part) or JSON with base64 content."""
        if request.content_type == "application/json":
            body = await self._json_body(request)
            return base64.b64decode(body["content"]), body
        form = await request.post()
        fields: JsonDict = {}
        content: bytes | None = None
        for key, value in form.items():
            if isinstance(value, FileField):
                content = value.file.read()
                fields.setdefault("filename", value.filename)
                if value.content_type and value.content_type != "application/octet-stream":
                    fields.setdefault("mime_type", value.content_type)
            else:
                fields[key] = value
        if content is None:
            raise ValueError("no file part in the upload")
        return content, fields

    async def _side_document(self, request: web.Request) -> JsonDict:
        content, fields = await self._side_upload(request)
        update_id = self.send_document(
            int(request.match_info["id"]),
            str(fields.get("filename") or "file.bin"),
            content,
            mime_type=fields.get("mime_type"),
            caption=fields.get("caption"),
        )
        return {"update_id": update_id}

    async def _side_photo(self, request: web.Request) -> JsonDict:
        content, fields = await self._side_upload(request)
        update_id = self.send_photo(int(request.match_info["id"]), content, fields.get("caption"))
        return {"update_id": update_id}

    async def _side_sticker(self, request: web.Request) -> JsonDict:
        return {"update_id": self.send_sticker(int(request.match_info["id"]))}

    async def _side_block(self, request: web.Request) -> JsonDict:
        self.block_user(int(request.match_info["id"]))
        return {}

    async def _side_unblock(self, request: web.Request) -> JsonDict:
        self.unblock_user(int(request.match_info["id"]))
        return {}

    async def _side_messages(self, request: web.Request) -> JsonDict:
        return {"messages": self.messages(int(request.match_info["id"]))}

    async def _side_callback_answers(self, request: web.Request) -> JsonDict:
        return {"callback_answers": copy.deepcopy(self.callback_answers)}

    async def _side_faults(self, request: web.Request) -> JsonDict:
        body = await self._json_body(request)
        chat_id = body.get("chat_id")
        self.inject_faults(
            str(body["kind"]),
            int(body.get("count", 1)),
            body.get("method"),
            int(chat_id) if chat_id is not None else None,
        )
        return {}

    async def _side_stats(self, request: web.Request) -> JsonDict:
        return {"stats": json.loads(json.dumps(self.stats))}
