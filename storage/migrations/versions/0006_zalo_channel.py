"""members on Zalo: Telegram ids optional, Zalo ids, the chosen channel; link codes; outbox addresses

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00

On SQLite the members table is copied (batch mode) to relax NOT NULL; the migration engine
(storage.db.create_migration_engine) has foreign keys off so the copy does not cascade into the
tables that point at members, and env.py checks them before the migration commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.alter_column('telegram_user_id', existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column('chat_id', existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(sa.Column('zalo_user_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('zalo_chat_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='telegram', nullable=False))
        batch_op.create_check_constraint('channel', "channel IN ('telegram', 'zalo')")
        batch_op.create_check_constraint('identity', 'telegram_user_id IS NOT NULL OR zalo_user_id IS NOT NULL')
        batch_op.create_index('uq_members_active_zalo_user', ['zalo_user_id'], unique=True,
                              sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_member_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invites_link_member_id_members'), 'members', ['link_member_id'], ['id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('chat_id', existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(sa.Column('address', sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Before 0006 every member had a Telegram account: a Zalo-only one cannot be kept, and
    # deleting a person with their history is not a downgrade's call.
    zalo_only = op.get_bind().execute(
        sa.text("SELECT count(*) FROM members WHERE telegram_user_id IS NULL OR chat_id IS NULL")).scalar_one()
    if zalo_only:
        from storage.migrate import MigrationRefused

        raise MigrationRefused(
            f"Không hạ được xuống dưới phiên bản 0006: {zalo_only} thành viên chưa có tài khoản Telegram "
            "(chỉ dùng Zalo), mà các phiên bản trước 0006 chỉ lưu được thành viên Telegram.")
    # Messages addressed on Zalo have no chat id a Telegram-only bot could send to; link codes
    # without link_member_id would read as invites with the member's role (an admin's: an admin
    # invite), so both go.
    op.execute("DELETE FROM outbox WHERE chat_id IS NULL")
    op.execute("DELETE FROM invites WHERE link_member_id IS NOT NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.alter_column('chat_id', existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invites_link_member_id_members'), type_='foreignkey')
        batch_op.drop_column('link_member_id')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index('uq_members_active_zalo_user')
        # Names already converted (create_check_constraint above applied the convention): f()
        # marks them so, or the convention would be applied again (ck_members_ck_members_…).
        batch_op.drop_constraint(batch_op.f('ck_members_identity'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_members_channel'), type_='check')
        batch_op.drop_column('channel')
        batch_op.drop_column('zalo_chat_id')
        batch_op.drop_column('zalo_user_id')
        batch_op.alter_column('telegram_user_id', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('chat_id', existing_type=sa.BigInteger(), nullable=False)
