"""Whether a researcher holds a residence permit for research: the other half of rule R9.

Revision ID: 8ac00f6fe43a
Revises: 78bbbefa1daa
Create Date: 2026-11-30 08:58:12.932700

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ac00f6fe43a'
down_revision = '78bbbefa1daa'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('research_permit', sa.String(length=8), nullable=True))


def downgrade():
    # SQLite drops a column by copying the table, which would lose this expression index (it cannot
    # be reflected): drop it first and build it again afterwards.
    op.drop_index('ix_cases_deadline_order', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('research_permit')
    op.create_index(
        'ix_cases_deadline_order', 'cases', [sa.text('(next_deadline_on IS NULL)'), 'next_deadline_on', 'created_at', 'status']
    )
