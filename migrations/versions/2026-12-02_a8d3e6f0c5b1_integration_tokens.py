"""Integration tokens for the JSON API, stored hashed.

Revision ID: a8d3e6f0c5b1
Revises: f2c7a9d41b06
Create Date: 2026-12-02 12:00:01
"""

revision = "a8d3e6f0c5b1"
down_revision = "f2c7a9d41b06"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
