"""Proposal tags on cases, and uploaded policy baselines (the first baseline ships with the code).

Revision ID: ae66cca7a8b0
Revises: 9de8677a94e9
Create Date: 2026-11-25 11:54:22.209578

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae66cca7a8b0'
down_revision = '9de8677a94e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('policy_baselines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_policy_baselines_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_baselines')),
    sa.UniqueConstraint('version', name=op.f('uq_policy_baselines_version'))
    )
    with op.batch_alter_table('policy_baselines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_baselines_effective_from'), ['effective_from'], unique=False)

    op.create_table('case_tags',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('rule_id', sa.String(length=8), nullable=False),
    sa.Column('proposal', sa.String(length=4), nullable=False),
    sa.Column('suggested', sa.Boolean(), nullable=False),
    sa.Column('needs', sa.String(length=300), nullable=False),
    sa.Column('baseline_version', sa.String(length=40), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('coverage', sa.String(length=8), nullable=False),
    sa.Column('covered_since', sa.Date(), nullable=True),
    sa.Column('left_out', sa.Boolean(), nullable=False),
    sa.Column('holds', sa.Boolean(), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_tags_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_case_tags_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_tags')),
    sa.UniqueConstraint('case_id', 'rule_id', name=op.f('uq_case_tags_case_id'))
    )
    with op.batch_alter_table('case_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_tags_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_tags_holds'), ['holds'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_tags_left_out'), ['left_out'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_tags_proposal'), ['proposal'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_tags_rule_id'), ['rule_id'], unique=False)



def downgrade():
    with op.batch_alter_table('case_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_tags_rule_id'))
        batch_op.drop_index(batch_op.f('ix_case_tags_proposal'))
        batch_op.drop_index(batch_op.f('ix_case_tags_left_out'))
        batch_op.drop_index(batch_op.f('ix_case_tags_holds'))
        batch_op.drop_index(batch_op.f('ix_case_tags_case_id'))

    op.drop_table('case_tags')
    with op.batch_alter_table('policy_baselines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_baselines_effective_from'))

    op.drop_table('policy_baselines')
