"""personal lists (issue 18)

Two new tables: `user_list` (a person's list, private unless its share token is set) and
`user_list_item` (a published initiative in it, with a note). No existing row changes.

Revision ID: 0007d
Revises: 0007c
Create Date: 2026-12-02 10:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007d"
down_revision = "0007c"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "user_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", _text(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("share_token", _text(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("share_token"),
    )
    with op.batch_alter_table("user_list", schema=None) as batch_op:
        batch_op.create_index("ix_user_list_user_id", ["user_id"], unique=False)
    op.create_table(
        "user_list_item",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["user_list.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("list_id", "initiative_id"),
    )
    with op.batch_alter_table("user_list_item", schema=None) as batch_op:
        batch_op.create_index("ix_user_list_item_initiative_id", ["initiative_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_list_item", schema=None) as batch_op:
        batch_op.drop_index("ix_user_list_item_initiative_id")
    op.drop_table("user_list_item")
    with op.batch_alter_table("user_list", schema=None) as batch_op:
        batch_op.drop_index("ix_user_list_user_id")
    op.drop_table("user_list")
