"""Spreadsheet imports: saved column layouts, resumable import runs and their rows; a job's subject.

Revision ID: f2c7a9d41b06
Revises: 2b8e5f0a9d36
Create Date: 2026-12-02 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f2c7a9d41b06"
down_revision = "2b8e5f0a9d36"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("header_hash", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("values", sa.Text(), nullable=False),
        sa.Column("index_version", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_import_layouts_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_layouts")),
        sa.UniqueConstraint("header_hash", name=op.f("uq_import_layouts_header_hash")),
    )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("layout_id", sa.Integer(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("vouched_by_id", sa.Integer(), nullable=True),
        sa.Column("vouched_at", sa.DateTime(), nullable=True),
        sa.Column("kek_version", sa.Integer(), nullable=True),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("sealed_name", sa.LargeBinary(), nullable=True),
        sa.Column("sealed_source", sa.LargeBinary(), nullable=True),
        sa.Column("sealed_report", sa.LargeBinary(), nullable=True),
        sa.Column("report_locale", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_import_runs_created_by_id_users")),
        sa.ForeignKeyConstraint(["layout_id"], ["import_layouts.id"], name=op.f("fk_import_runs_layout_id_import_layouts")),
        sa.ForeignKeyConstraint(["vouched_by_id"], ["users.id"], name=op.f("fk_import_runs_vouched_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_table(
        "import_rows",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("problems", sa.String(length=1000), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("source", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_import_rows_case_id_cases")),
        sa.ForeignKeyConstraint(["run_id"], ["import_runs.id"], name=op.f("fk_import_rows_run_id_import_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_rows")),
        sa.UniqueConstraint("run_id", "row_number", name=op.f("uq_import_rows_run_id")),
    )
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_rows_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_rows_run_id"), ["run_id"], unique=False)
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_subject"), ["subject"], unique=False)


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_subject"))
        batch_op.drop_column("subject")
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_rows_run_id"))
        batch_op.drop_index(batch_op.f("ix_import_rows_case_id"))
    op.drop_table("import_rows")
    op.drop_table("import_runs")
    op.drop_table("import_layouts")
