"""awards: the decisions recorded (Quyết định khen thưởng) and each exemplar awarded

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 15:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'award_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('number', sa.String(length=64), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('signer', sa.String(length=255), nullable=False),
        sa.Column('recorded_by_member_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_award_decisions_campaign_id_campaigns'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_member_id'], ['members.id'],
                                name=op.f('fk_award_decisions_recorded_by_member_id_members'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['session_id'], ['vote_sessions.id'],
                                name=op.f('fk_award_decisions_session_id_vote_sessions'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_award_decisions')),
    )
    op.create_index(op.f('ix_award_decisions_campaign_id'), 'award_decisions', ['campaign_id'], unique=False)
    op.create_table(
        'awards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('full_name', sa.String(length=255), nullable=False),
        sa.Column('name_key', sa.String(length=255), nullable=False),
        sa.Column('person_key', sa.String(length=300), nullable=False),
        sa.Column('reward_form', sa.String(length=255), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['decision_id'], ['award_decisions.id'], name=op.f('fk_awards_decision_id_award_decisions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id'], name=op.f('fk_awards_nomination_id_nominations'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_awards_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    )
    op.create_index(op.f('ix_awards_decision_id'), 'awards', ['decision_id'], unique=False)
    op.create_index(op.f('ix_awards_name_key'), 'awards', ['name_key'], unique=False)
    op.create_index(op.f('ix_awards_nomination_id'), 'awards', ['nomination_id'], unique=False)
    op.create_index(op.f('ix_awards_person_key'), 'awards', ['person_key'], unique=False)
    op.create_index(op.f('ix_awards_unit_id'), 'awards', ['unit_id'], unique=False)


def downgrade() -> None:
    for index in ('ix_awards_unit_id', 'ix_awards_person_key', 'ix_awards_nomination_id', 'ix_awards_name_key',
                  'ix_awards_decision_id'):
        op.drop_index(op.f(index), table_name='awards')
    op.drop_table('awards')
    op.drop_index(op.f('ix_award_decisions_campaign_id'), table_name='award_decisions')
    op.drop_table('award_decisions')
