"""The files leadership reads, at the size of a province: 3,321 units, 20,000 nominations, 6,600
reports. Prints the time and peak memory of building a digest with its chart, the XLSX export
and the DOCX summary report.

    python bench/digest.py [--units 3321] [--nominations 20000] [--reports 6600] [--database-url URL]

Each build runs in its own session, as /digest, /export and /report_docx do. Peak memory is the
Python heap's peak during that build (tracemalloc), and the process's peak RSS at the end. The
database defaults to a throw-away SQLite file; a --database-url must be a scratch database (its
public schema is dropped first on PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bot import clock  # noqa: E402
from bot.config import Settings  # noqa: E402
from devkit.sample_campaign import seed  # noqa: E402
from bot.services import digest_sending, exports  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database, empty_scratch_database  # noqa: E402

NOW = datetime(2026, 11, 30, 7, 30, tzinfo=clock.LOCAL_TZ)  # a Monday digest


async def _timed(db: Database, build, trace: bool) -> tuple[float, int, str]:  # noqa: ANN001
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    async with db.session() as session:
        size = await build(session)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    return seconds, peak, size


async def measure(url: str, cid: int) -> None:
    """In a process of its own, so its peak RSS is the builds' and not the seeding's."""
    db = Database(url)
    clock.set_now(NOW)
    settings = Settings()

    async def digest(session) -> str:  # noqa: ANN001
        rendered = await digest_sending.render(session, NOW, NOW - timedelta(days=7))
        return f"{len(rendered.text):,} characters, chart {len(rendered.chart):,} bytes"

    async def xlsx(session) -> str:  # noqa: ANN001
        return f"{len((await exports.campaign_workbook(session, cid, settings)).content):,} bytes"

    async def docx(session) -> str:  # noqa: ANN001
        return f"{len((await exports.period_report(session, cid, '1', settings)).content):,} bytes"

    builds = (("digest text + chart", digest), ("XLSX export", xlsx), ("DOCX summary report (sơ kết)", docx))
    total = 0.0
    # Timed without tracemalloc (it slows Python down several times), then traced for the heap peak.
    # The first digest pays for importing matplotlib (~0.5 s), as the bot's first one does.
    for label, build in builds:
        seconds, _, size = await _timed(db, build, trace=False)
        _, peak, _ = await _timed(db, build, trace=True)
        total += seconds
        print(f"{label:<30} {seconds:6.2f} s   heap peak {peak / 2**20:6.1f} MB   {size}")
    print(f"all three: {total:.2f} s; peak RSS of the process that built them "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    await db.dispose()


async def main(args: argparse.Namespace) -> None:
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='thidua-bench-')}/bench.db"
    db = Database(url)
    await empty_scratch_database(db)
    await migrate.upgrade(db)
    clock.set_now(NOW)
    started = time.perf_counter()
    async with db.session() as session:
        sample = await seed(session, units=args.units, nominations=args.nominations, reports=args.reports)
    print(f"seeded {args.units:,} units, {args.nominations:,} nominations, {args.reports:,} reports "
          f"in {time.perf_counter() - started:.1f} s on {db.engine.dialect.name}")
    await db.dispose()
    subprocess.run([sys.executable, __file__, "--measure", str(sample.campaign_id), "--database-url", url], check=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--nominations", type=int, default=20000)
    parser.add_argument("--reports", type=int, default=6600)
    parser.add_argument("--database-url")
    parser.add_argument("--measure", type=int, metavar="CAMPAIGN", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        asyncio.run(measure(arguments.database_url, arguments.measure))
    else:
        asyncio.run(main(arguments))
