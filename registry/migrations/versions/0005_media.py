"""media: images and PDF documents attached to initiatives

Two new tables: `media` (what an item is, its texts and how it stands to the record's published
version) and `media_file` (its bytes: the re-encoded image and its thumbnail, or the PDF). No
existing row changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(10), nullable=False),
        sa.Column("state", _text(10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_type", _text(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", _text(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("filename", _text(120), nullable=False),
        sa.Column("alt", sa.Text(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("credit", _text(300), nullable=False),
        sa.Column("licence", _text(20), nullable=True),
        sa.Column("title", _text(300), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(
            "ix_media_initiative_id_position", ["initiative_id", "position"], unique=False
        )
    op.create_table(
        "media_file",
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("variant", _text(10), nullable=False),
        sa.Column("content_type", _text(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", _text(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("media_id", "variant"),
    )


def downgrade() -> None:
    op.drop_table("media_file")
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index("ix_media_initiative_id_position")
    op.drop_table("media")
