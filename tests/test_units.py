"""Units from CSV: all or nothing, every bad line named, idempotent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.collation import vn_key
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
    assert "Dòng 2: đơn vị cấp trên “KHONGCO” không có" in lines
    assert "Dòng 3: thiếu tên đơn vị (name)" in lines
    assert "Dòng 4: mã “X1” trùng với dòng 2" in lines
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


async def test_the_preview_says_what_would_change_and_writes_nothing(db):
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(GOOD))
    edited = GOOD.replace("Sở Nội vụ,cơ quan,DN", "Sở Nội vụ tỉnh,sở,DN").replace("trường,LB", "trường,DN")
    async with db.session() as session:
        plan = await units.preview(session, units.parse_units_csv(edited + "X9,Xã số 9,xã,DN\n"))
    assert [r.code for r in plan.new] == ["X9"] and plan.unchanged == 2 and not plan.problems
    assert {c.row.code: c.fields for c in plan.changed} == {
        "SNV": (("tên", "Sở Nội vụ", "Sở Nội vụ tỉnh"), ("loại", "cơ quan", "sở")),
        "THCS": (("cấp trên", "LB", "DN"),),
    }
    assert await count(db) == 4
    async with db.session() as session:
        (await units.unit_by_code(session, "LB")).active = False
    async with db.session() as session:
        plan = await units.preview(session, units.parse_units_csv(GOOD + "K1,Không loại,,DN\n"))
    assert [c.fields for c in plan.changed] == [(("trạng thái", "ngừng hoạt động", "đang hoạt động"),)]
    assert [str(p) for p in plan.problems] == ["Dòng 6: thiếu loại đơn vị (kind), ví dụ: tỉnh, xã, phường, cơ quan"]
    async with db.session() as session:
        plan = await units.preview(session, units.parse_units_csv(BAD))
    assert [str(p) for p in plan.problems][0] == "Dòng 2: đơn vị cấp trên “KHONGCO” không có"
    async with db.session() as session:
        assert str((await units.preview(session, [])).problems[0]).startswith("Dòng 1: tệp không có dòng đơn vị nào")


def test_names_sort_the_vietnamese_way_and_numbers_by_value():
    names = ["Xã số 13", "Xã Đông Hòa", "xã số 3", "Xã Dầu Giây", "Xã Ân Thạnh", "Xã An Viễn", "Xã số 2"]
    assert sorted(names, key=vn_key) == [
        "Xã An Viễn", "Xã Ân Thạnh", "Xã Dầu Giây", "Xã Đông Hòa", "Xã số 2", "xã số 3", "Xã số 13"]


def _workbook(rows) -> bytes:  # noqa: ANN001
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_first_sheet_is_read_with_excels_row_numbers():
    from bot.services import unit_sheets

    data = _workbook([["Code", "Name", "Kind", "Parent_code"], ["DN", "UBND tỉnh", "tỉnh", None], [None, None, None, None],
                      [101.0, "Trường số 101", "trường", "DN"]])
    rows = unit_sheets.parse_units_file("don_vi.xlsx", data)
    assert [(r.line, r.code, r.name, r.kind, r.parent_code) for r in rows] == [
        (2, "DN", "UBND tỉnh", "tỉnh", ""), (4, "101", "Trường số 101", "trường", "DN")]
    assert unit_sheets.parse_units_file("tải về", data) == rows  # told apart by its content


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cu.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "Dòng 1: tệp .xls (Excel 97–2003) không đọc được"),
        ("hong.xlsx", b"PK\x03\x04 not really a zip", "Dòng 1: không mở được tệp Excel"),
        ("thieu.xlsx", _workbook([["ma", "ten"], ["A", "B"]]), "Dòng 1: thiếu cột code, name, kind, parent_code"),
    ],
)
def test_unreadable_workbooks_are_explained(name, data, message):
    from bot.services import unit_sheets

    with pytest.raises(units.UnitImportError) as caught:
        unit_sheets.parse_units_file(name, data)
    assert str(caught.value.problems[0]).startswith(message)


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_opened():
    import io
    import zipfile

    from bot.config import FileSettings
    from bot.services import unit_sheets

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (40 * 2**20))
    with pytest.raises(units.UnitImportError) as caught:
        unit_sheets.parse_units_file("bom.xlsx", packed.getvalue(), FileSettings(docx_max_unpacked_mb=30))
    assert "quá lớn hoặc nén bất thường" in str(caught.value.problems[0])


async def test_codes_match_without_regard_to_case_as_the_chat_does(db):
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(GOOD))
    lower = "code,name,kind,parent_code\nlb,Phường Long Bình (mới),phường,dn\nxa01,Xã Một,xã,lb\n"
    async with db.session() as session:
        plan = await units.preview(session, units.parse_units_csv(lower))
        assert [r.code for r in plan.new] == ["xa01"]
        assert [c.row.code for c in plan.changed] == ["lb"]
        assert plan.changed[0].fields == (("tên", "Phường Long Bình", "Phường Long Bình (mới)"),)
        result = await units.import_units(session, units.parse_units_csv(lower))
    assert (result.created, result.updated) == (1, 1)
    assert await count(db) == 5  # no second "lb" beside "LB"
    async with db.session() as session:
        found = await units.unit_by_code(session, "Xa01")
        assert found is not None and found.name == "Xã Một"
        parent = await units.unit_by_code(session, "lb")
        assert parent.code == "LB" and found.parent_id == parent.id


async def test_a_code_written_twice_in_two_cases_or_with_a_space_is_named(db):
    bad = "code,name,kind,parent_code\nXA01,Xã Một,xã,\nxa01,Xã Một lặp,xã,\nXA 02,Xã Hai,xã,\n"
    async with db.session() as session:
        with pytest.raises(units.UnitImportError) as caught:
            await units.import_units(session, units.parse_units_csv(bad))
    text = str(caught.value)
    assert "Dòng 3: mã “xa01” trùng với dòng 2" in text
    assert "Dòng 4: mã “XA 02” có dấu cách" in text
    assert await count(db) == 0


def test_a_column_the_bot_does_not_read_is_named_not_dropped():
    with pytest.raises(units.UnitImportError) as caught:
        units.parse_units_csv("code,name,kind,parent_code,ghi chú\nX1,Xã Một,xã,,mới lập\n")
    assert "cột “ghi chú” bot không đọc" in str(caught.value)
