"""Late joiners and lost documents (issue 18, item 4): an officer who joins after a launch gets
their unit's active campaigns with the document; /campaigns lists their unit's; /campaign N sends
the launch again — on both channels, through the outbox like the launch itself."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import clock
from bot.services import campaigns, files
from storage.models import CampaignUnit, Member
from tests.chats import chat  # noqa: F401 - the fixture, on both channels
from tests.conftest import make_invite

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, a Tuesday


async def _launch(db, title: str, codes: list[str], **extra) -> int:  # noqa: ANN001, ANN003
    async with db.session() as session:
        admin = await session.scalar(select(Member.id).where(Member.role == "admin"))
        doc = await files.store(session, b"%PDF-1.4 ke hoach", "ke-hoach.pdf", "application/pdf", uploaded_by=admin)
        answers = {"title": title, "target_mode": "units", "target_units": codes,
                   "document": [{"stored_file_id": doc.id, "filename": "ke-hoach.pdf"}], **extra}
        return (await campaigns.launch(session, answers, admin)).campaign_id


async def test_a_late_officer_gets_the_units_active_launches_and_can_ask_again(chat):  # noqa: F811
    clock.set_now(NOW)
    assert "Chào mừng" in (await chat.join("admin", await make_invite(chat.db, "SNV", "admin")))[0]
    old = await _launch(chat.db, "Phong trào năm 2025 đã xong", ["LB"], period_end="2025-12-31")
    first = await _launch(chat.db, "Thi đua chuyển đổi số năm 2026", ["LB", "XD"])
    other = await _launch(chat.db, "Phong trào chỉ cho xã Xuân Đường", ["XD"])
    await chat.tick(NOW)  # the launches go out (to nobody in LB yet)

    answers = await chat.join("officer", await make_invite(chat.db, "LB", "officer"))
    assert "Chào mừng" in answers[0]
    assert "đang có 1 phong trào thi đua; bot gửi lại phong trào đó (kèm văn bản)" in answers[-1]
    await chat.tick(NOW)
    launch = await chat.wait_for("officer", "chuyển đổi số năm 2026")
    assert "PHÁT ĐỘNG THI ĐUA" in launch["text"]
    if chat.channel == "telegram":
        assert launch["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"ack:{first}"
        assert any(m.get("document") for m in chat.h.sim.messages(chat.user("officer")))
    else:
        assert f"đã nhận {first}" in launch["text"]
        assert await chat.wait_for("officer", "ke-hoach.pdf")  # Zalo: the document as a signed link
    sent = "\n".join(m.get("text") or "" for m in chat.h.sim.messages(chat.user("officer")))
    assert "năm 2025 đã xong" not in sent and "chỉ cho xã Xuân Đường" not in sent

    listing = "\n".join(await chat.say("officer", "/campaigns" if chat.channel == "telegram" else "các phong trào"))
    assert f"#{first} «Thi đua chuyển đổi số năm 2026» — phát động 01/12/2026, ⏳ chưa xác nhận" in listing
    assert f"#{old} «Phong trào năm 2025 đã xong» (đã kết thúc)" in listing and f"#{other} " not in listing

    since = chat.count("officer")
    again = await chat.say("officer", f"/campaign {old}" if chat.channel == "telegram" else f"phong trào {old}")
    assert again == [f"Bot gửi lại phát động #{old} (và văn bản gốc, nếu có) ngay sau tin này."]
    await chat.tick(NOW)
    assert "«Phong trào năm 2025 đã xong»" in (await chat.wait_for("officer", "PHÁT ĐỘNG", since=since + 1))["text"]
    refused = await chat.say("officer", f"/campaign {other}" if chat.channel == "telegram" else f"phong trào {other}")
    assert refused[0].startswith(f"Phong trào #{other} không gửi tới đơn vị của bạn.")
    async with chat.db.session() as session:  # asking again records nothing
        assert await session.scalar(select(CampaignUnit.acknowledged_at).where(CampaignUnit.campaign_id == old)) is None
    assert date(2026, 12, 1) == clock.local(clock.now()).date()
