"""The bot's HTTP client for the Bot API, on aiohttp instead of python-telegram-bot's default httpx.

Every update costs the bot at least one sendMessage (and, before PollingRequest below, a
getUpdates); with httpx those requests were more than half of the CPU the bot spent per update
(bench/forms.py, sampled with py-spy), with aiohttp about a fifth of that. aiohttp is already
the bot's web server for Zalo and the signed file links. python-telegram-bot supports swapping the client through `BaseRequest`; its
contrib repository has an aiohttp one, not published on PyPI, whose timeouts do not follow
`BaseRequest`'s meaning, hence this one.

Timeouts keep python-telegram-bot's meaning: `connect_timeout` to open a connection, `pool_timeout`
to wait for a free one, `read_timeout` between bytes of the answer (getUpdates adds its long-poll
time to it), `write_timeout` for sending; an upload is bounded as a whole by all four plus time
for its bytes at 256 kbit/s. Proxies
come from the environment (HTTPS_PROXY, NO_PROXY), as with httpx.
A timeout raises `telegram.error.TimedOut`, any other transport failure `NetworkError`; HTTP status
codes (429, 5xx, 403…) are turned into errors by `BaseRequest.post`, as with httpx.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


SLOW_UPLOAD = 32_000  # bytes per second


async def _bytes_of(content: Any) -> bytes:
    """A file python-telegram-bot hands over as an open file (InputFile(f, read_file_handle=False))
    is read here: aiohttp would close it after sending, so a retry (a 429) or a second send of the
    same file would fail. It is read from the start each time, as httpx does."""
    if isinstance(content, bytes):
        return content
    if hasattr(content, "seek"):
        content.seek(0)
    return await asyncio.to_thread(content.read)


def _total(*parts: float | None) -> float | None:
    """The sum, or None (no limit) if any part has none."""
    return None if any(p is None for p in parts) else sum(parts)


class AiohttpRequest(BaseRequest):
    __slots__ = ("_pool_size", "_timeouts", "_session")

    def __init__(self, *, connection_pool_size: int = 256, connect_timeout: float | None = 10.0,
                 read_timeout: float | None = 20.0, write_timeout: float | None = 30.0,
                 pool_timeout: float | None = 1.0) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = {"connect": connect_timeout, "read": read_timeout, "write": write_timeout,
                          "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None  # made on the running loop, in initialize()

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(total=None),
                trust_env=True,  # HTTPS_PROXY / NO_PROXY, as python-telegram-bot's httpx client reads them
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(self, upload: int, **given: Any) -> aiohttp.ClientTimeout:
        t = {name: self._timeouts[name] if isinstance(value, DefaultValue) else value
             for name, value in given.items()}
        waiting = _total(t["pool"], t["connect"])  # for a free connection, then to open one
        # aiohttp has no write timeout: an upload is bounded as a whole (wait, send, answer), with
        # time for its bytes at a slow 256 kbit/s on top of write_timeout (20 MB: ~11 minutes).
        whole = _total(waiting, t["write"], t["read"], upload / SLOW_UPLOAD) if upload else None
        return aiohttp.ClientTimeout(total=whole, connect=waiting, sock_connect=t["connect"], sock_read=t["read"])

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: aiohttp.FormData | dict[str, str] | None = fields
        size = 0
        if files:  # multipart: the parameters, then each file with its name and type
            # quote_fields=False: names as UTF-8, as httpx sends them ("Kế hoạch.pdf", not "K%E1%BA%BF…")
            body = aiohttp.FormData(fields or {}, quote_fields=False)
            for part, (filename, content, mimetype) in files.items():
                content = await _bytes_of(content)
                size += len(content)
                body.add_field(part, content, filename=filename, content_type=mimetype)
        timeout = self._timeout(size, connect=connect_timeout, pool=pool_timeout,
                                read=read_timeout, write=write_timeout)
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # before ClientError: aiohttp's timeouts are both
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


class PollingRequest(AiohttpRequest):
    """The client for getUpdates (python-telegram-bot uses a separate one for it), which asks for
    more updates only once the bot has handled those it has: `until_handled` is the Application's
    `update_queue.join`. Updates wait at Telegram, not in the bot's memory: python-telegram-bot
    confirms what it fetched with the next poll and drops what is still queued when it stops, so a
    restart would lose messages the bot had fetched but not handled. And a busy bot fetches them in
    batches instead of one poll per update (bench/forms.py: ~1.1 updates per poll before)."""

    __slots__ = ("until_handled",)
    MAX_WAIT = 0.5  # seconds: others' messages wait at most this behind a slow update

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.until_handled: Callable[[], Awaitable[object]] | None = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if self.until_handled is not None:
            try:  # not forever: a slow update (a big upload) must not stop everyone else's
                await asyncio.wait_for(self.until_handled(), self.MAX_WAIT)
            except TimeoutError:
                pass
        return await super().do_request(url, method, request_data, *args, **kwargs)
