"""zalo_usage: Zalo messages sent per calendar month, and the month's 80 % warning

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'zalo_usage',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('sent', sa.Integer(), nullable=False),
        sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('month', name=op.f('pk_zalo_usage')),
    )


def downgrade() -> None:
    op.drop_table('zalo_usage')
