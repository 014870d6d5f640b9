"""Cases by assignee and status: a volunteer's open cases counted from the index alone.

Revision ID: c3f9e2a7b814
Revises: a8d3e6f0c5b1
Create Date: 2026-12-02 12:30:00
"""

from alembic import op

revision = "c3f9e2a7b814"
down_revision = "a8d3e6f0c5b1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_assignee_status", ["assignee_id", "status"], unique=False)
        batch_op.drop_index("ix_cases_assignee_id")


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_assignee_id", ["assignee_id"], unique=False)
        batch_op.drop_index("ix_cases_assignee_status")
