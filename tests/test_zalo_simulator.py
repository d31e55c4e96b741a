"""Tests for the Zalo bot API simulator, driven over real HTTP as a bot would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import ClientSession, ClientTimeout, web

from devkit.simulator import ZaloApiSimulator
from tests.conftest import ZALO_TOKEN as TOKEN

Sim, Http = ZaloApiSimulator, ClientSession

USER = "e4ea2cd5189df1c3a88c"
SECRET = "s3cret-token"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x08"


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession(timeout=ClientTimeout(total=10)) as session:
        yield session


async def call(
    http: ClientSession, zalo: ZaloApiSimulator, method: str, body: Any = None, token: str = TOKEN
) -> tuple[int, dict[str, Any]]:
    """POST a bot API call the way the bot's client will; return (HTTP status, JSON)."""
    async with http.post(f"{zalo.base_url}/bot{token}/{method}", json=body or {}) as response:
        return response.status, await response.json()


@asynccontextmanager
async def receiver(status: int = 200) -> AsyncIterator[tuple[str, asyncio.Queue]]:
    """A webhook endpoint on loopback answering ``status``; yields (url, queue of (headers, body))."""
    received: asyncio.Queue[tuple[dict[str, str], dict[str, Any]]] = asyncio.Queue()

    async def hook(request: web.Request) -> web.Response:
        await received.put((dict(request.headers), await request.json()))
        return web.Response(status=status, text="ok")

    app = web.Application()
    app.router.add_post("/zalo/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/zalo/hook", received
    finally:
        await runner.cleanup()


# --------------------------------------------------------------------------- #
# Identity and the request envelope
# --------------------------------------------------------------------------- #


async def test_get_me_returns_the_bot_with_a_string_id(zalo: Sim, http: Http) -> None:
    status, body = await call(http, zalo, "getMe")
    assert status == 200 and body["ok"] is True
    me = body["result"]
    assert me["id"] == "777000000000000001" and isinstance(me["id"], str)
    assert me["account_name"] == "bot.thidua_demo" and me["display_name"] == "Thi đua bot"


async def test_wrong_token_is_answered_401(zalo: Sim, http: Http) -> None:
    status, body = await call(http, zalo, "getMe", token="1:wrong")
    assert status == 401
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_404_and_malformed_json_is_400(zalo: Sim, http: Http) -> None:
    status, body = await call(http, zalo, "editMessageText", {"chat_id": USER})
    assert (status, body["ok"], body["error_code"]) == (404, False, 404)
    # Method names are exact: a mis-cased name must not silently work.
    assert (await call(http, zalo, "getme"))[0] == 404

    url = f"{zalo.base_url}/bot{TOKEN}/sendMessage"
    async with http.post(url, data=b'{"chat_id": ', headers={"Content-Type": "application/json"}) as response:
        body = await response.json()
    assert response.status == 400
    assert body["ok"] is False and body["error_code"] == 400 and "JSON" in body["description"]


async def test_errors_can_ride_http_200_so_clients_must_read_ok(http: Http) -> None:
    async with ZaloApiSimulator(token=TOKEN, http_status_mirrors_error=False) as zalo:
        status, body = await call(http, zalo, "getMe", token="1:wrong")
    assert status == 200
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}


# --------------------------------------------------------------------------- #
# getUpdates
# --------------------------------------------------------------------------- #


async def test_get_updates_returns_one_update_per_call_in_order(zalo: Sim, http: Http) -> None:
    zalo.add_user(USER, "Nguyễn Văn A")
    first = zalo.send_text(USER, "Xin chào")
    photo = zalo.send_photo(USER, "http://127.0.0.1:1/anh.png", caption="ảnh minh chứng")
    sticker = zalo.send_sticker(USER)
    unsupported = zalo.send_unsupported(USER)

    updates = [(await call(http, zalo, "getUpdates", {"timeout": "1"}))[1]["result"] for _ in range(4)]

    assert [u["message"]["message_id"] for u in updates] == [first, photo, sticker, unsupported]
    assert [u["event_name"] for u in updates] == [
        "message.text.received",
        "message.image.received",
        "message.sticker.received",
        "message.unsupported.received",
    ]
    text = updates[0]["message"]
    assert text["text"] == "Xin chào"
    assert text["chat"] == {"id": USER, "chat_type": "PRIVATE"}
    assert text["from"] == {"id": USER, "display_name": "Nguyễn Văn A", "is_bot": False}
    assert isinstance(text["date"], int) and text["date"] > 1_700_000_000_000  # milliseconds
    assert updates[1]["message"]["photo_url"] == "http://127.0.0.1:1/anh.png"
    assert updates[1]["message"]["caption"] == "ảnh minh chứng"
    assert updates[2]["message"]["sticker"]
    assert zalo.pending_updates() == []


