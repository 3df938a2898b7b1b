"""case records, review of links and translations (issue 16)

A link or a translation proposed by a record's owner beside its published version waits for a
curator, as an edit does: `initiative_link.state` and `initiative_translation.state` (`live`,
`added`, `removing`), the record whose edit a link change waits with (`waits_with`), and a
translation's `proposed` texts. Every existing link and translation is live.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _state() -> sa.Column:
    return sa.Column(
        "state",
        sqlmodel.sql.sqltypes.AutoString(length=10),
        nullable=False,
        server_default=sa.text("'live'"),
    )


def upgrade() -> None:
    with op.batch_alter_table("initiative_link", schema=None) as batch_op:
        batch_op.add_column(_state())
        batch_op.add_column(sa.Column("waits_with", sa.Integer(), nullable=True))
    with op.batch_alter_table("initiative_translation", schema=None) as batch_op:
        batch_op.add_column(_state())
        batch_op.add_column(sa.Column("proposed", sa.JSON(), nullable=True))
    for table in ("initiative_link", "initiative_translation"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("state", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("initiative_translation", schema=None) as batch_op:
        batch_op.drop_column("proposed")
        batch_op.drop_column("state")
    with op.batch_alter_table("initiative_link", schema=None) as batch_op:
        batch_op.drop_column("waits_with")
        batch_op.drop_column("state")
