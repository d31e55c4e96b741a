"""digest subscriptions; joins the nominations (0003) and reports (0004) branches

Revision ID: 0005
Revises: 0003, 0004
Create Date: 2026-11-24 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = ('0003', '0004')
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digest_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=8), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("frequency IN ('daily', 'weekly', 'off')", name=op.f('ck_digest_subscriptions_frequency')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_digest_subscriptions_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_subscriptions')),
    sa.UniqueConstraint('member_id', name=op.f('uq_digest_subscriptions_member_id'))
    )
    with op.batch_alter_table('digest_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_digest_subscriptions_due', ['next_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('digest_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_subscriptions_due')
    op.drop_table('digest_subscriptions')
