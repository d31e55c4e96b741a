"""One Vietnamese order of names (bot.collation) for the dashboard, the XLSX, the DOCX, /status and
the digests: its key, and the XLSX's rows in that order whichever database holds them."""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime

import openpyxl
from sqlalchemy import update

from bot import clock
from bot.collation import sort_by_name, vn_key
from bot.config import Settings
from bot.services import exports, nudges, report_periods
from devkit.sample_campaign import seed
from storage import migrate
from storage.db import Database, empty_scratch_database
from storage.models import ReportPeriod, Unit


def ordered(*names: str) -> list[str]:
    return sorted(names, key=vn_key)


def test_letters_with_marks_are_letters_of_their_own_after_the_plain_one():
    assert ordered("Bình", "Ân", "Anh", "An", "Ăn") == ["An", "Anh", "Ăn", "Ân", "Bình"]
    assert ordered("Đức", "Dung", "Em", "Duy") == ["Dung", "Duy", "Đức", "Em"]  # đ after every d
    assert ordered("Ơn", "Ôn", "On", "Ong") == ["On", "Ong", "Ôn", "Ơn"]
    assert ordered("Ưng", "Uyên", "Vân") == ["Uyên", "Ưng", "Vân"]


def test_tones_and_case_only_break_ties():
    assert ordered("bạ", "bá", "bã", "bả", "bà", "ba") == ["ba", "bà", "bả", "bã", "bá", "bạ"]
    assert ordered("bà", "ba", "Ba") == ["Ba", "ba", "bà"]  # the tone first, then as written
    # The letters decide before any tone does: "Hạ Long" before "Hà Nội" (l before n).
    assert ordered("Hà Nội", "Hải Phòng", "Hạ Long") == ["Hạ Long", "Hà Nội", "Hải Phòng"]


def test_numbers_sort_by_value_and_before_letters():
    assert ordered("Xã số 13", "Xã số 3", "Xã số 2a", "Xã số 100") == ["Xã số 2a", "Xã số 3", "Xã số 13", "Xã số 100"]
    assert ordered("Tổ A", "Tổ 1") == ["Tổ 1", "Tổ A"]


def test_a_name_typed_decomposed_sorts_as_the_composed_one():
    nfd = unicodedata.normalize("NFD", "Đồng Nai")
    assert vn_key(nfd)[:2] == vn_key("Đồng Nai")[:2]
    assert sort_by_name([("b", 2), ("Ân", 1), ("an", 3)], lambda r: r[0], lambda r: r[1]) == [("an", 3), ("Ân", 1), ("b", 2)]


NAMES = ["Bình Minh", "An Phú", "Ân Thi", "Đông Hòa", "Dương Minh Châu", "Xã số 13", "Xã số 3", "an Bình"]
EXPECTED = ["an Bình", "An Phú", "Ân Thi", "Bình Minh", "Dương Minh Châu", "Đông Hòa", "Xã số 3", "Xã số 13"]


async def _named_campaign(db: Database) -> tuple[int, list[str]]:
    async with db.session() as session:
        sample = await seed(session, units=len(NAMES), nominations=16, reports=0)
        for unit_id, name in zip(sample.unit_ids, NAMES, strict=True):
            await session.execute(update(Unit).where(Unit.id == unit_id).values(name=name))
    async with db.session() as session:
        book = openpyxl.load_workbook(io.BytesIO((await exports.campaign_workbook(session, sample.campaign_id, Settings())).content))
        period = await session.get(ReportPeriod, sample.period_ids[0])
        status = await report_periods.period_status(session, period)
        escalated = [u.name for u in await nudges.missing_units(session, period)]
    sheets = {name: [row[1] for row in book[name].iter_rows(min_row=8, values_only=True)]
              for name in ("Điển hình", "Báo cáo")}
    acks = [row[2] for row in book["Xác nhận"].iter_rows(min_row=8, values_only=True)]
    return sample.campaign_id, [acks, sheets["Báo cáo"], sheets["Điển hình"], [name for name, _ in status.missing],
                                escalated]


async def test_the_xlsx_rows_come_in_the_same_vietnamese_order_on_sqlite_and_postgresql(db, tmp_path):
    """`db` is the suite's engine (PostgreSQL with TEST_DATABASE_URL); the other is SQLite: their
    own collations disagree (SQLite by code point: "Xã số 13" before "Xã số 3", "Đ" after "X")."""
    clock.set_now(datetime(2026, 7, 1, 9, 0, tzinfo=clock.LOCAL_TZ))
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    await empty_scratch_database(other)
    await migrate.upgrade(other)
    try:
        _, here = await _named_campaign(db)
        _, there = await _named_campaign(other)
    finally:
        await other.dispose()
    assert here == there
    acks, reports, nominations, status, escalated = here
    assert acks == EXPECTED
    assert reports == EXPECTED * 2  # both periods, unit by unit
    assert nominations == [name for name in EXPECTED for _ in range(2)]  # two nominations each, by unit
    assert status == EXPECTED  # /status and the digests: the same order
    assert escalated == EXPECTED  # the units named to the leaders when a period is overdue
