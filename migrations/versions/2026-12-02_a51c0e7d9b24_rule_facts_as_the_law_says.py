"""Rule facts as the law says (domain.md, corrected 2026-12-02): contact from the military as a set
of kinds, deserters by the service they left, degree country, citizenship beyond "Russian", an
estimated birth year.

Existing cases are carried over: a summons becomes the contact kind of its delivery ("none" stays
"none", unknown stays unknown); a contract, mobilised or conscription-age man recorded as having
deserted becomes a deserter from that service; the new facts (other contact kinds, degree country,
other citizenship, estimated birth year) start unknown. Run `flask --app casework rules reevaluate`
afterwards: it re-tags open cases and reports which tags changed and why.

Revision ID: a51c0e7d9b24
Revises: 3f6b8d2a7c15
Create Date: 2026-12-02 09:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a51c0e7d9b24'
down_revision = '3f6b8d2a7c15'
branch_labels = None
depends_on = None

#: Old summons type -> new contact kind.
SUMMONS_TO_CONTACT = {
    'none': 'none',
    'paper': 'summons_paper',
    'registered_mail': 'summons_registered_mail',
    'electronic': 'summons_electronic',
    'register': 'summons_register',
}
#: Military situation of a man whose action is "deserted" -> the deserter's new situation.
DESERTED_FROM = {
    'contract': 'deserted_contract',
    'mobilised': 'deserted_mobilised',
    'conscription_age': 'deserted_conscript',
}

cases = sa.table(
    'cases',
    sa.column('summons_type', sa.String),
    sa.column('contact_kinds', sa.String),
    sa.column('military_situation', sa.String),
    sa.column('action', sa.String),
)


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_kinds', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('degree_country', sa.String(length=8), nullable=True))
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.alter_column('citizenship', existing_type=sa.String(length=8), type_=sa.String(length=16))
        batch_op.add_column(sa.Column('birth_year_estimated', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('other_citizenship', sa.LargeBinary(), nullable=True))
    for summons, contact in SUMMONS_TO_CONTACT.items():
        op.execute(cases.update().where(cases.c.summons_type == summons).values(contact_kinds=contact))
    for situation, deserter in DESERTED_FROM.items():
        op.execute(
            cases.update()
            .where(cases.c.military_situation == situation, cases.c.action == 'deserted')
            .values(military_situation=deserter)
        )
    # SQLite drops a column by copying the table, which would lose this expression index (it cannot
    # be reflected): drop it first and build it again afterwards.
    op.drop_index('ix_cases_deadline_order', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('summons_type')
    op.create_index(
        'ix_cases_deadline_order', 'cases',
        [sa.text('(deadline_band IS NULL)'), 'deadline_band', 'created_at', 'status'],
    )


def downgrade():
    # Contact kinds without a summons (a call, a visit...) and the new facts have no place in the
    # old schema and are lost; the first summons kind of a case is kept.
    op.drop_index('ix_cases_deadline_order', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summons_type', sa.String(length=24), nullable=True))
    op.execute(cases.update().where(cases.c.contact_kinds == 'none').values(summons_type='none'))
    for summons, contact in SUMMONS_TO_CONTACT.items():
        if summons != 'none':
            op.execute(
                cases.update()
                .where(cases.c.summons_type.is_(None), cases.c.contact_kinds.like(f'%{contact}%'))
                .values(summons_type=summons)
            )
    for situation, deserter in DESERTED_FROM.items():
        op.execute(cases.update().where(cases.c.military_situation == deserter).values(military_situation=situation, action='deserted'))
    op.execute(
        cases.update()
        .where(cases.c.military_situation.in_(['serving_conscript']))
        .values(military_situation='conscription_age')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('degree_country')
        batch_op.drop_column('contact_kinds')
    op.create_index(
        'ix_cases_deadline_order', 'cases',
        [sa.text('(deadline_band IS NULL)'), 'deadline_band', 'created_at', 'status'],
    )
    persons = sa.table('persons', sa.column('citizenship', sa.String))
    op.execute(persons.update().where(persons.c.citizenship.not_in(['RU', 'RU+other'])).values(citizenship=None))
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('other_citizenship')
        batch_op.drop_column('birth_year_estimated')
        batch_op.alter_column('citizenship', existing_type=sa.String(length=16), type_=sa.String(length=8))
