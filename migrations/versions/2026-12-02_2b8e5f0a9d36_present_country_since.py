"""Since when the person has been in their present country (encrypted with the person's data key).

Revision ID: 2b8e5f0a9d36
Revises: 6c0d4e9b1f72
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2b8e5f0a9d36"
down_revision = "6c0d4e9b1f72"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("present_country_since", sa.LargeBinary(), nullable=True))


def downgrade():
    # SQLite drops a column by copying the table, which would lose this expression index (it cannot
    # be reflected): drop it first and build it again afterwards.
    op.drop_index("ix_cases_deadline_order", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("present_country_since")
    op.create_index("ix_cases_deadline_order", "cases", [sa.text("(deadline_band IS NULL)"), "deadline_band", "created_at", "status"])
