"""config.toml (+ environment overrides) → frozen, validated settings.

Read once at start. A bad value raises ConfigError naming the key and what is wrong, which the
CLI prints as one line (no traceback).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import time
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CONFIG_PATH = Path("config.toml")
TELEGRAM_API_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


class ConfigError(Exception):
    """A configuration value is wrong; str() is the one line shown to the person."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"Cấu hình sai ở khóa '{key}': {problem}")
        self.key = key


@dataclass(frozen=True)
class WebhookSettings:
    url: str = ""
    secret_token: str = ""
    listen: str = "0.0.0.0"
    port: int = 8443

    @property
    def enabled(self) -> bool:
        return bool(self.url)


ZALO_API_URL = "https://bot-api.zaloplatforms.com"


@dataclass(frozen=True)
class ZaloSettings:
    """Zalo's bot platform, and the bot's own HTTP endpoint (Zalo webhook, signed file links)."""

    token: str = ""
    api_base_url: str = ZALO_API_URL
    # Empty: long polling. Else the public https URL Zalo POSTs updates to, with webhook_secret.
    webhook_url: str = ""
    webhook_secret: str = ""
    rate_per_second: int = 10  # Zalo publishes no figure: conservative
    # Where people open files the bot gives on Zalo (no uploads there): signed links that expire.
    public_base_url: str = ""
    link_lifetime_hours: int = 24
    link_secret: str = ""
    listen: str = "0.0.0.0"
    port: int = 8080
    # Zalo messages a calendar month may use (0: no limit): bot.services.zalo_usage.
    monthly_quota: int = 0
    # Where people find the bot on Zalo (its page or QR link), printed with invite codes.
    bot_url: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.token)


@dataclass(frozen=True)
class WebSettings:
    """The bot's web pages (bot.web), served by its HTTP server — the one Zalo's webhook and the
    signed file links use — and reached only through a one-time link asked for in chat (/web)."""

    enabled: bool = True
    # Where people's phones reach the server ("" = http://127.0.0.1:port, this machine only).
    public_url: str = ""
    listen: str = "0.0.0.0"
    port: int = 8080
    signin_minutes: int = 10  # a sign-in link works this long, once
    session_hours: int = 8  # then the browser must ask the chat for a new link

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.listen in ("0.0.0.0", "::", "") else self.listen
        return f"http://{host}:{self.port}"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


@dataclass(frozen=True)
class QuietHours:
    """Reminders go out only between start and end (local time), and not on Sundays if set."""

    start: time = time(7, 30)
    end: time = time(20, 0)
    no_sundays: bool = True


@dataclass(frozen=True)
class OutboxSettings:
    """How the outbox drains: Telegram's limits, retries, the claim lease and the tick."""

    rate_per_second: int = 30
    per_chat_per_second: int = 1
    group_per_minute: int = 20
    max_attempts: int = 8
    lease_seconds: int = 120
    tick_seconds: int = 2
    concurrency: int = 16
    # Every process sending with this token takes its start slots from one database row, so
    # several processes together keep the limits (bot.sending_budget.DatabaseSchedule).
    shared_budget: bool = True


@dataclass(frozen=True)
class InboxSettings:
    """Incoming updates, stored before they are acknowledged (bot.inbox)."""

    lease_seconds: int = 60  # a row being handled by a process that died is taken over after this
    max_attempts: int = 3  # tries of an update failing for a transient reason before it is parked
    retention_days: int = 7  # handled updates are forgotten after this long


@dataclass(frozen=True)
class ReportSettings:
    """Default due dates of the periods proposed from a campaign's reporting rule."""

    semiannual_due: tuple[int, int] = (15, 6)  # (day, month): sơ kết 6 tháng
    annual_due: tuple[int, int] = (5, 12)  # tổng kết năm
    quarterly_due_day: int = 20  # of each quarter's last month
    final_due_days: int = 15  # after the campaign's end
    opens_days_before: int = 30  # a period is open for reports this long before its due date
    # An implementing campaign's periods fall due this many days before its parent's (the xã
    # gathers its schools' and thôn's reports before it reports to the province).
    implementing_lead_days: int = 5


