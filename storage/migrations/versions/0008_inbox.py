"""inbox: every incoming update stored before it is acknowledged, handled once

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'inbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('update_key', sa.String(length=64), nullable=False),
        sa.Column('chat_key', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'handling', 'handled', 'parked')", name=op.f('ck_inbox_status')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox')),
        sa.UniqueConstraint('channel', 'update_key', name='uq_inbox_channel_update_key'),
    )
    op.create_index('ix_inbox_chat', 'inbox', ['channel', 'chat_key', 'id'])
    op.create_index('ix_inbox_status', 'inbox', ['status', 'id'])
    # form_drafts.last_update_id now holds inbox row ids, not Telegram update ids.
    op.execute("UPDATE form_drafts SET last_update_id = NULL")


def downgrade() -> None:
    op.drop_index('ix_inbox_status', table_name='inbox')
    op.drop_index('ix_inbox_chat', table_name='inbox')
    op.drop_table('inbox')
