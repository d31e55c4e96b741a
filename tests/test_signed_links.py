"""Signed, expiring links to stored files, served over HTTP for channels that cannot upload."""

from __future__ import annotations

import base64
import hashlib
import logging
import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

import pytest
from aiohttp import ClientSession, web

from bot import clock
from bot.signed_links import LinkError, link, make_token, read_token, routes
from storage.db import Database
from storage.models import StoredFile

SECRET = "kho-bi-mat-cua-bot"
T0 = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)
XLSX = b"PK\x03\x04" + b"xl/workbook.xml" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def store(db: Database, filename: str, content: bytes, mime_type: str | None = None) -> int:
    async with db.session() as session:
        stored = StoredFile(filename=filename, mime_type=mime_type, size=len(content),
                            sha256=hashlib.sha256(content).hexdigest(), content=content)
        session.add(stored)
        await session.flush()
        return stored.id


@pytest.fixture
async def base_url(db: Database) -> AsyncIterator[str]:
    """The file routes on a real loopback server."""
    app = web.Application()
    app.add_routes(routes(db, SECRET))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/"
    finally:
        await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession() as session:
        yield session


@pytest.fixture(autouse=True)
def _frozen_clock():
    clock.set_now(T0)


async def fetch(http: ClientSession, url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    async with http.request(method, url) as response:
        return response.status, dict(response.headers), await response.read()


def flip_last_char(token: str) -> str:
    # 24 bytes make exactly 32 base64 characters, so the last character is six bits of the MAC.
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def with_expiry(token: str, new_expiry: datetime) -> str:
    """The same token and MAC, with the expiry moved: what someone extending a link would try."""
    raw = base64.urlsafe_b64decode(token)
    file_id, _ = struct.unpack(">II", raw[:8])
    return base64.urlsafe_b64encode(struct.pack(">II", file_id, int(new_expiry.timestamp())) + raw[8:]).decode()


# --------------------------------------------------------------------------- #
# Tokens
# --------------------------------------------------------------------------- #


def test_read_token_returns_the_file_id_the_token_was_made_for() -> None:
    token = make_token(4217, T0 + DAY, SECRET)
    assert read_token(token, SECRET, T0) == 4217


def test_a_token_is_url_safe_compact_and_unpadded() -> None:
    token = make_token(2**31, T0 + timedelta(days=3650), SECRET)
    assert len(token) <= 40
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert quote(token, safe="") == token


def test_a_token_is_valid_until_the_second_before_its_expiry() -> None:
    token = make_token(7, T0 + DAY, SECRET)
    assert read_token(token, SECRET, T0 + DAY - timedelta(seconds=1)) == 7
    with pytest.raises(LinkError) as caught:
        read_token(token, SECRET, T0 + DAY)
    assert caught.value.reason == "expired"


def test_moving_the_expiry_later_makes_the_token_forged_not_valid() -> None:
    token = with_expiry(make_token(7, T0 + DAY, SECRET), T0 + 30 * DAY)
    with pytest.raises(LinkError) as caught:
        read_token(token, SECRET, T0 + 2 * DAY)
    assert caught.value.reason == "forged"


def test_a_token_with_one_mac_character_changed_is_forged() -> None:
    token = flip_last_char(make_token(7, T0 + DAY, SECRET))
    with pytest.raises(LinkError) as caught:
        read_token(token, SECRET, T0)
    assert caught.value.reason == "forged"


def test_a_token_signed_with_another_secret_is_forged() -> None:
    token = make_token(7, T0 + DAY, "bi-mat-khac")
    with pytest.raises(LinkError) as caught:
        read_token(token, SECRET, T0)
    assert caught.value.reason == "forged"


def test_a_forged_token_is_reported_as_forged_even_after_its_claimed_expiry() -> None:
    token = flip_last_char(make_token(7, T0 + DAY, SECRET))
    with pytest.raises(LinkError) as caught:
        read_token(token, SECRET, T0 + 2 * DAY)
    assert caught.value.reason == "forged"


@pytest.mark.parametrize("token", [
    "",
    "abc",
    make_token(7, T0 + DAY, SECRET) + "A",
    make_token(7, T0 + DAY, SECRET)[:-1],
    make_token(7, T0 + DAY, SECRET)[:-1] + "=",
    make_token(7, T0 + DAY, SECRET)[:-1] + "+",
    make_token(7, T0 + DAY, SECRET)[:-1] + "ệ",
])
def test_a_token_of_the_wrong_shape_is_malformed(token: str) -> None:
    with pytest.raises(LinkError) as caught:
        read_token(token, SECRET, T0)
    assert caught.value.reason == "malformed"


def test_make_token_refuses_a_naive_expiry_or_an_empty_secret() -> None:
    with pytest.raises(ValueError):
        make_token(7, datetime(2025, 3, 11, 8, 0), SECRET)
    with pytest.raises(ValueError):
        make_token(7, T0 + DAY, "")


def test_link_quotes_the_filename_and_counts_the_lifetime_from_the_clock() -> None:
    url = link("https://bot.example.vn/", 7, "bao-cao-tổng-hợp.docx", SECRET, DAY)
    prefix = "https://bot.example.vn/files/"
    assert url.startswith(prefix)
    token, name = url.removeprefix(prefix).split("/")
    assert name == "bao-cao-t%E1%BB%95ng-h%E1%BB%A3p.docx"
    assert read_token(token, SECRET, T0 + DAY - timedelta(seconds=1)) == 7
    with pytest.raises(LinkError):
        read_token(token, SECRET, T0 + DAY)


# --------------------------------------------------------------------------- #
# The HTTP endpoint
# --------------------------------------------------------------------------- #


async def test_a_fresh_link_downloads_the_exact_bytes_as_an_attachment(db, base_url, http) -> None:
    file_id = await store(db, "ket-qua.xlsx", XLSX, mime_type=XLSX_TYPE)
    status, headers, body = await fetch(http, link(base_url, file_id, "ket-qua.xlsx", SECRET, DAY))
    assert status == 200
    assert body == XLSX
    assert headers["Content-Type"] == XLSX_TYPE
    assert headers["Content-Disposition"] == "attachment; filename*=UTF-8''ket-qua.xlsx"
    assert headers["Cache-Control"] == f"private, max-age={int(DAY.total_seconds())}"


async def test_the_cache_lifetime_counts_down_to_the_link_expiry(db, base_url, http) -> None:
    file_id = await store(db, "ket-qua.xlsx", XLSX, mime_type=XLSX_TYPE)
    url = link(base_url, file_id, "ket-qua.xlsx", SECRET, DAY)
    clock.set_now(T0 + DAY - timedelta(minutes=5))
    status, headers, _ = await fetch(http, url)
    assert status == 200
    assert headers["Cache-Control"] == "private, max-age=300"


async def test_a_chart_is_shown_inline_with_its_type_guessed_from_the_name(db, base_url, http) -> None:
    file_id = await store(db, "bieu-do.png", PNG, mime_type=None)
    status, headers, body = await fetch(http, link(base_url, file_id, "bieu-do.png", SECRET, DAY))
    assert (status, body) == (200, PNG)
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"] == "inline; filename*=UTF-8''bieu-do.png"


async def test_a_vietnamese_filename_survives_the_link_and_the_download(db, base_url, http) -> None:
    name = "bao-cao-tổng-hợp.docx"
    file_id = await store(db, name, b"PK\x03\x04word/document.xml", mime_type=None)
    status, headers, _ = await fetch(http, link(base_url, file_id, name, SECRET, DAY))
    assert status == 200
    assert headers["Content-Type"] == DOCX_TYPE
    # Header values must stay ASCII: the name travels percent-encoded as RFC 6266 asks.
    assert headers["Content-Disposition"] == "attachment; filename*=UTF-8''bao-cao-t%E1%BB%95ng-h%E1%BB%A3p.docx"
    assert unquote(headers["Content-Disposition"].split("''")[1]) == name


async def test_office_files_get_their_type_even_where_the_system_has_no_mime_table(
        db, base_url, http, monkeypatch) -> None:
    monkeypatch.setattr("mimetypes.guess_type", lambda *args, **kwargs: (None, None))
    file_id = await store(db, "Ke-hoach.DOCX", b"PK\x03\x04word/document.xml", mime_type=None)
    status, headers, _ = await fetch(http, link(base_url, file_id, "Ke-hoach.DOCX", SECRET, DAY))
    assert status == 200
    assert headers["Content-Type"] == DOCX_TYPE


async def test_a_filename_with_a_slash_and_spaces_still_reaches_the_file(db, base_url, http) -> None:
    name = "Báo cáo quý 1/2025.xlsx"
    file_id = await store(db, name, XLSX, mime_type=XLSX_TYPE)
    status, headers, body = await fetch(http, link(base_url, file_id, name, SECRET, DAY))
    assert (status, body) == (200, XLSX)
    assert unquote(headers["Content-Disposition"].split("''")[1]) == name


async def test_the_name_in_the_url_is_cosmetic_and_the_stored_name_is_served(db, base_url, http) -> None:
    file_id = await store(db, "ket-qua.xlsx", XLSX, mime_type=XLSX_TYPE)
    status, headers, _ = await fetch(http, link(base_url, file_id, "trang.html", SECRET, DAY))
    assert status == 200
    assert headers["Content-Type"] == XLSX_TYPE
    assert headers["Content-Disposition"] == "attachment; filename*=UTF-8''ket-qua.xlsx"


async def test_head_answers_with_the_headers_and_no_body(db, base_url, http) -> None:
    file_id = await store(db, "ket-qua.xlsx", XLSX, mime_type=XLSX_TYPE)
    status, headers, body = await fetch(http, link(base_url, file_id, "ket-qua.xlsx", SECRET, DAY), "HEAD")
    assert status == 200
    assert body == b""
    assert headers["Content-Length"] == str(len(XLSX))
    assert headers["Content-Type"] == XLSX_TYPE


async def test_an_expired_link_answers_410_asking_for_a_new_one(db, base_url, http) -> None:
    file_id = await store(db, "ket-qua.xlsx", XLSX, mime_type=XLSX_TYPE)
    url = link(base_url, file_id, "ket-qua.xlsx", SECRET, DAY)
    assert (await fetch(http, url))[0] == 200
    clock.set_now(T0 + DAY + timedelta(seconds=1))
    status, headers, body = await fetch(http, url)
    assert status == 410
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body.decode() == "Đường link đã hết hạn. Hãy yêu cầu bot gửi lại."
    assert headers["Cache-Control"] == "no-store"


async def test_a_link_with_a_flipped_mac_character_is_refused_and_logged_without_the_token(
        db, base_url, http, caplog) -> None:
    file_id = await store(db, "ket-qua.xlsx", XLSX, mime_type=XLSX_TYPE)
    token = make_token(file_id, T0 + DAY, SECRET)
    forged = flip_last_char(token)
    with caplog.at_level(logging.WARNING, logger="bot.signed_links"):
        status, _, body = await fetch(http, f"{base_url}files/{forged}/ket-qua.xlsx")
    assert status == 403
    assert body.decode() == "Đường link không hợp lệ."
    warnings = [r for r in caplog.records if r.name == "bot.signed_links" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert forged not in warnings[0].getMessage()


async def test_a_link_with_a_stretched_expiry_is_refused_as_invalid(db, base_url, http) -> None:
    file_id = await store(db, "ket-qua.xlsx", XLSX, mime_type=XLSX_TYPE)
    token = with_expiry(make_token(file_id, T0 + DAY, SECRET), T0 + 30 * DAY)
    clock.set_now(T0 + 2 * DAY)
    status, _, body = await fetch(http, f"{base_url}files/{token}/ket-qua.xlsx")
    assert status == 403
    assert body.decode() == "Đường link không hợp lệ."


async def test_a_garbled_token_is_refused_as_invalid(db, base_url, http) -> None:
    status, _, body = await fetch(http, f"{base_url}files/not-a-token/ket-qua.xlsx")
    assert status == 403
    assert body.decode() == "Đường link không hợp lệ."


async def test_a_link_to_a_deleted_file_answers_404(db, base_url, http) -> None:
    file_id = await store(db, "ket-qua.xlsx", XLSX, mime_type=XLSX_TYPE)
    url = link(base_url, file_id, "ket-qua.xlsx", SECRET, DAY)
    async with db.session() as session:
        await session.delete(await session.get(StoredFile, file_id))
    status, _, body = await fetch(http, url)
    assert status == 404
    assert body.decode() == "Tệp không còn trên hệ thống."
