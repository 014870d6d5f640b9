"""Integration tokens for the JSON API, stored hashed; how consent was given through one; a case and
its consent may come from an integration rather than from a staff account.

Revision ID: a8d3e6f0c5b1
Revises: f2c7a9d41b06
Create Date: 2026-12-02 12:00:01
"""

import sqlalchemy as sa
from alembic import op

revision = "a8d3e6f0c5b1"
down_revision = "f2c7a9d41b06"
branch_labels = None
depends_on = None


def _alter_cases(nullable: bool) -> None:
    """SQLite changes a column by copying the table, which would lose this expression index (it
    cannot be reflected): drop it first and build it again afterwards."""
    op.drop_index("ix_cases_deadline_order", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("created_by_id", existing_type=sa.Integer(), nullable=nullable)
    op.create_index(
        "ix_cases_deadline_order", "cases", [sa.text("(deadline_band IS NULL)"), "deadline_band", "created_at", "status"]
    )


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("last_used_on", sa.Date(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_api_tokens_created_by_id_users")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"], name=op.f("fk_api_tokens_revoked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_tokens_digest")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
    )
    op.create_table(
        "api_consents",
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("text_version", sa.String(length=40), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["consent_id"], ["consents.id"], name=op.f("fk_api_consents_consent_id_consents")),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"], name=op.f("fk_api_consents_token_id_api_tokens")),
        sa.PrimaryKeyConstraint("consent_id", name=op.f("pk_api_consents")),
    )
    with op.batch_alter_table("api_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_consents_token_id"), ["token_id"], unique=False)
    _alter_cases(nullable=True)
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.alter_column("recorded_by_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    """A case or consent that came through an integration has no staff account to give back: the
    downgrade refuses rather than invent one."""
    for table, column in (("cases", "created_by_id"), ("consents", "recorded_by_id")):
        if op.get_bind().execute(sa.text(f"SELECT count(*) FROM {table} WHERE {column} IS NULL")).scalar():
            raise RuntimeError(f"{table} holds rows from an integration; they need a {column} before downgrading")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.alter_column("recorded_by_id", existing_type=sa.Integer(), nullable=False)
    _alter_cases(nullable=False)
    with op.batch_alter_table("api_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_consents_token_id"))
    op.drop_table("api_consents")
    op.drop_table("api_tokens")
