"""The CLI never dumps a traceback on a person's mistake or an unreachable server: one Vietnamese
line on stderr, exit status 2 (issue 18), and it speaks of its own options, not chat commands."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from tests.conftest import free_port
from tests.test_cli import run
SAMPLES = Path(__file__).parent / "fixtures" / "plans"


def one_line_exit_2(result) -> str:  # noqa: ANN001 - a CompletedProcess
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_usage_mistakes_are_one_vietnamese_line(tmp_path):
    line = one_line_exit_2(run(["invite", "--role", "officer"], cwd=tmp_path))
    assert line == "python -m bot invite: lỗi: thiếu --unit. Xem: python -m bot invite --help"
    line = one_line_exit_2(run(["invite", "--unit", "LB", "--role", "chief"], cwd=tmp_path))
    assert "--role: không có lựa chọn 'chief' (chọn một trong: 'officer', 'leader', 'admin')" in line
    line = one_line_exit_2(run(["invite", "--unit", "LB", "--role", "officer", "--count", "ba"], cwd=tmp_path))
    assert "--count: giá trị 'ba' không hợp lệ (cần số nguyên)" in line
    assert "không hiểu: --colour" in one_line_exit_2(run(["units", "list", "--colour"], cwd=tmp_path))
    assert "thiếu" in one_line_exit_2(run([], cwd=tmp_path))


def test_tick_with_an_unreachable_bot_api_says_so_in_one_line(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run(["tick"], cwd=tmp_path, env_extra={
        "TELEGRAM_BOT_TOKEN": "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "THIDUA_BOT_API_URL": f"http://127.0.0.1:{port}/bot", "THIDUA_WEB_PORT": str(free_port()),
        "THIDUA_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"})
    line = one_line_exit_2(result)
    assert line.startswith(f"Không kết nối được Bot API ở http://127.0.0.1:{port}/bot") and "hàng đợi" in line


def test_export_into_a_missing_folder_and_an_unknown_campaign(tmp_path):
    env = {"THIDUA_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    unknown = run(["export", "--campaign", "9", "--format", "xlsx", "--out", str(tmp_path / "a.xlsx")],
                  cwd=tmp_path, env_extra=env)
    assert unknown.returncode == 1 and unknown.stderr.strip() == "Không có phong trào #9 trong cơ sở dữ liệu này."
    assert "/" not in unknown.stderr.replace(str(tmp_path), "")  # no chat command named
    line = one_line_exit_2(run(["digest", "--out", "/proc/khong-co/thu-muc"], cwd=tmp_path, env_extra=env))
    assert line.startswith("Không ghi được /proc/khong-co/thu-muc")


def test_plan_parse_takes_several_files_and_names_the_one_that_fails(tmp_path):
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    files = sorted(str(p) for p in SAMPLES.glob("*.txt"))
    result = run(["plan", "parse", *files, str(bad)], cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("== ")] == [f"== {f}" for f in files]
    assert result.stderr.strip().startswith(f"{bad}: ")
    both = run(["plan", "parse", "--json", *files[:2]], cwd=tmp_path)
    assert both.returncode == 0 and sorted(json.loads(both.stdout)) == files[:2]
