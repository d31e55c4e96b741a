"""`python -m bot export`: a campaign's XLSX or a period's DOCX, or a review session's council
documents (minutes, proposal, achievements), written to --out without the chat."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot import vn_format
from bot.cli_common import _cannot_write, _print_err, _with_db
from bot.cli_parser import EXIT_USAGE
from bot.config import Settings
from storage.db import Database


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """The XLSX of a campaign, or the DOCX summary report of one of its periods, to --out; or the
    council's documents of a review session (minutes, proposal, achievements)."""
    if args.format in ("minutes", "proposal", "achievements"):
        return _export_council(settings, args)
    if args.format == "docx" and args.period is None:
        _print_err("Báo cáo .docx cần --period SỐ (số kỳ báo cáo, số sau dấu # trong danh sách kỳ).")
        return EXIT_USAGE
    from bot.services import exports

    async def work(db: Database) -> int:
        async with db.session() as session:
            try:
                if args.format == "xlsx":
                    made = await exports.campaign_workbook(session, args.campaign, settings)
                else:
                    made = await exports.period_report(session, args.campaign, args.period, settings)
            except exports.ExportError as exc:
                _print_err(exc.cli_text)
                return 1
        try:
            Path(args.out).write_bytes(made.content)
        except OSError as exc:
            _print_err(_cannot_write(args.out, exc))
            return EXIT_USAGE
        print(f"{args.out}: {vn_format.number(len(made.content))} byte ({made.filename})")
        return 0

    return asyncio.run(_with_db(settings, work))


def _export_council(settings: Settings, args: argparse.Namespace) -> int:
    """minutes and proposal: one file at --out; achievements: one file per candidate who passed,
    into the folder --out."""
    if args.session is None:
        _print_err(f"--format {args.format} cần --session SỐ (số phiên họp xét).")
        return EXIT_USAGE
    out = Path(args.out)
    folder = out if args.format == "achievements" else out.parent
    if not folder.is_dir():
        _print_err(f"Không ghi được {out}: thư mục {folder} không có. Tạo thư mục trước, hoặc chọn đường dẫn khác.")
        return EXIT_USAGE
    from bot.services import council_documents
    from bot.services.exports import ExportError

    async def work(db: Database) -> int:
        async with db.session() as session:
            try:
                made = await council_documents.documents(session, args.session, args.format, settings,
                                                         campaign_id=args.campaign)
            except ExportError as exc:
                _print_err(exc.cli_text)
                return 1
        if not made:
            print("Không có ứng viên nào đạt: không có báo cáo thành tích để lập.")
            return 0
        for item in made:
            path = out / item.filename if args.format == "achievements" else out
            try:
                path.write_bytes(item.content)
            except OSError as exc:
                _print_err(_cannot_write(str(path), exc))
                return EXIT_USAGE
            print(f"{path}: {vn_format.number(len(item.content))} byte")
        return 0

    return asyncio.run(_with_db(settings, work))
