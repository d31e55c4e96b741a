"""The campaign dashboard (/web/campaigns/ID) at the size of a province: 3,321 units, 20,000
nominations, 6,600 reports. Prints the server time of the page (queries and render) over
--requests requests: unfiltered, then filtered by kind and status.

    python bench/dashboard.py [--units 3321] [--nominations 20000] [--reports 6600] [--requests 20]
                              [--database-url URL]

Each request goes through the real aiohttp application (bot.web.server.build_app) with a signed-in
admin's cookie, over HTTP on localhost; the server time is measured inside the application (a
middleware around the page handler, render included), so the client's reading of 1 MB of HTML is
not counted. With it, the CPU the process spent during each request (the database driver's
threads included; on PostgreSQL the server's own work is not in it): on a busy machine the
server time measures the wait for a CPU as much as the page. The chart (its own route) is timed apart. The database defaults to a throw-away
SQLite file; a --database-url must be a scratch database (its public schema is dropped first on
PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bot import clock  # noqa: E402
from bot.config import Settings, WebSettings  # noqa: E402
from bot.services import web_sessions  # noqa: E402
from bot.web import auth  # noqa: E402
from bot.web.server import build_app  # noqa: E402
from devkit.sample_campaign import seed  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database, empty_scratch_database  # noqa: E402

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=clock.LOCAL_TZ)  # the sơ kết past due, the tổng kết not yet


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _signed_in_cookie(db: Database, member_id: int) -> str:
    async with db.session() as session:
        token = await web_sessions.issue_signin(session, member_id, 10, "/web")
    async with db.session() as session:
        return (await web_sessions.redeem(session, token, 8)).token


async def main(args: argparse.Namespace) -> None:
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='thidua-bench-')}/bench.db"
    db = Database(url)
    await empty_scratch_database(db)
    await migrate.upgrade(db)
    clock.set_now(NOW)
    started = time.perf_counter()
    async with db.session() as session:
        sample = await seed(session, units=args.units, nominations=args.nominations, reports=args.reports,
                            delivered=args.units - args.units // 50)
    print(f"seeded {args.units:,} units, {args.nominations:,} nominations, {args.reports:,} reports "
          f"in {time.perf_counter() - started:.1f} s on {db.engine.dialect.name}")

    server_times: list[float] = []
    cpu_times: list[float] = []  # the process's CPU (database threads included) during each request

    @web.middleware
    async def timed(request: web.Request, handler) -> web.StreamResponse:  # noqa: ANN001
        begun, cpu = time.perf_counter(), time.process_time()
        response = await handler(request)
        server_times.append(time.perf_counter() - begun)
        cpu_times.append(time.process_time() - cpu)
        return response

    settings = Settings(database_url=url, web=WebSettings(listen="127.0.0.1", port=0))
    app = build_app(settings, db)
    app.middlewares.insert(0, timed)  # outermost: everything the server does for the request
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/web/campaigns/{sample.campaign_id}"
    cookie = await _signed_in_cookie(db, sample.admin_ids[0])
    views = (("all units", ""), ("kind xã, report late", "?kind=x%C3%A3&status=late"),
             ("not acknowledged", "?status=unacknowledged"))
    try:
        async with aiohttp.ClientSession(cookies={auth.COOKIE: cookie}) as http:
            for label, query in views:
                server_times.clear()
                cpu_times.clear()
                sizes = set()
                for _ in range(args.requests + 1):  # the first warms the caches (and imports)
                    async with http.get(base + query) as response:
                        assert response.status == 200, response.status
                        sizes.add(len(await response.read()))
                times, cpu = server_times[1:], cpu_times[1:]
                print(f"dashboard, {label:<24} p50 {statistics.median(times) * 1000:5.0f} ms   "
                      f"p95 {_percentile(times, 0.95) * 1000:5.0f} ms   max {max(times) * 1000:5.0f} ms   "
                      f"(CPU p50 {statistics.median(cpu) * 1000:4.0f} ms, p95 {_percentile(cpu, 0.95) * 1000:4.0f} ms)   "
                      f"{max(sizes):,} bytes of HTML")
            server_times.clear()
            for _ in range(3):
                async with http.get(base + "/chart.png") as response:
                    assert response.status == 200
            print(f"chart (its own request)          p50 {statistics.median(server_times[1:]) * 1000:6.0f} ms")
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    finally:
        await runner.cleanup()
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--nominations", type=int, default=20000)
    parser.add_argument("--reports", type=int, default=6600)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url")
    asyncio.run(main(parser.parse_args()))
