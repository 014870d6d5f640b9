"""Indexes for statistics: a person's cases in intake order, and a case's tags by whether they hold.

A release then reads only the period's cases. The single-column boolean indexes on case_tags go:
SQLite, with no statistics, picked them and scanned half the table for every case counted.
The case list's order index gains the status, so counting open cases reads the index alone.

Revision ID: 78bbbefa1daa
Revises: 8445d366e1b4
Create Date: 2026-11-30 08:10:23.399864

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '78bbbefa1daa'
down_revision = '8445d366e1b4'
branch_labels = None
depends_on = None


DEADLINE_ORDER = [sa.text('(next_deadline_on IS NULL)'), 'next_deadline_on', 'created_at']


def upgrade():
    op.drop_index('ix_cases_deadline_order', table_name='cases')
    with op.batch_alter_table('case_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_tags_holds'))
        batch_op.drop_index(batch_op.f('ix_case_tags_left_out'))
        batch_op.create_index('ix_case_tags_case_holds', ['case_id', 'holds', 'left_out', 'proposal'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_person_id'))
        batch_op.create_index('ix_cases_person_first', ['person_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_cases_deadline_order', 'cases', [*DEADLINE_ORDER, 'status'])


def downgrade():
    op.drop_index('ix_cases_deadline_order', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_person_first')
        batch_op.create_index(batch_op.f('ix_cases_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('case_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_case_tags_case_holds')
        batch_op.create_index(batch_op.f('ix_case_tags_left_out'), ['left_out'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_tags_holds'), ['holds'], unique=False)
    op.create_index('ix_cases_deadline_order', 'cases', DEADLINE_ORDER)
