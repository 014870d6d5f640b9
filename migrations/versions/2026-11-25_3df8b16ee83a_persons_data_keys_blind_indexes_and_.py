"""Persons with encrypted identity fields, their wrapped data keys, blind indexes and documents.

Revision ID: 3df8b16ee83a
Revises: f943f76b3874
Create Date: 2026-11-25 11:15:00.068658

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3df8b16ee83a'
down_revision = 'f943f76b3874'
branch_labels = None
depends_on = None


def upgrade():
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

    op.create_table('documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('original_name', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_documents_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_person_id'), ['person_id'], unique=False)

    op.create_table('person_keys',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('kek_version', sa.Integer(), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_keys_person_id_persons')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_person_keys'))
    )
    with op.batch_alter_table('person_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_keys_kek_version'), ['kek_version'], unique=False)



def downgrade():
    with op.batch_alter_table('person_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_keys_kek_version'))

    op.drop_table('person_keys')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_person_id'))

    op.drop_table('documents')
    with op.batch_alter_table('blind_indexes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blind_indexes_person_id'))
        batch_op.drop_index('ix_blind_indexes_lookup')
        batch_op.drop_index(batch_op.f('ix_blind_indexes_key_version'))

    op.drop_table('blind_indexes')
    op.drop_table('persons')
