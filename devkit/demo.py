"""`python -m bot demo`: the whole bot against the built-in Bot API simulator, in a terminal.

You type as a sample person and see the bot's replies, buttons and files. Works with input piped in
for scripted runs. No token, no network: everything talks over loopback HTTP.
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from bot import clock, texts
from bot import vn_format
from bot.app import build_application, start_bot, stop_bot
from bot.config import Settings, WebSettings
from bot.services import invites, members, units
from devkit.simulator import BotApiSimulator, InboxTracker
from storage import migrate
from storage.db import Database

DEMO_TOKEN = "123456:DEMO-TOKEN-thidua-simulator"

DEMO_UNITS = """code,name,kind,parent_code
DN,UBND tỉnh Đồng Nai,tỉnh,
SNV,Sở Nội vụ (Ban Thi đua – Khen thưởng),cơ quan,DN
SGD,Sở Giáo dục và Đào tạo,cơ quan,DN
MTTQ,Ủy ban MTTQ Việt Nam tỉnh,đoàn thể,DN
LB,Phường Long Bình,phường,DN
TD,Phường Trấn Biên,phường,DN
XD,Xã Xuân Đường,xã,DN
CM,Xã Cẩm Mỹ,xã,DN
THCS-LB,Trường THCS Long Bình,trường,LB
"""


@dataclass(frozen=True)
class Persona:
    key: str
    user_id: int
    first_name: str
    last_name: str
    role: str | None  # None: has not joined yet
    unit_code: str | None

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}"


PEOPLE = (
    Persona("lan", 1001, "Lan", "Nguyễn Thị", "admin", "SNV"),
    Persona("hung", 1002, "Hùng", "Trần Văn", "leader", "DN"),
    Persona("mai", 1003, "Mai", "Lê Thị", "officer", "LB"),
    Persona("tuan", 1004, "Tuấn", "Phạm Minh", "officer", "XD"),
    Persona("binh", 1005, "Bình", "Võ Thanh", None, None),
    Persona("hoa", 1006, "Hoa", "Đặng Thu", None, None),
)
# Fixed codes so that a piped script can use them; real codes are random.
DEMO_INVITES = {"MOICAMMY01": ("officer", "CM"), "MOICAMMY02": ("officer", "CM"), "MOILANHDAO": ("leader", "DN")}

HELP = """Lệnh của bản chạy thử (không gửi tới bot):
  /as TÊN        đổi người đang gõ ({people})
  /people        danh sách người mẫu
  #N             bấm nút số N của tin nhắn có nút gần nhất
  /file ĐƯỜNG_DẪN gửi một tệp cho bot
  /save ĐƯỜNG_DẪN lưu tệp bot gửi gần nhất (một thư mục, hoặc tên tệp)
  /invite VAI_TRÒ MÃ_ĐƠN_VỊ   tạo mã mời như lệnh `python -m bot invite`
  /quit          thoát
Mọi dòng khác được gửi cho bot như tin nhắn của người đang chọn."""


def on_telegram(person: Persona) -> dict[str, int]:
    return {"telegram_user_id": person.user_id, "chat_id": person.user_id}


async def seed(db: Database, account: Callable[[Persona], dict] = on_telegram) -> int:
    """Sample units, people already joined, and the fixed invite codes. The admin is on Telegram;
    the others joined with `account(person)` (their Telegram or Zalo ids). Returns the admin's id."""
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv(DEMO_UNITS))
    async with db.session() as session:
        for code, (role, unit_code) in DEMO_INVITES.items():
            unit = await units.unit_by_code(session, unit_code)
            made = await invites.create_invites(session, role=role, unit_id=unit.id, expires_days=30, actor_label="demo")
            made[0].code = code
        admin_id = 0
        for p in PEOPLE:
            if p.role is None:
                continue
            unit = await units.unit_by_code(session, p.unit_code)
            if p.role == "admin":
                admin_id = (await members.add_admin(session, telegram_user_id=p.user_id, full_name=p.full_name, unit=unit)).id
                continue
            made = await invites.create_invites(session, role=p.role, unit_id=unit.id, actor_label="demo")
            await invites.redeem(session, made[0].code, full_name=p.full_name, **account(p))
    return admin_id


