"""The shape of the code: no import cycles, `python -m bot run` imports nothing of devkit (the
simulators, the demos, the sample campaign), and no module a person cannot read in one sitting.
The layer contracts themselves are pyproject.toml's [tool.importlinter], checked by `lint-imports`."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from pathlib import Path

import grimp

from devkit.simulator import BotApiSimulator, ZaloApiSimulator
from storage import migrate
from storage.db import Database, empty_scratch_database
from tests.conftest import TOKEN, USERNAME, ZALO_TOKEN
from tests.test_inbox_crash import eventually, free_port

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage", "devkit")
MAX_LINES = 600

# Cycles known and expected to go: the lead's rewrite of the handlers into bot/core removes them.
# Each is the full set of modules that import one another round; when one is gone, delete it here.
KNOWN_CYCLES: dict[frozenset[str], str] = {}


def import_cycles(graph: grimp.ImportGraph) -> list[frozenset[str]]:
    """Every set of two or more modules that import one another round (strongly connected
    components of the direct-import graph), smallest module name first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        # Tarjan's algorithm, iterative (the graph is deep enough to make recursion fragile).
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return sorted(found, key=min)


def project_graph() -> grimp.ImportGraph:
    # As lint-imports builds it (pyproject.toml): imports under `if TYPE_CHECKING:` never run.
    return grimp.build_graph(*PACKAGES, include_external_packages=False, exclude_type_checking_imports=True)


def describe(graph: grimp.ImportGraph, cycle: frozenset[str]) -> str:
    lines = []
    for importer in sorted(cycle):
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & cycle):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(f"  {importer} -> {imported} (l.{detail['line_number']}: {detail['line_contents']})")
    return "\n".join(lines)


def test_the_cycle_finder_finds_a_cycle_and_nothing_else():
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d"), ("p.e", "p.e2")]:
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == [frozenset({"p.a", "p.b", "p.c"})]


def test_no_import_cycles_but_the_known_ones():
    graph = project_graph()
    cycles = import_cycles(graph)
    new = [c for c in cycles if c not in KNOWN_CYCLES]
    assert not new, "new import cycles:\n" + "\n\n".join(describe(graph, c) for c in new)
    gone = [name for c, name in KNOWN_CYCLES.items() if c not in cycles]
    assert not gone, f"these known cycles are gone, delete them from KNOWN_CYCLES: {gone}"


def test_no_module_over_600_lines():
    long = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            count = len(path.read_text(encoding="utf-8").splitlines())
            if count > MAX_LINES:
                long[str(path.relative_to(ROOT))] = count
    assert not long, f"modules over {MAX_LINES} lines: {long}"


# Loaded by site at start-up (it is on PYTHONPATH): when the interpreter exits, it writes the name of
# every module the process imported. It imports only the standard library's atexit, os and sys.
SITECUSTOMIZE = textwrap.dedent('''
    import atexit, os, sys

    def _report(path=os.environ["THIDUA_TEST_MODULES_FILE"]):
        with open(path, "w", encoding="utf-8") as out:
            out.write("\\n".join(sorted(sys.modules)))

    atexit.register(_report)
''')


def dev_only(name: str) -> bool:
    """devkit and anything that reads as a simulator, a demo or sample seeding, wherever it is."""
    if name == "devkit" or name.startswith("devkit."):
        return True
    if name.split(".")[0] not in PACKAGES:
        return False
    return any(word in part for part in name.split(".") for word in ("simulator", "demo", "sample", "seed"))


def test_dev_only_names_what_it_should():
    assert dev_only("devkit") and dev_only("devkit.simulator.server") and dev_only("bot.demo")
    assert dev_only("bot.sample_campaign") and dev_only("bot.zalo.demo") and dev_only("bot.simulator")
    assert not dev_only("bot.app") and not dev_only("aiohttp.web") and not dev_only("handlers.campaigns")


async def test_run_imports_no_devkit_module(tmp_path, db_url):
    """The real `python -m bot -v run`, both channels in one process against the simulators; once it
    has answered a person on each, it is stopped as an operator stops it (SIGTERM) and tells which
    modules it imported."""
    db = Database(db_url)
    await empty_scratch_database(db)
    await migrate.upgrade(db)
    await db.dispose()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    modules_file = tmp_path / "modules.txt"
    port = free_port()
    (tmp_path / "config.toml").write_text(textwrap.dedent(f"""
        [bot]
        username = "{USERNAME}"

        [zalo]
        listen = "127.0.0.1"
        port = {port}
        public_base_url = "http://127.0.0.1:{port}"
        link_secret = "{'s' * 32}"
    """), encoding="utf-8")
    log = tmp_path / "bot.log"
    async with BotApiSimulator(token=TOKEN, bot_username=USERNAME) as tg, ZaloApiSimulator(token=ZALO_TOKEN) as zl:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("THIDUA_", "TELEGRAM_", "ZALO_"))}
        env.update({
            "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(ROOT)]),
            "THIDUA_TEST_MODULES_FILE": str(modules_file),
            "THIDUA_CONFIG": str(tmp_path / "config.toml"),
            "THIDUA_DATABASE_URL": db_url,
            "TELEGRAM_BOT_TOKEN": TOKEN, "THIDUA_BOT_API_URL": tg.base_url, "THIDUA_BOT_FILE_URL": tg.base_file_url,
            "ZALO_BOT_TOKEN": ZALO_TOKEN, "THIDUA_ZALO_API_URL": zl.base_url,
        })
        with log.open("ab") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "-v", "run", env=env, cwd=tmp_path, stdout=out,
                stderr=asyncio.subprocess.STDOUT)
        try:
            tg.send_text(4001, "/start")
            zl.send_text("8100000000000000009", "xin chào")
            await eventually(lambda: tg.messages(4001) and zl.messages("8100000000000000009"), 30,
                             "an answer on Telegram and on Zalo", log,
                             lambda: (tg.messages(4001), zl.messages("8100000000000000009")))
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 20) == 0, log.read_text(errors="replace")[-4000:]
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert modules_file.exists(), "the process did not report its modules; log:\n" + log.read_text(errors="replace")
    modules = set(modules_file.read_text(encoding="utf-8").split())
    # It ran the real run path: the Application, the Telegram handlers, the Zalo channel, storage.
    assert {"bot.app", "bot.cli", "handlers.conversation", "bot.core.dispatch", "bot.zalo.channel", "bot.zalo.conversation",
            "storage.db", "telegram.ext", "aiohttp.web"} <= modules
    assert sorted(m for m in modules if dev_only(m)) == []
