"""Migrations both ways, on the engine TEST_DATABASE_URL names (SQLite by default): every
downgrade gives back the schema its revision had, keeps the rows of the tables that remain,
and upgrades again; a failed migration leaves the database at the revision before it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError

from storage import migrate
from storage.db import Database, empty_scratch_database
from storage.models import Base

ROOT = Path(__file__).resolve().parents[1]
AT = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)


def fixture_rows() -> dict[str, dict]:
    """One row for every table of the models, each pointing at the others where it can (a batch
    copy with foreign keys on would cascade into exactly these). A new table needs its row here."""
    return {
        "units": {"id": 1, "code": "DN", "name": "UBND tỉnh Đồng Nai", "kind": "tỉnh"},
        "members": {"id": 1, "telegram_user_id": 1001, "chat_id": 1001, "zalo_user_id": "z-1001",
                    "zalo_chat_id": "zc-1001", "channel": "telegram", "full_name": "Nguyễn Thị Mai",
                    "unit_id": 1, "role": "admin", "telegram_accepted_at": AT},
        "audit_log": {"actor_member_id": 1, "subject_member_id": 1, "actor_label": "cli",
                      "action": "member.joined", "details": {"kênh": "telegram"}},
        "invites": {"code": "MOIDN01", "unit_id": 1, "role": "officer", "expires_at": AT,
                    "used_by_member_id": 1, "used_at": AT},
        "files": {"id": 1, "filename": "KH-108.docx", "size": 3, "sha256": "ab" * 32, "content": b"\x00\x01\x02",
                  "uploaded_by_member_id": 1},
        "form_drafts": {"member_id": 1, "form": "nomination", "answers": {"name": "Lê Văn Bình"},
                        "current_field": "summary", "last_update_id": 77},
        "campaigns": {"id": 1, "title": "Phong trào thi đua “Dân vận khéo”", "document_file_id": 1,
                      "created_by_member_id": 1, "launched_at": AT, "reward_forms": ["Giấy khen"]},
        "campaign_units": {"campaign_id": 1, "unit_id": 1, "acknowledged_at": AT, "acknowledged_by_member_id": 1},
        "outbox": {"channel": "telegram", "chat_id": 1001, "member_id": 1, "kind": "launch", "campaign_id": 1,
                   "dedupe_key": "launch:1:1", "payload": {"text": "Phát động"}},
        "nomination_quota_overrides": {"campaign_id": 1, "unit_id": 1, "period_key": "2026", "collectives": 3,
                                       "set_by_member_id": 1},
        "nominations": {"id": 1, "campaign_id": 1, "unit_id": 1, "kind": "individual", "full_name": "Lê Văn Bình",
                        "sector": "giáo dục", "summary": "Hoàn thành xuất sắc nhiệm vụ", "reward_form": "Giấy khen",
                        "period_key": "2026", "created_by_member_id": 1, "reviewed_by_member_id": 1},
        "nomination_events": {"nomination_id": 1, "actor_member_id": 1, "action": "submit", "to_status": "submitted"},
        "report_periods": {"id": 1, "campaign_id": 1, "kind": "semiannual", "label": "Sơ kết 6 tháng",
                           "opens_on": date(2026, 6, 1), "due_on": date(2026, 6, 30)},
        "nudges": {"period_id": 1, "unit_id": 1, "step": "due", "due_at": AT},
        "reports": {"id": 1, "period_id": 1, "unit_id": 1, "member_id": 1, "summary": "Đã triển khai",
                    "file_id": 1, "figures": {"đơn vị": 3}},
        "digest_subscriptions": {"member_id": 1, "frequency": "weekly", "next_at": AT},
        "send_budget": {"channel": "telegram", "next_slot": 1767225600.0, "paused_until": 0.0},
        "first_contacts": {"channel": "zalo", "user_key": "z-2002", "told_at": AT, "pending_code": "MOIDN02"},
        "inbox": {"channel": "telegram", "update_key": "5001", "chat_key": "1001", "payload": {"update_id": 5001}},
        "zalo_usage": {"month": "2026-03", "sent": 1234, "warned_at": AT},
        "web_signins": {"token_hash": "a" * 64, "member_id": 1, "next_path": "/web", "created_at": AT,
                        "expires_at": AT, "used_at": AT},
        "web_sessions": {"token_hash": "b" * 64, "member_id": 1, "csrf_token": "c" * 32, "created_at": AT,
                         "expires_at": AT},
        "vote_sessions": {"id": 1, "campaign_id": 1, "status": "open", "council_size": 5, "deadline_at": AT,
                          "opened_at": AT, "opened_by_member_id": 1, "ballot_salt": "s" * 32},
        "vote_candidates": {"id": 1, "session_id": 1, "nomination_id": 1, "number": 1},
        "vote_voters": {"session_id": 1, "member_id": 1, "voted_at": AT},
        "vote_ballots": {"session_id": 1, "voter_key": "k" * 64, "candidate_id": 1, "choice": "yes"},
        "award_decisions": {"id": 1, "campaign_id": 1, "session_id": 1, "number": "125/QĐ-UBND",
                            "signed_on": date(2026, 6, 20), "signer": "Nguyễn Văn A", "recorded_by_member_id": 1,
                            "recorded_at": AT},
        "registration_calls": {"campaign_id": 1, "due_on": date(2026, 3, 31), "opened_by_member_id": 1,
                               "opened_at": AT, "nudged_at": AT},
        "registrations": {"campaign_id": 1, "unit_id": 1, "member_id": 1, "collective_title": "Tập thể lao động tiên tiến",
                          "individuals": [{"name": "Lê Văn Bình", "title": "Lao động tiên tiến"}], "registered_at": AT},
        "awards": {"decision_id": 1, "nomination_id": 1, "unit_id": 1, "kind": "individual",
                   "full_name": "Lê Văn Bình", "name_key": "le van binh", "person_key": "le van binh@1", "reward_form": "Giấy khen", "year": 2026,
                   "amount": 702000},
    }


async def insert_fixture_rows(db: Database) -> None:
    rows = fixture_rows()
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in rows:
                await session.execute(insert(table).values(rows[table.name]))


async def row_counts(db: Database) -> dict[str, int]:
    """Rows of each table that exists now."""
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        return {t.name: await conn.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables if t.name in names}


def _schema(conn) -> dict:  # noqa: ANN001 - a sync Connection
    """The bot's tables as the database describes them (Alembic's own version table left out)."""
    found = inspect(conn)
    schema = {}
    for name in sorted(set(found.get_table_names()) - {"alembic_version"}):
        schema[name] = {
            "columns": sorted((c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)),
            "primary key": found.get_pk_constraint(name)["constrained_columns"],
            "foreign keys": sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
                                    (fk.get("options") or {}).get("ondelete")) for fk in found.get_foreign_keys(name)),
            "indexes": sorted((ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                              for ix in found.get_indexes(name)),
            "unique": sorted((uq["name"], tuple(uq["column_names"])) for uq in found.get_unique_constraints(name)),
            "checks": sorted(ck["name"] for ck in found.get_check_constraints(name)),
        }
    return schema


async def schema(db: Database) -> dict:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_schema)


async def heads(db: Database) -> frozenset[str]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda c: frozenset(MigrationContext.configure(c).get_current_heads()))


def _model_differences(conn) -> list:  # noqa: ANN001
    return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)


@pytest.fixture
async def empty_db(db_url: str):
    database = Database(db_url)
    await empty_scratch_database(database)
    yield database
    await database.dispose()


async def test_every_migration_goes_down_and_up_again_keeping_the_rows_of_the_tables_that_remain(empty_db):
    db = empty_db
    # Up one revision at a time, noting the schema each set of applied revisions has.
    expected: dict[frozenset[str], dict] = {frozenset(): await schema(db)}
    for revision in migrate.revisions():
        await migrate.upgrade(db, revision)
        expected[await heads(db)] = await schema(db)
    assert await heads(db) == {migrate.revisions()[-1]}
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_model_differences) == [], "the migrations at head differ from the models"

    await insert_fixture_rows(db)
    counts = await row_counts(db)
    empty = [name for name in Base.metadata.tables if counts.get(name, 0) == 0]
    assert not empty, f"tables without a fixture row (add one to fixture_rows): {empty}"

    # Down one revision at a time (0005 unmerges into 0003 + 0004, which go down together).
    for target in [*reversed(migrate.revisions()[:-1]), migrate.BASE]:
        await migrate.downgrade(db, target)
        now = await heads(db)
        assert now in expected, f"downgrade to {target} left revisions {sorted(now)}"
        assert await schema(db) == expected[now], f"the schema after downgrading to {target}"
        remaining = await row_counts(db)
        assert remaining == {name: counts[name] for name in remaining}, f"rows lost going down to {target}"
    assert await heads(db) == frozenset()
    assert await schema(db) == {}

    await migrate.upgrade(db)
    assert await schema(db) == expected[frozenset({migrate.revisions()[-1]})]
    await insert_fixture_rows(db)
    assert await row_counts(db) == counts


ZALO_ONLY_MEMBER = {"id": 2, "zalo_user_id": "z-2", "zalo_chat_id": "zc-2", "channel": "zalo",
                    "full_name": "Trần Văn Hùng", "role": "officer"}


async def test_a_zalo_only_member_stops_the_downgrade_below_0006_and_loses_nothing(db):
    await insert_fixture_rows(db)
    async with db.session() as session:
        await session.execute(insert(Base.metadata.tables["members"]).values(ZALO_ONLY_MEMBER))
    with pytest.raises(migrate.MigrationRefused) as refused:
        await migrate.downgrade(db, "base")
    assert "1 thành viên chưa có tài khoản Telegram" in refused.value.text
    # The revisions above 0006 went down (each its own transaction); 0006 refused and kept all.
    assert await heads(db) == {"0006"}
    async with db.engine.connect() as conn:
        names = (await conn.execute(text("SELECT full_name FROM members ORDER BY id"))).scalars().all()
    assert names == ["Nguyễn Thị Mai", "Trần Văn Hùng"]
    await migrate.upgrade(db)
    assert await heads(db) == {migrate.revisions()[-1]}


FAILING_MIGRATION = '''
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("probe", sa.Column("id", sa.Integer(), primary_key=True))
    # A copy of the outbox that fails half-way: a Zalo row has no chat id.
    with op.batch_alter_table("outbox", recreate="always") as batch_op:
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)


def downgrade() -> None:
    pass
'''


async def test_a_failed_migration_leaves_the_revision_before_it_and_nothing_half_made(
        empty_db, tmp_path, monkeypatch):
    db = empty_db
    head = migrate.revisions()[-1]
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "9999_fails.py").write_text(FAILING_MIGRATION.format(down=head), encoding="utf-8")
    plain_config = migrate.alembic_config

    def with_the_failing_one(url=None):
        cfg = plain_config(url)
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_locations", os.pathsep.join([str(migrate.MIGRATIONS / "versions"),
                                                                  str(versions)]))
        return cfg

    # The schema the last real revision gives, then back below it: the run below applies it and
    # then the failing one.
    await migrate.upgrade(db)
    at_head = await schema(db)
    await migrate.downgrade(db, migrate.revisions()[-2])
    async with db.session() as session:
        await session.execute(insert(Base.metadata.tables["outbox"]).values(
            channel="zalo", address="zc-1", kind="notice", payload={"text": "Nhắc báo cáo"}))

    monkeypatch.setattr(migrate, "alembic_config", with_the_failing_one)
    with pytest.raises(DBAPIError):  # SQLite: the NOT NULL; PostgreSQL: batch mode's cleanup after it
        await migrate.upgrade(db)

    # The migration before the failing one is kept; the failing one left nothing behind.
    assert await heads(db) == {head}
    after = await schema(db)
    assert not [name for name in after if name.startswith("_alembic_tmp")]
    assert "probe" not in after
    assert after == at_head
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT address FROM outbox"))).scalars().all() == ["zc-1"]
        if db.engine.dialect.name == "sqlite":
            # The bot's own connections still enforce foreign keys.
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1


def run_cli(args: list[str], db_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "THIDUA_CONFIG")}
    env.update({"PYTHONPATH": str(ROOT), "THIDUA_CONFIG": str(ROOT / "config.toml"), "THIDUA_DATABASE_URL": db_url})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120, check=False)


async def test_the_cli_downgrades_to_base_and_upgrades_again_with_data_in_every_table(db, db_url):
    await insert_fixture_rows(db)
    counts = await row_counts(db)
    assert set(counts) == set(Base.metadata.tables) and all(counts.values())
    at_head = await schema(db)
    await db.engine.dispose()  # no connection of ours open while the CLI works

    down = run_cli(["db", "downgrade", "base"], db_url)
    assert down.returncode == 0, down.stderr
    head = migrate.revisions()[-1]
    assert down.stdout.strip() == f"Đã hạ cơ sở dữ liệu từ phiên bản {head} về gốc (base): không còn bảng dữ liệu nào của bot."
    assert await schema(db) == {}

    up = run_cli(["db", "upgrade"], db_url)
    assert up.returncode == 0, up.stderr
    assert up.stdout.strip() == f"Đã tạo các bảng của bot: cơ sở dữ liệu ở phiên bản {head} (mới nhất)."
    assert await schema(db) == at_head
    again = run_cli(["db", "upgrade"], db_url)  # nothing to do, and it says so
    assert again.stdout.strip() == f"Cơ sở dữ liệu đã ở phiên bản {head} (mới nhất): không có gì thay đổi."
    await insert_fixture_rows(db)
    assert await row_counts(db) == counts


async def test_the_cli_goes_to_a_named_revision_and_says_so_in_vietnamese(db, db_url):
    await db.engine.dispose()
    down = run_cli(["db", "downgrade", "0005"], db_url)
    head = migrate.revisions()[-1]
    assert (down.returncode, down.stdout.strip()) == (0, f"Đã hạ cơ sở dữ liệu từ phiên bản {head} về phiên bản 0005.")
    up = run_cli(["db", "upgrade", "0006"], db_url)
    assert (up.returncode, up.stdout.strip()) == (0, "Đã nâng cơ sở dữ liệu từ phiên bản 0005 lên phiên bản 0006.")
    upwards = run_cli(["db", "downgrade", "0008"], db_url)
    assert upwards.returncode == 2
    assert upwards.stderr.strip() == "Không hạ xuống phiên bản 0008 được từ phiên bản hiện tại (0006)."
    unknown = run_cli(["db", "downgrade", "0042"], db_url)
    assert unknown.returncode == 2 and unknown.stderr.startswith("Không có phiên bản “0042”. Các phiên bản: base, 0001")
    assert await heads(db) == {"0006"}


async def test_the_cli_refusal_below_0006_is_vietnamese(db, db_url):
    async with db.session() as session:
        await session.execute(insert(Base.metadata.tables["members"]).values(ZALO_ONLY_MEMBER))
    await db.engine.dispose()
    refused = run_cli(["db", "downgrade", "base"], db_url)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "Không hạ được xuống dưới phiên bản 0006: 1 thành viên chưa có tài khoản Telegram (chỉ dùng Zalo), "
        "mà các phiên bản trước 0006 chỉ lưu được thành viên Telegram.",
        "Cơ sở dữ liệu đang ở phiên bản 0006.",
    ]


async def test_0021_keeps_a_single_office_deployment_as_it_was_its_admins_and_leaders_on_the_whole_tree(empty_db):
    """Unit scopes (0021): the admins and leaders of a database from before reach the whole tree and
    its campaigns are the top office's: every list and number they had, they still have."""
    from bot.services import campaigns as campaigns_service
    from bot.services import scope
    from storage.models import Campaign, Member

    db = empty_db
    await migrate.upgrade(db, "0020")
    tables = Base.metadata.tables
    async with db.session() as session:
        await session.execute(insert(tables["units"]).values([
            {"id": 1, "code": "DN", "name": "UBND tỉnh Đồng Nai", "kind": "tỉnh"},
            {"id": 2, "code": "XD", "name": "Xã Xuân Đường", "kind": "xã", "parent_id": 1}]))
        await session.execute(insert(tables["members"]).values([
            {"id": 1, "telegram_user_id": 1001, "chat_id": 1001, "full_name": "Nguyễn Thị Lan", "unit_id": 1,
             "role": "admin"},
            {"id": 2, "telegram_user_id": 1002, "chat_id": 1002, "full_name": "Trần Văn Hùng", "unit_id": 1,
             "role": "leader"}]))
        await session.execute(insert(tables["campaigns"]).values(
            {"id": 1, "title": "Phong trào thi đua “Dân vận khéo”", "created_by_member_id": 1, "launched_at": AT,
             "reward_forms": []}))
        await session.execute(insert(tables["campaign_units"]).values({"campaign_id": 1, "unit_id": 2}))
    await migrate.upgrade(db)
    async with db.session() as session:
        for member in (await session.scalars(select(Member).order_by(Member.id))).all():
            assert member.scope_unit_id is None
            assert (await scope.of(session, member)).whole_tree
        campaign = await session.get(Campaign, 1)
        assert (campaign.owner_unit_id, campaign.parent_campaign_id) == (None, None)
        assert scope.WHOLE_TREE.owns(campaign)
        assert [s.campaign.id for s in await campaigns_service.summaries(session, scope.WHOLE_TREE)] == [1]
    await migrate.downgrade(db, "0020")
    assert await heads(db) == {"0020"}
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM members")) == 2
        assert await conn.scalar(text("SELECT count(*) FROM campaigns")) == 1
