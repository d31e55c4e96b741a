"""reports.office_told_at: the office (the admins) is told of each report once

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('reports', sa.Column('office_told_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_reports_office_told_at'), 'reports', ['office_told_at'], unique=False)
    # The reports already in are not announced at the upgrade: the office has seen them in /status.
    op.execute("UPDATE reports SET office_told_at = submitted_at")


def downgrade() -> None:
    op.drop_index(op.f('ix_reports_office_told_at'), table_name='reports')
    with op.batch_alter_table('reports') as batch:
        batch.drop_column('office_told_at')