@dataclass(frozen=True)
class NudgeSettings:
    """When units that have not reported are reminded, and when the leaders are told."""

    before_days: tuple[int, ...] = (7, 3, 1)
    on_due_day: bool = True
    after_every_days: int = 2
    after_times: int = 3
    escalate: bool = True
    at: time = time(8, 0)  # local time of day a nudge is planned for (quiet hours still apply)


@dataclass(frozen=True)
class FileSettings:
    """Caps on the files people send: the size checked before any download, and what a plan
    document may unpack to and cost to read (bot.services.untrusted_files)."""

    max_mb: int = 20  # no file larger is downloaded; a form may accept less
    docx_max_unpacked_mb: int = 30  # the .docx's members, as declared, added up
    docx_max_members: int = 2000
    docx_max_ratio: int = 100  # unpacked / packed size of any member above 1 MB
    pdf_max_pages: int = 300
    parse_seconds: int = 15  # the reading process is killed after this long
    parse_memory_mb: int = 512  # its address space (where the system lets a process be limited)
    download_seconds: int = 60  # a Zalo photo URL is read for at most this long

    @property
    def max_bytes(self) -> int:
        return self.max_mb * 2**20


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class DigestSettings:
    """When leaders and admins get the digest unless they choose otherwise (/digest_settings)."""

    default: str = "weekly"  # daily | weekly | off
    weekday: int = 0  # of the weekly digest, Monday = 0
    at: time = time(7, 30)  # local time of day


@dataclass(frozen=True)
class CouncilSettings:
    """The council's review sessions (phiên họp xét): quorum and pass rule as fractions of all
    members of the council, the default deadline, the one reminder, and the ballots' secret."""

    quorum: Fraction = Fraction(2, 3)  # at least this share of members must vote
    pass_share: Fraction = Fraction(1, 2)  # a candidate passes with MORE than this share of all members in favour
    deadline_days: int = 3  # when the admin names no deadline
    remind_hours: int = 24  # the reminder to members who have not voted, this long before the deadline
    # Keys ballots to members while a session is open (so a choice can be changed); never stored
    # in the database. Empty: zalo.link_secret, else a key per session kept in the database.
    ballot_secret: str = ""
    # A folder with the office's own templates of the council's documents (the file names of
    # bot/exports/templates); a name it lacks is taken from the bundled ones. Empty: the bundled.
    templates_dir: str = ""


# Reward money as multiples of the lương cơ sở (Decree 152/2025/NĐ-CP, Art. 49–50): the examples
# the decree gives; an office lists its own forms in [awards.multipliers].
DEFAULT_MULTIPLIERS = (("Chiến sĩ thi đua cơ sở", 1.0), ("Lao động tiên tiến", 0.3),
                       ("Tập thể lao động tiên tiến", 0.8))


@dataclass(frozen=True)
class AwardSettings:
    base_salary: int = 2_340_000  # lương cơ sở, đồng (from 1/7/2024)
    multipliers: tuple[tuple[str, float], ...] = DEFAULT_MULTIPLIERS  # reward form → × base salary