class Terminal:
    """Prints what the bot sent since the last look, with buttons numbered for `#N`."""

    def __init__(self, sim: BotApiSimulator, out=sys.stdout) -> None:
        self.sim = sim
        self.out = out
        self.seen: dict[tuple[int, int], str] = {}
        # Per chat: the buttons of its latest message that has any (message id, label, data).
        self.buttons: dict[int, list[tuple[int, str, str]]] = {}
        self.names = {p.user_id: p.full_name for p in PEOPLE}
        self.answers_seen = 0
        self.last_file: tuple[str, str] | None = None  # (Telegram file id, name) of the latest file shown

    def show_new(self, current_chat: int) -> None:
        # A pressed button's answer pops up on the phone; here it is a line.
        for answer in self.sim.callback_answers[self.answers_seen:]:
            if answer.get("text"):
                print(f"🔔 {answer['text']}\n", file=self.out)
        self.answers_seen = len(self.sim.callback_answers)
        for message in self.sim.all_sent():
            chat_id = message["chat"]["id"]
            key = (chat_id, message["message_id"])
            body = self._render(message)
            if self.seen.get(key) == body:
                continue
            edited = key in self.seen
            self.seen[key] = body
            who = "" if chat_id == current_chat else f" → {self.names.get(chat_id, chat_id)}"
            mark = " (đã sửa)" if edited else ""
            print(f"🤖{who}{mark}:\n{body}\n", file=self.out)
            keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            if keyboard:
                self.buttons[chat_id] = [
                    (message["message_id"], b["text"], b.get("callback_data", "")) for row in keyboard for b in row
                ]
        self.out.flush()

    def _render(self, message: dict) -> str:
        parts = []
        if message.get("text"):
            parts.append(message["text"])
        if message.get("document"):
            doc = message["document"]
            name = doc.get("file_name", "tệp")
            self.last_file = (doc["file_id"], name)
            parts.append(f"📎 Tệp: {name} ({vn_format.number(doc.get('file_size', 0))} byte) — gõ /save ĐƯỜNG_DẪN để lưu")
        if message.get("photo"):
            parts.append("🖼 Ảnh")
        if message.get("caption"):
            parts.append(message["caption"])
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        labels = [b["text"] for row in keyboard for b in row]
        if labels:
            parts.append("  ".join(f"[#{i}] {label}" for i, label in enumerate(labels, 1)))
        return "\n".join(parts)


async def typed_lines(stdin, out, echo: bool, prompt: Callable[[], str]) -> AsyncIterator[str]:
    """What is typed (or piped) into a demo, line by line, until end of input or /quit. Handles
    the prompt, echoes piped lines, skips blank ones; /as and /demo are the demo's own."""
    loop = asyncio.get_running_loop()
    while True:
        print(prompt(), end="", file=out, flush=True)
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            print(file=out)
            return
        line = line.strip()
        if echo:
            print(line, file=out)
        if line in ("/quit", "/exit"):
            return
        if line:
            yield line


