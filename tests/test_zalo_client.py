"""The Zalo client against the Zalo simulator over HTTP: polling, long texts, photos, faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.zalo.client import ZaloBot, deliver
from tests.conftest import ZALO_TOKEN as TOKEN

USER = "zu_1001"
LAUNCH = "\n".join(f"Mục {i:02d}: các đơn vị tổ chức phát động, đăng ký thi đua và báo cáo kết quả." for i in range(40))


@pytest.fixture
async def client(zalo) -> AsyncIterator[ZaloBot]:
    zalo.add_user(USER, "Lê Thị Mai")
    async with ZaloBot(TOKEN, zalo.base_url) as bot:
        yield bot


async def test_polling_gets_one_update_and_none_when_the_poll_times_out(zalo, client):
    zalo.send_text(USER, "trợ giúp")
    update = await client.get_update(timeout=1)
    assert update["event_name"] == "message.text.received"
    assert (update["message"]["from"]["id"], update["message"]["text"]) == (USER, "trợ giúp")
    assert await client.get_update(timeout=1) is None


async def test_a_3000_character_launch_arrives_as_two_messages_split_on_line_boundaries(zalo, client):
    assert 2900 < len(LAUNCH) < 3400
    outcome = await deliver(client, USER, {"method": "sendMessage", "text": LAUNCH})
    assert outcome.kind == "sent"
    texts = [m["text"] for m in zalo.messages(USER)]
    assert len(texts) == 2 and all(len(t) <= 2000 for t in texts)
    assert "\n".join(texts) == LAUNCH


async def test_a_chart_goes_as_a_photo_link_and_a_document_as_a_download_link(zalo, client):
    url = zalo.host_image(b"\x89PNG\r\n\x1a\nchart", "bieu-do.png")
    assert (await deliver(client, USER, {"method": "sendPhoto", "file_id": 1, "caption": "Biểu đồ"},
                          file_url=url)).kind == "sent"
    photo = await zalo.wait_for(lambda m: m.get("method") == "sendPhoto", chat_id=USER)
    assert photo["fetched_bytes"] == b"\x89PNG\r\n\x1a\nchart" and photo["caption"] == "Biểu đồ"
    sent = await deliver(client, USER, {"method": "sendDocument", "file_id": 2, "caption": "Tổng hợp phong trào #1"},
                         file_url="http://127.0.0.1:9/files/abc/tong-hop.xlsx")
    assert sent.kind == "sent"
    assert zalo.messages(USER)[-1]["text"] == "Tổng hợp phong trào #1\n📎 Tải tệp: http://127.0.0.1:9/files/abc/tong-hop.xlsx"
    refused = await deliver(client, USER, {"method": "sendDocument", "file_id": 2})
    assert refused.kind == "permanent"


async def test_send_faults_are_classified_once(zalo, client):
    zalo.inject_faults("sendMessage", 500, 1)
    assert (await deliver(client, USER, {"method": "sendMessage", "text": "a"})).kind == "retry"
    zalo.inject_faults("sendMessage", 429, 1)
    assert (await deliver(client, USER, {"method": "sendMessage", "text": "a"})).kind == "retry"
    zalo.block_user(USER)
    blocked = await deliver(client, USER, {"method": "sendMessage", "text": "a"})
    assert (blocked.kind, blocked.unreachable) == ("permanent", True)
    assert (await deliver(client, "zu_nobody", {"method": "sendMessage", "text": "a"})).kind == "permanent"
    async with ZaloBot("wrong-token", zalo.base_url) as wrong:
        assert (await deliver(wrong, USER, {"method": "sendMessage", "text": "a"})).kind == "retry"
    async with ZaloBot(TOKEN, "http://127.0.0.1:9", timeout=2) as gone:  # nothing listens there
        assert (await deliver(gone, USER, {"method": "sendMessage", "text": "a"})).kind == "retry"
