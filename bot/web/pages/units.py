"""/web/units (admins): the unit tree with its officers and leaders, and importing the clerk's
CSV/XLSX list — previewed first (new, changed, unchanged, every bad line), applied only on
“Áp dụng”, which reads the stored upload again and validates it again (bot.services.units, the
same rules as `python -m bot units import`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import select

from bot.core.invites import MAX_CODES
from bot.services import audit, files, unit_sheets, units
from bot.services.units import Preview, UnitImportError
from bot import vn_format
from bot.texts import web as texts
from bot.web.auth import db_of, me, notice, page, render, settings_of, takes_file
from bot.web.pages.home import LINKS, Link
from storage.models import Member, StoredFile

COMMAND = "members"  # the roles of the chat's /members and /invite: admins
routes = web.RouteTableDef()
LINKS.append(Link("/web/units", texts.UNITS_LINK, texts.UNITS_ABOUT, COMMAND))


@dataclass(frozen=True)
class TreeRow:
    id: int
    code: str
    name: str
    kind: str
    depth: int
    active: bool
    officers: int
    leaders: int


async def tree_page(request: web.Request, *, status: int = 200, ok: str | None = None,
                    error: str | None = None) -> web.Response:
    """The tree, with an outcome above it (what was done, or why nothing was)."""
    async with db_of(request).session() as session:
        tree = await units.unit_tree(session, me(request).member.scope_unit_id)
        counts = await units.role_counts(session)
    rows = [TreeRow(u.id, u.code, u.name, u.kind, min(depth, 6), u.active, counts.get(u.id, {}).get("officer", 0),
                    counts.get(u.id, {}).get("leader", 0)) for u, depth, _ in tree]
    return render(request, "units.html", {"title": texts.UNITS_TITLE, "rows": rows, "ok": ok, "error": error,
                                          "max_codes": MAX_CODES}, status=status)


@routes.get("/web/units")
@page(COMMAND)
async def units_page(request: web.Request) -> web.Response:
    return await tree_page(request)


async def _preview(request: web.Request, name: str, data: bytes) -> Preview:
    """What the file would do, with a bad file's own problems (unreadable, no header…) as lines."""
    try:
        rows = await asyncio.to_thread(unit_sheets.parse_units_file, name, data, settings_of(request).files)
    except UnitImportError as exc:
        return Preview([], [], 0, exc.problems)
    async with db_of(request).session() as session:
        return await units.preview(session, rows)


def _preview_page(request: web.Request, plan: Preview, name: str, file_id: int | None,
                  status: int = 200) -> web.Response:
    bad_lines = len({p.line for p in plan.problems})
    return render(request, "units_preview.html", {
        "title": texts.UNITS_PREVIEW_TITLE, "plan": plan, "filename": name, "file_id": file_id,
        "cannot_apply": texts.UNITS_CANNOT_APPLY.format(n=vn_format.number(bad_lines)) if plan.problems else None,
        "nothing": texts.UNITS_NOTHING_TO_DO if not plan.problems and not plan.new and not plan.changed else None,
    }, status=status)


@routes.post("/web/units/import")
@takes_file
@page(COMMAND)
async def upload(request: web.Request) -> web.Response:
    if me(request).member.scope_unit_id is not None:  # the tree is the top office's to change
        return await tree_page(request, status=403, error=texts.UNITS_IMPORT_TOP_ONLY)
    form = await request.post()
    field = form.get("file")
    if not isinstance(field, web.FileField) or not field.filename:
        return await tree_page(request, status=400, error=texts.UNITS_NO_FILE)
    name, data = field.filename[-255:], field.file.read()
    plan = await _preview(request, name, data)
    file_id = None
    if not plan.problems:  # only a file that could be applied is kept, for “Áp dụng” to read again
        async with db_of(request).session() as session:
            stored = await files.store(session, data, name, field.content_type, uploaded_by=me(request).member.id)
            file_id = stored.id
    return _preview_page(request, plan, name, file_id, status=200 if not plan.problems else 422)


@routes.post("/web/units/apply")
@page(COMMAND)
async def apply(request: web.Request) -> web.Response:
    if me(request).member.scope_unit_id is not None:
        return await tree_page(request, status=403, error=texts.UNITS_IMPORT_TOP_ONLY)
    form = await request.post()
    member_id = me(request).member.id
    raw = str(form.get("file", ""))
    async with db_of(request).session() as session:
        stored = (await session.execute(select(StoredFile.filename, StoredFile.content).where(
            StoredFile.id == (int(raw) if raw.isdigit() else -1),
            StoredFile.uploaded_by_member_id == member_id))).first()  # only this admin's own upload
    if stored is None:
        return notice(request, 404, texts.NOT_FOUND_TITLE, texts.UNITS_FILE_GONE)
    name, data = stored
    try:
        rows = await asyncio.to_thread(unit_sheets.parse_units_file, name, data, settings_of(request).files)
        async with db_of(request).session() as session:
            result = await units.import_units(session, rows)
            audit.record(session, "units.imported", actor=await session.get(Member, member_id), file=name,
                         file_id=int(raw), created=result.created, updated=result.updated, channel="web")
    except UnitImportError as exc:  # the tree changed since the preview: shown again, nothing written
        return _preview_page(request, Preview([], [], 0, exc.problems), name, None, status=409)
    done = texts.UNITS_APPLIED.format(filename=name, created=vn_format.number(result.created),
                                      updated=vn_format.number(result.updated), unchanged=vn_format.number(result.unchanged))
    return await tree_page(request, ok=done)
