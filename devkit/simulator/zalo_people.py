"""The Zalo simulator's people: what they send the bot, and what tests observe and wait for."""

from __future__ import annotations

import asyncio
import copy
import mimetypes
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

# Reused so both simulators shape errors, wake waiters and count rates the same way.
from devkit.simulator.common import _Signal

from devkit.simulator.zalo_common import DEFAULT_STICKER, JsonDict, _new_id, _now_ms


class ZaloPeopleMixin:
    """The Zalo simulator's people: what they send the bot, and what tests observe and wait for.

    A part of ZaloApiSimulator: its state is set up in ZaloApiSimulator.__init__.
    """

    # -- acting as people --------------------------------------------------- #

    def add_user(self, user_id: str, display_name: str) -> JsonDict:
        user = {"id": str(user_id), "display_name": display_name, "is_bot": False}
        self._users[user["id"]] = user
        return copy.deepcopy(user)

    def block_user(self, user_id: str) -> None:
        """From now on sends to this user answer ok:false 403 "User has blocked the bot"."""
        self._blocked.add(str(user_id))

    def unblock_user(self, user_id: str) -> None:
        self._blocked.discard(str(user_id))

    def _enqueue(self, user_id: str, event_name: str, chat_id: str | None, **content: Any) -> str:
        user_id = str(user_id)
        if user_id not in self._users:
            self.add_user(user_id, f"Người dùng {user_id}")
        if chat_id is None or chat_id == user_id:
            self._blocked.discard(user_id)  # writing to the bot again means following it again
            chat = {"id": user_id, "chat_type": "PRIVATE"}
        else:
            self._groups.add(chat_id)
            chat = {"id": chat_id, "chat_type": "GROUP"}
        message = {"message_id": _new_id(), "date": _now_ms(), "chat": chat,
                   "from": copy.deepcopy(self._users[user_id]), **content}
        self._pending.append({"event_name": event_name, "message": message})
        self._updates_signal.fire()
        return message["message_id"]

    def send_text(self, user_id: str, text: str, chat_id: str | None = None) -> str:
        return self._enqueue(user_id, "message.text.received", chat_id, text=text)

    def send_photo(self, user_id: str, photo_url: str, caption: str = "", chat_id: str | None = None) -> str:
        return self._enqueue(user_id, "message.image.received", chat_id, photo_url=photo_url, caption=caption)

    def send_sticker(self, user_id: str, sticker: str = DEFAULT_STICKER, chat_id: str | None = None) -> str:
        return self._enqueue(user_id, "message.sticker.received", chat_id, sticker=sticker)

    def send_unsupported(self, user_id: str, chat_id: str | None = None) -> str:
        """A message kind the bot API does not expose (voice, file, location...)."""
        return self._enqueue(user_id, "message.unsupported.received", chat_id)

    def host_image(self, content: bytes, filename: str = "image.png") -> str:
        """Serve ``content`` from the simulator itself; returns its loopback URL."""
        key = secrets.token_hex(8)
        self._hosted[key] = (bytes(content), filename)
        return f"{self.base_url}/files/{key}/{quote(filename)}"

    async def _handle_file(self, request: web.Request) -> web.Response:
        hosted = self._hosted.get(request.match_info["key"])
        if hosted is None:
            raise web.HTTPNotFound()
        content, filename = hosted
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return web.Response(body=content, content_type=mime)

    # -- observing and waiting ---------------------------------------------- #

    def messages(self, chat_id: str) -> list[JsonDict]:
        """What the bot sent to ``chat_id``, oldest first."""
        return [copy.deepcopy(m) for m in self._sent if m["chat_id"] == chat_id]

    def all_sent(self) -> list[JsonDict]:
        return copy.deepcopy(self._sent)

    def photo_fetches(self) -> list[JsonDict]:
        """Every sendPhoto download attempt, including failed ones."""
        return copy.deepcopy(self._photo_fetches)

    def webhook_deliveries(self) -> list[JsonDict]:
        """Every webhook POST attempt with the HTTP status it got (None = no answer)."""
        return copy.deepcopy(self._deliveries)

    def pending_updates(self) -> list[JsonDict]:
        return copy.deepcopy(list(self._pending))

    @staticmethod
    async def _until(
        signal: _Signal, check: Callable[[], Any], timeout: float, failure: Callable[[], str]
    ) -> Any:
        """check()'s first non-None value, re-checked whenever ``signal`` fires."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    woken = signal.current  # grabbed before checking, so no wake-up is lost
                    found = check()
                    if found is not None:
                        return found
                    await woken.wait()
        except TimeoutError:
            raise TimeoutError(failure()) from None

    async def wait_for(
        self, predicate: Callable[[JsonDict], bool], chat_id: str | None = None, timeout: float = 5.0
    ) -> JsonDict:
        """First message the bot sent (already or later) matching ``predicate``.

        A predicate raising KeyError/TypeError/IndexError (``m["text"]`` on a photo)
        counts as "no match" so simple lambdas work on mixed chats.
        """

        def matches(message: JsonDict) -> bool:
            if chat_id is not None and message["chat_id"] != chat_id:
                return False
            try:
                return bool(predicate(message))
            except (KeyError, TypeError, IndexError):
                return False

        def failure() -> str:
            sent = [m for m in self._sent if chat_id is None or m["chat_id"] == chat_id]
            lines = "".join(
                f"\n  {m['method']} to {m['chat_id']}: {m.get('text', m.get('caption', m.get('sticker')))!r}"
                for m in sent
            )
            where = f"chat {chat_id}" if chat_id is not None else "any chat"
            return f"no matching bot message within {timeout}s; {where} received {len(sent)}{lines}"

        def check() -> JsonDict | None:
            return next((copy.deepcopy(m) for m in self._sent if matches(m)), None)

        return await self._until(self._sent_signal, check, timeout, failure)

    async def wait_for_webhook(
        self, predicate: Callable[[JsonDict], bool] = lambda d: True, timeout: float = 5.0
    ) -> JsonDict:
        """First webhook delivery attempt matching ``predicate``."""
        return await self._until(
            self._deliveries_signal,
            lambda: next((copy.deepcopy(d) for d in self._deliveries if predicate(d)), None),
            timeout,
            lambda: f"no matching webhook delivery within {timeout}s; attempts: {self._deliveries}",
        )

    async def wait_until_fetched(self, message_id: str, timeout: float = 5.0) -> None:
        """Resolve once the update was returned by getUpdates or accepted by the webhook."""
        await self._until(
            self._delivered_signal,
            lambda: True if message_id in self._delivered else None,
            timeout,
            lambda: f"message {message_id} not fetched within {timeout}s ({len(self._pending)} pending)",
        )

    async def wait_polling(self, timeout: float = 5.0) -> None:
        """Resolve once a getUpdates long poll is parked, i.e. the bot is idle."""
        await self._until(
            self._parked_signal,
            lambda: True if self._parked_polls else None,
            timeout,
            lambda: f"no getUpdates long poll within {timeout}s",
        )
