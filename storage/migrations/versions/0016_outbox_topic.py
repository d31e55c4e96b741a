"""outbox.topic: what a message is about for one person, so that a newer one drops a stale one

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('topic', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_outbox_topic'), 'outbox', ['topic'], unique=False)


def downgrade() -> None:
    # A superseded row reads as failed to the revisions that do not know the status.
    op.execute("UPDATE outbox SET status = 'failed', error = 'superseded' WHERE status = 'superseded'")
    op.drop_index(op.f('ix_outbox_topic'), table_name='outbox')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('topic')
