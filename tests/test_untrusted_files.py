"""Files people send are untrusted: sizes are checked before download, a plan document is read
with caps in a process of its own, and a hostile one gets a Vietnamese answer while the draft stays
and other people's replies keep flowing."""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import socket
import time
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bench.untrusted_files import inflating_docx, pdf_of_pages, slow_pdf
from bot.config import ConfigError, FileSettings, load_settings
from bot.services import untrusted_files
from bot.services.plan_reader import PlanReadError, read_plan_bytes
from storage.models import StoredFile
from tests.conftest import Bot, add_admin, make_invite, make_settings, texts_of
from tests.test_config import ROOT, run_cli, write
from tests.test_nominations import (  # noqa: F401 - fixtures, used by name
    ADMIN, LB1, SUMMARY, draft_answers, launched, people, photo,
)
from tests.test_plan_reader import EXPECTED_MINI, _make_docx, _mini_lines, make_text_pdf
from tests.test_reports import launch as launch_to
from tests.test_zalo_channel import ZaloHarness, zalo_settings

PLANS = ROOT / "tests" / "fixtures" / "plans"
# Small enough caps that a test meets them quickly: 3 s to read, 1 MB to download.
LIMITS = FileSettings(parse_seconds=3, max_mb=1)


@pytest.fixture
async def bot(seeded, sim, db_url) -> AsyncIterator[Bot]:
    """The real bot at the production concurrency (2 people's updates at once), with LIMITS."""
    harness = Bot(sim=sim, db=seeded, settings=make_settings(db_url, sim).with_overrides(files=LIMITS),
                  tracker=None)  # bot.concurrent_updates: 2 by default
    await harness.start()
    yield harness
    await harness.stop()


async def stored_files(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count(StoredFile.id)))


