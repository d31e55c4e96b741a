"""Files people send are untrusted: their size is checked before download, and a plan document is
read in a process of its own, with caps, that is killed when it takes too long.

python-docx and pypdf trust what they are given: a 0,2 MB .docx can unpack to 50 MB of XML (27 s
and 900 MB in python-docx), a 6 KB PDF can hold 200.000 text operators (4 s in pypdf). Read on the
event loop, either froze every conversation meanwhile. So:

- a .docx's members are checked as its zip directory declares them (how many, their unpacked size
  added up, how much any large one unpacks per packed byte) before python-docx opens it; zipfile
  never unpacks more of a member than it declares, so the declared sizes bound the work;
- a PDF's pages are counted before any is read (bot.services.plan_reader);
- the reading runs in a fresh Python (`python -m bot.services.untrusted_files`) fed the bytes on
  stdin, killed after `files.parse_seconds`, its address space limited to `files.parse_memory_mb`
  where the system allows it; the event loop only waits for it. A thread could not be stopped; a
  process can. Only JSON comes back (nothing is unpickled from a process that read hostile bytes)
  and the child gets no secrets: its environment is a short list, without the bot's tokens.

Plan documents come only through the launch form on Telegram (Zalo cannot send documents), so at
most `bot.concurrent_updates` are read at once. No channel code here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path, PurePath
from typing import Any

from bot.config import FileSettings
from bot.services.plan_reader import PlanReadError, read_plan_bytes
from bot import vn_format

CHILD_MODULE = "bot.services.untrusted_files"
# Only members this large are held to the ratio: a small one may pack well and still cost little.
RATIO_FROM_BYTES = 2**20
# What the reading process keeps of the bot's environment: enough to start Python, no secrets.
CHILD_ENV_KEYS = ("PATH", "SYSTEMROOT", "TMP", "TEMP", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE")

TOO_BIG = ("Tệp nặng {size} MB, vượt quá {max} MB bot nhận. Hãy gửi tệp nhỏ hơn: văn bản không kèm ảnh, "
           "hoặc ảnh chụp lại ở độ phân giải thấp hơn.")
DOCX_TOO_BIG = ("Tệp .docx quá lớn sau khi giải nén ({size} MB, bot đọc tối đa {max} MB). Có thể tệp chứa nhiều "
                "ảnh hoặc đã bị làm hỏng. Hãy lưu lại văn bản không kèm ảnh, hoặc gửi bản PDF.")
DOCX_PACKED_TOO_TIGHT = ("Tệp .docx nén bất thường: phần “{member}” giải nén ra gấp {ratio} lần (tối đa {max} lần), "
                         "kiểu tệp dùng để làm treo máy, nên bot không mở. Hãy mở văn bản trong Word, lưu thành "
                         "tệp mới rồi gửi lại, hoặc gửi bản PDF.")
DOCX_TOO_MANY_PARTS = ("Tệp .docx có {n} phần bên trong, nhiều hơn {max} phần bot đọc được. Hãy mở văn bản trong "
                       "Word, lưu thành tệp mới rồi gửi lại, hoặc gửi bản PDF.")
TOO_SLOW = ("Tệp {kind} đọc quá lâu (hơn {seconds} giây) nên bot đã dừng đọc. Hãy gửi bản .docx, hoặc xuất lại "
            "PDF từ Word (PDF có chữ, không phải bản scan) rồi gửi.")
TOO_MUCH_MEMORY = ("Tệp {kind} cần quá nhiều bộ nhớ để đọc nên bot đã dừng đọc. Hãy gửi văn bản gọn hơn "
                   "(không kèm ảnh), bản .docx hoặc bản PDF khác.")
READER_FAILED = "Bot không đọc được tệp {kind} này. Hãy gửi bản .docx hoặc PDF khác của văn bản."


def megabytes(size: int) -> str:
    """20,5 — one decimal, Vietnamese comma; whole numbers without it."""
    text = f"{size / 2**20:.1f}".removesuffix(".0")
    return text.replace(".", ",")


def _kind(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return {".pdf": "PDF", ".docx": ".docx"}.get(suffix, suffix or "này")


def check_size(size: int, limits: FileSettings) -> None:
    """Refuse a file larger than `files.max_mb`, before anything of it is downloaded or read."""
    if size > limits.max_bytes:
        raise PlanReadError(TOO_BIG.format(size=megabytes(size), max=limits.max_mb))


def check_docx(data: bytes, limits: FileSettings) -> None:
    """A .docx's zip directory against the caps, before python-docx unpacks anything."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return  # not a zip at all: python-docx says so in the reader's own words
    if len(members) > limits.docx_max_members:
        raise PlanReadError(DOCX_TOO_MANY_PARTS.format(n=vn_format.number(len(members)), max=vn_format.number(limits.docx_max_members)))
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.docx_max_unpacked_mb * 2**20:
        raise PlanReadError(DOCX_TOO_BIG.format(size=megabytes(unpacked), max=limits.docx_max_unpacked_mb))
    for m in members:
        if m.file_size >= RATIO_FROM_BYTES and m.file_size > limits.docx_max_ratio * max(m.compress_size, 1):
            ratio = vn_format.number(m.file_size // max(m.compress_size, 1))
            raise PlanReadError(DOCX_PACKED_TOO_TIGHT.format(member=m.filename[:60], ratio=ratio,
                                                             max=vn_format.number(limits.docx_max_ratio)))


def read_plan_unguarded(filename: str, data: bytes, limits: FileSettings) -> dict[str, Any]:
    """What the reading process does: the caps that need the content, then the plan reader."""
    if PurePath(filename).suffix.lower() == ".docx":
        check_docx(data, limits)
    return read_plan_bytes(filename, data, max_pdf_pages=limits.pdf_max_pages).to_json_dict()


# --- the reading process --------------------------------------------------------------------------


def _command(filename: str, limits: FileSettings) -> list[str]:
    job = {"filename": PurePath(filename).name[-255:] or "tep", "limits": dataclasses.asdict(limits)}
    return [sys.executable, "-m", CHILD_MODULE, json.dumps(job)]


def _child_env() -> dict[str, str]:
    env = {k: os.environ[k] for k in CHILD_ENV_KEYS if k in os.environ}
    # The bot's own code, found where this process found it (an install or a source checkout).
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _outcome(filename: str, returncode: int | None, out: bytes) -> dict[str, Any]:
    try:
        result = json.loads(out)
    except ValueError:
        result = None
    if not isinstance(result, dict) or returncode != 0:
        # Killed by the system for its memory, or crashed in C code: the file is at fault either way.
        raise PlanReadError(READER_FAILED.format(kind=_kind(filename)))
    if result.get("error") == "memory":
        raise PlanReadError(TOO_MUCH_MEMORY.format(kind=_kind(filename)))
    if "error" in result:
        raise PlanReadError(str(result["error"]))
    return result["plan"]


async def read_plan(filename: str, data: bytes, limits: FileSettings) -> dict[str, Any]:
    """The plan in `data` (PlanInfo.to_json_dict()), read in a process of its own; the event loop
    only waits. Raises PlanReadError with the Vietnamese answer for the person."""
    check_size(len(data), limits)
    process = await asyncio.create_subprocess_exec(
        *_command(filename, limits), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, env=_child_env())
    try:
        out, _ = await asyncio.wait_for(process.communicate(data), limits.parse_seconds)
    except TimeoutError:
        raise PlanReadError(TOO_SLOW.format(kind=_kind(filename), seconds=limits.parse_seconds)) from None
    finally:
        if process.returncode is None:  # timed out, or the update was cancelled (the bot stopping)
            process.kill()
            await process.wait()
    return _outcome(filename, process.returncode, out)


def read_plan_file(path: str | Path, limits: FileSettings) -> dict[str, Any]:
    """The same guarded reading for `python -m bot plan parse FILE` (no event loop there)."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, limits)
        data = path.read_bytes()
    except OSError as exc:
        raise PlanReadError(f"Không đọc được tệp {path.name}.") from exc
    try:
        done = subprocess.run(_command(path.name, limits), input=data, capture_output=True,
                              env=_child_env(), timeout=limits.parse_seconds, check=False)
    except subprocess.TimeoutExpired:  # run() has killed it
        raise PlanReadError(TOO_SLOW.format(kind=_kind(path.name), seconds=limits.parse_seconds)) from None
    return _outcome(path.name, done.returncode, done.stdout)


def _limit_memory(megabytes_: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the time limit still holds
        return
    cap = megabytes_ * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _near_memory_cap(megabytes_: int) -> bool:
    """Whether this process's address space came near its cap (Linux: VmPeak). Out of memory, lxml
    raises no MemoryError but a syntax error ("unknown error"), which reads as a broken file."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024 >= 0.75 * megabytes_ * 2**20
    except (OSError, ValueError, IndexError):
        pass
    return False


def _child_main(argv: list[str]) -> int:
    job = json.loads(argv[1])
    limits = FileSettings(**job["limits"])
    _limit_memory(limits.parse_memory_mb)
    data = sys.stdin.buffer.read()
    try:
        result: dict[str, Any] = {"plan": read_plan_unguarded(job["filename"], data, limits)}
    except PlanReadError as exc:
        result = {"error": "memory" if _near_memory_cap(limits.parse_memory_mb) else str(exc)}
    except MemoryError:
        result = {"error": "memory"}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv))
