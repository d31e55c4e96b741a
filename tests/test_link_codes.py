"""/link codes end to end on both simulators: a code only adds the channel its owner lacks, to an
identity nobody else holds, once, within invites.link_minutes; every refusal is audited and the
owner is told on their first channel when a second one was added."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import clock
from bot.config import ConfigError, load_settings
from storage.models import AuditEntry, Member
from tests.conftest import add_admin, make_invite, texts_of
from tests.test_zalo_channel import at, zbot  # noqa: F401 - zbot is a fixture

ADMIN, STRANGER_TG = 1001, 7007
ADMIN_ZALO, OFFICER_ZALO, STRANGER_ZALO = "8800000000000101", "8800000000000102", "8800000000000103"
NOTICE = "Tài khoản của bạn vừa được liên kết thêm"


def code_in(text: str) -> str:
    return text.split("Mã liên kết của bạn: ")[1].split()[0]


async def member_by_telegram(db, user_id: int) -> Member | None:
    async with db.session() as session:
        return await session.scalar(select(Member).where(Member.telegram_user_id == user_id, Member.left_at.is_(None)))


async def refusals(db) -> list[str]:
    async with db.session() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == "invite.link_refused").order_by(AuditEntry.id))
        return [r.details["reason"] for r in rows]


async def test_a_telegram_code_works_once_only_on_zalo_only_for_a_free_identity_and_the_owner_is_told(zbot, bot):
    z = zbot
    clock.set_now(at(1, 5))
    await add_admin(z.db, ADMIN)
    await z.join(OFFICER_ZALO, await make_invite(z.db, 'LB', 'officer'))
    reply = texts_of(await bot.say(ADMIN, "/link"))[0]
    assert "trong 15 phút, chỉ trên Zalo" in reply
    code = code_in(reply)

    # On the same channel: neither a stranger nor the owner can use it; nothing changes.
    refused = texts_of(await bot.join(STRANGER_TG, code))[0]
    assert "không dùng được trên Telegram" in refused and "thêm Zalo" in refused, refused
    assert await member_by_telegram(z.db, STRANGER_TG) is None
    assert "không dùng được trên Telegram" in texts_of(await bot.join(ADMIN, code))[0]

    # On Zalo, by an account that is already another member: refused, both memberships intact.
    refused = (await z.join(OFFICER_ZALO, code))[0]
    assert "của một thành viên khác" in refused, refused

    # The admin's own Zalo account: linked, the role unchanged, and told on Telegram.
    linked = (await z.join(ADMIN_ZALO, code))[0]
    assert "Đã liên kết Zalo" in linked and "quản trị" in linked.lower(), linked
    bot.new_messages(ADMIN)
    await z.tick(at(1, 5, 9, 5), app=bot.app)
    told = [t for t in texts_of(bot.new_messages(ADMIN)) if NOTICE in t]
    assert len(told) == 1 and "thêm Zalo" in told[0] and "Văn phòng" in told[0], told
    assert not [t for t in texts_of(z.new(ADMIN_ZALO)) if NOTICE in t]  # the notice goes to the first channel

    # Twice: refused.
    assert "đã được dùng" in (await z.join(STRANGER_ZALO, code))[0]

    admin = await member_by_telegram(z.db, ADMIN)
    assert (admin.role, admin.zalo_user_id) == ("admin", ADMIN_ZALO)
    async with z.db.session() as session:
        officer = await session.scalar(select(Member).where(Member.zalo_user_id == OFFICER_ZALO))
        assert (officer.role, officer.telegram_user_id) == ("officer", None)
        assert await session.scalar(select(Member).where(Member.zalo_user_id == STRANGER_ZALO)) is None
    assert await refusals(z.db) == ["link_same_channel", "link_same_channel", "link_identity_bound", "link_used"]

    # On both channels now: no more codes to make.
    assert "cả Telegram và Zalo" in texts_of(await bot.say(ADMIN, "/link"))[0]
    assert "cả Telegram và Zalo" in (await z.say(ADMIN_ZALO, "liên kết"))[0]


async def test_a_zalo_code_works_on_telegram_within_its_minutes_and_not_after(zbot, bot):
    z = zbot
    clock.set_now(at(1, 5))
    await z.join(OFFICER_ZALO, await make_invite(z.db, 'LB', 'officer'))
    reply = (await z.say(OFFICER_ZALO, "liên kết"))[0]
    assert "trong 15 phút, chỉ trên Telegram" in reply
    late_code = code_in(reply)

    clock.set_now(at(1, 5) + timedelta(minutes=16))
    refused = texts_of(await bot.join(5005, late_code))[0]
    assert "hết hạn" in refused, refused
    assert await member_by_telegram(z.db, 5005) is None
    assert await refusals(z.db) == ["link_expired"]

    fresh = code_in((await z.say(OFFICER_ZALO, "liên kết"))[0])
    clock.set_now(at(1, 5) + timedelta(minutes=30))  # 14 minutes later
    assert "Đã liên kết Telegram" in texts_of(await bot.join(5005, fresh))[0]
    officer = await member_by_telegram(z.db, 5005)
    assert (officer.role, officer.zalo_user_id) == ("officer", OFFICER_ZALO)
    await z.tick(at(1, 5, 9, 31), app=bot.app)
    assert [t for t in texts_of(z.new(OFFICER_ZALO)) if NOTICE in t and "thêm Telegram" in t]


def test_link_minutes_is_read_from_the_config_and_checked(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[invites]\nlink_minutes = 5\n", encoding="utf-8")
    assert load_settings(path, env={}).link_code_minutes == 5
    assert load_settings(None, env={"THIDUA_CONFIG": str(tmp_path / "none.toml")}).link_code_minutes == 15
    path.write_text("[invites]\nlink_minutes = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invites.link_minutes"):
        load_settings(path, env={})
