"""Deadline dates encrypted, a coarse band in their place; languages coded (S20).

The plaintext `deadlines` table and `cases.next_deadline_on` gave exact dates that the persons and
cases tables keep encrypted (date of birth + 31 years, the permit's expiry, the date to appear + 20
days). Both go. A case now keeps its deadlines encrypted in `deadline_list`, and only a coarse
`deadline_band` (as of `deadline_band_on`) in plaintext for the lists. Deadlines are computed from
encrypted facts, which a migration cannot read (the keys live outside the database): run
`flask --app casework deadlines refresh` after this upgrade to fill the new columns (`make run` does).

`persons.languages` keeps only codes from the fixed list (Person.LANGUAGES); anything else, which was
free text, is dropped.

Revision ID: b7d3e5f1a2c9
Revises: c4e1a7d90b3f
Create Date: 2026-12-02 08:40:00.000000

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d3e5f1a2c9'
down_revision = 'c4e1a7d90b3f'
branch_labels = None
depends_on = None

#: Person.LANGUAGES when this migration was written.
LANGUAGES = ("ru", "uk", "be", "en", "nl", "de", "fr", "es", "it", "pl")
OLD_ORDER = [sa.text('(next_deadline_on IS NULL)'), 'next_deadline_on', 'created_at', 'status']
NEW_ORDER = [sa.text('(deadline_band IS NULL)'), 'deadline_band', 'created_at', 'status']


def _coded_languages() -> None:
    persons = sa.table('persons', sa.column('id', sa.String), sa.column('languages', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(persons.c.id, persons.c.languages).where(persons.c.languages.is_not(None))).all()
    for person_id, text in rows:
        codes = [code for code in re.split(r'[\s,;/]+', text.lower()) if code in LANGUAGES]
        coded = ','.join(dict.fromkeys(codes)) or None
        if coded != text:
            connection.execute(persons.update().where(persons.c.id == person_id).values(languages=coded))


def upgrade():
    # SQLite drops a column by copying the table, which would lose this expression index (it cannot
    # be reflected): drop it first and build it again afterwards.
    op.drop_index('ix_cases_deadline_order', table_name='cases')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadlines_due_on'))
        batch_op.drop_index(batch_op.f('ix_deadlines_case_id'))
    op.drop_table('deadlines')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_list', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('deadline_band', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deadline_band_on', sa.Date(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_cases_next_deadline_on'))
        batch_op.drop_column('next_deadline_on')
        batch_op.create_index(
            'ix_cases_deadline_band', ['deadline_band', 'created_at', 'id', 'status', 'deadline_band_on'], unique=False
        )
    op.create_index('ix_cases_deadline_order', 'cases', NEW_ORDER)
    _coded_languages()


def downgrade():
    # The dates are not carried back: the old code recomputes a case's deadlines when it is saved.
    op.drop_index('ix_cases_deadline_order', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_deadline_band')
        batch_op.add_column(sa.Column('next_deadline_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_next_deadline_on'), ['next_deadline_on'], unique=False)
        batch_op.drop_column('deadline_band_on')
        batch_op.drop_column('deadline_band')
        batch_op.drop_column('deadline_list')
    op.create_table('deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_deadlines_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadlines'))
    )
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadlines_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadlines_due_on'), ['due_on'], unique=False)
    op.create_index('ix_cases_deadline_order', 'cases', OLD_ORDER)
