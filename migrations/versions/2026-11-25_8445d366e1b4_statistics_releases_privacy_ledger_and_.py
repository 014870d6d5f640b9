"""Statistics releases, the privacy-budget ledger, and the age band at intake on each case.

Revision ID: 8445d366e1b4
Revises: e25a5c2daf82
Create Date: 2026-11-25 12:03:08.052355

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8445d366e1b4'
down_revision = 'e25a5c2daf82'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('internal', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_releases_approved_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_releases_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_releases')),
    sa.UniqueConstraint('period', name=op.f('uq_releases_period'))
    )
    op.create_table('privacy_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('table_id', sa.String(length=32), nullable=False),
    sa.Column('epsilon', sa.Float(), nullable=False),
    sa.Column('overlapping', sa.Boolean(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=True),
    sa.Column('reserved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_privacy_ledger_release_id_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_ledger')),
    sa.UniqueConstraint('period', 'table_id', name=op.f('uq_privacy_ledger_period'))
    )
    with op.batch_alter_table('privacy_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_ledger_period'), ['period'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_band', sa.String(length=8), nullable=True))



def downgrade():
    # SQLite drops a column by copying the table, and the copy would lose this expression index.
    op.drop_index('ix_cases_deadline_order', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('age_band')
    op.create_index(
        'ix_cases_deadline_order', 'cases', [sa.text('(next_deadline_on IS NULL)'), 'next_deadline_on', 'created_at']
    )

    with op.batch_alter_table('privacy_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_ledger_period'))

    op.drop_table('privacy_ledger')
    op.drop_table('releases')
