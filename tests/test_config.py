"""config.toml → settings; a bad value is one clear line naming the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_shipped_config_gives_the_defaults():
    settings = load_settings(ROOT / "config.toml", env={})
    assert settings.token == ""
    assert settings.database_url == "sqlite:///data/thidua.db"
    assert settings.timezone.key == "Asia/Ho_Chi_Minh"
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert not settings.webhook.enabled
    assert (settings.quiet_hours.start.hour, settings.quiet_hours.start.minute) == (7, 30)
    assert settings.quiet_hours.no_sundays is True
    assert settings.concurrent_updates == 2


def test_the_environment_overrides_token_and_database(tmp_path):
    path = write(tmp_path, '[bot]\ntoken = "1:fromfileAAAAAAAAAAAAAAAAAAAA"\n')
    settings = load_settings(
        path,
        env={"TELEGRAM_BOT_TOKEN": "42:fromenvBBBBBBBBBBBBBBBBBBBBBB", "THIDUA_DATABASE_URL": "postgresql://x@h/db"},
    )
    assert settings.token == "42:fromenvBBBBBBBBBBBBBBBBBBBBBB"
    assert settings.database_url == "postgresql://x@h/db"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[time]\ntimezone = "Asia/Hanoi_City"\n', "time.timezone"),
        ('[webhook]\nurl = "http://insecure.example"\n', "webhook.url"),
        ('[webhook]\nport = 70000\n', "webhook.port"),
        ('[webhook]\nsecret_token = "có dấu"\n', "webhook.secret_token"),
        ('[quiet_hours]\nsend_from = "25:00"\n', "quiet_hours.send_from"),
        ('[quiet_hours]\nsend_from = "21:00"\nsend_until = "07:00"\n', "quiet_hours.send_from"),
        ('[database]\nurl = "mysql://x"\n', "database.url"),
        ('[bot]\ntoken = "not a token"\n', "bot.token"),
        ('[organisation]\nname = ""\n', "organisation.name"),
        ('[council]\nquorum = "3/2"\n', "council.quorum"),
        ('[council]\npass_share = "half"\n', "council.pass_share"),
        ('[council]\nballot_secret = "short"\n', "council.ballot_secret"),
        ('[awards.multipliers]\n"Giấy khen" = "ba"\n', "awards.multipliers"),
        ('[awards]\nbase_salary = -1\n', "awards.base_salary"),
        ("[bot\n", "config.toml"),
    ],
)
def test_a_bad_value_names_its_key(tmp_path, body, key):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, body), env={})
    assert key in str(caught.value)
    assert "\n" not in str(caught.value)


def run_cli(*args: str, cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "THIDUA_CONFIG", "THIDUA_DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_the_cli_prints_one_line_for_a_bad_config(tmp_path):
    write(tmp_path, '[webhook]\nport = "eighty"\n')
    result = run_cli("units", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Cấu hình sai ở khóa 'webhook.port': phải là số nguyên từ 1 đến 65535, đang là “eighty”"
    ]
    assert "Traceback" not in result.stderr


def test_run_without_a_token_says_how_to_set_it(tmp_path):
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "python -m bot demo" in lines[0]


def test_every_command_has_help(tmp_path):
    for args in (["--help"], ["run", "--help"], ["demo", "--help"], ["db", "upgrade", "--help"],
                 ["db", "downgrade", "--help"], ["units", "import", "--help"], ["units", "list", "--help"],
                 ["invite", "--help"], ["admin", "add", "--help"], ["plan", "parse", "--help"],
                 ["tick", "--help"], ["digest", "--help"], ["export", "--help"]):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
        # Vietnamese throughout, argparse's own words included.
        assert result.stdout.startswith("Cách dùng: python -m bot"), (args, result.stdout)
        for english in ("usage:", "options:", "positional arguments", "show this help", "trong Telegram"):
            assert english not in result.stdout, (args, english)
    assert "trên Zalo và Telegram" in run_cli("--help", cwd=tmp_path).stdout


def test_the_council_keys_read_as_fractions_and_the_ballot_secret_from_the_environment(tmp_path):
    from fractions import Fraction

    settings = load_settings(write(tmp_path, '[council]\nquorum = "3/4"\npass_share = "2/3"\nremind_hours = 6\n'),
                             env={"THIDUA_BALLOT_SECRET": "s" * 20})
    assert (settings.council.quorum, settings.council.pass_share) == (Fraction(3, 4), Fraction(2, 3))
    assert settings.council.remind_hours == 6 and settings.council.ballot_secret == "s" * 20
    assert load_settings(ROOT / "config.toml", env={}).council.quorum == Fraction(2, 3)


def test_the_reward_money_table_is_the_offices_own(tmp_path):
    body = '[awards]\nbase_salary = 2530000\n[awards.multipliers]\n"Giấy khen" = 0.3\n'
    settings = load_settings(write(tmp_path, body), env={})
    assert settings.awards.base_salary == 2_530_000 and settings.awards.multipliers == (("Giấy khen", 0.3),)
