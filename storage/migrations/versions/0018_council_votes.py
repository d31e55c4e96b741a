"""council votes: members of the Hội đồng, review sessions, their candidates, who voted, ballots

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('council_member', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'vote_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('council_size', sa.Integer(), nullable=False),
        sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('opened_by_member_id', sa.Integer(), nullable=True),
        sa.Column('nudged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('voters_count', sa.Integer(), nullable=True),
        sa.Column('ballot_salt', sa.String(length=64), nullable=False),
        sa.CheckConstraint("status IN ('open', 'decided', 'undecided')", name=op.f('ck_vote_sessions_status')),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_vote_sessions_campaign_id_campaigns'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['opened_by_member_id'], ['members.id'],
                                name=op.f('fk_vote_sessions_opened_by_member_id_members'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_sessions')),
    )
    op.create_index(op.f('ix_vote_sessions_campaign_id'), 'vote_sessions', ['campaign_id'], unique=False)
    op.create_table(
        'vote_candidates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('yes_count', sa.Integer(), nullable=True),
        sa.Column('no_count', sa.Integer(), nullable=True),
        sa.Column('result', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id'],
                                name=op.f('fk_vote_candidates_nomination_id_nominations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['vote_sessions.id'],
                                name=op.f('fk_vote_candidates_session_id_vote_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_candidates')),
        sa.UniqueConstraint('session_id', 'nomination_id', name='uq_vote_candidates_session_nomination'),
        sa.UniqueConstraint('session_id', 'number', name='uq_vote_candidates_session_number'),
    )
    op.create_index(op.f('ix_vote_candidates_nomination_id'), 'vote_candidates', ['nomination_id'], unique=False)
    op.create_index(op.f('ix_vote_candidates_session_id'), 'vote_candidates', ['session_id'], unique=False)
    op.create_table(
        'vote_voters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('voted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_vote_voters_member_id_members'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['vote_sessions.id'],
                                name=op.f('fk_vote_voters_session_id_vote_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_voters')),
        sa.UniqueConstraint('session_id', 'member_id', name=op.f('uq_vote_voters_session_id')),
    )
    op.create_index(op.f('ix_vote_voters_session_id'), 'vote_voters', ['session_id'], unique=False)
    op.create_table(
        'vote_ballots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('voter_key', sa.String(length=64), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('choice', sa.String(length=8), nullable=False),
        sa.CheckConstraint("choice IN ('yes', 'no')", name=op.f('ck_vote_ballots_choice')),
        sa.ForeignKeyConstraint(['candidate_id'], ['vote_candidates.id'],
                                name=op.f('fk_vote_ballots_candidate_id_vote_candidates'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['vote_sessions.id'],
                                name=op.f('fk_vote_ballots_session_id_vote_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_ballots')),
        sa.UniqueConstraint('session_id', 'voter_key', 'candidate_id', name=op.f('uq_vote_ballots_session_id')),
    )
    op.create_index(op.f('ix_vote_ballots_session_id'), 'vote_ballots', ['session_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_vote_ballots_session_id'), table_name='vote_ballots')
    op.drop_table('vote_ballots')
    op.drop_index(op.f('ix_vote_voters_session_id'), table_name='vote_voters')
    op.drop_table('vote_voters')
    op.drop_index(op.f('ix_vote_candidates_session_id'), table_name='vote_candidates')
    op.drop_index(op.f('ix_vote_candidates_nomination_id'), table_name='vote_candidates')
    op.drop_table('vote_candidates')
    op.drop_index(op.f('ix_vote_sessions_campaign_id'), table_name='vote_sessions')
    op.drop_table('vote_sessions')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('council_member')
