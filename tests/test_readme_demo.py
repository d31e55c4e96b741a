"""The README's demo lines run as written: each `printf '…' | python -m bot demo …` of its demo
section is taken from the README itself and run through a shell in the project's folder, so a
README that names a button by a number that moved, or a file that is not there, fails here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_LINE = re.compile(r"`(printf '[^`]*' \| python -m bot demo[^`]*)`")


def readme_demo_lines() -> list[str]:
    section = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("### The demo", 1)[1].split("\n## ", 1)[0]
    return DEMO_LINE.findall(section)


def run_as_written(line: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "THIDUA_CONFIG")}
    # `python` as the README's reader has it: this interpreter, first on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(["bash", "-c", line], capture_output=True, text=True, cwd=ROOT, env=env, timeout=180,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Không có nút số đó" not in result.stdout, result.stdout
    return result.stdout


def test_the_readme_shows_the_three_demo_lines():
    lines = readme_demo_lines()
    assert len(lines) == 3, lines
    assert "/new_campaign" in lines[0] and "--channel zalo" in lines[2]


def test_the_readmes_launch_runs_as_written():
    out = run_as_written(readme_demo_lines()[0])
    assert "✅ Đã gửi xong phát động #2" in out or "✅ Đã gửi xong phát động #1" in out, out
    assert "13. Các đơn vị: Phường Long Bình, Xã Xuân Đường" in out  # the item the README names
    assert "Đã ghi nhận: Phường Long Bình đã nhận phát động «Phát động thi đua đặc biệt" in out  # mai's #1


def test_the_readmes_joining_and_zalo_lines_run_as_written():
    joined = run_as_written(readme_demo_lines()[1])
    assert "Chào mừng Võ Thanh Bình" in joined and "Đơn vị: Xã Cẩm Mỹ (mã CM)" in joined
    zalo = run_as_written(readme_demo_lines()[2])
    assert "Đã ghi nhận: Phường Long Bình đã nhận phát động" in zalo
    assert "Phường Long Bình: ✅ xác nhận" in zalo  # lan's “phong trào 1” shows it


def test_the_readmes_review_session_on_the_zalo_demo_runs_as_written():
    """The README's sentence on the Zalo demo's council: its lines, typed in order."""
    section = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("### The demo", 1)[1]
    sentence = section.split("The Zalo demo's campaign has three nominations", 1)[1].split("Its throw-away", 1)[0]
    lines = re.findall(r"`([^`]+)`", sentence)
    assert lines[0] == "/as lan" and lines[-1] == "đề cử của tôi", lines
    script = "".join(f"{line}\n" for line in lines)
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "THIDUA_CONFIG")}
    result = subprocess.run([sys.executable, "-m", "bot", "demo", "--channel", "zalo"], input=script,
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Đã mở phiên họp xét #1" in out and "KẾT QUẢ PHIÊN HỌP XÉT #1" in out
    assert "1. Tổ dân phố 5 (tập thể, Phường Long Bình): 2 đồng ý, 0 không đồng ý — ✅ Đạt" in out
    assert "bien-ban-phien-xet-1.docx" in out and "✅ Đã ghi Quyết định khen thưởng số 125/QĐ-UBND" in out
    assert "🏅 Đã khen thưởng — tập thể Tổ dân phố 5" in out  # mai's own list
    assert "Traceback" not in result.stderr and "không hiểu" not in out
