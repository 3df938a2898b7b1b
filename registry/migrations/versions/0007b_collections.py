"""curated collections (issue 18)

Two new tables: `collection` (title and introduction in English and French) and
`collection_item` (an initiative in a collection, its position and the curator's note). No
existing row changes.

Revision ID: 0007b
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007b"
down_revision = "0007"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "collection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", _text(220), nullable=False),
        sa.Column("title_en", _text(200), nullable=False),
        sa.Column("title_fr", _text(200), nullable=False),
        sa.Column("introduction_en", sa.Text(), nullable=False),
        sa.Column("introduction_fr", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "collection_item",
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["collection.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("collection_id", "initiative_id"),
    )
    with op.batch_alter_table("collection_item", schema=None) as batch_op:
        batch_op.create_index("ix_collection_item_initiative_id", ["initiative_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("collection_item", schema=None) as batch_op:
        batch_op.drop_index("ix_collection_item_initiative_id")
    op.drop_table("collection_item")
    op.drop_table("collection")
