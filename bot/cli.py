"""`python -m bot <command>`: run the bot, the demo, migrations, units, invites, the first admin."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot import clock, log_redaction
from bot import vn_format
from bot.cli_parser import EXIT_USAGE, VietnameseParser
from bot.config import ConfigError, Settings, load_settings
from storage import migrate
from storage.db import Database
from bot.cli_common import _cannot_write, _print_err, _with_db
from bot.cli_exports import cmd_export




# --- db -------------------------------------------------------------------------------------


LATEST = " (mới nhất)"


def _migrate_to(settings: Settings, revision: str, down: bool) -> int:
    async def work() -> int:
        db = Database(settings.database_url)

        async def now_at() -> str:
            return await migrate.current_revision(db) or migrate.BASE

        try:
            before = await now_at()
            try:
                await (migrate.downgrade(db, revision) if down else migrate.upgrade(db, revision))
            except migrate.UnknownRevision:
                known = ", ".join([migrate.BASE, *migrate.revisions()])
                _print_err(f"Không có phiên bản “{revision}”. Các phiên bản: {known}.")
                return EXIT_USAGE
            except migrate.InvalidTarget:
                way = "hạ xuống" if down else "nâng lên"
                _print_err(f"Không {way} phiên bản {revision} được từ phiên bản hiện tại ({await now_at()}).")
                return EXIT_USAGE
            except migrate.MigrationRefused as exc:
                _print_err(exc.text)
                _print_err(f"Cơ sở dữ liệu đang ở phiên bản {await now_at()}.")
                return 1
            current = await now_at()
        finally:
            await db.dispose()
        if current == before:
            print(f"Cơ sở dữ liệu đã ở phiên bản {current}{LATEST if revision in ('heads', 'head') else ''}: "
                  "không có gì thay đổi.")
        elif current == migrate.BASE:
            print(f"Đã hạ cơ sở dữ liệu từ phiên bản {before} về gốc (base): không còn bảng dữ liệu nào của bot.")
        else:
            latest = LATEST if current == migrate.revisions()[-1] else ""
            if down:
                print(f"Đã hạ cơ sở dữ liệu từ phiên bản {before} về phiên bản {current}.")
            elif before == migrate.BASE:
                print(f"Đã tạo các bảng của bot: cơ sở dữ liệu ở phiên bản {current}{latest}.")
            else:
                print(f"Đã nâng cơ sở dữ liệu từ phiên bản {before} lên phiên bản {current}{latest}.")
        return 0

    return asyncio.run(work())


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    return _migrate_to(settings, args.revision, down=False)


def cmd_db_downgrade(settings: Settings, args: argparse.Namespace) -> int:
    return _migrate_to(settings, args.revision, down=True)


# --- units ----------------------------------------------------------------------------------


def cmd_units_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import audit, unit_sheets, units

    path = Path(args.file)
    if not path.is_file():
        _print_err(f"Không tìm thấy tệp {path}.")
        return 1
    try:
        rows = unit_sheets.parse_units_file(path.name, path.read_bytes(), settings.files)
    except units.UnitImportError as exc:
        _print_err(f"Không nhập đơn vị nào từ {path}:")
        for problem in exc.problems:
            _print_err(f"  {problem}")
        return 1

    async def work(db: Database) -> int:
        try:
            async with db.session() as session:
                result = await units.import_units(session, rows)
                audit.record(session, "units.imported", actor_label="cli", file=path.name,
                             created=result.created, updated=result.updated)
        except units.UnitImportError as exc:
            _print_err(f"Không nhập đơn vị nào từ {path}: có {len(exc.problems)} lỗi.")
            for problem in exc.problems:
                _print_err(f"  {problem}")
            return 1
        print(
            f"Đã nhập {path.name}: {result.created} đơn vị mới, {result.updated} cập nhật, "
            f"{result.unchanged} không đổi."
        )
        return 0

    return asyncio.run(_with_db(settings, work))


def cmd_units_list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import units

    async def work(db: Database) -> int:
        async with db.session() as session:
            tree = await units.unit_tree(session)
        if not tree:
            print("Chưa có đơn vị nào. Nhập bằng: python -m bot units import DON_VI.csv")
            return 0
        for unit, depth, people in tree:
            state = "" if unit.active else " [ngừng hoạt động]"
            print(f"{'  ' * depth}{unit.code}  {unit.name} ({unit.kind}) — {people} thành viên{state}")
        print(f"Tổng: {len(tree)} đơn vị.")
        return 0

    return asyncio.run(_with_db(settings, work))


# --- invites and the first admin ---------------------------------------------------------------


async def _bot_username(settings: Settings) -> str | None:
    if settings.bot_username:
        return settings.bot_username
    if not settings.token:
        return None
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.delivery import telegram_requests

    try:
        async with Bot(settings.token, base_url=settings.api_base_url, **telegram_requests(settings)) as bot:
            return bot.username
    except TelegramError as exc:
        _print_err(f"Không hỏi được tên bot từ Telegram ({exc}); in mã mời không kèm đường link.")
        return None


def invite_line(username: str | None, code: str) -> str:
    if username:
        return f"https://t.me/{username}?start={code}"
    return f"{code}   (Telegram: gõ /start {code} · Zalo: gõ “tham gia {code}”)"


async def _print_invites(settings: Settings, codes: list[str], role: str, where: str, expires: str) -> bool:
    """Prints the codes (as links when the bot's name is known); True when links were printed."""
    from bot import texts

    username = await _bot_username(settings)
    print(f"{len(codes)} mã mời — vai trò {texts.ROLE_NAMES[role]}{where}, hết hạn {expires}:")
    for code in codes:
        print(invite_line(username, code))
    if username is None:
        print("Đặt bot.username trong config.toml (hoặc TELEGRAM_BOT_TOKEN) để in đường link mời.")
    return username is not None


def cmd_invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import invites, units

    if not 1 <= args.count <= 1000:
        _print_err("--count phải từ 1 đến 1000.")
        return EXIT_USAGE
    days = args.expires_days or settings.invite_expires_days
    if not 1 <= days <= 365:
        _print_err("--expires-days phải từ 1 đến 365.")
        return EXIT_USAGE

    async def work(db: Database) -> int:
        async with db.session() as session:
            unit = await units.unit_by_code(session, args.unit)
            if unit is None:
                _print_err(f"Không có đơn vị mã “{args.unit}”. Xem danh sách: python -m bot units list")
                return 1
            if not unit.active:
                _print_err(f"Đơn vị {unit.code} đã ngừng hoạt động.")
                return 1
            reach = await _scope_unit(session, args.scope)
            if reach is False:
                return 1
            made = await invites.create_invites(
                session, role=args.role, unit_id=unit.id, count=args.count, expires_days=days, actor_label="cli",
                scope_unit_id=reach.id if reach else None,
            )
            codes = [i.code for i in made]
            expires = clock.fmt_datetime(made[0].expires_at)
            where = f", đơn vị {unit.name}"
        await _print_invites(settings, codes, args.role, where, expires)
        return 0

    return asyncio.run(_with_db(settings, work))


async def _scope_unit(session, code: str | None):  # noqa: ANN001, ANN202
    """--scope CODE: the unit an admin or leader acts on with what is under it; None: the whole
    tree; False (the error printed) when no unit has that code."""
    from bot.services import units

    if not code:
        return None
    unit = await units.unit_by_code(session, code)
    if unit is None:
        _print_err(f"Không có đơn vị mã “{code}” (--scope). Xem danh sách: python -m bot units list")
        return False
    return unit


def cmd_admin_add(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import invites, members, units

    async def work(db: Database) -> int:
        async with db.session() as session:
            unit = None
            if args.unit:
                unit = await units.unit_by_code(session, args.unit)
                if unit is None:
                    _print_err(f"Không có đơn vị mã “{args.unit}”. Xem danh sách: python -m bot units list")
                    return 1
            reach = await _scope_unit(session, args.scope)
            if reach is False:
                return 1
            if args.user_id is not None:
                if not args.name or not args.name.strip():
                    _print_err("Cần --name khi dùng --user-id.")
                    return EXIT_USAGE
                try:
                    member = await members.add_admin(
                        session, telegram_user_id=args.user_id, full_name=args.name, unit=unit,
                        scope_unit_id=reach.id if reach else None,
                    )
                except members.MemberError:
                    _print_err(f"Tài khoản {args.user_id} đã là thành viên đang hoạt động.")
                    return 1
                print(f"Đã thêm quản trị #{member.id}: {member.full_name} (Telegram {args.user_id}).")
                return 0
            made = await invites.create_invites(
                session, role="admin", unit_id=unit.id if unit else None, count=1,
                expires_days=settings.invite_expires_days, actor_label="cli", scope_unit_id=reach.id if reach else None,
            )
            code, expires = made[0].code, clock.fmt_datetime(made[0].expires_at)
        if await _print_invites(settings, [code], "admin", "", expires):
            print("Người quản trị đầu tiên mở đường link trên để tham gia qua Telegram, "
                  f"hoặc gõ “tham gia {code}” trên Zalo.")
        else:
            print(f"Người quản trị đầu tiên gõ “/start {code}” trên Telegram hoặc “tham gia {code}” trên Zalo để tham gia.")
        return 0

    return asyncio.run(_with_db(settings, work))


# --- plan documents ---------------------------------------------------------------------------


def cmd_plan_parse(settings: Settings, args: argparse.Namespace) -> int:
    """Each file as the bot reads what people send (with the same caps); one failing file does
    not stop the others, and makes the exit status 1."""
    import json

    from bot.services.plan_reader import PlanReadError
    from bot.services.untrusted_files import read_plan_file

    several, failed, found = len(args.file) > 1, 0, {}
    for path in args.file:
        try:
            data = read_plan_file(path, settings.files)
        except PlanReadError as exc:
            _print_err(f"{path}: {exc}" if several else str(exc))
            failed += 1
            continue
        if args.json:
            found[path] = data
            continue
        if several:
            print(f"== {path}")
        for key, value in data.items():
            print(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    if args.json and found:
        print(json.dumps(found if several else next(iter(found.values())), ensure_ascii=False, indent=2))
    return 1 if failed else 0


# --- the tick ---------------------------------------------------------------------------------


def _travel_to(value: str) -> bool:
    """Set the clock to --now (local time when no zone is given); False after saying what is wrong."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        _print_err(f"--now phải là thời điểm ISO-8601 (ví dụ 2026-03-01T08:00:00+07:00), đang là “{value}”.")
        return False
    clock.set_now(moment if moment.tzinfo else moment.replace(tzinfo=clock.LOCAL_TZ))
    return True


def cmd_tick(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.token:
        _print_err("Chưa có token của bot: đặt biến môi trường TELEGRAM_BOT_TOKEN (hoặc khóa bot.token).")
        return EXIT_USAGE
    if args.now and not _travel_to(args.now):
        return EXIT_USAGE

    from telegram import Bot

    from bot import jobs
    from bot.delivery import telegram_requests

    from telegram.error import InvalidToken, NetworkError

    async def work(db: Database) -> int:
        # A plain Bot: no AIORateLimiter, so 429s are the outbox's to wait out.
        try:
            async with Bot(settings.token, base_url=settings.api_base_url, base_file_url=settings.api_file_url,
                           **telegram_requests(settings)) as bot:
                report = await jobs.tick(bot, db, settings)
        except InvalidToken:
            _print_err("Telegram không nhận token của bot (TELEGRAM_BOT_TOKEN): kiểm tra lại token với @BotFather.")
            return EXIT_USAGE
        except NetworkError as exc:  # TimedOut included: nothing was claimed before the bot was reached
            _print_err(f"Không kết nối được Bot API ở {settings.api_base_url} ({exc}). Kiểm tra mạng, proxy "
                       "(bot.proxy_url) hoặc bot.api_base_url, rồi chạy lại; các tin vẫn nằm trong hàng đợi.")
            return EXIT_USAGE
        nudged = report.nudges
        if nudged.quiet:
            print("Nhắc báo cáo: đang ngoài giờ gửi, chờ đến giờ được phép.")
        else:
            print(f"Nhắc báo cáo: {nudged.sent} lượt nhắc, {nudged.skipped} lượt bỏ qua, "
                  f"{nudged.escalations} kỳ báo lãnh đạo.")
        if report.notices.opened:
            print(f"Kỳ báo cáo mới mở: {report.notices.opened} kỳ, {report.notices.messages} tin báo cán bộ.")
        if report.notices.reports:
            print(f"Báo cáo mới của các đơn vị: {report.notices.reports} báo cáo, đã báo quản trị.")
        if report.digests.sent:
            print(f"Bản tin thi đua: {report.digests.sent} người nhận.")
        if report.council_reminders or report.council_closed:
            print(f"Phiên họp xét: {report.council_reminders} lượt nhắc bỏ phiếu, "
                  f"{report.council_closed} phiên đóng khi hết hạn.")
        drained = report.outbox
        print(f"Đã gửi {drained.sent} tin, {drained.retried} tin chờ gửi lại, {drained.failed} tin lỗi.")
        if drained.left:
            print(f"Còn {drained.left} tin trong hàng đợi.")
        return 0

    return asyncio.run(_with_db(settings, work))


# --- digest and files -------------------------------------------------------------------------


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    """Write the digest text and chart as they would go out at --now; nothing is sent or claimed."""
    if args.now and not _travel_to(args.now):
        return EXIT_USAGE
    from datetime import timedelta

    from bot.services import digest_sending

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _print_err(_cannot_write(args.out, exc))
        return EXIT_USAGE

    async def work(db: Database) -> int:
        now = clock.now()
        async with db.session() as session:
            digest = await digest_sending.render(session, now, now - timedelta(days=args.since_days))
        (out / "digest.txt").write_text(digest.text + "\n", encoding="utf-8")
        print(f"{out / 'digest.txt'}: {len(digest.text)} ký tự")
        if digest.chart is not None:
            (out / "chart.png").write_bytes(digest.chart)
            print(f"{out / 'chart.png'}: {vn_format.number(len(digest.chart))} byte")
        return 0

    return asyncio.run(_with_db(settings, work))


# --- run and demo -------------------------------------------------------------------------------


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import use_fast_event_loop

    use_fast_event_loop()
    if not settings.token and settings.zalo.enabled:
        from bot.app import run_zalo_only

        return asyncio.run(run_zalo_only(settings))
    if not settings.token:
        _print_err(
            "Chưa có token của bot: đặt biến môi trường TELEGRAM_BOT_TOKEN (hoặc khóa bot.token trong "
            "config.toml), hoặc ZALO_BOT_TOKEN cho Zalo. Muốn thử mà không cần token: python -m bot demo"
        )
        return EXIT_USAGE
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application, serve

    try:
        asyncio.run(serve(build_application(settings)))
    except InvalidToken:
        _print_err("Telegram từ chối token này. Kiểm tra lại TELEGRAM_BOT_TOKEN / bot.token.")
        return EXIT_USAGE
    except NetworkError as exc:
        _print_err(f"Không kết nối được Bot API tại {settings.api_base_url}: {exc}")
        return 1
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    if args.channel == "zalo":
        from devkit.zalo_demo import run_zalo_demo

        return asyncio.run(run_zalo_demo(settings, echo=not sys.stdin.isatty()))
    from devkit.demo import run_demo

    return asyncio.run(run_demo(settings, echo=not sys.stdin.isatty()))


# --- the parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseParser(
        prog="python -m bot",
        description="Thi đua bot — phát động, theo dõi và tổng hợp phong trào thi đua trên Zalo và Telegram.",
    )
    parser.add_argument("--config", help="đường dẫn config.toml (mặc định ./config.toml hoặc $THIDUA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH", title="Lệnh")

    p = sub.add_parser("run", help="chạy bot (nhận tin bằng long polling, hoặc webhook nếu đặt webhook.url)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("tick", help="chạy một lượt việc đến hạn: gửi các tin trong hàng đợi")
    p.add_argument("--now", metavar="ISO-8601", help="coi như bây giờ là thời điểm này (giờ địa phương nếu không ghi múi giờ)")
    p.set_defaults(func=cmd_tick)
    p = sub.add_parser("digest", help="ghi bản tin thi đua (văn bản và biểu đồ) như sẽ gửi vào lúc --now")
    p.add_argument("--now", metavar="ISO-8601", help="coi như bây giờ là thời điểm này (mặc định: bây giờ)")
    p.add_argument("--out", required=True, metavar="DIR", help="thư mục ghi digest.txt và chart.png")
    p.add_argument("--since-days", type=int, default=7, help="đếm thay đổi trong bấy nhiêu ngày (mặc định 7)")
    p.set_defaults(func=cmd_digest)
    p = sub.add_parser("export", help="xuất tệp tổng hợp: .xlsx của phong trào, .docx báo cáo tổng hợp của một kỳ")
    p.add_argument("--campaign", required=True, type=int, metavar="ID", help="số phong trào")
    p.add_argument("--format", required=True, choices=["xlsx", "docx", "minutes", "proposal", "achievements"],
                   help="xlsx, docx; hoặc văn bản phiên họp xét: minutes (biên bản), proposal (tờ trình), "
                        "achievements (báo cáo thành tích, mỗi ứng viên đạt một tệp)")
    p.add_argument("--period", metavar="N", help="kỳ báo cáo (cho docx): số kỳ, số sau dấu # trong danh sách kỳ")
    p.add_argument("--session", type=int, metavar="N", help="phiên họp xét (cho minutes, proposal, achievements)")
    p.add_argument("--out", required=True, metavar="PATH",
                   help="tệp ghi ra (achievements: thư mục ghi các tệp vào)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("demo", help="chạy thử trong terminal với Bot API giả lập, không cần token")
    p.add_argument("--channel", choices=["telegram", "zalo"], default="telegram",
                   help="chạy thử trên Telegram (mặc định) hay Zalo")
    p.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="cơ sở dữ liệu").add_subparsers(dest="db_command", required=True, metavar="VIỆC", title="Việc")
    p = db.add_parser("upgrade", help="áp dụng các migration mới (đến phiên bản REV, mặc định mới nhất)")
    p.add_argument("revision", nargs="?", default="heads", metavar="REV", help="phiên bản, ví dụ 0006 (mặc định: heads)")
    p.set_defaults(func=cmd_db_upgrade)
    p = db.add_parser("downgrade", help="hạ cơ sở dữ liệu về phiên bản REV (base: bỏ mọi bảng của bot)")
    p.add_argument("revision", metavar="REV", help="phiên bản, ví dụ 0005, hoặc base")
    p.set_defaults(func=cmd_db_downgrade)

    un = sub.add_parser("units", help="đơn vị").add_subparsers(dest="units_command", required=True, metavar="VIỆC", title="Việc")
    p = un.add_parser("import", help="nhập đơn vị từ CSV hoặc XLSX: code,name,kind,parent_code (lỗi một dòng thì không nhập gì)")
    p.add_argument("file", metavar="FILE.csv|FILE.xlsx")
    p.set_defaults(func=cmd_units_import)
    p = un.add_parser("list", help="cây đơn vị và số thành viên")
    p.set_defaults(func=cmd_units_list)

    p = sub.add_parser("invite", help="tạo mã mời (đường link t.me/...?start=MÃ)")
    p.add_argument("--unit", required=True, metavar="CODE", help="mã đơn vị")
    p.add_argument("--role", required=True, choices=["officer", "leader", "admin"],
                   help="officer (cán bộ thi đua), leader (lãnh đạo) hoặc admin (quản trị)")
    p.add_argument("--count", type=int, default=1, help="số mã (mặc định 1)")
    p.add_argument("--scope", metavar="CODE", help="quản trị, lãnh đạo: chỉ làm việc với đơn vị này và các đơn vị "
                   "trực thuộc (mặc định: toàn bộ cây đơn vị)")
    p.add_argument("--expires-days", type=int, default=None, help="số ngày hiệu lực (mặc định theo config)")
    p.set_defaults(func=cmd_invite)

    pl = sub.add_parser("plan", help="văn bản kế hoạch").add_subparsers(dest="plan_command", required=True, metavar="VIỆC", title="Việc")
    p = pl.add_parser("parse", help="đọc văn bản (.txt, .md, .docx, .pdf) và in các trường tìm được")
    p.add_argument("file", metavar="FILE", nargs="+", help="một hay nhiều tệp, ví dụ mau/*.docx")
    p.add_argument("--json", action="store_true", help="in dạng JSON (nhiều tệp: theo tên tệp)")
    p.set_defaults(func=cmd_plan_parse)

    ad = sub.add_parser("admin", help="quản trị").add_subparsers(dest="admin_command", required=True, metavar="VIỆC", title="Việc")
    p = ad.add_parser("add", help="thêm quản trị đầu tiên: theo --user-id, hoặc in một mã mời quản trị")
    p.add_argument("--user-id", type=int, help="mã tài khoản Telegram (số) của người quản trị")
    p.add_argument("--name", help="họ tên (cần khi dùng --user-id)")
    p.add_argument("--unit", metavar="CODE", help="đơn vị của người quản trị (tùy chọn)")
    p.add_argument("--scope", metavar="CODE",
                   help="phạm vi: quản trị đơn vị này và các đơn vị trực thuộc (mặc định: toàn bộ cây đơn vị)")
    p.set_defaults(func=cmd_admin_add)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    redactor = log_redaction.install(args.verbose)  # tokens never reach a log line
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        _print_err(str(exc))
        return EXIT_USAGE
    redactor.add(settings.token, settings.zalo.token)
    clock.set_local_zone(settings.timezone)
    return args.func(settings, args)