@dataclass(frozen=True)
class Settings:
    token: str = ""
    bot_username: str = ""
    api_base_url: str = TELEGRAM_API_URL
    api_file_url: str = TELEGRAM_FILE_URL
    # socks5://… or http://… for a server that cannot reach api.telegram.org itself ("" = direct).
    proxy_url: str = ""
    concurrent_updates: int = 2  # different people's updates handled at once (bot.inbox)
    organisation_name: str = "Hội đồng Thi đua – Khen thưởng"
    # The body the organisation belongs to ("UBND huyện Cẩm Mỹ"): the DOCX's first header line.
    organisation_superior: str = ""
    # Who signs the DOCX reports for the organisation ("Chủ tịch", "Nguyễn Văn A"); empty: a space
    # is left for the signer to write in.
    signer_title: str = ""
    signer_name: str = ""
    database_url: str = "sqlite:///data/thidua.db"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    inbox: InboxSettings = field(default_factory=InboxSettings)
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    invite_expires_days: int = 14
    link_code_minutes: int = 15  # a /link code works this long, once, on the other channel only
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    nudges: NudgeSettings = field(default_factory=NudgeSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    zalo: ZaloSettings = field(default_factory=ZaloSettings)
    files: FileSettings = field(default_factory=FileSettings)
    web: WebSettings = field(default_factory=WebSettings)
    council: CouncilSettings = field(default_factory=CouncilSettings)
    awards: AwardSettings = field(default_factory=AwardSettings)
    source: Path | None = None

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(name, "phải là một mục [" + name + "]")
    return value


def _str(sec: dict[str, Any], key: str, full: str, default: str) -> str:
    value = sec.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(full, f"phải là chuỗi trong dấu ngoặc kép, đang là “{value}”")
    return value.strip()


def _int(sec: dict[str, Any], key: str, full: str, default: int, lo: int, hi: int) -> int:
    value = sec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(full, f"phải là số nguyên từ {lo} đến {hi}, đang là “{value}”")
    return value


def _bool(sec: dict[str, Any], key: str, full: str, default: bool) -> bool:
    value = sec.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(full, f"phải là true hoặc false, đang là “{value}”")
    return value


def _clock(sec: dict[str, Any], key: str, full: str, default: str) -> time:
    text = _str(sec, key, full, default)
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(full, f"phải là giờ dạng HH:MM (ví dụ 07:30), đang là “{text}”")
    return time(int(match[1]), int(match[2]))


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _http_url(value: str, full: str, *, https_only: bool = False) -> str:
    """An http(s) URL; https_only: https, or http to this machine (a local Bot API server)."""
    parsed = urlparse(value)
    schemes = ("https",) if https_only and parsed.hostname not in LOOPBACK else ("http", "https")
    if parsed.scheme not in schemes or not parsed.netloc:
        need = "https://" if https_only else "http:// hoặc https://"
        raise ConfigError(full, f"phải là địa chỉ bắt đầu bằng {need}, đang là “{value}”")
    return value


def _day_month(sec: dict[str, Any], key: str, full: str, default: str) -> tuple[int, int]:
    text = _str(sec, key, full, default)
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})", text)
    if not match or not 1 <= int(match[2]) <= 12 or not 1 <= int(match[1]) <= (29 if int(match[2]) == 2 else 30 if int(match[2]) in (4, 6, 9, 11) else 31):
        raise ConfigError(full, f"phải là ngày/tháng (ví dụ 15/06), đang là “{text}”")
    return int(match[1]), int(match[2])


def _days_list(sec: dict[str, Any], key: str, full: str, default: list[int]) -> tuple[int, ...]:
    value = sec.get(key, default)
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 90 for v in value):
        raise ConfigError(full, f"phải là danh sách số ngày từ 1 đến 90, ví dụ [7, 3, 1], đang là “{value}”")
    return tuple(sorted(set(value), reverse=True))


PROXY_SCHEMES = ("socks5", "socks5h", "http", "https")


def _proxy_url(value: str) -> str:
    """socks5://[user:pass@]host:port or http(s)://…; "" for none."""
    if not value:
        return ""
    parsed = urlparse(value)
    try:
        port = parsed.port
    except ValueError:
        port = None
    if parsed.scheme not in PROXY_SCHEMES or not parsed.hostname or port is None:
        raise ConfigError("bot.proxy_url", "phải có dạng socks5://máy:cổng hoặc http://máy:cổng "
                          f"(ví dụ socks5://127.0.0.1:1080), đang là “{value}”")
    return value


