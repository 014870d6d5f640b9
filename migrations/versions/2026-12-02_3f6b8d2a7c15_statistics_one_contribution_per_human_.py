"""Statistics: one contribution per human, and the true cost of a reconciled table.

stats_counted_people fixes, for every person a release has counted, the quarter that counted them.
Periods released before it existed counted each person in the quarter of their own first intake:
those people are stored with that quarter, so that no later release counts them again.

privacy_ledger.borrowed is the epsilon of the total's noise that a reconciled table also rests on.
Earlier releases charged each table its own noise only; their rows get the total's epsilon.

Revision ID: 3f6b8d2a7c15
Revises: e9a4c2b7d513
Create Date: 2026-12-02 08:30:00

"""
from datetime import date

import sqlalchemy as sa
from alembic import op
from dateutil.relativedelta import relativedelta

# revision identifiers, used by Alembic.
revision = '3f6b8d2a7c15'
down_revision = 'e9a4c2b7d513'
branch_labels = None
depends_on = None


def _quarter(period: str) -> tuple[date, date]:
    start = date(int(period[:4]), 3 * int(period[-1]) - 2, 1)
    return start, start + relativedelta(months=3)


def upgrade():
    op.create_table(
        'stats_counted_people',
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_stats_counted_people_person_id_persons')),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_stats_counted_people')),
    )
    with op.batch_alter_table('privacy_ledger', schema=None) as batch_op:
        batch_op.add_column(sa.Column('borrowed', sa.Float(), server_default='0', nullable=False))

    connection = op.get_bind()
    released = connection.execute(sa.text("SELECT period FROM releases WHERE status = 'published'")).scalars().all()
    for period in released:
        start, end = _quarter(period)
        connection.execute(
            sa.text(
                "INSERT INTO stats_counted_people (person_id, period) SELECT person_id, :period FROM cases "
                "GROUP BY person_id HAVING MIN(created_at) >= :start AND MIN(created_at) < :end"
            ),
            {"period": period, "start": start, "end": end},
        )
    connection.execute(
        sa.text(
            "UPDATE privacy_ledger SET borrowed = (SELECT total.epsilon FROM privacy_ledger AS total "
            "WHERE total.period = privacy_ledger.period AND total.table_id = 'total') "
            "WHERE table_id <> 'total' AND release_id IS NOT NULL AND EXISTS (SELECT 1 FROM privacy_ledger AS total "
            "WHERE total.period = privacy_ledger.period AND total.table_id = 'total')"
        )
    )


def downgrade():
    with op.batch_alter_table('privacy_ledger', schema=None) as batch_op:
        batch_op.drop_column('borrowed')
    op.drop_table('stats_counted_people')
