"""unit scopes: admins' and leaders' reach, campaigns' owners and parents, nominations put forward

Every admin and leader from before has no scope (the whole tree) and every campaign no owner (the
top office's): a single-office deployment works exactly as before.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 23:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members') as batch:
        batch.add_column(sa.Column('scope_unit_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_members_scope_unit_id_units'), 'units', ['scope_unit_id'], ['id'])
        batch.create_index(op.f('ix_members_scope_unit_id'), ['scope_unit_id'])
    with op.batch_alter_table('invites') as batch:
        batch.add_column(sa.Column('scope_unit_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_invites_scope_unit_id_units'), 'units', ['scope_unit_id'], ['id'])
    with op.batch_alter_table('campaigns') as batch:
        batch.add_column(sa.Column('owner_unit_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('parent_campaign_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_campaigns_owner_unit_id_units'), 'units', ['owner_unit_id'], ['id'])
        batch.create_foreign_key(op.f('fk_campaigns_parent_campaign_id_campaigns'), 'campaigns',
                                 ['parent_campaign_id'], ['id'], ondelete='SET NULL')
        batch.create_index(op.f('ix_campaigns_owner_unit_id'), ['owner_unit_id'])
        batch.create_index(op.f('ix_campaigns_parent_campaign_id'), ['parent_campaign_id'])
    with op.batch_alter_table('nominations') as batch:
        batch.add_column(sa.Column('forwarded_from_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_nominations_forwarded_from_id_nominations'), 'nominations',
                                 ['forwarded_from_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('nominations') as batch:
        batch.drop_constraint(op.f('fk_nominations_forwarded_from_id_nominations'), type_='foreignkey')
        batch.drop_column('forwarded_from_id')
    with op.batch_alter_table('campaigns') as batch:
        batch.drop_index(op.f('ix_campaigns_parent_campaign_id'))
        batch.drop_index(op.f('ix_campaigns_owner_unit_id'))
        batch.drop_constraint(op.f('fk_campaigns_parent_campaign_id_campaigns'), type_='foreignkey')
        batch.drop_constraint(op.f('fk_campaigns_owner_unit_id_units'), type_='foreignkey')
        batch.drop_column('parent_campaign_id')
        batch.drop_column('owner_unit_id')
    with op.batch_alter_table('invites') as batch:
        batch.drop_constraint(op.f('fk_invites_scope_unit_id_units'), type_='foreignkey')
        batch.drop_column('scope_unit_id')
    with op.batch_alter_table('members') as batch:
        batch.drop_index(op.f('ix_members_scope_unit_id'))
        batch.drop_constraint(op.f('fk_members_scope_unit_id_units'), type_='foreignkey')
        batch.drop_column('scope_unit_id')