def _database_url(value: str) -> str:
    scheme = value.split(":", 1)[0].split("+", 1)[0]
    if scheme not in ("sqlite", "postgresql", "postgres") or "://" not in value:
        raise ConfigError(
            "database.url",
            f"phải là sqlite:///đường/dẫn.db hoặc postgresql://..., đang là “{value}”",
        )
    return value


def _zalo_settings(za: dict[str, Any], env: dict[str, str]) -> ZaloSettings:
    token = (env.get("ZALO_BOT_TOKEN") or _str(za, "token", "zalo.token", "")).strip()
    if token and not re.fullmatch(r"[A-Za-z0-9:_-]{8,256}", token):
        raise ConfigError("zalo.token", "không đúng dạng token bot Zalo (chữ, số, dấu : _ -)")
    api = env.get("THIDUA_ZALO_API_URL") or _str(za, "api_base_url", "zalo.api_base_url", ZALO_API_URL)
    _http_url(api, "zalo.api_base_url")
    webhook_url = _str(za, "webhook_url", "zalo.webhook_url", "")
    if webhook_url:
        _http_url(webhook_url, "zalo.webhook_url", https_only=True)
    secret = env.get("ZALO_WEBHOOK_SECRET") or _str(za, "webhook_secret", "zalo.webhook_secret", "")
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{8,256}", secret):
        raise ConfigError("zalo.webhook_secret", "từ 8 đến 256 ký tự A-Z, a-z, 0-9, _ và -")
    if webhook_url and not secret:
        raise ConfigError("zalo.webhook_secret", "phải đặt khi dùng zalo.webhook_url")
    public = env.get("THIDUA_PUBLIC_URL") or _str(za, "public_base_url", "zalo.public_base_url", "")
    if public:
        _http_url(public, "zalo.public_base_url")
    bot_url = _str(za, "bot_url", "zalo.bot_url", "")
    if bot_url:
        _http_url(bot_url, "zalo.bot_url")
    link_secret = env.get("THIDUA_LINK_SECRET") or _str(za, "link_secret", "zalo.link_secret", "")
    if link_secret and len(link_secret) < 16:
        raise ConfigError("zalo.link_secret", "phải dài ít nhất 16 ký tự")
    return ZaloSettings(
        token=token, api_base_url=api, webhook_url=webhook_url, webhook_secret=secret,
        rate_per_second=_int(za, "rate_per_second", "zalo.rate_per_second", 10, 1, 1000),
        public_base_url=public,
        link_lifetime_hours=_int(za, "link_lifetime_hours", "zalo.link_lifetime_hours", 24, 1, 24 * 30),
        link_secret=link_secret,
        listen=_str(za, "listen", "zalo.listen", "0.0.0.0"),
        port=_int(za, "port", "zalo.port", 8080, 1, 65535),
        monthly_quota=_int(za, "monthly_quota", "zalo.monthly_quota", 0, 0, 100_000_000),
        bot_url=bot_url,
    )


def _web_settings(ws: dict[str, Any], zalo: ZaloSettings, env: dict[str, str]) -> WebSettings:
    """[web]; where it names no public URL, listen address or port, the [zalo] ones (one server)."""
    public = env.get("THIDUA_PUBLIC_URL") or _str(ws, "public_url", "web.public_url", zalo.public_base_url)
    if public:
        _http_url(public, "web.public_url")
    if env.get("THIDUA_WEB_PORT"):
        if not env["THIDUA_WEB_PORT"].isdigit():
            raise ConfigError("THIDUA_WEB_PORT", f"phải là số cổng, đang là “{env['THIDUA_WEB_PORT']}”")
        ws = {**ws, "port": int(env["THIDUA_WEB_PORT"])}
    return WebSettings(
        enabled=_bool(ws, "enabled", "web.enabled", True),
        public_url=public,
        listen=_str(ws, "listen", "web.listen", zalo.listen),
        port=_int(ws, "port", "web.port", zalo.port, 0, 65535),
        signin_minutes=_int(ws, "signin_minutes", "web.signin_minutes", 10, 1, 24 * 60),
        session_hours=_int(ws, "session_hours", "web.session_hours", 8, 1, 24 * 30),
    )


