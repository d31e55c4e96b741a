"""`python -m bot demo --channel zalo`: the bot on the Zalo simulator, in a terminal.

The sample people are on Zalo; a campaign is already launched to the communes. Type as a person
and read what Zalo would show them (text only: Zalo has no buttons).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import sys
import tempfile
from pathlib import Path

from sqlalchemy import select

from bot import clock, texts
from bot.config import Settings, WebSettings, ZaloSettings
from bot.forms import FORMS, FormEngine
from bot.services import campaigns, units
from bot.web.server import WebServer
from bot.zalo.channel import ZaloChannel
from devkit.demo import DEMO_INVITES, PEOPLE, people_list, seed, switch_person, typed_lines
from devkit.simulator.zalo import ZaloApiSimulator
from storage import migrate
from storage.db import Database
from storage.models import Campaign, Member, Nomination

TOKEN = "demo-zalo-token-thidua"
HELP = """Lệnh của bản chạy thử (không gửi tới bot):
  /as TÊN          đổi người đang gõ ({people})
  /photo ĐƯỜNG_DẪN gửi một ảnh cho bot (như ảnh chụp trên Zalo)
  /quit            thoát
Mọi dòng khác được gửi cho bot như tin nhắn Zalo của người đang chọn."""


def zalo_id(user_id: int) -> str:
    return f"88000000{user_id}"


async def _seed(db: Database) -> None:
    """The Telegram demo's units and people, every one of them on Zalo only (an office with no
    Telegram), and a campaign."""
    admin_id = await seed(db, lambda p: {"zalo_user_id": zalo_id(p.user_id), "zalo_chat_id": zalo_id(p.user_id)})
    async with db.session() as session:
        admin = await session.get(Member, admin_id)
        admin.zalo_user_id = admin.zalo_chat_id = zalo_id(admin.telegram_user_id)
        admin.telegram_user_id = admin.chat_id = None
        admin.channel = "zalo"
    async with db.session() as session:
        await campaigns.launch(session, {
            "title": "Phong trào thi đua “Chung sức xây dựng nông thôn mới” năm 2026", "reporting_cadence": "6-monthly",
            "period_start": "2026-01-01", "period_end": "2026-12-31", "target_mode": "units",
            "target_units": ["LB", "XD", "CM"], "quota_collectives": 2, "quota_individuals": 2, "quota_per": "quarter",
            "reward_forms": ["Giấy khen", "Bằng khen"],
        }, admin_id)
    await _seed_council(db, admin_id)


# Nominations the office has already approved, so that a review session can be tried at once:
# `/as lan`, `hội đồng` (lan and hùng are on it), `mở phiên xét 1`, then `/as hung`, `phiếu xét`,
# `đồng ý 1 2`, `không 3`, and `/as lan`, `phiếu xét`, `đồng ý 1 3`, `đóng phiên xét 1`.
APPROVED = (("LB", "individual", "Nguyễn Văn An", "Giấy khen"), ("LB", "collective", "Tổ dân phố 5", "Bằng khen"),
            ("XD", "individual", "Trần Thị Bích", "Giấy khen"))


async def _seed_council(db: Database, admin_id: int) -> None:
    async with db.session() as session:
        campaign_id = await session.scalar(select(Campaign.id))
        for code, kind, name, reward in APPROVED:
            unit = await units.unit_by_code(session, code)
            at = clock.now()
            session.add(Nomination(
                campaign_id=campaign_id, unit_id=unit.id, kind=kind, full_name=name, sector="Kinh tế",
                position="Tổ trưởng" if kind == "individual" else None, workplace=unit.name if kind == "individual" else None,
                summary="Vận động nhân dân hiến đất làm đường, xây dựng khu dân cư kiểu mẫu, vượt chỉ tiêu năm 2026.",
                reward_form=reward, period_key=f"{at.year}-Q{(clock.local(at).month - 1) // 3 + 1}", status="approved",
                first_submitted_at=at, submitted_at=at, reviewed_at=at, reviewed_by_member_id=admin_id))
        for member in (await session.scalars(select(Member).where(Member.role.in_(("admin", "leader"))))).all():
            member.council_member = True


async def run_zalo_demo(settings: Settings, *, echo: bool = False, stdin=None, out=None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    folder = Path(tempfile.mkdtemp(prefix="thidua-zalo-demo-"))
    sim = ZaloApiSimulator(token=TOKEN)
    await sim.start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = settings.with_overrides(
        database_url=f"sqlite:///{folder / 'demo.db'}",
        zalo=ZaloSettings(token=TOKEN, api_base_url=sim.base_url, listen="127.0.0.1", port=port,
                          link_secret="demo-link-secret-0123456789"),
        # The web pages (/web, “mở trang”) on the same local server, opened on this machine.
        web=WebSettings(listen="127.0.0.1", port=port),
    )
    db = Database(demo.database_url)
    await migrate.upgrade(db)
    await _seed(db)
    for p in PEOPLE:
        sim.add_user(zalo_id(p.user_id), p.full_name)
    channel = ZaloChannel(demo, db, FormEngine(list(FORMS)), poll_timeout=1, site=WebServer(demo, db),
                          owns_site=True)
    await channel.start()
    by_key = {p.key: p for p in PEOPLE}
    names = {zalo_id(p.user_id): p.full_name for p in PEOPLE}
    person = by_key["mai"]
    shown = 0
    print("Thi đua bot trên Zalo — bản chạy thử (Zalo Bot API giả lập, dữ liệu tạm ở "
          f"{folder}, xóa khi thoát).\nNgười mẫu: "
          + ", ".join(f"{p.key} ({texts.ROLE_SHORT[p.role] if p.role else 'chưa tham gia'})" for p in by_key.values())
          + "\nMã mời mẫu: " + ", ".join(DEMO_INVITES) + "\nGõ “trợ giúp” để xem lệnh của bot, /demo để xem lệnh của bản chạy thử.\n",
          file=out)

    def show(current: str) -> None:
        nonlocal shown
        sent = sim.all_sent()
        for m in sent[shown:]:
            who = "" if m["chat_id"] == current else f" → {names.get(m['chat_id'], m['chat_id'])}"
            body = m.get("text") or ""
            if m["method"] == "sendPhoto":
                body = f"🖼 Ảnh: {m.get('photo')}\n{m.get('caption') or ''}"
            print(f"🤖{who}:\n{body}\n", file=out)
        shown = len(sent)
        out.flush()

    await asyncio.sleep(1.5)  # the launch goes out on the first tick
    show(zalo_id(person.user_id))
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
            uid = zalo_id(person.user_id)
            if line.startswith("/photo "):
                path = Path(line[7:].strip()).expanduser()
                if not path.is_file():
                    print(f"Không tìm thấy tệp {path}", file=out)
                    continue
                message_id = sim.send_photo(uid, sim.host_image(path.read_bytes(), path.name))
            else:
                message_id = sim.send_text(uid, line)
            try:
                await channel.conversation.wait_handled(message_id, timeout=15)
                await asyncio.sleep(0.3)  # notifications the step queued go out on the kicked tick
            except TimeoutError:
                print("(bot chưa trả lời sau 15 giây)", file=out)
            show(uid)
    finally:
        await channel.stop()
        await db.dispose()
        await sim.stop()
        shutil.rmtree(folder, ignore_errors=True)  # the throw-away database goes with the demo
    return 0
