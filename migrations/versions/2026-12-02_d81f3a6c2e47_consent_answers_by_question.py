"""Consent answered question by question: a row may answer one question (store, contact, or sharing
with one partner) with granted yes or no; the intake's rows (no scope) answer them all at once.

Revision ID: d81f3a6c2e47
Revises: a51c0e7d9b24
Create Date: 2026-12-02 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d81f3a6c2e47"
down_revision = "a51c0e7d9b24"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("granted", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("consents") as batch:
        batch.drop_column("granted")
        batch.drop_column("scope")