def _file_settings(fs: dict[str, Any]) -> FileSettings:
    d = FileSettings()
    return FileSettings(
        max_mb=_int(fs, "max_mb", "files.max_mb", d.max_mb, 1, 2000),
        docx_max_unpacked_mb=_int(fs, "docx_max_unpacked_mb", "files.docx_max_unpacked_mb", d.docx_max_unpacked_mb, 1, 2000),
        docx_max_members=_int(fs, "docx_max_members", "files.docx_max_members", d.docx_max_members, 10, 100_000),
        docx_max_ratio=_int(fs, "docx_max_ratio", "files.docx_max_ratio", d.docx_max_ratio, 2, 10_000),
        pdf_max_pages=_int(fs, "pdf_max_pages", "files.pdf_max_pages", d.pdf_max_pages, 1, 100_000),
        parse_seconds=_int(fs, "parse_seconds", "files.parse_seconds", d.parse_seconds, 1, 600),
        parse_memory_mb=_int(fs, "parse_memory_mb", "files.parse_memory_mb", d.parse_memory_mb, 128, 65_536),
        download_seconds=_int(fs, "download_seconds", "files.download_seconds", d.download_seconds, 1, 3600),
    )


def _fraction(sec: dict[str, Any], key: str, full: str, default: str) -> Fraction:
    text = _str(sec, key, full, default)
    match = re.fullmatch(r"(\d{1,3})\s*/\s*(\d{1,3})", text)
    if not match or int(match[2]) == 0 or not 0 < int(match[1]) <= int(match[2]):
        raise ConfigError(full, f"phải là phân số từ 0 đến 1 dạng “2/3”, đang là “{text}”")
    return Fraction(int(match[1]), int(match[2]))


def _council_settings(sec: dict[str, Any], env: dict[str, str]) -> CouncilSettings:
    secret = env.get("THIDUA_BALLOT_SECRET") or _str(sec, "ballot_secret", "council.ballot_secret", "")
    if secret and len(secret) < 16:
        raise ConfigError("council.ballot_secret", "phải có ít nhất 16 ký tự")
    return CouncilSettings(
        quorum=_fraction(sec, "quorum", "council.quorum", "2/3"),
        pass_share=_fraction(sec, "pass_share", "council.pass_share", "1/2"),
        deadline_days=_int(sec, "deadline_days", "council.deadline_days", 3, 1, 60),
        remind_hours=_int(sec, "remind_hours", "council.remind_hours", 24, 0, 24 * 30),
        ballot_secret=secret,
        templates_dir=_str(sec, "templates_dir", "council.templates_dir", ""),
    )


