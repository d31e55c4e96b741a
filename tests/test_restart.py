"""Stop the bot and start it again on the same database: nothing is lost."""

from __future__ import annotations

from tests.conftest import Bot, make_invite, make_settings, texts_of

OFFICER = 3001
LATER = 3002


async def test_members_and_invites_survive_a_restart(seeded, sim, db_url):
    first = Bot(sim=sim, db=seeded, settings=make_settings(db_url, sim), tracker=None)
    await first.start()
    joined_code = await make_invite(seeded, "CM", "officer")
    unused_code = await make_invite(seeded, "XD", "officer")
    assert "Chào mừng" in texts_of(await first.join(OFFICER, joined_code))[0]
    await first.stop()

    second = Bot(sim=sim, db=seeded, settings=make_settings(db_url, sim), tracker=None)
    await second.start()
    try:
        assert "Xã Cẩm Mỹ (mã CM)" in texts_of(await second.say(OFFICER, "/whoami"))[0]
        assert "đã được dùng" in texts_of(await second.join(LATER, joined_code))[0]
        assert "Xã Xuân Đường" in texts_of(await second.join(LATER, unused_code))[0]
    finally:
        await second.stop()