async def test_group_messages_carry_the_group_chat(zalo: Sim, http: Http) -> None:
    zalo.send_text(USER, "báo cáo tổ", chat_id="group_to_1")
    update = (await call(http, zalo, "getUpdates", {"timeout": "1"}))[1]["result"]
    assert update["message"]["chat"] == {"id": "group_to_1", "chat_type": "GROUP"}
    assert update["message"]["from"]["id"] == USER
    # The bot may now answer in the group.
    status, _ = await call(http, zalo, "sendMessage", {"chat_id": "group_to_1", "text": "Đã nhận"})
    assert status == 200 and zalo.messages("group_to_1")[0]["text"] == "Đã nhận"


async def test_get_updates_answers_408_request_timeout_when_nothing_arrives(zalo: Sim, http: Http) -> None:
    started = time.monotonic()
    status, body = await call(http, zalo, "getUpdates", {"timeout": "1"})
    assert time.monotonic() - started >= 0.9  # it really long-polled
    assert status == 408
    assert body == {"ok": False, "error_code": 408, "description": "Request timeout"}


async def test_long_poll_returns_as_soon_as_a_message_is_sent(zalo: Sim, http: Http) -> None:
    poll = asyncio.create_task(call(http, zalo, "getUpdates", {"timeout": "30"}))
    await zalo.wait_polling(timeout=2)
    message_id = zalo.send_text(USER, "đang chờ")
    status, body = await asyncio.wait_for(poll, 2)  # far below the 30 s poll timeout
    assert status == 200 and body["result"]["message"]["message_id"] == message_id
    await zalo.wait_until_fetched(message_id, timeout=1)


# --------------------------------------------------------------------------- #
# Sending
# --------------------------------------------------------------------------- #


async def test_send_message_accepts_1_to_2000_chars_and_rejects_others_with_400(zalo: Sim, http: Http) -> None:
    zalo.add_user(USER, "A")
    status, accepted = await call(http, zalo, "sendMessage", {"chat_id": USER, "text": "x" * 2000})
    assert status == 200 and isinstance(accepted["result"]["message_id"], str)
    assert isinstance(accepted["result"]["date"], int)

    for text in ("x" * 2001, ""):
        status, body = await call(http, zalo, "sendMessage", {"chat_id": USER, "text": text})
        assert status == 400
        assert body["ok"] is False and body["error_code"] == 400 and body["description"]
    [sent] = zalo.messages(USER)
    assert sent["method"] == "sendMessage" and len(sent["text"]) == 2000
    assert sent["message_id"] == accepted["result"]["message_id"]


async def test_send_to_unknown_chat_or_with_numeric_chat_id_is_rejected(zalo: Sim, http: Http) -> None:
    zalo.add_user("123", "A")
    assert (await call(http, zalo, "sendMessage", {"chat_id": "nobody", "text": "x"}))[0] == 400
    # Zalo ids are strings; a client sending numbers has a bug.
    assert (await call(http, zalo, "sendMessage", {"chat_id": 123, "text": "x"}))[0] == 400
    assert zalo.all_sent() == []


