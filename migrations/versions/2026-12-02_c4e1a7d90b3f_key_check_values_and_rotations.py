"""Key check values and key rotations: the database can tell whether a key file is the right one,
and a rotation stopped half-way is resumed rather than started again.

Revision ID: c4e1a7d90b3f
Revises: 5d2f9b8e6a41
Create Date: 2026-12-02 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a7d90b3f'
down_revision = '5d2f9b8e6a41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'key_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ring', sa.String(length=8), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('value', sa.LargeBinary(length=32), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('retired_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_checks')),
        sa.UniqueConstraint('ring', 'version', name=op.f('uq_key_checks_ring')),
    )
    op.create_table(
        'key_rotations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ring', sa.String(length=8), nullable=False),
        sa.Column('target_version', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_rotations')),
    )
    with op.batch_alter_table('key_rotations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_rotations_ring'), ['ring'], unique=False)


def downgrade():
    with op.batch_alter_table('key_rotations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_rotations_ring'))
    op.drop_table('key_rotations')
    op.drop_table('key_checks')