def switch_person(line: str, by_key: dict, out):  # noqa: ANN001, ANN201 - the demo's personas
    """/as NAME: the persona to type as next, or None (and a hint) when there is no such one."""
    key = line[3:].strip().lower()
    if key not in by_key:
        print(f"Không có người mẫu {key!r}. Chọn một trong: {', '.join(by_key)}", file=out)
        return None
    return by_key[key]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def run_demo(settings: Settings, *, echo: bool = False, stdin=None, out=None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    folder = Path(tempfile.mkdtemp(prefix="thidua-demo-"))
    sim = BotApiSimulator(bot_username="thidua_demo_bot")
    await sim.start()
    demo_settings = settings.with_overrides(
        token=DEMO_TOKEN,
        bot_username="thidua_demo_bot",
        api_base_url=sim.base_url,
        api_file_url=sim.base_file_url,
        database_url=f"sqlite:///{folder / 'demo.db'}",
        webhook=settings.webhook.__class__(),
        # The web pages (/web) on a free local port, opened on this machine.
        web=WebSettings(listen="127.0.0.1", port=_free_port()),
    )
    db = Database(demo_settings.database_url)
    await migrate.upgrade(db)
    await seed(db)
    await db.dispose()
    for p in PEOPLE:
        # Vietnamese names read family name first; many set it all as the first name.
        sim.add_user(p.user_id, p.full_name)

    tracker = InboxTracker()
    app = build_application(demo_settings, observer=tracker)
    await start_bot(app, poll_timeout=1)
    term = Terminal(sim, out)
    by_key = {p.key: p for p in PEOPLE}
    person = by_key["binh"]
    print(
        "Thi đua bot — bản chạy thử (Bot API giả lập, dữ liệu tạm ở "
        f"{folder}, xóa khi thoát).\nNgười mẫu: "
        + ", ".join(f"{p.key} ({texts.ROLE_SHORT[p.role] if p.role else 'chưa tham gia'})" for p in PEOPLE)
        + "\nMã mời mẫu: "
        + ", ".join(f"{c} ({texts.ROLE_SHORT[r].lower()}, {u})" for c, (r, u) in DEMO_INVITES.items())
        + "\nGõ /demo để xem lệnh của bản chạy thử.\n",
        file=out,
    )
    try:
        async for line in typed_lines(stdin, out, echo, lambda: f"[{person.full_name}] > "):
            if line == "/demo":
                print(HELP.format(people=", ".join(by_key)), file=out)
                continue
            if line == "/people":
                print(people_list(), file=out)
                continue
            if line.startswith("/as"):
                person = switch_person(line, by_key, out) or person
                continue
            if line.startswith("/save"):
                save_file(sim, term.last_file, line[5:].strip(), out)
                continue
            if line.startswith("/invite "):
                await _demo_invite(demo_settings, line, out)
                continue
            update_id = await _send(sim, term, person, line, out)
            if update_id is None:
                continue
            try:
                await tracker.wait_processed(update_id, timeout=15)
                await _wait_outbox_idle(app.bot_data["db"])
            except TimeoutError:
                print("(bot chưa trả lời sau 15 giây)", file=out)
            term.show_new(person.user_id)
    finally:
        await stop_bot(app)
        await sim.stop()
        shutil.rmtree(folder, ignore_errors=True)  # the throw-away database goes with the demo
    return 0


def people_list() -> str:
    lines = ["Người mẫu (gõ /as TÊN để đổi):"]
    for p in PEOPLE:
        role = texts.ROLE_SHORT[p.role] if p.role else "chưa tham gia"
        unit = f", đơn vị {p.unit_code}" if p.unit_code else ""
        lines.append(f"  {p.key:<6} {p.full_name} — {role}{unit}")
    return "\n".join(lines)


def save_file(sim: BotApiSimulator, last: tuple[str, str] | None, where: str, out) -> None:  # noqa: ANN001
    """/save PATH: the latest file the bot sent, written where the person says."""
    if last is None:
        print("Bot chưa gửi tệp nào.", file=out)
        return
    if not where:
        print("Cách dùng: /save ĐƯỜNG_DẪN (một thư mục, hoặc tên tệp)", file=out)
        return
    file_id, name = last
    target = Path(where).expanduser()
    if target.is_dir() or where.endswith(("/", "\\")):
        target = target / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sim.file_content(file_id))
    except OSError as exc:
        print(f"Không lưu được vào {target}: {exc.strerror or exc}", file=out)
        return
    print(f"Đã lưu {name} vào {target}", file=out)


async def _wait_outbox_idle(db: Database, timeout: float = 15.0) -> None:
    """Let broadcasts the last step queued go out (and their summaries) before showing replies.

    The tick sends them in the background; the demo polls the database for the condition.
    """
    from sqlalchemy import func, select

    from bot.services.campaigns import campaigns_in_progress
    from storage.models import OutboxMessage

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        async with db.session() as session:
            due = await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= clock.now()
                )
            )
            running = await campaigns_in_progress(session)
        if not due and not running:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError


async def _send(sim: BotApiSimulator, term: Terminal, person: Persona, line: str, out) -> int | None:
    if line.startswith("#") and line[1:].isdigit():
        index = int(line[1:]) - 1
        buttons = term.buttons.get(person.user_id, [])
        if not 0 <= index < len(buttons):
            print("Không có nút số đó. Các nút hiện ở dạng [#1], [#2]…", file=out)
            return None
        message_id, _label, data = buttons[index]
        return sim.press_button(person.user_id, message_id, data=data)
    if line.startswith("/file "):
        path = Path(line[6:].strip()).expanduser()
        if not path.is_file():
            print(f"Không tìm thấy tệp {path}", file=out)
            return None
        return sim.send_document(person.user_id, path.name, path.read_bytes())
    return sim.send_text(person.user_id, line)


async def _demo_invite(settings: Settings, line: str, out) -> None:
    parts = shlex.split(line)
    if len(parts) != 3 or parts[1] not in ("officer", "leader", "admin"):
        print("Cách dùng: /invite officer|leader|admin MÃ_ĐƠN_VỊ", file=out)
        return
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            unit = await units.unit_by_code(session, parts[2])
            if unit is None:
                print(f"Không có đơn vị mã {parts[2]!r}.", file=out)
                return
            made = await invites.create_invites(session, role=parts[1], unit_id=unit.id, actor_label="demo")
            print(f"https://t.me/{settings.bot_username}?start={made[0].code}  (hết hạn {clock.fmt_datetime(made[0].expires_at)})", file=out)
    finally:
        await db.dispose()
