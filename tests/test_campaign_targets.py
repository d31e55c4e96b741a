"""“Tất cả đơn vị” are the units, not the organisation at the top of the tree (issue 18): the root
(the province, with no officer) is never a target of “all”, so it is never counted unreachable,
missing a report or late in an escalation."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import campaigns, units
from storage.models import CampaignUnit, Member, Unit


async def test_all_units_leaves_out_the_root_that_has_units_under_it(seeded):
    async with seeded.session() as session:
        every = await campaigns.resolve_targets(session, "all")
        assert sorted(u.code for u in every) == ["CM", "LB", "SNV", "XD"]  # not DN, the province
        subtree = await campaigns.resolve_targets(session, "subtree", root="DN")
        assert "DN" in {u.code for u in subtree}  # picked as the subtree's root: it stays, as asked
        admin = await session.scalar(select(Member.id))
        if admin is None:
            session.add(Member(telegram_user_id=1, chat_id=1, full_name="Quản trị", role="admin"))
            await session.flush()
            admin = await session.scalar(select(Member.id))
        launched = await campaigns.launch(session, {"title": "Phong trào toàn tỉnh", "target_mode": "all"}, admin)
        assert launched.units == 4 and "UBND tỉnh Đồng Nai" not in launched.units_without_officers
        targeted = (await session.scalars(select(Unit.code).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
                                          .where(CampaignUnit.campaign_id == launched.campaign_id))).all()
        assert "DN" not in targeted


async def test_a_flat_list_of_units_keeps_every_one(db):
    async with db.session() as session:
        await units.import_units(session, units.parse_units_csv("code,name,kind,parent_code\nA,Trường A,trường,\nB,Trường B,trường,\n"))
        assert sorted(u.code for u in await campaigns.resolve_targets(session, "all")) == ["A", "B"]
