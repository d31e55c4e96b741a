"""first_contact: who was told what the bot keeps before joining; when members accepted it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 00:40:00

Members from before this revision keep NULL acceptance times: they joined before acceptance was
recorded (their welcome carried the privacy note), and are not asked again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'first_contacts',
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('user_key', sa.String(length=64), nullable=False),
        sa.Column('told_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('pending_code', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('channel', 'user_key', name=op.f('pk_first_contacts')),
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('telegram_accepted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('zalo_accepted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('zalo_accepted_at')
        batch_op.drop_column('telegram_accepted_at')
    op.drop_table('first_contacts')
