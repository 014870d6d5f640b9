"""Import layouts are found by a keyed digest of their header row, no longer by its SHA-256.

A sheet saved without a header row had a person's row taken for its header, and its plain SHA-256,
kept in import_layouts.header_hash, let whoever holds a copy of the database confirm a guessed row.
The old digests can be neither re-keyed (the header is not kept) nor matched by the new lookup, so
each is replaced by a label that matches nothing: the runs that used a layout keep it, and the next
sheet with the same header row is mapped once more and saved under the keyed digest.

Revision ID: cea7af717c48
Revises: b5d2e8f1a437
Create Date: 2026-12-05 22:00:00
"""

from alembic import op

revision = "cea7af717c48"
down_revision = "b5d2e8f1a437"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE import_layouts SET header_hash = 'retired-' || id")


def downgrade():
    """The schema is the same; the older code finds none of the keyed layouts and maps the columns again."""
