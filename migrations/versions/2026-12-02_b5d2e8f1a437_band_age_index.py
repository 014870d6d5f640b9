"""Cases by deadline band and the day it was computed: telling a stale band in one index step.

Revision ID: b5d2e8f1a437
Revises: c3f9e2a7b814
Create Date: 2026-12-02 16:00:00
"""

from alembic import op

revision = "b5d2e8f1a437"
down_revision = "c3f9e2a7b814"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_band_age", ["deadline_band", "deadline_band_on"], unique=False)


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_band_age")
