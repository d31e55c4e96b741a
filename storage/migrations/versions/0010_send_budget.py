"""send_budget: the sending budget every process of one bot token shares

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0008'  # no 0009: the link codes needed no column
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'send_budget',
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('next_slot', sa.Float(), nullable=False),
        sa.Column('paused_until', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('channel', name=op.f('pk_send_budget')),
    )


def downgrade() -> None:
    op.drop_table('send_budget')
