"""The unit tree: import from CSV or XLSX (previewed, then all or nothing), list, look up."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.collation import vn_key
from storage.models import Member, Unit

COLUMNS = ("code", "name", "kind", "parent_code")


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    kind: str
    parent_code: str


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Dòng {self.line}: {self.message}"


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


class UnitImportError(Exception):
    """The file has bad rows; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def check_header(header: list[str]) -> None:
    """Columns the bot does not read are named, never dropped silently (the clerk may think a
    "ghi chú" or a misspelt "parent" column was imported)."""
    extra = [h for h in header if h and h not in COLUMNS]
    if extra:
        raise UnitImportError([Problem(1, "cột " + ", ".join(f"“{h}”" for h in extra) + " bot không đọc; hãy xóa "
                                       "hoặc đổi tên cho đúng (chỉ dùng: " + ",".join(COLUMNS) + ")")])


def key_of(code: str | None) -> str:
    """Unit codes are matched without regard to case, as the chat does: `xa01` is `XA01`."""
    return (code or "").strip().upper()


def parse_units_csv(data: bytes | str) -> list[UnitRow]:
    """Rows of a units CSV (UTF-8, with or without BOM; comma, semicolon or tab separated)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnitImportError([Problem(1, "tệp không phải UTF-8; hãy lưu lại dạng CSV UTF-8")]) from None
    data = data.lstrip("\ufeff")
    if not data.strip():
        raise UnitImportError([Problem(1, "tệp rỗng")])
    first_line = data.splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(data), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UnitImportError(
            [Problem(1, "thiếu cột " + ", ".join(missing) + " (cần: " + ",".join(COLUMNS) + ")")]
        )
    check_header(header)
    index = {c: header.index(c) for c in COLUMNS}
    rows: list[UnitRow] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        values = values + [""] * (len(header) - len(values))
        rows.append(UnitRow(line, *(values[index[c]].strip() for c in COLUMNS)))
    return rows


@dataclass(frozen=True)
class Change:
    """An existing unit the file changes: (what, before, after) for each field that differs."""

    row: UnitRow
    fields: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Preview:
    """What importing the rows would do; nothing is written. Any problem: nothing may be applied."""

    new: list[UnitRow]
    changed: list[Change]
    unchanged: int
    problems: list[Problem]


FIELD_NAMES = {"name": "tên", "kind": "loại", "parent_code": "cấp trên", "active": "trạng thái"}
ACTIVE_WORDS = {True: "đang hoạt động", False: "ngừng hoạt động"}


def _problems(rows: list[UnitRow], existing: dict[str, Unit], by_id: dict[int, Unit]) -> list[Problem]:
    """Every bad line, each named with its line number, sorted by line."""
    problems: list[Problem] = []
    if not rows:
        problems.append(Problem(1, "tệp không có dòng đơn vị nào, chỉ có dòng tiêu đề"))
    seen: dict[str, tuple[int, str]] = {}
    codes = {key_of(r.code) for r in rows}
    for row in rows:
        if not row.code:
            problems.append(Problem(row.line, "thiếu mã đơn vị (code)"))
        elif len(row.code) > 64:
            problems.append(Problem(row.line, "mã đơn vị dài quá 64 ký tự"))
        elif any(ch.isspace() for ch in row.code):
            problems.append(Problem(row.line, f"mã “{row.code}” có dấu cách; mã đơn vị viết liền, ví dụ XA01"))
        elif key_of(row.code) in seen:
            first, first_code = seen[key_of(row.code)]
            case_note = "" if first_code == row.code else f" (“{first_code}”: mã không phân biệt chữ hoa, chữ thường)"
            problems.append(Problem(row.line, f"mã “{row.code}” trùng với dòng {first}{case_note}"))
        else:
            seen[key_of(row.code)] = (row.line, row.code)
        if not row.name:
            problems.append(Problem(row.line, "thiếu tên đơn vị (name)"))
        elif len(row.name) > 255:
            problems.append(Problem(row.line, "tên đơn vị dài quá 255 ký tự"))
        if not row.kind:
            problems.append(Problem(row.line, "thiếu loại đơn vị (kind), ví dụ: tỉnh, xã, phường, cơ quan"))
        elif len(row.kind) > 64:
            problems.append(Problem(row.line, "loại đơn vị dài quá 64 ký tự"))
        if row.parent_code and key_of(row.parent_code) not in codes and key_of(row.parent_code) not in existing:
            problems.append(Problem(row.line, f"đơn vị cấp trên “{row.parent_code}” không có"))

    # The tree after the import: the file's parents override the database's.
    parent_of: dict[str, str | None] = {
        code: (key_of(by_id[u.parent_id].code) if u.parent_id in by_id else None) for code, u in existing.items()
    }
    for row in rows:
        if row.code:
            parent_of[key_of(row.code)] = key_of(row.parent_code) or None
    line_of = {key_of(row.code): row.line for row in rows if row.code}
    in_cycle: set[str] = set()
    for row in rows:
        path: list[str] = []
        code: str | None = key_of(row.code) or None
        while code is not None and code not in path and code not in in_cycle:
            path.append(code)
            code = parent_of.get(code)
        if code is not None and code in path:
            cycle = path[path.index(code):]
            in_cycle.update(cycle)
            for member in cycle:
                if member in line_of:
                    chain = " → ".join(cycle + [code])
                    problems.append(Problem(line_of[member], f"vòng lặp cấp trên: {chain}"))
    return sorted(set(problems), key=lambda p: (p.line, p.message))


async def preview(session: AsyncSession, rows: list[UnitRow]) -> Preview:
    """What `import_units` would do with these rows: new units, changed ones (and how), how many
    stay as they are, and every bad line. Writes nothing; the CLI and the web page both use it."""
    existing = {key_of(u.code): u for u in (await session.scalars(select(Unit))).all()}
    by_id = {u.id: u for u in existing.values()}
    problems = _problems(rows, existing, by_id)
    new: list[UnitRow] = []
    changed: list[Change] = []
    unchanged = 0
    for row in rows:
        unit = existing.get(key_of(row.code))
        if unit is None:
            new.append(row)
            continue
        parent = by_id[unit.parent_id].code if unit.parent_id in by_id else ""
        fields = [(FIELD_NAMES[f], before, after) for f, before, after in
                  (("name", unit.name, row.name), ("kind", unit.kind, row.kind),
                   ("parent_code", parent, row.parent_code)) if (before != after if f != "parent_code"
                                                                 else key_of(before) != key_of(after))]
        if not unit.active:
            fields.append((FIELD_NAMES["active"], ACTIVE_WORDS[False], ACTIVE_WORDS[True]))
        if fields:
            changed.append(Change(row, tuple(fields)))
        else:
            unchanged += 1
    return Preview(new, changed, unchanged, problems)


async def import_units(session: AsyncSession, rows: list[UnitRow]) -> ImportResult:
    """Create or update units by code. Any bad row: raise UnitImportError and change nothing."""
    plan = await preview(session, rows)
    if plan.problems:
        raise UnitImportError(plan.problems)
    units = {key_of(u.code): u for u in (await session.scalars(select(Unit))).all()}
    for row in plan.new:
        units[key_of(row.code)] = Unit(code=row.code, name=row.name, kind=row.kind, active=True)
        session.add(units[key_of(row.code)])
    for change in plan.changed:
        unit = units[key_of(change.row.code)]
        unit.name, unit.kind, unit.active = change.row.name, change.row.kind, True
    await session.flush()
    for row in rows:
        parent_id = units[key_of(row.parent_code)].id if row.parent_code else None
        if units[key_of(row.code)].parent_id != parent_id:
            units[key_of(row.code)].parent_id = parent_id
    await session.flush()
    return ImportResult(len(plan.new), len(plan.changed), plan.unchanged)


async def unit_by_code(session: AsyncSession, code: str) -> Unit | None:
    return await session.scalar(select(Unit).where(func.upper(Unit.code) == key_of(code)))


async def unit_tree(session: AsyncSession, top: int | None = None) -> list[tuple[Unit, int, int]]:
    """(unit, depth, active members) in tree order, children sorted by name (bot.collation); from
    `top` down (a xã's office sees its own subtree), or the whole tree."""
    units = sorted((await session.scalars(select(Unit))).all(), key=lambda u: (vn_key(u.name), u.code))
    counts = dict(
        (
            await session.execute(
                select(Member.unit_id, func.count()).where(Member.left_at.is_(None)).group_by(Member.unit_id)
            )
        ).all()
    )
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    out: list[tuple[Unit, int, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            out.append((unit, depth, counts.get(unit.id, 0)))
            walk(unit.id, depth + 1)

    if top is None:
        walk(None, 0)
    else:
        start = next((u for u in units if u.id == top), None)
        if start is not None:
            out.append((start, 0, counts.get(start.id, 0)))
            walk(start.id, 1)
    return out


async def role_counts(session: AsyncSession) -> dict[int, dict[str, int]]:
    """Active members of each unit by role: {unit id: {"officer": 3, "leader": 1}}."""
    rows = await session.execute(select(Member.unit_id, Member.role, func.count())
                                 .where(Member.left_at.is_(None), Member.unit_id.is_not(None))
                                 .group_by(Member.unit_id, Member.role))
    out: dict[int, dict[str, int]] = {}
    for unit_id, role, n in rows.all():
        out.setdefault(unit_id, {})[role] = n
    return out
