"""A person may be known by an alias only, and may give no contact details as a recorded answer.

Revision ID: 6c0d4e9b1f72
Revises: d81f3a6c2e47
Create Date: 2026-12-02 09:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "6c0d4e9b1f72"
down_revision = "d81f3a6c2e47"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("alias", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("no_contact_details", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("persons") as batch:
        batch.alter_column("no_contact_details", server_default=None)


def downgrade():
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("no_contact_details")
        batch.drop_column("alias")
