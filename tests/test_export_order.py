"""The XLSX and the DOCX list units and people in one Vietnamese order (bot.collation.vn_key), on
SQLite and PostgreSQL alike: a clerk comparing the two files, or this year's file with last
year's made on another server, finds every name in the same place."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import openpyxl
from sqlalchemy import select, update

from bot import clock
from bot.config import Settings
from bot.services import exports
from devkit.sample_campaign import seed
from storage import migrate
from storage.db import Database, empty_scratch_database
from storage.models import Nomination, Unit

# Units as an import may bring them. By code point (SQLite, PostgreSQL's "C" collation) "Xã số 13"
# comes before "Xã số 3", "Đông" after "Xã", and capitals before small letters.
UNITS = ["Xã số 13", "Xã số 3", "Đông Hòa", "Dương Minh Châu", "Bình Minh", "An Phú", "an Bình", "Ân Thi"]
# Nomination n belongs to unit n % 8: each unit's first nomination (lower id) is named second
# in Vietnamese order.
FIRST = ["Đỗ Thị Hoa", "Tổ dân phố số 12", "Lê Ánh", "Phạm Thu Hà", "Võ Minh Tâm", "Tổ dân phố số 10", "Ông Văn Tư",
         "Trần Văn Đức"]
SECOND = ["Dương Văn Nam", "Tổ dân phố số 2", "lê anh", "phạm Thu Hà", "Vũ An", "Tổ dân phố số 9", "Ôn Văn Tư",
          "Trần Văn Dũng"]
UNITS_IN_ORDER = ["an Bình", "An Phú", "Ân Thi", "Bình Minh", "Dương Minh Châu", "Đông Hòa", "Xã số 3", "Xã số 13"]
PEOPLE = {unit: sorted_pair for unit, sorted_pair in (
    ("Xã số 13", ["Dương Văn Nam", "Đỗ Thị Hoa"]),  # d before đ
    ("Xã số 3", ["Tổ dân phố số 2", "Tổ dân phố số 12"]),  # numbers by value
    ("Đông Hòa", ["lê anh", "Lê Ánh"]),  # the tone before the case
    ("Dương Minh Châu", ["Phạm Thu Hà", "phạm Thu Hà"]),  # only the case differs: capital first
    ("Bình Minh", ["Võ Minh Tâm", "Vũ An"]),  # o before u
    ("An Phú", ["Tổ dân phố số 9", "Tổ dân phố số 10"]),
    ("an Bình", ["Ôn Văn Tư", "Ông Văn Tư"]),  # the shorter word first
    ("Ân Thi", ["Trần Văn Dũng", "Trần Văn Đức"]),
)}
REPORTED = {"Xã số 13", "Xã số 3", "Đông Hòa", "Dương Minh Châu"}  # the first four units report


async def _files(db: Database) -> dict[str, list]:
    clock.set_now(datetime(2026, 7, 1, 2, 0, tzinfo=UTC))
    async with db.session() as session:
        sample = await seed(session, units=len(UNITS), nominations=16, reports=4)
        for unit_id, name in zip(sample.unit_ids, UNITS, strict=True):
            await session.execute(update(Unit).where(Unit.id == unit_id).values(name=name))
        ids = (await session.scalars(select(Nomination.id).order_by(Nomination.id))).all()
        for n, nomination_id in enumerate(ids):
            name = (FIRST if n < len(UNITS) else SECOND)[n % len(UNITS)]
            # All submitted: the DOCX lists submitted and approved ones, the XLSX every one.
            await session.execute(update(Nomination).where(Nomination.id == nomination_id)
                                  .values(full_name=name, status="submitted"))
    settings = Settings(organisation_name="Hội đồng Thi đua – Khen thưởng")
    async with db.session() as session:
        book = openpyxl.load_workbook(io.BytesIO((await exports.campaign_workbook(session, sample.campaign_id, settings)).content))
        paper = docx.Document(io.BytesIO((await exports.period_report(session, sample.campaign_id, "1", settings)).content))
    data = lambda sheet: list(book[sheet].iter_rows(min_row=8, values_only=True))  # noqa: E731
    texts = [p.text for p in paper.paragraphs]
    late_heading = texts.index("IV. ĐƠN VỊ NỘP TRỄ, CHƯA NỘP")
    return {
        "xlsx exemplars": [(row[1], row[3]) for row in data("Điển hình")],
        "docx exemplars": [(row.cells[2].text, row.cells[1].text.split("\n")[0]) for row in paper.tables[1].rows[1:]],
        "xlsx reports": [row[1] for row in data("Báo cáo") if row[3] == "Sơ kết 6 tháng đầu năm 2026"],
        "xlsx acknowledgements": [row[2] for row in data("Xác nhận")],
        "docx summaries": [t[2:].split(":")[0] for t in texts[:late_heading] if t.startswith("- ") and ":" in t],
        "docx missing": [t[2:] for t in texts[late_heading:] if t.startswith("- ") and "(trễ" not in t],
    }


async def test_both_files_list_units_and_people_in_one_vietnamese_order_on_every_database(db, tmp_path):
    """`db` is the suite's database (PostgreSQL with TEST_DATABASE_URL); the other is SQLite."""
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    await empty_scratch_database(other)
    await migrate.upgrade(other)
    try:
        here, there = await _files(db), await _files(other)
    finally:
        await other.dispose()
    assert here == there
    people = [(unit, person) for unit in UNITS_IN_ORDER for person in PEOPLE[unit]]
    assert here["xlsx exemplars"] == here["docx exemplars"] == people
    assert here["xlsx reports"] == here["xlsx acknowledgements"] == UNITS_IN_ORDER
    assert here["docx summaries"] == [u for u in UNITS_IN_ORDER if u in REPORTED]
    assert here["docx missing"] == [u for u in UNITS_IN_ORDER if u not in REPORTED]
