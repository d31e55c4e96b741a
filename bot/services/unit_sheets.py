"""The clerk's unit list as a file: CSV (bot.services.units.parse_units_csv) or XLSX (the first
sheet, a header row code,name,kind,parent_code), into the rows units.preview/import_units take.

An XLSX is a zip from someone's computer: its directory is checked against the [files] caps
before openpyxl opens it (read-only, values only, so formulas are not run), and it is read to
at most MAX_ROWS rows. Line numbers are the sheet's row numbers, as Excel shows them.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import PurePath

from bot import vn_format
from bot.config import FileSettings
from bot.services.units import COLUMNS, Problem, UnitImportError, UnitRow, check_header, parse_units_csv

MAX_ROWS = 10_000
XLSX_MAGIC = b"PK\x03\x04"
NOT_XLSX = "không mở được tệp Excel; hãy lưu lại dạng .xlsx (Excel Workbook) hoặc CSV UTF-8"
OLD_XLS = "tệp .xls (Excel 97–2003) không đọc được; hãy lưu lại dạng .xlsx hoặc CSV UTF-8"


def _refuse(message: str) -> UnitImportError:
    return UnitImportError([Problem(1, message)])


def _check_zip(data: bytes, limits: FileSettings) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _refuse(NOT_XLSX) from None
    unpacked = sum(m.file_size for m in members)
    too_tight = any(m.file_size >= 2**20 and m.file_size > limits.docx_max_ratio * max(m.compress_size, 1)
                    for m in members)
    if len(members) > limits.docx_max_members or unpacked > limits.docx_max_unpacked_mb * 2**20 or too_tight:
        raise _refuse(f"tệp Excel quá lớn hoặc nén bất thường khi giải nén (bot đọc tối đa "
                      f"{limits.docx_max_unpacked_mb} MB); hãy lưu riêng bảng đơn vị thành tệp mới")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number: 101, not 101.0
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def parse_units_xlsx(data: bytes, limits: FileSettings | None = None) -> list[UnitRow]:
    """Rows of the first sheet of an XLSX whose first row names the columns."""
    _check_zip(data, limits or FileSettings())
    from openpyxl import load_workbook  # loads only when a workbook comes

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise _refuse(NOT_XLSX) from None
    try:
        if not book.worksheets:
            raise _refuse("tệp Excel không có trang tính nào")
        cells = book.worksheets[0].iter_rows(values_only=True)
        header = [_text(v).lower() for v in next(cells, ())]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise _refuse("thiếu cột " + ", ".join(missing) + " ở dòng đầu của trang tính thứ nhất (cần: "
                          + ",".join(COLUMNS) + ")")
        check_header(header)
        index = {c: header.index(c) for c in COLUMNS}
        rows: list[UnitRow] = []
        for line, values in enumerate(cells, start=2):
            if line > MAX_ROWS + 1:
                raise _refuse(f"tệp có hơn {vn_format.number(MAX_ROWS)} dòng")
            values = [_text(v) for v in values]
            if not any(values):
                continue
            values += [""] * (len(header) - len(values))
            rows.append(UnitRow(line, *(values[index[c]] for c in COLUMNS)))
        return rows
    finally:
        book.close()


def parse_units_file(filename: str, data: bytes, limits: FileSettings | None = None) -> list[UnitRow]:
    """CSV or XLSX, told apart by the content (a zip is a workbook) and the name (.xls is refused)."""
    limits = limits or FileSettings()
    if len(data) > limits.max_bytes:
        raise _refuse(f"tệp nặng hơn {limits.max_mb} MB bot nhận")
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls" and not data.startswith(XLSX_MAGIC):
        raise _refuse(OLD_XLS)
    if data.startswith(XLSX_MAGIC) or suffix == ".xlsx":
        return parse_units_xlsx(data, limits)
    return parse_units_csv(data)
