"""The council's documents from their templates (docxtpl: Jinja fields in ordinary Word files):
the biên bản of a review session, its tờ trình, and the draft báo cáo thành tích of each candidate
who passed. The bundled templates (bot/exports/templates, written by devkit/council_templates.py)
follow Decree 30/2020; `council.templates_dir` points at an office's own folder of the same names.
The fields a template can use are the keys of the context bot.services.council_documents builds
(README, "The council's documents")."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

BUNDLED = Path(__file__).resolve().parent / "templates"
MINUTES = "bien-ban-phien-xet.docx"
PROPOSAL = "to-trinh-khen-thuong.docx"
ACHIEVEMENTS = {"individual": "bao-cao-thanh-tich-ca-nhan.docx", "collective": "bao-cao-thanh-tich-tap-the.docx"}


def template_path(folder: str, name: str) -> Path:
    """The office's template when its folder has one of this name, else the bundled one."""
    own = Path(folder) / name if folder else None
    return own if own is not None and own.is_file() else BUNDLED / name


def render(path: Path, context: dict[str, Any], *, author: str, title: str, now: datetime) -> bytes:
    """The template filled in, with the file's properties of this document (not the template's)."""
    tpl = DocxTemplate(path)
    tpl.render(context, autoescape=True)
    props = tpl.core_properties
    props.author = props.last_modified_by = author
    props.title = title[:255]
    props.created = props.modified = now.astimezone(UTC)
    props.revision = 1
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
