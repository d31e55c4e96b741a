"""registrations: a campaign's call to register (đăng ký thi đua) and each unit's registration

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 16:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'registration_calls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('opened_by_member_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('nudged_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_registration_calls_campaign_id_campaigns'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['opened_by_member_id'], ['members.id'],
                                name=op.f('fk_registration_calls_opened_by_member_id_members'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_calls')),
        sa.UniqueConstraint('campaign_id', name=op.f('uq_registration_calls_campaign_id')),
    )
    op.create_table(
        'registrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('collective_title', sa.String(length=255), nullable=False),
        sa.Column('individuals', sa.JSON(), nullable=False),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_registrations_campaign_id_campaigns'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_registrations_member_id_members'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_registrations_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
        sa.UniqueConstraint('campaign_id', 'unit_id', name='uq_registrations_campaign_unit'),
    )
    op.create_index(op.f('ix_registrations_campaign_id'), 'registrations', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_registrations_unit_id'), 'registrations', ['unit_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_registrations_unit_id'), table_name='registrations')
    op.drop_index(op.f('ix_registrations_campaign_id'), table_name='registrations')
    op.drop_table('registrations')
    op.drop_table('registration_calls')