async def test_send_photo_fetches_the_url_and_records_the_bytes(zalo: Sim, http: Http) -> None:
    zalo.add_user(USER, "A")
    url = zalo.host_image(PNG, "bieu_do.png")
    status, body = await call(http, zalo, "sendPhoto", {"chat_id": USER, "photo": url, "caption": "Biểu đồ"})
    assert status == 200 and body["ok"] is True

    [photo] = zalo.messages(USER)
    assert photo["method"] == "sendPhoto" and photo["photo"] == url and photo["caption"] == "Biểu đồ"
    assert photo["fetched_status"] == 200 and photo["fetched_bytes"] == PNG
    assert photo["fetched_content_type"] == "image/png"
    assert photo["message_id"] == body["result"]["message_id"]


async def test_send_photo_that_cannot_be_fetched_is_400_and_the_fetch_is_recorded(zalo: Sim, http: Http) -> None:
    zalo.add_user(USER, "A")
    missing = f"{zalo.base_url}/files/0000/expired.png"
    status, body = await call(http, zalo, "sendPhoto", {"chat_id": USER, "photo": missing})
    assert status == 400 and "404" in body["description"]
    assert [f["status"] for f in zalo.photo_fetches()] == [404]

    status, _ = await call(http, zalo, "sendPhoto", {"chat_id": USER, "photo": "file:///etc/passwd"})
    assert status == 400
    assert zalo.messages(USER) == []


async def test_sticker_and_chat_action(zalo: Sim, http: Http) -> None:
    zalo.add_user(USER, "A")
    status, _ = await call(http, zalo, "sendSticker", {"chat_id": USER, "sticker": "0e078a2fb66a5f34067b"})
    assert status == 200 and zalo.messages(USER)[0]["sticker"] == "0e078a2fb66a5f34067b"

    status, body = await call(http, zalo, "sendChatAction", {"chat_id": USER, "action": "typing"})
    assert (status, body) == (200, {"ok": True})
    assert (await call(http, zalo, "sendChatAction", {"chat_id": USER, "action": "record_voice"}))[0] == 400
    assert [a["action"] for a in zalo.chat_actions] == ["typing"]


async def test_blocked_user_gets_403_user_has_blocked_the_bot(zalo: Sim, http: Http) -> None:
    zalo.add_user(USER, "A")
    zalo.block_user(USER)
    status, body = await call(http, zalo, "sendMessage", {"chat_id": USER, "text": "nhắc nhở"})
    assert status == 403
    assert body == {"ok": False, "error_code": 403, "description": "User has blocked the bot"}
    assert zalo.messages(USER) == []

    # Writing to the bot again means following it again.
    zalo.send_text(USER, "chào lại")
    assert (await call(http, zalo, "sendMessage", {"chat_id": USER, "text": "chào mừng"}))[0] == 200


async def test_rate_limit_answers_429_too_many_requests(http: Http) -> None:
    async with ZaloApiSimulator(token=TOKEN, global_rate=3) as zalo:
        zalo.add_user(USER, "A")
        answers = [await call(http, zalo, "sendMessage", {"chat_id": USER, "text": f"m{i}"}) for i in range(4)]
        # Reads don't count against the send limit.
        assert (await call(http, zalo, "getMe"))[0] == 200
    assert [status for status, _ in answers] == [200, 200, 200, 429]
    assert answers[-1][1] == {"ok": False, "error_code": 429, "description": "Too Many Requests"}
    assert len(zalo.messages(USER)) == 3 and zalo.stats["rate_limited"] == 1


async def test_injected_faults_fail_the_next_calls_then_clear(zalo: Sim, http: Http) -> None:
    zalo.add_user(USER, "A")
    zalo.inject_faults("sendMessage", 502, count=2)
    url = f"{zalo.base_url}/bot{TOKEN}/sendMessage"
    for _ in range(2):
        async with http.post(url, json={"chat_id": USER, "text": "x"}) as response:
            assert response.status == 502
            assert "json" not in response.content_type  # a proxy error page, not an API answer
    assert (await call(http, zalo, "sendMessage", {"chat_id": USER, "text": "x"}))[0] == 200

    zalo.inject_faults(None, 403)  # None = any send method
    assert (await call(http, zalo, "getMe"))[0] == 200  # reads are not targeted
    status, body = await call(http, zalo, "sendSticker", {"chat_id": USER, "sticker": "s"})
    assert status == 403 and body["description"] == "User has blocked the bot"
    assert len(zalo.messages(USER)) == 1 and zalo.stats["faults_triggered"] == 3
    with pytest.raises(ValueError):
        zalo.inject_faults("sendDocument", 500)


