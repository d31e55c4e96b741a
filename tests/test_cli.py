"""The CLI as a clerk uses it, and the demo with a script piped in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], *, env_extra: dict | None = None, stdin: str | None = None, cwd: Path | None = None):
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "THIDUA_CONFIG")}
    env.update({"PYTHONPATH": str(ROOT), "THIDUA_CONFIG": str(ROOT / "config.toml")})
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=cwd or ROOT, timeout=120, check=False)


def test_units_import_names_every_bad_line_and_imports_nothing(tmp_path, db, db_url):
    bad = tmp_path / "don_vi.csv"
    bad.write_text("code,name,kind,parent_code\nDN,UBND tỉnh,tỉnh,\nX1,,xã,DN\nX2,Xã Hai,xã,NOPE\nDN,Lặp,tỉnh,\n",
                   encoding="utf-8")
    env = {"THIDUA_DATABASE_URL": db_url}
    result = run(["units", "import", str(bad)], env_extra=env)
    assert result.returncode == 1
    assert "Không nhập đơn vị nào" in result.stderr
    for line in ("Dòng 3: thiếu tên đơn vị", "Dòng 4: đơn vị cấp trên “NOPE” không có", "Dòng 5: mã “DN” trùng với dòng 2"):
        assert line in result.stderr
    listing = run(["units", "list"], env_extra=env)
    assert "Chưa có đơn vị nào" in listing.stdout

    good = tmp_path / "good.csv"
    good.write_text("code,name,kind,parent_code\nDN,UBND tỉnh,tỉnh,\nX1,Xã Một,xã,DN\n", encoding="utf-8")
    assert "2 đơn vị mới" in run(["units", "import", str(good)], env_extra=env).stdout
    assert "0 đơn vị mới, 0 cập nhật, 2 không đổi" in run(["units", "import", str(good)], env_extra=env).stdout
    listing = run(["units", "list"], env_extra=env).stdout
    assert "DN  UBND tỉnh (tỉnh)" in listing and "  X1  Xã Một (xã)" in listing


def test_units_import_reads_an_xlsx_too(tmp_path, db, db_url):
    from openpyxl import Workbook

    book = Workbook()
    for row in (["code", "name", "kind", "parent_code"], ["DN", "UBND tỉnh", "tỉnh", None], ["A13", "Xã số 13", "xã", "DN"],
                ["B3", None, "xã", "DN"]):
        book.active.append(row)
    path = tmp_path / "don_vi.xlsx"
    book.save(path)
    env = {"THIDUA_DATABASE_URL": db_url}
    result = run(["units", "import", str(path)], env_extra=env)
    assert result.returncode == 1 and "Dòng 4: thiếu tên đơn vị (name)" in result.stderr
    assert "Chưa có đơn vị nào" in run(["units", "list"], env_extra=env).stdout
    book.active["B4"] = "Xã số 3"
    book.save(path)
    assert "3 đơn vị mới" in run(["units", "import", str(path)], env_extra=env).stdout
    listing = run(["units", "list"], env_extra=env).stdout  # by name, numbers by value, not by code
    assert listing.index("B3  Xã số 3") < listing.index("A13  Xã số 13")


def test_invite_links_use_the_bot_username(tmp_path, seeded, db_url):
    config = tmp_path / "config.toml"
    config.write_text('[bot]\nusername = "thidua_dongnai_bot"\n', encoding="utf-8")
    result = run(["invite", "--unit", "LB", "--role", "officer", "--count", "3", "--expires-days", "7"],
                 env_extra={"THIDUA_DATABASE_URL": db_url, "THIDUA_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    links = [line for line in result.stdout.splitlines() if line.startswith("https://")]
    assert len(links) == 3 and all(line.startswith("https://t.me/thidua_dongnai_bot?start=") for line in links)
    unknown = run(["invite", "--unit", "KHONGCO", "--role", "officer"], env_extra={"THIDUA_DATABASE_URL": db_url})
    assert unknown.returncode == 1 and "Không có đơn vị mã “KHONGCO”" in unknown.stderr


def test_admin_add_binds_the_first_admin(seeded, db_url):
    env = {"THIDUA_DATABASE_URL": db_url}
    added = run(["admin", "add", "--user-id", "555", "--name", "Nguyễn Thị Lan", "--unit", "SNV"], env_extra=env)
    assert added.returncode == 0 and "Đã thêm quản trị" in added.stdout
    again = run(["admin", "add", "--user-id", "555", "--name", "Nguyễn Thị Lan"], env_extra=env)
    assert again.returncode == 1 and "đã là thành viên" in again.stderr
    code_only = run(["admin", "add"], env_extra=env)
    assert code_only.returncode == 0 and "/start" in code_only.stdout
    assert "https://" not in code_only.stdout and "đường link" not in code_only.stdout.splitlines()[-1]


async def test_admin_add_and_invite_name_the_unit_an_office_acts_on(seeded, db_url):
    from sqlalchemy import select

    from storage.models import Invite, Member, Unit

    env = {"THIDUA_DATABASE_URL": db_url}
    added = run(["admin", "add", "--user-id", "556", "--name", "Trần Văn Bảy", "--unit", "XD", "--scope", "XD"],
                env_extra=env)
    assert added.returncode == 0, added.stderr
    made = run(["invite", "--unit", "CM", "--role", "leader", "--scope", "CM"], env_extra=env)
    assert made.returncode == 0, made.stderr
    wrong = run(["admin", "add", "--scope", "KHONGCO"], env_extra=env)
    assert wrong.returncode == 1 and "Không có đơn vị mã “KHONGCO” (--scope)" in wrong.stderr
    async with seeded.session() as session:
        codes = dict((await session.execute(select(Unit.code, Unit.id))).all())
        admin = await session.scalar(select(Member).where(Member.telegram_user_id == 556))
        invite = await session.scalar(select(Invite).where(Invite.role == "leader"))
    assert admin.scope_unit_id == codes["XD"] and invite.scope_unit_id == codes["CM"]


def test_admin_add_with_a_known_bot_name_points_to_the_link(tmp_path, seeded, db_url):
    config = tmp_path / "config.toml"
    config.write_text('[bot]\nusername = "thidua_dongnai_bot"\n', encoding="utf-8")
    made = run(["admin", "add"], env_extra={"THIDUA_DATABASE_URL": db_url, "THIDUA_CONFIG": str(config)})
    assert made.returncode == 0, made.stderr
    link = next(line for line in made.stdout.splitlines() if line.startswith("https://t.me/thidua_dongnai_bot?start="))
    code = link.rsplit("=", 1)[1]
    assert "mở đường link trên" in made.stdout and f"“tham gia {code}”" in made.stdout


def test_db_upgrade_is_repeatable(tmp_path):
    env = {"THIDUA_DATABASE_URL": f"sqlite:///{tmp_path / 'x' / 'bot.db'}"}
    first, again = (run(["db", "upgrade"], env_extra=env) for _ in range(2))
    assert first.returncode == 0 and first.stdout.startswith("Đã tạo các bảng của bot")
    assert again.returncode == 0 and "(mới nhất): không có gì thay đổi" in again.stdout


SCRIPT = """/whoami
/start MOICAMMY01
/whoami
/as mai
/whoami
/as binh
/leave
#2
"""


def test_demo_with_a_piped_script_shows_an_officer_joining(tmp_path):
    result = run(["demo"], stdin=SCRIPT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "chưa tham gia" in out  # /whoami before joining
    assert "Chào mừng Võ Thanh Bình" in out
    assert "Đơn vị: Xã Cẩm Mỹ (mã CM)" in out
    assert "Đơn vị: Phường Long Bình (mã LB)" in out  # /as mai switched person
    assert "[#1] Rời khỏi bot  [#2] Hủy" in out
    assert "Đã hủy, không có gì thay đổi." in out
    assert "Traceback" not in result.stderr


def test_run_without_a_token_says_how_to_set_it_and_exits_2(tmp_path):
    result = run(["run"], env_extra={"THIDUA_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Chưa có token của bot: đặt biến môi trường TELEGRAM_BOT_TOKEN (hoặc khóa bot.token trong config.toml), "
        "hoặc ZALO_BOT_TOKEN cho Zalo. Muốn thử mà không cần token: python -m bot demo"
    ]


def test_the_demo_saves_the_file_it_sent_lists_its_people_and_leaves_no_folder(tmp_path):
    import re

    result = run(["demo"], stdin="/as mai\n/mydata\n/save ra/\n/people\n/save\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"📎 Tệp: du-lieu-ca-nhan\.json \(\d{1,3}(\.\d{3})* byte\) — gõ /save ĐƯỜNG_DẪN để lưu", out)
    saved = tmp_path / "ra" / "du-lieu-ca-nhan.json"
    assert "Đã lưu du-lieu-ca-nhan.json vào ra/du-lieu-ca-nhan.json" in out
    assert '"accounts"' in saved.read_text(encoding="utf-8")
    assert "  mai    Lê Thị Mai — Cán bộ thi đua, đơn vị LB" in out  # /people: the people, not /demo's help
    assert "Cách dùng: /save ĐƯỜNG_DẪN" in out
    folder = re.search(r"dữ liệu tạm ở (\S+), xóa khi thoát", out).group(1)
    assert not Path(folder).exists()
