"""saved searches and alerts (issue 18)

One new table, `saved_search`: a person's search, its private feed token and its e-mail digest
setting. No existing row changes.

Revision ID: 0007c
Revises: 0007b
Create Date: 2026-12-02 10:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007c"
down_revision = "0007b"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", _text(200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("feed_token", _text(64), nullable=False),
        sa.Column("digest", _text(10), nullable=False),
        sa.Column("last_digest_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("feed_token"),
    )
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.create_index("ix_saved_search_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_search_user_id")
    op.drop_table("saved_search")
