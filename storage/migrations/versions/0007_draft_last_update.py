"""form_drafts.last_update_id: a Telegram update applied to a draft is not applied again

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 11:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('form_drafts', sa.Column('last_update_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('form_drafts') as batch:
        batch.drop_column('last_update_id')
