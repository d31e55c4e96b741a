"""The inbox: forged webhooks refused and not stored; one chat's updates in order across workers;
leases taken over; failures retried then parked with the admins told once; old rows pruned."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import func, select

from bot import clock
from bot.config import WebhookSettings
from bot.inbox import InboxWorker
from bot.services import inbox
from bot.telegram_intake import SECRET_HEADER, webhook_secret
from storage.models import InboxUpdate, OutboxMessage
from tests.conftest import Bot, add_admin, make_settings, texts_of, free_port

ADMIN = 1001


async def stored(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(InboxUpdate))


def text_update(update_id: int, user_id: int, text: str) -> dict:
    person = {"id": user_id, "is_bot": False, "first_name": "Kẻ giả mạo"}
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": 1767225600, "chat": {"id": user_id, "type": "private"}, "from": person, "text": text}}


@pytest.mark.parametrize("configured", ["", "a-secret-the-office-chose"])
async def test_the_telegram_webhook_refuses_forged_updates_and_handles_telegrams(seeded, sim, db_url, configured):
    await add_admin(seeded, ADMIN)
    port = free_port()
    settings = make_settings(db_url, sim).with_overrides(webhook=WebhookSettings(
        url=f"http://127.0.0.1:{port}", secret_token=configured, listen="127.0.0.1", port=port))
    harness = Bot(sim=sim, db=seeded, settings=settings, tracker=None)
    await harness.start()
    try:
        secret = webhook_secret(settings)
        assert secret == configured if configured else len(secret) == 64  # never empty when not configured
        url = f"http://127.0.0.1:{port}/telegram"
        forged = text_update(900001, ADMIN, "/members")  # an admin's id, without Telegram's secret
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {SECRET_HEADER: ""}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: secret[:-1]}):
                async with http.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403
            async with http.post(url, data=b"{not json", headers={SECRET_HEADER: secret}) as response:
                assert response.status == 400
        assert await stored(seeded) == 0
        await asyncio.sleep(0.3)
        assert sim.messages(ADMIN) == []  # nothing was handled

        # Telegram (the simulator, with the secret registered by setWebhook) gets through.
        answers = texts_of(await harness.say(ADMIN, "/whoami"))
        assert "Nguyễn Thị Lan" in answers[0]
        assert await stored(seeded) == 1
    finally:
        await harness.stop()


async def test_one_chats_updates_are_handled_in_order_while_others_go_side_by_side(db):
    now = clock.now()
    async with db.session() as session:
        await inbox.store(session, [inbox.Incoming("telegram", str(i), chat, {"n": i})
                                    for i, chat in enumerate(["A", "A", "B", "A", "C"], start=1)], now)
        # The same update again (Telegram sent it twice) is not stored twice.
        assert await inbox.store(session, [inbox.Incoming("telegram", "1", "A", {"n": 1})], now) == 0
    order: list[int] = []
    running: set[str] = set()
    overlap: list[tuple[str, str]] = []

    async def handle(payload: dict) -> None:
        chat = {1: "A", 2: "A", 3: "B", 4: "A", 5: "C"}[payload["n"]]
        assert chat not in running  # never two of one chat at once
        overlap.extend((chat, other) for other in running)
        running.add(chat)
        await asyncio.sleep(0.05)
        order.append(payload["n"])
        running.discard(chat)

    workers = [InboxWorker(db, {"telegram": handle}, f"host-{n}-abc", concurrency=2, poll_seconds=0.05)
               for n in (1, 2)]  # two processes on one database
    for w in workers:
        await w.start()
    try:
        for _ in range(200):
            if len(order) == 5:
                break
            await asyncio.sleep(0.02)
    finally:
        for w in workers:
            await w.stop()
    assert sorted(order) == [1, 2, 3, 4, 5]
    assert [n for n in order if n in (1, 2, 4)] == [1, 2, 4]  # chat A in arrival order
    assert overlap  # and other chats meanwhile
    async with db.session() as session:
        assert await inbox.counts(session) == {"handled": 5}


async def test_a_row_of_a_process_that_died_is_taken_over_after_its_lease(db):
    now = clock.now()
    async with db.session() as session:
        await inbox.store(session, [inbox.Incoming("zalo", "m1", "z1", {"n": 1})], now)
        [row] = await inbox.claim(session, "otherhost-4242-aaaaaa", now, 5, lease_seconds=30)
        assert row.status == "handling"
        # Another process finds nothing to take while the lease runs.
        assert await inbox.claim(session, "me-1-bbbbbb", now + timedelta(seconds=29), 5, lease_seconds=30) == []
        again = await inbox.claim(session, "me-1-bbbbbb", now + timedelta(seconds=31), 5, lease_seconds=30)
        assert [r.id for r in again] == [row.id] and again[0].attempts == 2
        # The first holder cannot mark it any more: it is not theirs.
        assert not await inbox.mark_handled(session, row.id, "otherhost-4242-aaaaaa", now)


async def test_a_failing_update_is_parked_the_admins_told_once_and_the_chat_goes_on(seeded):
    await add_admin(seeded, ADMIN)
    db = seeded
    now = clock.now()
    async with db.session() as session:
        await inbox.store(session, [inbox.Incoming("telegram", str(i), "A", {"n": i}) for i in (1, 2, 3)], now)
    seen: list[int] = []

    async def handle(payload: dict) -> None:
        seen.append(payload["n"])
        if payload["n"] in (1, 2):
            raise ValueError("lỗi trong mã")

    worker = InboxWorker(db, {"telegram": handle}, "host-7-cccccc", poll_seconds=0.05)
    await worker.start()
    try:
        for _ in range(200):
            if 3 in seen:
                break
            await asyncio.sleep(0.02)
    finally:
        await worker.stop()
    assert seen == [1, 2, 3]  # a bug is not retried; the chat's next update is not held up
    async with db.session() as session:
        rows = (await session.execute(select(InboxUpdate.update_key, InboxUpdate.status, InboxUpdate.error)
                                      .order_by(InboxUpdate.id))).all()
        notices = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "inbox_parked"))).all()
    assert [(k, s) for k, s, _ in rows] == [("1", "parked"), ("2", "parked"), ("3", "handled")]
    assert "lỗi trong mã" in rows[0][2]
    assert len(notices) == 1  # two parked within the hour: the admin is told once
    assert "không xử lý được" in notices[0].payload["text"] and notices[0].chat_id == ADMIN


async def test_a_transient_failure_is_tried_again_and_succeeds(db):
    async with db.session() as session:
        await inbox.store(session, [inbox.Incoming("telegram", "1", "A", {})], clock.now())
    tries = 0

    async def handle(payload: dict) -> None:
        nonlocal tries
        tries += 1
        if tries == 1:
            raise ConnectionError("the database went away")

    worker = InboxWorker(db, {"telegram": handle}, "host-8-dddddd", poll_seconds=0.05)
    import bot.inbox as module

    pauses, module.RETRY_PAUSE_SECONDS = module.RETRY_PAUSE_SECONDS, (0.1, 0.1, 0.1)
    await worker.start()
    try:
        for _ in range(200):
            async with db.session() as session:
                if (await inbox.counts(session)).get("handled"):
                    break
            await asyncio.sleep(0.02)
    finally:
        module.RETRY_PAUSE_SECONDS = pauses
        await worker.stop()
    assert tries == 2


async def test_a_process_takes_only_the_updates_of_channels_it_serves(db):
    async with db.session() as session:
        await inbox.store(session, [inbox.Incoming("telegram", "1", "A", {}), inbox.Incoming("zalo", "m1", "z", {})],
                          clock.now())
    handled: list[str] = []

    async def zalo(payload: dict) -> None:
        handled.append("zalo")

    worker = InboxWorker(db, {"zalo": zalo}, "host-9-ffffff", poll_seconds=0.05)  # a Zalo-only process
    await worker.start()
    try:
        for _ in range(100):
            if handled:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
    finally:
        await worker.stop()
    assert handled == ["zalo"]
    async with db.session() as session:
        assert await inbox.counts(session) == {"handled": 1, "pending": 1}  # Telegram's waits for its process


async def test_handled_rows_are_forgotten_after_the_retention_period(db):
    old = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.session() as session:
        await inbox.store(session, [inbox.Incoming("telegram", "1", "A", {}), inbox.Incoming("telegram", "2", "A", {})],
                          old)
        rows = await inbox.claim(session, "w-1-eeeeee", old, 1, lease_seconds=30)
        await inbox.mark_handled(session, rows[0].id, "w-1-eeeeee", old)
        assert await inbox.prune(session, old + timedelta(days=7)) == 1  # the handled one; pending stays
        assert await inbox.counts(session) == {"pending": 1}
