"""The durable outbox: enqueue, claim before send, and a drain that survives Telegram's moods."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot import clock, jobs
from bot.config import ConfigError, OutboxSettings, load_settings
from bot.limits import RateLimiter, SlidingWindow
from bot.services import outbox
from devkit.simulator import BotApiSimulator
from storage.models import Campaign, Member, OutboxMessage, StoredFile
from tests.conftest import TOKEN, make_settings

WORKER = "test-worker"
FAST = OutboxSettings(rate_per_second=200, per_chat_per_second=5, concurrency=16)


def text(body: str, **extra) -> dict:
    return {"method": "sendMessage", "text": body, **extra}


@pytest.fixture
async def sender(sim: BotApiSimulator) -> AsyncIterator[Bot]:
    """A Bot without a rate limiter (as the outbox needs) and with a short read timeout."""
    request = HTTPXRequest(connection_pool_size=32, read_timeout=0.5)
    async with Bot(TOKEN, base_url=sim.base_url, base_file_url=sim.base_file_url, request=request) as bot:
        yield bot


async def add_member(db, chat_id: int, name: str = "Cán bộ") -> int:
    async with db.session() as session:
        member = Member(telegram_user_id=abs(chat_id), chat_id=chat_id, full_name=name, role="officer")
        session.add(member)
        await session.flush()
        return member.id


async def add_campaign(db) -> int:
    async with db.session() as session:
        campaign = Campaign(title="Phong trào thi đua chuyển đổi số")
        session.add(campaign)
        await session.flush()
        return campaign.id


async def rows(db) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def drain_until_done(bot, db, settings, *, rounds: int = 12) -> None:
    """Drain; while rows wait for a retry, move the clock past their next try and drain again."""
    for _ in range(rounds):
        report = await jobs.drain_outbox(bot, db, settings, worker_id=WORKER, read_timeout=0.3)
        if report.left == 0:
            return
        async with db.session() as session:
            due = await outbox.next_due_at(session)
        clock.set_now(max(clock.now(), due or clock.now()) + timedelta(seconds=1))
    raise AssertionError(f"outbox not drained: {[(r.chat_id, r.status, r.error) for r in await rows(db)]}")


# --- configuration ----------------------------------------------------------------------------


def test_outbox_settings_default_to_telegrams_limits_and_a_bad_value_names_its_key(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[outbox]\nlease_seconds = 30\n", encoding="utf-8")
    settings = load_settings(config, env={})
    assert settings.outbox == OutboxSettings(lease_seconds=30)
    assert (settings.outbox.rate_per_second, settings.outbox.per_chat_per_second, settings.outbox.group_per_minute) == (30, 1, 20)
    config.write_text("[outbox]\nrate_per_second = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(config, env={})
    assert error.value.key == "outbox.rate_per_second"
    config.write_text('[outbox]\nconcurrency = "nhiều"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="outbox.concurrency"):
        load_settings(config, env={})


# --- enqueue and claim ------------------------------------------------------------------------


async def test_enqueue_with_a_known_dedupe_key_adds_nothing(db):
    async with db.session() as session:
        first = await outbox.enqueue(session, chat_id=11, payload=text("Phát động"), kind="notice", dedupe_key="k1")
        again = await outbox.enqueue(session, chat_id=11, payload=text("Phát động"), kind="notice", dedupe_key="k1")
        plain = await outbox.enqueue(session, chat_id=11, payload=text("Không khóa"), kind="notice")
    assert first is not None and first.status == "pending" and first.attempts == 0
    assert again is None and plain is not None
    assert [r.dedupe_key for r in await rows(db)] == ["k1", None]


async def test_enqueue_many_adds_thousands_at_once_and_skips_known_keys(db):
    messages = [{"chat_id": 1000 + i, "payload": text(f"Tin {i}"), "dedupe_key": f"launch:{i}"} for i in range(3000)]
    started = time.monotonic()
    async with db.session() as session:
        assert await outbox.enqueue_many(session, messages, kind="campaign_launch") == 3000
    assert time.monotonic() - started < 5
    async with db.session() as session:
        again = messages[:10] + [{"chat_id": 9, "payload": text("Mới"), "dedupe_key": "other"}]
        assert await outbox.enqueue_many(session, again, kind="campaign_launch") == 1
        assert await outbox.unsent_count(session) == 3001


async def test_enqueue_rejects_a_payload_the_drain_cannot_send(db):
    async with db.session() as session:
        with pytest.raises(ValueError):
            await outbox.enqueue(session, chat_id=1, payload={"method": "sendSticker"}, kind="notice")
        with pytest.raises(ValueError):
            await outbox.enqueue(session, chat_id=1, payload={"method": "sendDocument"}, kind="notice")


async def test_a_claimed_row_is_not_claimed_again(db):
    async with db.session() as session:
        await outbox.enqueue(session, chat_id=21, payload=text("Một lần thôi"), kind="notice")
    now = clock.now()
    async with db.session() as session:
        won = await outbox.claim_due(session, "worker-a", now, 10)
    async with db.session() as session:
        lost = await outbox.claim_due(session, "worker-b", now + timedelta(seconds=5), 10)
    assert [(r.status, r.claimed_by, r.attempts) for r in won] == [("sending", "worker-a", 1)]
    assert lost == []


async def test_a_claim_takes_at_most_the_batch_size_in_due_order(db):
    async with db.session() as session:
        await outbox.enqueue_many(session, [{"chat_id": c, "payload": text("Tin")} for c in range(1, 51)], kind="n")
    async with db.session() as session:
        first = await outbox.claim_due(session, "a", clock.now(), 16)
        second = await outbox.claim_due(session, "b", clock.now(), 16)
    assert [r.chat_id for r in first] == list(range(1, 17))
    assert [r.chat_id for r in second] == list(range(17, 33))


async def test_a_row_not_yet_due_is_not_claimed(db):
    later = clock.now() + timedelta(hours=1)
    async with db.session() as session:
        await outbox.enqueue(session, chat_id=22, payload=text("Để sau"), kind="notice", not_before=later)
    async with db.session() as session:
        assert await outbox.claim_due(session, "w", clock.now(), 10) == []
        assert len(await outbox.claim_due(session, "w", later, 10)) == 1


async def test_a_row_left_sending_past_the_lease_is_reclaimed(db):
    async with db.session() as session:
        await outbox.enqueue(session, chat_id=23, payload=text("Bị treo"), kind="notice")
    start = clock.now()
    async with db.session() as session:
        assert len(await outbox.claim_due(session, "crashed", start, 10, lease_seconds=120)) == 1
    async with db.session() as session:  # still within the lease: nobody takes it
        assert await outbox.claim_due(session, "other", start + timedelta(seconds=119), 10, lease_seconds=120) == []
    async with db.session() as session:
        taken = await outbox.claim_due(session, "other", start + timedelta(seconds=121), 10, lease_seconds=120)
    assert [(r.claimed_by, r.attempts) for r in taken] == [("other", 2)]


# --- the drain through the simulator ----------------------------------------------------------


async def test_every_reachable_member_gets_each_message_once_despite_faults(db, sim, sender, db_url):
    chats = list(range(5001, 5021))
    blocked = chats[:3]
    for chat in chats:
        sim.add_user(chat, f"Cán bộ {chat}")
        await add_member(db, chat)
    for chat in blocked:
        sim.block_user(chat)
    campaign = await add_campaign(db)
    async with db.session() as session:
        for n in (1, 2):
            await outbox.enqueue_many(
                session,
                [{"chat_id": c, "payload": text(f"Thông báo số {n}"), "dedupe_key": f"{n}:{c}"} for c in chats],
                kind="campaign_launch", campaign_id=campaign,
            )
    sim.timeout_delay = 1.0
    sim.inject_faults("429", 2)
    sim.inject_faults("500", 2, chat_id=chats[5])
    sim.inject_faults("502", 1, chat_id=chats[6])
    sim.inject_faults("timeout", 2, chat_id=chats[7])

    await drain_until_done(sender, db, make_settings(db_url, sim).with_overrides(outbox=FAST))

    for chat in chats[3:]:
        assert [m["text"] for m in sim.messages(chat)] in (
            ["Thông báo số 1", "Thông báo số 2"], ["Thông báo số 2", "Thông báo số 1"]
        ), chat
    for chat in blocked:
        assert sim.messages(chat) == []
    async with db.session() as session:
        assert await outbox.counts_for_campaign(session, campaign) == {"pending": 0, "sending": 0, "sent": 34, "failed": 6, "superseded": 0}
        failed = await outbox.failed_chats_for_campaign(session, campaign)
        unreachable = set((await session.scalars(select(Member.chat_id).where(Member.reachable.is_(False)))).all())
    assert sorted({f.chat_id for f in failed}) == blocked
    assert all("blocked" in f.error for f in failed)
    assert unreachable == set(blocked)
    assert sim.stats["faults_triggered"] == 7


async def test_a_429_is_waited_out_for_its_retry_after(db, sim, sender, db_url):
    sim.add_user(31, "Lan")
    async with db.session() as session:
        await outbox.enqueue(session, chat_id=31, payload=text("Chờ một chút"), kind="notice")
    settings = make_settings(db_url, sim).with_overrides(outbox=FAST)
    start = clock.now()
    clock.set_now(start)
    sim.inject_faults("429", 1, chat_id=31)

    first = await jobs.drain_outbox(sender, db, settings, worker_id=WORKER)
    [row] = await rows(db)
    assert (first.retried, row.status, row.attempts) == (1, "pending", 0)  # a 429 is not a try
    assert row.next_attempt_at == start + timedelta(seconds=1) and "429" in row.error
    assert (await jobs.drain_outbox(sender, db, settings, worker_id=WORKER)).sent == 0
    assert sim.messages(31) == []

    clock.set_now(start + timedelta(seconds=1))
    assert (await jobs.drain_outbox(sender, db, settings, worker_id=WORKER)).sent == 1
    assert [m["text"] for m in sim.messages(31)] == ["Chờ một chút"]


async def test_retries_stop_after_max_attempts(db, sim, sender, db_url):
    sim.add_user(32, "Hùng")
    member = await add_member(db, 32)
    async with db.session() as session:
        await outbox.enqueue(session, chat_id=32, payload=text("Không tới"), kind="notice", member_id=member)
    sim.inject_faults("500", 10, chat_id=32)
    settings = make_settings(db_url, sim).with_overrides(outbox=OutboxSettings(max_attempts=3))
    await drain_until_done(sender, db, settings)
    [row] = await rows(db)
    assert (row.status, row.attempts) == ("failed", 3) and "Internal Server Error" in row.error
    async with db.session() as session:
        assert (await session.get(Member, member)).reachable  # a server error says nothing about the person


async def test_it_marks_members_of_a_chat_not_found_unreachable(db, sim, sender, db_url):
    member = await add_member(db, 33)  # the simulator knows no chat 33
    async with db.session() as session:
        await outbox.enqueue(session, chat_id=33, payload=text("Ai đó?"), kind="notice")
    report = await jobs.drain_outbox(sender, db, make_settings(db_url, sim), worker_id=WORKER)
    [row] = await rows(db)
    assert (report.failed, row.status, row.attempts) == (1, "failed", 1) and "chat not found" in row.error.lower()
    async with db.session() as session:
        assert not (await session.get(Member, member)).reachable


async def test_a_bad_payload_fails_the_row_but_not_the_member(db, sim, sender, db_url):
    sim.add_user(34, "Mai")
    member = await add_member(db, 34)
    async with db.session() as session:
        await outbox.enqueue(session, chat_id=34, payload=text("<b>thiếu thẻ đóng", parse_mode="HTML"), kind="notice")
    await jobs.drain_outbox(sender, db, make_settings(db_url, sim), worker_id=WORKER)
    [row] = await rows(db)
    assert row.status == "failed" and "can't parse entities" in row.error.lower()
    async with db.session() as session:
        assert (await session.get(Member, member)).reachable


async def test_it_follows_a_group_migrated_to_a_supergroup(db, sim, sender, db_url):
    old, new = -4001, -1001234567890
    sim.add_group(old, "Nhóm thi đua Xã Cẩm Mỹ")
    sim.migrate_group(old, new)
    member = await add_member(db, old)
    async with db.session() as session:
        for n in (1, 2):
            await outbox.enqueue(session, chat_id=old, payload=text(f"Tin nhóm {n}"), kind="notice")
    await drain_until_done(sender, db, make_settings(db_url, sim).with_overrides(outbox=FAST))
    assert sorted(m["text"] for m in sim.messages(new)) == ["Tin nhóm 1", "Tin nhóm 2"]
    assert [(r.chat_id, r.status) for r in await rows(db)] == [(new, "sent"), (new, "sent")]
    async with db.session() as session:
        assert (await session.get(Member, member)).chat_id == new


async def test_a_document_is_uploaded_once_then_sent_by_file_id(db, sim, sender, db_url):
    chats = [6001, 6002, 6003, 6004, 6005]
    for chat in chats:
        sim.add_user(chat, f"Cán bộ {chat}")
    content = "Kế hoạch số 108/KH-UBND".encode() * 100
    async with db.session() as session:
        stored = StoredFile(filename="KH-108.pdf", mime_type="application/pdf", size=len(content),
                            sha256="0" * 64, content=content)
        session.add(stored)
        await session.flush()
        file_id = stored.id
        await outbox.enqueue_many(
            session,
            [{"chat_id": c, "payload": {"method": "sendDocument", "file_id": file_id, "caption": "Kế hoạch"}}
             for c in chats],
            kind="campaign_document",
        )
    await jobs.drain_outbox(sender, db, make_settings(db_url, sim).with_overrides(outbox=FAST), worker_id=WORKER)

    documents = [sim.messages(chat)[0]["document"] for chat in chats]
    assert len({d["file_id"] for d in documents}) == 1  # every upload would get a new file_id
    assert documents[0]["file_name"] == "KH-108.pdf" and sim.file_content(documents[0]["file_id"]) == content
    async with db.session() as session:
        assert (await session.get(StoredFile, file_id)).telegram_file_id == documents[0]["file_id"]

    async with db.session() as session:  # a later broadcast sends it by file_id, no upload
        await outbox.enqueue(session, chat_id=chats[0], payload={"method": "sendDocument", "file_id": file_id},
                             kind="campaign_document")
    await jobs.drain_outbox(sender, db, make_settings(db_url, sim), worker_id=WORKER)
    assert sim.messages(chats[0])[1]["document"]["file_id"] == documents[0]["file_id"]


async def test_a_burst_of_100_gets_no_429_from_our_own_pacing(db, db_url):
    async with BotApiSimulator(global_rate=30, per_chat_rate=1) as strict:
        chats = list(range(7001, 7099))
        for chat in chats:
            strict.add_user(chat, f"Cán bộ {chat}")
        async with db.session() as session:
            await outbox.enqueue_many(
                session,
                [{"chat_id": c, "payload": text("Nhanh mà không vượt giới hạn")} for c in chats]
                + [{"chat_id": chats[0], "payload": text(f"Thêm {n}")} for n in range(2)],
                kind="notice",
            )
        async with Bot(TOKEN, base_url=strict.base_url, base_file_url=strict.base_file_url,
                       request=HTTPXRequest(connection_pool_size=32)) as bot:
            report = await jobs.drain_outbox(bot, db, make_settings(db_url, strict), worker_id=WORKER,
                                             budget_seconds=30)
        assert (report.sent, report.left) == (100, 0)
        assert strict.stats["rate_limited"] == 0
        assert len(strict.messages(chats[0])) == 3


# --- the limiter on its own -----------------------------------------------------------------


async def test_the_limiter_never_starts_more_than_n_in_any_second():
    limiter = RateLimiter(per_second=40, per_chat_per_second=100, margin=0)
    starts = []
    for n in range(50):
        await limiter.acquire(n)
        starts.append(time.monotonic())
    assert all(later - earlier >= 1.0 for earlier, later in zip(starts, starts[40:], strict=False))


async def test_a_group_over_its_minute_limit_is_deferred_not_waited_for():
    limiter = RateLimiter(per_second=30, per_chat_per_second=100, group_per_minute=2)
    assert await limiter.acquire(-77) and await limiter.acquire(-77)
    assert not await limiter.acquire(-77, max_chat_wait=2)
    assert 58 < limiter.chat_wait(-77) <= 60.1
    assert await limiter.acquire(77, max_chat_wait=2)  # other chats are not held up


async def test_a_late_answer_counts_the_request_from_when_it_probably_reached_telegram():
    now = [0.0]
    limiter = RateLimiter(per_second=1, per_chat_per_second=100, margin=0, clock=lambda: now[0])
    first = await limiter.acquire(1)
    now[0] = 0.05
    limiter.release(first)  # the fastest round trip: 50 ms
    now[0] = 1.0
    second = await limiter.acquire(2)
    now[0] = 1.4
    limiter.release(second)  # 400 ms: it probably reached the server 350 ms after it started
    now[0] = 2.0
    assert limiter.wait(3) == pytest.approx(0.35)


def test_a_sliding_window_counts_starts_in_the_last_span():
    window = SlidingWindow(2, 1.0)
    window.record(0.0)
    window.record(0.5)
    assert window.wait(0.9) == pytest.approx(0.1)
    assert window.wait(1.0) == 0


# --- the running bot ------------------------------------------------------------------------


async def test_the_running_bot_drains_the_outbox_when_kicked(bot):
    bot.sim.add_user(8001, "Tuấn")
    async with bot.db.session() as session:
        await outbox.enqueue(session, chat_id=8001, payload=text("Có phong trào mới"), kind="notice")
    await jobs.kick(bot.app)
    message = await bot.sim.wait_for(lambda m: m["text"] == "Có phong trào mới", chat_id=8001, timeout=5)
    deadline = time.monotonic() + 5
    while (row := (await rows(bot.db))[0]).status != "sent" and time.monotonic() < deadline:
        await asyncio.sleep(0.02)  # polling the database for the outcome, with a deadline
    assert row.status == "sent" and row.telegram_message_id == message["message_id"]
    assert row.claimed_by == bot.app.bot_data["worker_id"]
