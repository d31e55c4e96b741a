"""nominations, their history, quota overrides

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:54:51.179100
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nomination_quota_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sa.String(length=16), nullable=False),
    sa.Column('collectives', sa.Integer(), nullable=True),
    sa.Column('individuals', sa.Integer(), nullable=True),
    sa.Column('set_by_member_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_nomination_quota_overrides_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_member_id'], ['members.id'], name=op.f('fk_nomination_quota_overrides_set_by_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_nomination_quota_overrides_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination_quota_overrides')),
    sa.UniqueConstraint('campaign_id', 'unit_id', 'period_key', name='uq_nomination_quota_overrides_campaign_unit_period')
    )
    with op.batch_alter_table('nomination_quota_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_quota_overrides_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_quota_overrides_unit_id'), ['unit_id'], unique=False)

    op.create_table('nominations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('position', sa.String(length=255), nullable=True),
    sa.Column('workplace', sa.String(length=255), nullable=True),
    sa.Column('sector', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('reward_form', sa.String(length=255), nullable=False),
    sa.Column('evidence_file_ids', sa.JSON(), nullable=False),
    sa.Column('period_key', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_member_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_member_id', sa.Integer(), nullable=True),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('collective', 'individual')", name=op.f('ck_nominations_kind')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'returned', 'rejected', 'withdrawn')", name=op.f('ck_nominations_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_nominations_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_member_id'], ['members.id'], name=op.f('fk_nominations_created_by_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_member_id'], ['members.id'], name=op.f('fk_nominations_reviewed_by_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_nominations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominations'))
    )
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.create_index('ix_nominations_queue', ['status', 'submitted_at'], unique=False)
        batch_op.create_index('ix_nominations_quota', ['campaign_id', 'unit_id', 'period_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominations_unit_id'), ['unit_id'], unique=False)

    op.create_table('nomination_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nomination_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_member_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_member_id'], ['members.id'], name=op.f('fk_nomination_events_actor_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id'], name=op.f('fk_nomination_events_nomination_id_nominations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination_events'))
    )
    with op.batch_alter_table('nomination_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_events_nomination_id'), ['nomination_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('nomination_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_events_nomination_id'))

    op.drop_table('nomination_events')
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nominations_unit_id'))
        batch_op.drop_index('ix_nominations_quota')
        batch_op.drop_index('ix_nominations_queue')

    op.drop_table('nominations')
    with op.batch_alter_table('nomination_quota_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_quota_overrides_unit_id'))
        batch_op.drop_index(batch_op.f('ix_nomination_quota_overrides_campaign_id'))

    op.drop_table('nomination_quota_overrides')
