"""Indexes that let the case list read one page without sorting every case.

Revision ID: e25a5c2daf82
Revises: ae66cca7a8b0
Create Date: 2026-11-25 11:58:01.017931

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e25a5c2daf82'
down_revision = 'ae66cca7a8b0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.create_index(batch_op.f('ix_cases_created_at'), ['created_at'], unique=False)
    op.create_index(
        'ix_cases_deadline_order', 'cases', [sa.text('(next_deadline_on IS NULL)'), 'next_deadline_on', 'created_at']
    )


def downgrade():
    op.drop_index('ix_cases_deadline_order', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_created_at'))
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

