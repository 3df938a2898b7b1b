"""operating status and integrated from the start

Whether an initiative still runs, ended, or was absorbed into another programme; and whether an
integrated initiative was integrated from the start rather than mainstreamed after a pilot.
Existing records keep both unknown (no status, not integrated from the start).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 07:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "operating_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "integrated_from_start", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.alter_column("integrated_from_start", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_column("integrated_from_start")
        batch_op.drop_column("operating_status")