async def test_wait_for_resolves_on_a_later_send_and_times_out_listing_what_was_sent(zalo: Sim, http: Http) -> None:
    zalo.add_user(USER, "A")
    waiter = asyncio.create_task(zalo.wait_for(lambda m: m["text"] == "thứ hai", chat_id=USER, timeout=3))
    await call(http, zalo, "sendMessage", {"chat_id": USER, "text": "thứ nhất"})
    await call(http, zalo, "sendMessage", {"chat_id": USER, "text": "thứ hai"})
    assert (await waiter)["text"] == "thứ hai"
    with pytest.raises(TimeoutError, match="thứ nhất"):
        await zalo.wait_for(lambda m: m["text"] == "không bao giờ", chat_id=USER, timeout=0.1)


# --------------------------------------------------------------------------- #
# Webhook
# --------------------------------------------------------------------------- #


async def test_webhook_posts_each_update_with_the_secret_header(zalo: Sim, http: Http) -> None:
    async with receiver(200) as (url, received):
        status, body = await call(http, zalo, "setWebhook", {"url": url, "secret_token": SECRET})
        assert status == 200 and body["result"]["url"] == url and isinstance(body["result"]["updated_at"], int)
        assert (await call(http, zalo, "getWebhookInfo"))[1]["result"]["url"] == url

        message_id = zalo.send_text(USER, "qua webhook")
        headers, posted = await asyncio.wait_for(received.get(), 3)
        assert headers["X-Bot-Api-Secret-Token"] == SECRET
        assert posted["ok"] is True
        assert posted["result"]["event_name"] == "message.text.received"
        assert posted["result"]["message"]["message_id"] == message_id
        await zalo.wait_until_fetched(message_id, timeout=1)
        assert [(d["message_id"], d["status"]) for d in zalo.webhook_deliveries()] == [(message_id, 200)]

        status, body = await call(http, zalo, "getUpdates", {"timeout": "1"})
        assert status == 409 and body["ok"] is False

        status, body = await call(http, zalo, "deleteWebhook")
        assert status == 200 and body["result"]["url"] == ""
    zalo.send_text(USER, "lại polling")
    status, body = await call(http, zalo, "getUpdates", {"timeout": "1"})
    assert status == 200 and body["result"]["message"]["text"] == "lại polling"


async def test_webhook_receiver_answering_403_is_recorded(zalo: Sim, http: Http) -> None:
    async with receiver(403) as (url, _):
        await call(http, zalo, "setWebhook", {"url": url, "secret_token": SECRET})
        message_id = zalo.send_text(USER, "sai bí mật")
        delivery = await zalo.wait_for_webhook(lambda d: d["message_id"] == message_id, timeout=3)
        assert delivery["status"] == 403 and delivery["attempt"] == 1
        with pytest.raises(TimeoutError):
            await zalo.wait_until_fetched(message_id, timeout=0.2)


async def test_set_webhook_requires_an_8_to_256_char_secret_and_an_http_url(zalo: Sim, http: Http) -> None:
    for secret in ("short", "x" * 257, None):
        body_in = {"url": "https://example.test/hook", "secret_token": secret}
        status, body = await call(http, zalo, "setWebhook", body_in)
        assert status == 400 and body["ok"] is False
    status, _ = await call(http, zalo, "setWebhook", {"url": "not a url", "secret_token": SECRET})
    assert status == 400
    assert (await call(http, zalo, "getWebhookInfo"))[1]["result"]["url"] == ""


async def test_setting_a_webhook_ends_a_parked_long_poll_with_the_conflict(zalo: Sim, http: Http) -> None:
    poll = asyncio.create_task(call(http, zalo, "getUpdates", {"timeout": "30"}))
    await zalo.wait_polling(timeout=2)
    await call(http, zalo, "setWebhook", {"url": "http://127.0.0.1:1/hook", "secret_token": SECRET})
    status, body = await asyncio.wait_for(poll, 2)
    assert status == 409 and body["error_code"] == 409
