"""Spreadsheet imports: saved column layouts and resumable import runs.

Revision ID: f2c7a9d41b06
Revises: 2b8e5f0a9d36
Create Date: 2026-12-02 12:00:00
"""

revision = "f2c7a9d41b06"
down_revision = "2b8e5f0a9d36"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
