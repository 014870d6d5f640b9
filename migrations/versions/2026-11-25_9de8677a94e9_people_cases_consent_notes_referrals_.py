"""People (encrypted, with data keys and blind indexes), their cases, consent, notes, referrals,
deadlines and documents.

Revision ID: 9de8677a94e9
Revises: f943f76b3874
Create Date: 2026-11-25 11:25:03.046851

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9de8677a94e9'
down_revision = 'f943f76b3874'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('name', name=op.f('uq_partners_name'))
    )
    op.create_table('persons',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('dek_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('citizenship', sa.String(length=8), nullable=True),
    sa.Column('languages', sa.String(length=64), nullable=True),
    sa.Column('surname_latin', sa.LargeBinary(), nullable=True),
    sa.Column('given_names_latin', sa.LargeBinary(), nullable=True),
    sa.Column('surname_cyrillic', sa.LargeBinary(), nullable=True),
    sa.Column('given_names_cyrillic', sa.LargeBinary(), nullable=True),
    sa.Column('date_of_birth', sa.LargeBinary(), nullable=True),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('email', sa.LargeBinary(), nullable=True),
    sa.Column('telegram', sa.LargeBinary(), nullable=True),
    sa.Column('signal', sa.LargeBinary(), nullable=True),
    sa.Column('passport_number', sa.LargeBinary(), nullable=True),
    sa.Column('address', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons'))
    )
    op.create_table('blind_indexes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('key_version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.LargeBinary(length=8), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_blind_indexes_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blind_indexes'))
    )
    with op.batch_alter_table('blind_indexes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blind_indexes_key_version'), ['key_version'], unique=False)
        batch_op.create_index('ix_blind_indexes_lookup', ['name', 'digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_blind_indexes_person_id'), ['person_id'], unique=False)

    op.create_table('person_keys',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('kek_version', sa.Integer(), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_keys_person_id_persons')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_person_keys'))
    )
    with op.batch_alter_table('person_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_keys_kek_version'), ['kek_version'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('possible_duplicate', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('next_deadline_on', sa.Date(), nullable=True),
    sa.Column('location', sa.String(length=16), nullable=True),
    sa.Column('military_situation', sa.String(length=24), nullable=True),
    sa.Column('rank_group', sa.String(length=24), nullable=True),
    sa.Column('reserve_category', sa.String(length=8), nullable=True),
    sa.Column('specialty_class', sa.String(length=16), nullable=True),
    sa.Column('fitness_category', sa.String(length=8), nullable=True),
    sa.Column('profession_class', sa.String(length=16), nullable=True),
    sa.Column('deferral', sa.String(length=24), nullable=True),
    sa.Column('summons_type', sa.String(length=24), nullable=True),
    sa.Column('summons_purpose', sa.String(length=24), nullable=True),
    sa.Column('exit_ban', sa.String(length=8), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=True),
    sa.Column('written_evidence', sa.String(length=8), nullable=True),
    sa.Column('dutch_status', sa.String(length=24), nullable=True),
    sa.Column('visa_limited_validity', sa.String(length=8), nullable=True),
    sa.Column('needs', sa.String(length=200), nullable=True),
    sa.Column('city', sa.LargeBinary(), nullable=True),
    sa.Column('deserted_on', sa.LargeBinary(), nullable=True),
    sa.Column('specialty_code', sa.LargeBinary(), nullable=True),
    sa.Column('deferral_until', sa.LargeBinary(), nullable=True),
    sa.Column('summons_posted_on', sa.LargeBinary(), nullable=True),
    sa.Column('summons_appear_on', sa.LargeBinary(), nullable=True),
    sa.Column('exit_ban_on', sa.LargeBinary(), nullable=True),
    sa.Column('visa_issuing_state', sa.LargeBinary(), nullable=True),
    sa.Column('entry_on', sa.LargeBinary(), nullable=True),
    sa.Column('days_used', sa.LargeBinary(), nullable=True),
    sa.Column('permit_expires_on', sa.LargeBinary(), nullable=True),
    sa.Column('degree_completed_on', sa.LargeBinary(), nullable=True),
    sa.Column('asylum_applied_on', sa.LargeBinary(), nullable=True),
    sa.Column('asylum_decided_on', sa.LargeBinary(), nullable=True),
    sa.Column('narrative', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_cases_assignee_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_cases_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_next_deadline_on'), ['next_deadline_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('store', sa.Boolean(), nullable=False),
    sa.Column('contact', sa.Boolean(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_consents_person_id_persons')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_person_id'), ['person_id'], unique=False)

    op.create_table('consent_partners',
    sa.Column('consent_id', sa.String(length=36), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_consent_partners_consent_id_consents')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_consent_partners_partner_id_partners')),
    sa.PrimaryKeyConstraint('consent_id', 'partner_id', name=op.f('pk_consent_partners'))
    )
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

    op.create_table('documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('original_name', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_documents_case_id_cases')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_documents_person_id_persons')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_person_id'), ['person_id'], unique=False)

    op.create_table('notes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('corrects_id', sa.String(length=36), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_notes_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notes_case_id_cases')),
    sa.ForeignKeyConstraint(['corrects_id'], ['notes.id'], name=op.f('fk_notes_corrects_id_notes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_case_id'), ['case_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('purpose', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_referrals_case_id_cases')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_referrals_partner_id_partners')),
    sa.ForeignKeyConstraint(['referred_by_id'], ['users.id'], name=op.f('fk_referrals_referred_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_case_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_case_id'))

    op.drop_table('notes')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_person_id'))
        batch_op.drop_index(batch_op.f('ix_documents_case_id'))

    op.drop_table('documents')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadlines_due_on'))
        batch_op.drop_index(batch_op.f('ix_deadlines_case_id'))

    op.drop_table('deadlines')
    op.drop_table('consent_partners')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_person_id'))

    op.drop_table('consents')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_person_id'))
        batch_op.drop_index(batch_op.f('ix_cases_next_deadline_on'))
        batch_op.drop_index(batch_op.f('ix_cases_assignee_id'))

    op.drop_table('cases')
    with op.batch_alter_table('person_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_keys_kek_version'))

    op.drop_table('person_keys')
    with op.batch_alter_table('blind_indexes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blind_indexes_person_id'))
        batch_op.drop_index('ix_blind_indexes_lookup')
        batch_op.drop_index(batch_op.f('ix_blind_indexes_key_version'))

    op.drop_table('blind_indexes')
    op.drop_table('persons')
    op.drop_table('partners')
