"""members on Zalo: Telegram ids optional, Zalo ids, the chosen channel; link codes; outbox addresses

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00

On SQLite the members table is copied (batch mode) to relax NOT NULL; storage.migrate turns
foreign keys off around the migration so the copy does not cascade into the tables that point
at members, and checks them afterwards.
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
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('address')
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invites_link_member_id_members'), type_='foreignkey')
        batch_op.drop_column('link_member_id')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index('uq_members_active_zalo_user')
        batch_op.drop_constraint('ck_members_identity', type_='check')
        batch_op.drop_constraint('ck_members_channel', type_='check')
        batch_op.drop_column('channel')
        batch_op.drop_column('zalo_chat_id')
        batch_op.drop_column('zalo_user_id')
