"""Hostile plan documents, read as the bot did before (on its event loop) and as it does now
(bot.services.untrusted_files: caps, then a process of its own with a time limit).

    python bench/untrusted_files.py [--docx-mb 50] [--pdf-pages 1] [--parse-seconds 15]

For each file it prints, for both ways: how long reading took, the longest the event loop was
stalled meanwhile (what every other conversation waits), the peak RSS of the bot's process and
of the reading child, and what the person was answered. Each run is a fresh Python, so the peaks
are that run's own.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import resource
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import FileSettings  # noqa: E402
from bot.services import untrusted_files  # noqa: E402
from bot.services.plan_reader import PlanReadError, read_plan_bytes  # noqa: E402

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="word/document.xml"/></Relationships>')


def inflating_docx(unpacked_mb: float, members: int = 0) -> bytes:
    """A real .docx (python-docx opens it) whose document.xml is `unpacked_mb` MB of the same
    paragraph: it packs to a few hundred times less. `members` adds that many tiny parts."""
    para = "<w:p><w:r><w:t>Kế hoạch thi đua năm 2026 của Ủy ban nhân dân tỉnh</w:t></w:r></w:p>".encode()
    body = para * int(unpacked_mb * 2**20 / len(para))
    document = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document '
                b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                + body + b"</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document)
        for i in range(members):
            z.writestr(f"customXml/item{i}.xml", b"<a/>")
    return out.getvalue()


def pdf_of_pages(content: bytes, pages: int = 1) -> bytes:
    """A PDF of `pages` pages that all show one FlateDecode content stream."""
    packed = zlib.compress(content, 9)
    kids = b" ".join(b"3 0 R" for _ in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return write_pdf(objects)


def write_pdf(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (numbered from 1; the first is the catalog), with its xref."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def slow_pdf(pages: int = 1, operators: int = 300_000) -> bytes:
    """`pages` pages that share one content stream of `operators` lines of text. pypdf interprets
    each operator in Python and its text output grows slower than linearly: 300.000 lines take about
    30 s (pypdf stops a stream at 2.000.000 tokens, but reads a shared stream anew for every page),
    and pack to 10 KB."""
    return pdf_of_pages(b"BT /F1 10 Tf 40 800 Td\n" + b"(x) Tj 0 -14 Td\n" * operators + b"ET", pages)


def _peak_rss_mb() -> int:
    """This process's peak RSS. Linux's ru_maxrss keeps the peak of the process that exec'd us (the
    bench, which built the files), so VmHWM, which starts afresh at exec, where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (2**20 if sys.platform == "darwin" else 1024)


async def _measure(read) -> dict:
    """Run `read()` while a heartbeat every 10 ms records the loop's longest stall."""
    stall, running = 0.0, True

    async def heartbeat() -> None:
        nonlocal stall
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            stall, last = max(stall, now - last - 0.01), now

    beat = asyncio.create_task(heartbeat())
    await asyncio.sleep(0.05)
    start = time.perf_counter()
    try:
        await read()
        answer = "read"
    except PlanReadError as exc:
        answer = str(exc)
    seconds = time.perf_counter() - start
    running = False
    await beat
    return {"seconds": round(seconds, 2), "stall": round(stall, 2), "answer": answer,
            "rss_mb": _peak_rss_mb(),
            "child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}


def _one(way: str, path: Path, parse_seconds: int) -> dict:
    data, limits = path.read_bytes(), FileSettings(parse_seconds=parse_seconds)

    async def before() -> None:  # what the launch form did: the reader called on the event loop
        read_plan_bytes(path.name, data)

    async def after() -> None:
        await untrusted_files.read_plan(path.name, data, limits)

    return asyncio.run(_measure(before if way == "before" else after))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docx-mb", type=float, default=50)
    parser.add_argument("--pdf-pages", type=int, default=1)
    parser.add_argument("--parse-seconds", type=int, default=FileSettings.parse_seconds)
    parser.add_argument("--one", nargs=2, metavar=("WAY", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one[0], Path(args.one[1]), args.parse_seconds)))
        return
    folder = Path(__import__("tempfile").mkdtemp(prefix="untrusted-"))
    files = {folder / "ke-hoach.docx": inflating_docx(args.docx_mb), folder / "ke-hoach.pdf": slow_pdf(args.pdf_pages)}
    for path, data in files.items():
        path.write_bytes(data)
        print(f"{path.name}: {len(data) / 2**20:.2f} MB")
        for way in ("before", "after"):
            run = subprocess.run([sys.executable, __file__, "--parse-seconds", str(args.parse_seconds),
                                  "--one", way, str(path)], capture_output=True, text=True, check=True)
            r = json.loads(run.stdout)
            print(f"  {way:6}  {r['seconds']:6.2f} s  loop stalled {r['stall']:6.2f} s  "
                  f"bot RSS {r['rss_mb']:4d} MB  reader RSS {r['child_rss_mb']:4d} MB  → {r['answer'][:70]}")


if __name__ == "__main__":
    main()