def readers() -> list[int]:
    """Reading processes this process started that are still there (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and untrusted_files.CHILD_MODULE.encode() in cmdline:
            found.append(int(stat.parent.name))
    return found


def many_elements_docx(unpacked_mb: float) -> bytes:
    """A .docx of distinct paragraphs: packs only ~2:1, so only the memory cap is met."""
    paras = []
    size = 0
    while size < unpacked_mb * 2**20:
        para = f"<w:p><w:r><w:t>{secrets.token_hex(24)}</w:t></w:r></w:p>"
        paras.append(para)
        size += len(para)
    plain = zipfile.ZipFile(io.BytesIO(inflating_docx(0)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in plain.infolist():
            data = plain.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + "".join(paras).encode())
            z.writestr(item.filename, data)
    return out.getvalue()


# --- the guard, without the bot ------------------------------------------------------------------


async def test_normal_documents_read_through_the_guard_exactly_as_before(tmp_path):
    docx_path = tmp_path / "ke-hoach.docx"
    _make_docx(docx_path)
    files = [(p.name, p.read_bytes()) for p in sorted(PLANS.glob("*.txt"))]
    files += [("ke-hoach.docx", docx_path.read_bytes()), ("ke-hoach.pdf", make_text_pdf(_mini_lines()))]
    for name, data in files:
        assert await untrusted_files.read_plan(name, data, FileSettings()) == read_plan_bytes(name, data).to_json_dict()
    assert await untrusted_files.read_plan("ke-hoach.docx", docx_path.read_bytes(), FileSettings()) == EXPECTED_MINI


async def test_a_docx_that_inflates_past_the_cap_is_refused_from_its_zip_directory_at_once():
    start = time.monotonic()
    with pytest.raises(PlanReadError) as refused:
        await untrusted_files.read_plan("ke-hoach.docx", inflating_docx(50), FileSettings())
    assert time.monotonic() - start < 3  # python-docx alone takes about 30 s over this file
    assert "Tệp .docx quá lớn sau khi giải nén (50 MB, bot đọc tối đa 30 MB)" in str(refused.value)
    assert "gửi bản PDF" in str(refused.value)


def test_a_docx_packed_too_tightly_or_of_too_many_parts_is_refused_before_it_is_opened():
    with pytest.raises(PlanReadError, match="nén bất thường: phần “word/document.xml” giải nén ra gấp"):
        untrusted_files.check_docx(inflating_docx(5), FileSettings())  # 5 MB, within the total
    with pytest.raises(PlanReadError, match="Tệp .docx có 2.103 phần bên trong, nhiều hơn 2.000 phần"):
        untrusted_files.check_docx(inflating_docx(0.01, members=2100), FileSettings())
    # Within every cap: nothing to say (and python-docx reads it).
    untrusted_files.check_docx(inflating_docx(5), FileSettings(docx_max_ratio=10_000))


async def test_a_pdf_of_too_many_pages_is_refused_before_its_pages_are_read():
    many = pdf_of_pages(b"BT /F1 10 Tf 40 800 Td (KE HOACH) Tj ET", pages=301)
    with pytest.raises(PlanReadError, match="Tệp PDF có 301 trang, nhiều hơn 300 trang bot đọc được"):
        await untrusted_files.read_plan("ke-hoach.pdf", many, FileSettings())


async def test_a_slow_pdf_is_stopped_at_the_time_cap_and_its_process_killed():
    start = time.monotonic()
    with pytest.raises(PlanReadError) as refused:
        await untrusted_files.read_plan("ke-hoach.pdf", slow_pdf(), FileSettings(parse_seconds=2))
    assert 2 <= time.monotonic() - start < 4  # pypdf alone takes about 30 s over this file
    assert str(refused.value).startswith("Tệp PDF đọc quá lâu (hơn 2 giây) nên bot đã dừng đọc. Hãy gửi bản .docx")
    assert readers() == []


async def test_a_document_that_needs_too_much_memory_is_stopped_at_the_memory_cap():
    heavy = many_elements_docx(12)  # within the size caps; python-docx needs ~150 MB for it
    with pytest.raises(PlanReadError, match="Tệp .docx cần quá nhiều bộ nhớ để đọc"):
        await untrusted_files.read_plan("ke-hoach.docx", heavy, FileSettings(parse_memory_mb=128, parse_seconds=60))
    # Not for want of time or because it is broken: with room it is read (and is no plan).
    with pytest.raises(PlanReadError, match="Không nhận ra văn bản"):
        await untrusted_files.read_plan("ke-hoach.docx", heavy, FileSettings(parse_seconds=60))


def test_the_reading_process_gets_none_of_the_bots_secrets(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-token-of-the-bot-xxxxxx")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "zalo-secret")
    monkeypatch.setenv("THIDUA_DATABASE_URL", "postgresql://u:pw@h/db")
    env = untrusted_files._child_env()
    assert not {"TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "THIDUA_DATABASE_URL"} & set(env)
    assert "SECRET" not in repr(env) and "pw@" not in repr(env)


def test_the_files_section_of_the_config(tmp_path):
    assert load_settings(ROOT / "config.toml", env={}).files == FileSettings()
    path = write(tmp_path, "[files]\nmax_mb = 5\nparse_seconds = 4\ndocx_max_members = 50\n")
    files = load_settings(path, env={}).files
    assert (files.max_mb, files.max_bytes, files.parse_seconds, files.docx_max_members) == (5, 5 * 2**20, 4, 50)
    for body, key in (("max_mb = 0", "files.max_mb"), ("parse_seconds = 0.5", "files.parse_seconds"),
                      ('pdf_max_pages = "300"', "files.pdf_max_pages")):
        with pytest.raises(ConfigError, match=key):
            load_settings(write(tmp_path, f"[files]\n{body}\n"), env={})


def test_plan_parse_on_the_command_line_reads_through_the_same_guard(tmp_path):
    config = write(tmp_path, "[files]\nparse_seconds = 2\n")
    env = {"THIDUA_CONFIG": str(config)}
    ok = run_cli("plan", "parse", str(PLANS / "kh-108-cam-my-2020.txt"), cwd=tmp_path, env_extra=env)
    assert ok.returncode == 0 and 'number: "108"' in ok.stdout
    (tmp_path / "bom.docx").write_bytes(inflating_docx(50))
    bomb = run_cli("plan", "parse", str(tmp_path / "bom.docx"), cwd=tmp_path, env_extra=env)
    assert bomb.returncode == 1 and "Tệp .docx quá lớn sau khi giải nén (50 MB" in bomb.stderr
    (tmp_path / "cham.pdf").write_bytes(slow_pdf())
    start = time.monotonic()
    slow = run_cli("plan", "parse", str(tmp_path / "cham.pdf"), cwd=tmp_path, env_extra=env)
    assert time.monotonic() - start < 8
    assert slow.returncode == 1 and "Tệp PDF đọc quá lâu (hơn 2 giây)" in slow.stderr


# --- through the bot -----------------------------------------------------------------------------


async def test_hostile_plans_are_refused_the_draft_stays_and_an_officer_is_answered_meanwhile(launched):
    bot = launched
    files_before = await stored_files(bot.db)
    assert "Đề xuất tập thể hay cá nhân?" in texts_of(await bot.say(LB1, "/nominate"))[0]
    assert "Gửi văn bản kế hoạch" in texts_of(await bot.say(ADMIN, "/new_campaign"))[0]

    # Unpacks to 50 MB: refused from its zip directory, at once; the same question follows.
    start = time.monotonic()
    bomb = texts_of(await bot.send_file(ADMIN, "ke-hoach.docx", inflating_docx(50)))[0]
    assert time.monotonic() - start < 3
    assert bomb.startswith("⚠️ Tệp .docx quá lớn sau khi giải nén (50 MB, bot đọc tối đa 30 MB).")
    assert "Gửi văn bản kế hoạch" in bomb and "/skip bỏ qua" in bomb

    # About 30 s of pypdf work: stopped at files.parse_seconds; meanwhile the officer's next step
    # is answered as quickly as ever.
    start = time.monotonic()
    reading = asyncio.create_task(bot.send_file(ADMIN, "ke-hoach.pdf", slow_pdf()))
    await asyncio.sleep(0.5)  # the PDF is being read
    step = time.monotonic()
    answer = texts_of(await bot.say(LB1, "2"))[0]
    assert time.monotonic() - step < 2
    assert "Tên tập thể, hoặc họ và tên" in answer
    assert not reading.done()  # the reading was under way all that time
    slow = texts_of(await reading)[0]
    assert LIMITS.parse_seconds <= time.monotonic() - start < LIMITS.parse_seconds + 4
    assert slow.startswith("⚠️ Tệp PDF đọc quá lâu (hơn 3 giây) nên bot đã dừng đọc.")
    assert "Gửi văn bản kế hoạch" in slow
    assert readers() == []

    # The draft is where it was: nothing stored, and the admin goes on (here without a document).
    assert "document" not in await draft_answers(bot, ADMIN)
    assert await stored_files(bot.db) == files_before
    assert "tiêu đề" in texts_of(await bot.say(ADMIN, "/skip"))[0]
    assert (await draft_answers(bot, ADMIN))["document"] is None


async def test_a_file_over_the_cap_is_refused_before_any_download(launched):
    bot = launched
    await bot.say(ADMIN, "/new_campaign")
    # Were the file fetched, getFile would fail and the admin would read the generic error.
    bot.sim.inject_faults("500", count=5, method="getFile")
    big = texts_of(await bot.send_file(ADMIN, "ke-hoach.txt", b"KE HOACH " * 200_000))[0]
    assert "Tệp nặng 1.7 MB, vượt quá 1 MB cho phép. Hãy gửi tệp nhỏ hơn" in big and "Gửi văn bản kế hoạch" in big
    # Evidence photos of a nomination: the same cap, checked the same way.
    for reply in ("/nominate", "2", "Nguyễn Văn An", "Phó Chủ tịch UBND phường", "UBND phường Long Bình", "5",
                  SUMMARY):
        await bot.say(LB1, reply)
    assert "Gửi ảnh hoặc tệp minh chứng" in texts_of(await bot.say(LB1, "2"))[0]
    photo_text = texts_of(await photo(bot, LB1, b"\xff\xd8\xff" + b"\0" * (3 * 2**20)))[0]
    assert "Tệp nặng 3.0 MB, vượt quá 1 MB cho phép" in photo_text and "Gửi ảnh hoặc tệp minh chứng" in photo_text
    bot.sim.clear_faults()
    assert "Đã nhận tệp thứ 1" in texts_of(await bot.send_file(LB1, "anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 1000))[0]
    assert await stored_files(bot.db) == 1


# --- Zalo photos, read from a URL ----------------------------------------------------------------


class PhotoServer:
    """Serves photos the way a hostile or broken host would; counts what it managed to send."""

    def __init__(self) -> None:
        self.sent = 0

    async def endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})  # no Content-Length
        await response.prepare(request)
        chunk = b"\xff" * 65536
        try:
            while True:
                await response.write(chunk)
                self.sent += len(chunk)
        except (ConnectionError, RuntimeError):
            return response

    async def trickle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
        await response.prepare(request)
        try:
            while True:
                await response.write(b"\xff" * 100)
                await asyncio.sleep(0.2)
        except (ConnectionError, RuntimeError):
            return response

    async def declared(self, request: web.Request) -> web.Response:
        return web.Response(body=b"\xff" * (3 * 2**20), content_type="image/jpeg")


@pytest.fixture
async def photo_host() -> AsyncIterator[tuple[str, PhotoServer]]:
    server = PhotoServer()
    app = web.Application()
    app.router.add_get("/endless.jpg", server.endless)
    app.router.add_get("/trickle.jpg", server.trickle)
    app.router.add_get("/declared.jpg", server.declared)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    yield f"http://127.0.0.1:{port}", server
    await runner.cleanup()


async def test_a_zalo_photo_is_read_as_it_streams_and_stopped_at_the_cap_or_the_time_limit(seeded, zalo, db_url, sim,
                                                                                          photo_host):
    base, server = photo_host
    officer = "8800000000000001"
    settings = zalo_settings(make_settings(db_url, sim), zalo).with_overrides(
        files=FileSettings(max_mb=1, download_seconds=3))
    z = ZaloHarness(zalo, seeded, settings)
    await z.channel.start()
    try:
        await add_admin(seeded, 1001)
        await launch_to(seeded, ["LB"])
        assert "Chào mừng" in (await z.join(officer, await make_invite(seeded, 'LB', 'officer')))[0]
        for reply in ("đề cử", "2", "Nguyen Van An", "Phó Chủ tịch UBND phường", "UBND phường Long Bình", "5", SUMMARY):
            await z.say(officer, reply)
        assert "Gửi ảnh hoặc tệp minh chứng" in (await z.say(officer, "2"))[0]

        async def send(url: str) -> tuple[str, float]:
            z.new(officer)
            start = time.monotonic()
            await z.channel.conversation.wait_handled(z.sim.send_photo(officer, url), timeout=15)
            return texts_of(z.new(officer))[0], time.monotonic() - start

        # Refused by its declared size, unread.
        text, _ = await send(f"{base}/declared.jpg")
        assert "Tệp nặng 3.0 MB, vượt quá 1 MB cho phép" in text and "Gửi ảnh hoặc tệp minh chứng" in text
        # No end and no declared size: reading stops just past the cap, well before the time limit.
        text, seconds = await send(f"{base}/endless.jpg")
        assert "Tệp nặng hơn 1 MB cho phép nên bot đã dừng tải" in text and seconds < 2.5
        await asyncio.sleep(0.2)
        assert server.sent < 8 * 2**20  # what sockets buffer, not the endless stream
        # A host that never finishes: given up after files.download_seconds.
        text, seconds = await send(f"{base}/trickle.jpg")
        assert "chưa tải được ảnh" in text and 3 <= seconds < 6
        # Nothing was kept of them; a real photo still goes in.
        assert await stored_files(seeded) == 0
        small = z.sim.host_image(b"\x89PNG\r\n\x1a\n" + b"\0" * 500, "minh-chung.png")
        assert "Đã nhận tệp thứ 1" in (await send(small))[0]
    finally:
        await z.channel.stop()

