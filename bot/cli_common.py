"""What the CLI's commands share: errors on stderr, a path that cannot be written, a migrated database."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.config import Settings
from storage import migrate
from storage.db import Database


def _print_err(text: str) -> None:
    print(text, file=sys.stderr)


def _cannot_write(path: str, exc: OSError) -> str:
    parent = Path(path).parent
    if not parent.exists():
        return f"Không ghi được {path}: thư mục {parent} không có. Tạo thư mục trước, hoặc chọn đường dẫn khác."
    return f"Không ghi được {path}: {exc.strerror or exc}."


async def _with_db(settings: Settings, work: Callable[[Database], Awaitable[int]]) -> int:
    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db)
        return await work(db)
    finally:
        await db.dispose()
