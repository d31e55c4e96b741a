"""report_periods.opened_notice_at: the officers are told once that a period is open

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('report_periods', sa.Column('opened_notice_at', sa.DateTime(timezone=True), nullable=True))
    # Periods already open when this revision comes were nudged without an opening notice: they
    # are not announced now, weeks late.
    op.execute("UPDATE report_periods SET opened_notice_at = confirmed_at "
               "WHERE confirmed_at IS NOT NULL AND opens_on <= CURRENT_DATE")


def downgrade() -> None:
    with op.batch_alter_table('report_periods') as batch:
        batch.drop_column('opened_notice_at')
