"""Units from CSV: all or nothing, every bad line named, idempotent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.services import units
from storage.models import Unit

GOOD = """code,name,kind,parent_code
DN,UBND tỉnh Đồng Nai,tỉnh,
SNV,Sở Nội vụ,cơ quan,DN
LB,Phường Long Bình,phường,DN
THCS,Trường THCS Long Bình,trường,LB
"""

BAD = """code,name,kind,parent_code
X1,Xã Một,xã,KHONGCO
X2,,xã,
X1,Xã Một lặp lại,xã,
V1,Vòng Một,xã,V2
V2,Vòng Hai,xã,V1
,Không có mã,xã,
S1,Tự làm cha,xã,S1
OK,Dòng tốt,xã,
"""


async def count(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Unit))


async def test_import_is_idempotent_and_builds_the_tree(db):
    async with db.session() as session:
        first = await units.import_units(session, units.parse_units_csv(GOOD.encode("utf-8-sig")))
    async with db.session() as session:
        again = await units.import_units(session, units.parse_units_csv(GOOD))
        tree = await units.unit_tree(session)
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert [(u.code, depth) for u, depth, _ in tree] == [("DN", 0), ("LB", 1), ("THCS", 2), ("SNV", 1)]


async def test_a_changed_name_or_parent_is_an_update(db):
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(GOOD))
    moved = GOOD.replace("THCS,Trường THCS Long Bình,trường,LB", "THCS,Trường THCS Long Bình,trường,DN")
    renamed = moved.replace("Sở Nội vụ", "Sở Nội vụ tỉnh")
    async with db.session() as session:
        result = await units.import_units(session, units.parse_units_csv(renamed))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 2)


async def test_bad_rows_import_nothing_and_each_is_named(db):
    with pytest.raises(units.UnitImportError) as caught:
        async with db.session() as session:
            await units.import_units(session, units.parse_units_csv(BAD))
    lines = [str(p) for p in caught.value.problems]
    assert "Dòng 2: đơn vị cấp trên 'KHONGCO' không có" in lines
    assert "Dòng 3: thiếu tên đơn vị (name)" in lines
    assert "Dòng 4: mã 'X1' trùng với dòng 2" in lines
    assert any(line.startswith("Dòng 5: vòng lặp cấp trên") for line in lines)
    assert any(line.startswith("Dòng 6: vòng lặp cấp trên") for line in lines)
    assert "Dòng 7: thiếu mã đơn vị (code)" in lines
    assert any(line.startswith("Dòng 8: vòng lặp cấp trên: S1 → S1") for line in lines)
    assert not any(line.startswith("Dòng 9") for line in lines)
    assert await count(db) == 0


async def test_a_file_that_would_close_a_cycle_through_the_database_is_refused(db):
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(GOOD))
    with pytest.raises(units.UnitImportError) as caught:
        async with db.session() as session:
            await units.import_units(session, units.parse_units_csv("code,name,kind,parent_code\nDN,UBND tỉnh,tỉnh,THCS\n"))
    assert str(caught.value.problems[0]).startswith("Dòng 2: vòng lặp cấp trên")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Dòng 1: tệp rỗng"),
        (b"ma,ten\nA,B\n", "Dòng 1: thiếu cột code, name, kind, parent_code"),
        ("code,name,kind,parent_code\nA,Xã Ầ,xã,\n".encode("utf-16"), "Dòng 1: tệp không phải UTF-8"),
    ],
)
def test_unreadable_files_are_explained(data, message):
    with pytest.raises(units.UnitImportError) as caught:
        units.parse_units_csv(data)
    assert str(caught.value.problems[0]).startswith(message)


def test_semicolon_separated_files_from_excel_are_read():
    rows = units.parse_units_csv("code;name;kind;parent_code\nDN;UBND tỉnh;tỉnh;\n")
    assert [(r.line, r.code, r.name, r.kind, r.parent_code) for r in rows] == [(2, "DN", "UBND tỉnh", "tỉnh", "")]
