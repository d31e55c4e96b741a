"""Files people upload and the bot sends: storage, the file download route, getFile."""

from __future__ import annotations

import mimetypes
import secrets

from aiohttp import web
from aiohttp.web_request import FileField

from devkit.simulator.common import ApiError, JsonDict, StoredFile, bad_request


class FilesMixin:
    """Files people upload and the bot sends: storage, the file download route, getFile.

    A part of BotApiSimulator: its state is set up in BotApiSimulator.__init__.
    """

    # ------------------------------------------------------------------ #
    # Files
    # ------------------------------------------------------------------ #

    def _store_file(
        self, content: bytes, folder: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        number = self._next_file_no
        self._next_file_no += 1
        prefix = {"documents": "BQAC", "photos": "AgAC", "stickers": "CAAC"}.get(folder, "BQAC")
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        elif mime_type:
            extension = mimetypes.guess_extension(mime_type) or ""
        stored = StoredFile(
            file_id=f"{prefix}AgIAAxkBAA{number:06d}{secrets.token_hex(8)}",
            file_unique_id=f"AgAD{number:06d}",
            content=bytes(content),
            file_path=f"{folder}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _input_file(self, params: JsonDict, field: str, folder: str) -> StoredFile:
        """A file given as an upload part, an ``attach://`` reference or a known file_id."""
        value = params.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, FileField):
            content = value.file.read()
            name = params.get("filename") or value.filename
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = (mimetypes.guess_type(name)[0] if name else None) or mime
            return self._store_file(content, folder, name, mime)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if value is None or value == "":
            raise bad_request(f"there is no {field} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    async def _handle_file(self, request: web.Request) -> web.Response:
        if self.token is not None and request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _get_file(self, params: JsonDict) -> JsonDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.as_file()