def _award_settings(sec: dict[str, Any]) -> AwardSettings:
    table = sec.get("multipliers", dict(DEFAULT_MULTIPLIERS))
    if not isinstance(table, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 100 for v in table.values()):
        raise ConfigError("awards.multipliers", "phải là bảng “hình thức khen thưởng” = hệ số (ví dụ 0.3)")
    return AwardSettings(base_salary=_int(sec, "base_salary", "awards.base_salary", 2_340_000, 0, 1_000_000_000),
                         multipliers=tuple((str(k).strip(), float(v)) for k, v in table.items()))


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read the config file (missing file = all defaults) and apply environment overrides."""
    env = dict(os.environ if env is None else env)
    cfg_path = Path(path or env.get("THIDUA_CONFIG") or DEFAULT_CONFIG_PATH)
    raw: dict[str, Any] = {}
    if cfg_path.exists():
        try:
            raw = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(cfg_path), f"không đọc được TOML ({exc})") from None
        except UnicodeDecodeError:
            raise ConfigError(str(cfg_path), "tệp phải lưu dạng UTF-8") from None
    elif path is not None:
        raise ConfigError(str(cfg_path), "không tìm thấy tệp cấu hình")

    bot = _section(raw, "bot")
    token = env.get("TELEGRAM_BOT_TOKEN") or _str(bot, "token", "bot.token", "")
    token = token.strip()
    if token and not _TOKEN_RE.match(token):
        raise ConfigError("bot.token", "không đúng dạng token của @BotFather (123456:ABC...)")
    username = _str(bot, "username", "bot.username", "").lstrip("@")
    if username and not _USERNAME_RE.match(username):
        raise ConfigError("bot.username", f"không phải tên bot hợp lệ: “{username}”")
    api_base = env.get("THIDUA_BOT_API_URL") or _str(bot, "api_base_url", "bot.api_base_url", TELEGRAM_API_URL)
    api_file = env.get("THIDUA_BOT_FILE_URL") or _str(bot, "api_file_url", "bot.api_file_url", TELEGRAM_FILE_URL)
    _http_url(api_base, "bot.api_base_url")
    _http_url(api_file, "bot.api_file_url")
    proxy = _proxy_url((env.get("THIDUA_TELEGRAM_PROXY") or _str(bot, "proxy_url", "bot.proxy_url", "")).strip())
    concurrent = _int(bot, "concurrent_updates", "bot.concurrent_updates", Settings.concurrent_updates, 1, 64)

    org = _section(raw, "organisation")
    org_name = _str(org, "name", "organisation.name", Settings.organisation_name)
    if not org_name:
        raise ConfigError("organisation.name", "không được để trống")
    org_superior = _str(org, "superior", "organisation.superior", "")
    signer_title = _str(org, "signer_title", "organisation.signer_title", "")
    signer_name = _str(org, "signer_name", "organisation.signer_name", "")

    db = _section(raw, "database")
    db_url = _database_url(env.get("THIDUA_DATABASE_URL") or _str(db, "url", "database.url", Settings.database_url))

    tsec = _section(raw, "time")
    tz_name = _str(tsec, "timezone", "time.timezone", "Asia/Ho_Chi_Minh")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("time.timezone", f"không có múi giờ “{tz_name}” (ví dụ đúng: Asia/Ho_Chi_Minh)") from None

    wh = _section(raw, "webhook")
    wh_url = _str(wh, "url", "webhook.url", "")
    if wh_url:
        _http_url(wh_url, "webhook.url", https_only=True)
    secret = _str(wh, "secret_token", "webhook.secret_token", "")
    if secret and not _SECRET_RE.match(secret):
        raise ConfigError("webhook.secret_token", "chỉ gồm A-Z, a-z, 0-9, _ và -, tối đa 256 ký tự")
    webhook = WebhookSettings(
        url=wh_url,
        secret_token=secret,
        listen=_str(wh, "listen", "webhook.listen", "0.0.0.0"),
        port=_int(wh, "port", "webhook.port", 8443, 1, 65535),
    )

    qh = _section(raw, "quiet_hours")
    quiet = QuietHours(
        start=_clock(qh, "send_from", "quiet_hours.send_from", "07:30"),
        end=_clock(qh, "send_until", "quiet_hours.send_until", "20:00"),
        no_sundays=_bool(qh, "no_sundays", "quiet_hours.no_sundays", True),
    )
    if quiet.start >= quiet.end:
        raise ConfigError("quiet_hours.send_from", "phải trước quiet_hours.send_until")

    inv = _section(raw, "invites")
    ob = _section(raw, "outbox")
    outbox = OutboxSettings(
        rate_per_second=_int(ob, "rate_per_second", "outbox.rate_per_second", 30, 1, 1000),
        per_chat_per_second=_int(ob, "per_chat_per_second", "outbox.per_chat_per_second", 1, 1, 100),
        group_per_minute=_int(ob, "group_per_minute", "outbox.group_per_minute", 20, 1, 6000),
        max_attempts=_int(ob, "max_attempts", "outbox.max_attempts", 8, 1, 100),
        lease_seconds=_int(ob, "lease_seconds", "outbox.lease_seconds", 120, 1, 86400),
        tick_seconds=_int(ob, "tick_seconds", "outbox.tick_seconds", 2, 1, 3600),
        concurrency=_int(ob, "concurrency", "outbox.concurrency", 16, 1, 256),
        shared_budget=_bool(ob, "shared_budget", "outbox.shared_budget", True),
    )
    ib = _section(raw, "inbox")
    inbox = InboxSettings(
        lease_seconds=_int(ib, "lease_seconds", "inbox.lease_seconds", 60, 1, 86400),
        max_attempts=_int(ib, "max_attempts", "inbox.max_attempts", 3, 1, 100),
        retention_days=_int(ib, "retention_days", "inbox.retention_days", 7, 2, 3650),
    )
    rep = _section(raw, "reports")
    reports = ReportSettings(
        semiannual_due=_day_month(rep, "semiannual_due", "reports.semiannual_due", "15/06"),
        annual_due=_day_month(rep, "annual_due", "reports.annual_due", "05/12"),
        quarterly_due_day=_int(rep, "quarterly_due_day", "reports.quarterly_due_day", 20, 1, 28),
        final_due_days=_int(rep, "final_due_days", "reports.final_due_days", 15, 0, 180),
        opens_days_before=_int(rep, "opens_days_before", "reports.opens_days_before", 30, 0, 366),
        implementing_lead_days=_int(rep, "implementing_lead_days", "reports.implementing_lead_days", 5, 0, 60),
    )
    nu = _section(raw, "nudges")
    nudges = NudgeSettings(
        before_days=_days_list(nu, "before_days", "nudges.before_days", [7, 3, 1]),
        on_due_day=_bool(nu, "on_due_day", "nudges.on_due_day", True),
        after_every_days=_int(nu, "after_every_days", "nudges.after_every_days", 2, 1, 30),
        after_times=_int(nu, "after_times", "nudges.after_times", 3, 0, 20),
        escalate=_bool(nu, "escalate", "nudges.escalate", True),
        at=_clock(nu, "at", "nudges.at", "08:00"),
    )
    dg = _section(raw, "digest")
    default = _str(dg, "default", "digest.default", "weekly")
    if default not in ("daily", "weekly", "off"):
        raise ConfigError("digest.default", f"phải là daily, weekly hoặc off, đang là “{default}”")
    weekday = _str(dg, "weekday", "digest.weekday", "monday").lower()
    if weekday not in WEEKDAYS:
        raise ConfigError("digest.weekday", f"phải là một trong {', '.join(WEEKDAYS)}, đang là “{weekday}”")
    digest = DigestSettings(default=default, weekday=WEEKDAYS.index(weekday), at=_clock(dg, "at", "digest.at", "07:30"))
    zalo = _zalo_settings(_section(raw, "zalo"), env)
    return Settings(
        token=token,
        bot_username=username,
        api_base_url=api_base,
        api_file_url=api_file,
        proxy_url=proxy,
        concurrent_updates=concurrent,
        organisation_name=org_name,
        organisation_superior=org_superior,
        signer_title=signer_title,
        signer_name=signer_name,
        database_url=db_url,
        timezone=tz,
        webhook=webhook,
        inbox=inbox,
        quiet_hours=quiet,
        invite_expires_days=_int(inv, "expires_days", "invites.expires_days", 14, 1, 365),
        link_code_minutes=_int(inv, "link_minutes", "invites.link_minutes", 15, 1, 24 * 60),
        outbox=outbox,
        reports=reports,
        nudges=nudges,
        digest=digest,
        zalo=zalo,
        files=_file_settings(_section(raw, "files")),
        web=_web_settings(_section(raw, "web"), zalo, env),
        council=_council_settings(_section(raw, "council"), env),
        awards=_award_settings(_section(raw, "awards")),
        source=cfg_path if cfg_path.exists() else None,
    )
