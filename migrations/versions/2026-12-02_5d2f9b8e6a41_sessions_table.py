"""The sessions table, created here rather than by Flask-Session at start-up, with an index on the
idle deadline for `flask sessions purge`.

An installation upgraded from a version that let Flask-Session create the table has one already:
it is replaced, which signs everyone out once (sessions hold nothing that needs keeping).

Revision ID: 5d2f9b8e6a41
Revises: 8ac00f6fe43a
Create Date: 2026-12-02 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2f9b8e6a41'
down_revision = '8ac00f6fe43a'
branch_labels = None
depends_on = None


def upgrade():
    if sa.inspect(op.get_bind()).has_table('sessions'):
        op.drop_table('sessions')
    op.create_table(
        'sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('expiry', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
        sa.UniqueConstraint('session_id', name=op.f('uq_sessions_session_id')),
    )
    op.create_index(op.f('ix_sessions_expiry'), 'sessions', ['expiry'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sessions_expiry'), table_name='sessions')
    op.drop_table('sessions')
