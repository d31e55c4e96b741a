"""No bot token in any log line: the CLI run with -v against the simulators, and the filter itself."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import sys
import time

import aiohttp
import pytest

from bot import log_redaction
from bot.log_redaction import TokenRedactingFilter
from tests.conftest import TOKEN, UNITS_CSV, USERNAME, ZALO_TOKEN
from tests.test_zalo_channel import free_port

TELEGRAM_SECRET = TOKEN.split(":", 1)[1]
ZALO_SECRET = ZALO_TOKEN.split(":", 1)[1]


def cli_env(db_url: str, config: str = os.devnull, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN")}
    return {**env, "THIDUA_DATABASE_URL": db_url, "THIDUA_CONFIG": config, **extra}


async def run_cli(env: dict[str, str], *args: str, timeout: float = 60) -> tuple[int, str]:
    """The CLI in a subprocess, without blocking this loop (the simulator answers it meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout)
    return process.returncode, out.decode("utf-8", "replace")


async def test_invite_with_v_logs_the_request_lines_but_never_the_telegram_token(sim, db_url, tmp_path):
    units_csv = tmp_path / "units.csv"
    units_csv.write_text(UNITS_CSV, encoding="utf-8")
    env = cli_env(db_url, TELEGRAM_BOT_TOKEN=TOKEN, THIDUA_BOT_API_URL=sim.base_url)
    code, out = await run_cli(env, "-v", "units", "import", str(units_csv))
    assert code == 0, out
    code, out = await run_cli(env, "-v", "invite", "--unit", "LB", "--role", "officer")
    assert code == 0, out
    assert f"https://t.me/{USERNAME}?start=" in out  # the bot's name came from getMe
    assert "HTTP Request: POST" in out and "/bot<redacted>/getMe" in out  # -v logs httpx's lines…
    assert TOKEN not in out and TELEGRAM_SECRET not in out  # …without the token


async def test_invite_without_v_logs_no_request_lines(sim, db_url, tmp_path):
    units_csv = tmp_path / "units.csv"
    units_csv.write_text(UNITS_CSV, encoding="utf-8")
    env = cli_env(db_url, TELEGRAM_BOT_TOKEN=TOKEN, THIDUA_BOT_API_URL=sim.base_url)
    assert (await run_cli(env, "units", "import", str(units_csv)))[0] == 0
    code, out = await run_cli(env, "invite", "--unit", "LB", "--role", "officer")
    assert code == 0 and "HTTP Request" not in out and TELEGRAM_SECRET not in out, out


async def test_zalo_run_with_v_never_logs_the_zalo_token(zalo, db_url, tmp_path):
    """Zalo puts its token in the URL path; aiohttp's errors repeat the URL (here: a bad port in the
    configured API URL), and a run against the simulator logs its traffic at -v."""
    config = tmp_path / "config.toml"
    config.write_text(f'[zalo]\nlisten = "127.0.0.1"\nport = {free_port()}\n', encoding="utf-8")
    for api in (zalo.base_url, "http://127.0.0.1:99999"):
        env = cli_env(db_url, str(config), ZALO_BOT_TOKEN=ZALO_TOKEN, THIDUA_ZALO_API_URL=api)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "-v", "run", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        lines: list[str] = []
        deadline = time.monotonic() + 20
        if api == zalo.base_url:
            ready = lambda: any("zalo channel ready" in line for line in lines)  # noqa: E731
        else:
            ready = lambda: any("getUpdates failed" in line for line in lines)  # noqa: E731
        while not ready() and time.monotonic() < deadline:
            try:
                line = await asyncio.wait_for(process.stdout.readline(), 1)
            except TimeoutError:
                continue
            if not line:
                break
            lines.append(line.decode("utf-8", "replace"))
        if api == zalo.base_url:  # a message in and an answer out
            zalo.send_text("8800000000000009", "trợ giúp")
            for _ in range(100):
                if zalo.messages("8800000000000009"):
                    break
                await asyncio.sleep(0.1)
            assert zalo.messages("8800000000000009"), "".join(lines)
        process.send_signal(signal.SIGTERM)
        try:
            rest, _ = await asyncio.wait_for(process.communicate(), 20)
        except TimeoutError:
            process.kill()
            rest, _ = await process.communicate()
        out = "".join(lines) + rest.decode("utf-8", "replace")
        assert ready(), out
        assert ZALO_TOKEN not in out and ZALO_SECRET not in out, out
        if api != zalo.base_url:
            assert "/bot<redacted>/getUpdates" in out  # the line is still there, the token is not


def test_the_filter_redacts_messages_args_and_tracebacks_at_debug():
    root = logging.getLogger()
    handler = logging.StreamHandler(stream := io.StringIO())
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root.addHandler(handler)
    redactor = log_redaction.install(verbose=True)
    try:
        redactor.add(TOKEN, ZALO_TOKEN)
        log = logging.getLogger("httpcore.http11")
        log.setLevel(logging.DEBUG)
        log.debug("send_request_headers.started request=<Request [b'POST'] url=%s>",
                  f"https://api.telegram.org/bot{TOKEN}/getUpdates")
        logging.getLogger("bot").warning("token is %s", TOKEN)
        try:
            raise aiohttp.InvalidURL(f"http://127.0.0.1:99999/bot{ZALO_TOKEN}/sendMessage")
        except aiohttp.InvalidURL:
            logging.getLogger("bot.zalo").exception("zalo send failed")
        logging.getLogger("bot").error("a token shaped 987654321:%s", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
        logging.getLogger("bot").info("file https://api.telegram.org/file/bot%s/documents/x.pdf", "other:secret")
    finally:
        root.removeHandler(handler)
        for other in root.handlers:
            other.removeFilter(redactor)
    written = stream.getvalue()
    assert TELEGRAM_SECRET not in written and ZALO_SECRET not in written, written
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in written and "other:secret" not in written
    assert "Traceback" in written and "InvalidURL" in written and "/bot<redacted>/sendMessage" in written
    # Redacting twice changes nothing; a plain line is left alone.
    once = TokenRedactingFilter([TOKEN]).redact(f"https://api.telegram.org/bot{TOKEN}/getMe")
    assert TokenRedactingFilter([TOKEN]).redact(once) == once == "https://api.telegram.org/bot<redacted>/getMe"
    assert TokenRedactingFilter().redact("Đã gửi 12 tin, 0 lỗi") == "Đã gửi 12 tin, 0 lỗi"


@pytest.mark.parametrize("verbose, level", [(False, logging.WARNING), (True, logging.NOTSET)])
def test_access_loggers_are_quiet_unless_verbose(verbose, level):
    saved = {name: logging.getLogger(name).level for name in log_redaction.ACCESS_LOGGERS}
    try:
        for name in log_redaction.ACCESS_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)
        redactor = log_redaction.install(verbose)
        for handler in logging.getLogger().handlers:
            handler.removeFilter(redactor)
        assert {logging.getLogger(n).level for n in log_redaction.ACCESS_LOGGERS} == {level}
    finally:
        for name, old in saved.items():
            logging.getLogger(name).setLevel(old)
