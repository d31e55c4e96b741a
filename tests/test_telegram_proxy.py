"""bot.proxy_url: where a server cannot reach api.telegram.org, the bot talks to Telegram through a
proxy — the Application (updates and sends), the outbox and the CLI's own Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot as TelegramBot

from bot import jobs
from bot.config import ConfigError, load_settings
from bot.delivery import telegram_requests
from bot.services import outbox
from tests.conftest import TOKEN, Bot, make_invite, make_settings, texts_of

HOP_BY_HOP = {"host", "connection", "proxy-connection", "keep-alive", "content-length", "transfer-encoding",
              "proxy-authorization"}


class ForwardingProxy:
    """A plain HTTP proxy: takes absolute-form requests (POST http://host/path) and forwards them."""

    def __init__(self) -> None:
        self.seen: list[str] = []  # the URLs that came through
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 2**20)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._http = aiohttp.ClientSession(auto_decompress=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        await self._http.close()
        await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        if not request.url.is_absolute() or request.url.port == self._runner.addresses[0][1]:
            return web.Response(status=400, text="not a proxy request")
        self.seen.append(str(request.url))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        async with self._http.request(request.method, request.url, headers=headers, data=await request.read()) as r:
            body = await r.read()
            kept = {k: v for k, v in r.headers.items() if k.lower() not in HOP_BY_HOP}
            return web.Response(status=r.status, body=body, headers=kept)

    def methods(self) -> set[str]:
        return {url.rsplit("/", 1)[-1] for url in self.seen}


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardingProxy]:
    server = ForwardingProxy()
    await server.start()
    yield server
    await server.stop()


async def test_through_the_proxy_the_bot_receives_answers_and_broadcasts(seeded, sim, db_url, proxy):
    settings = make_settings(db_url, sim).with_overrides(proxy_url=proxy.url)
    bot = Bot(sim=sim, db=seeded, settings=settings, tracker=None)
    await bot.start()
    try:
        code = await make_invite(seeded, "LB", "officer")
        assert "Chào mừng" in texts_of(await bot.say(7001, f"/start {code}"))[0]
        assert {"getMe", "getUpdates", "sendMessage"} <= proxy.methods()
        assert all(url.startswith(sim.base_url) for url in proxy.seen)

        # The outbox's bot shares the Application's connection pool, so its sends go through too.
        before = len(proxy.seen)
        async with seeded.session() as session:
            await outbox.enqueue(session, chat_id=7001, kind="notice", payload={"method": "sendMessage",
                                                                                 "text": "Thông báo qua proxy"})
        report = await jobs.tick(bot.app, seeded, settings, drain_only=True)
        assert report.outbox.sent == 1 and "Thông báo qua proxy" in texts_of(bot.new_messages(7001))
        assert any(url.endswith("/sendMessage") for url in proxy.seen[before:])
    finally:
        await bot.stop()


async def test_the_clis_own_bot_goes_through_the_proxy_too(sim, db_url, proxy):
    settings = make_settings(db_url, sim).with_overrides(proxy_url=proxy.url)
    async with TelegramBot(TOKEN, base_url=settings.api_base_url, **telegram_requests(settings)) as bot:
        assert bot.username
    assert proxy.seen == [f"{sim.base_url}{TOKEN}/getMe"]
    assert telegram_requests(make_settings(db_url, sim)) == {}  # no proxy: PTB's own defaults


def test_the_proxy_comes_from_config_or_the_environment_and_a_bad_one_is_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[bot]\nproxy_url = "socks5://127.0.0.1:1080"\n', encoding="utf-8")
    assert load_settings(path, env={}).proxy_url == "socks5://127.0.0.1:1080"
    env = {"THIDUA_TELEGRAM_PROXY": "http://user:mat-khau@proxy.so.vn:3128"}
    assert load_settings(path, env=env).proxy_url == "http://user:mat-khau@proxy.so.vn:3128"
    assert load_settings(None, env={"THIDUA_CONFIG": str(tmp_path / "missing.toml")}).proxy_url == ""
    for bad in ("127.0.0.1:1080", "ftp://proxy:21", "socks5://proxy"):
        with pytest.raises(ConfigError) as error:
            load_settings(path, env={"THIDUA_TELEGRAM_PROXY": bad})
        assert str(error.value).startswith("Cấu hình sai ở khóa 'bot.proxy_url': phải có dạng socks5://máy:cổng")


def test_a_socks5_proxy_has_what_it_needs_installed(sim, db_url):
    """python-telegram-bot[socks]: without socksio, httpx refuses a socks5:// proxy at once."""
    requests = telegram_requests(make_settings(db_url, sim).with_overrides(proxy_url="socks5://127.0.0.1:1080"))
    assert set(requests) == {"request", "get_updates_request"}
