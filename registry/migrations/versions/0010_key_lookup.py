"""an index on initiative_key (kind, value) (issue 15)

An import looks up the slugs and external ids of a batch in every scope at once (`kind = …
AND value IN (…)`); the unique index starts with `scope`, so each look-up scanned the table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:10:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("initiative_key", schema=None) as batch_op:
        batch_op.create_index("ix_initiative_key_kind_value", ["kind", "value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("initiative_key", schema=None) as batch_op:
        batch_op.drop_index("ix_initiative_key_kind_value")
