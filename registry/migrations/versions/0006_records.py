"""case records: scale, money, context, lessons, contact point (issue 16)

New nullable or defaulted columns on `initiative`; funding sources are rows of
`initiative_term` like every multi-valued field, so they need no schema change. Every existing
record keeps its content and gets empty values for the new fields.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


# (name, type, filled for existing rows) of the new columns; None: nullable, no default.
COLUMNS = (
    ("participant_count", sa.BigInteger(), None),
    ("participant_count_year", sa.Integer(), None),
    ("population_served", sa.BigInteger(), None),
    ("population_served_year", sa.Integer(), None),
    ("volunteer_count", sa.BigInteger(), None),
    ("volunteer_count_year", sa.Integer(), None),
    ("staff_count", sa.BigInteger(), None),
    ("staff_count_year", sa.Integer(), None),
    ("annual_cost", sa.BigInteger(), None),
    ("annual_cost_currency", _text(3), None),
    ("annual_cost_year", sa.Integer(), None),
    ("savings_amount", sa.BigInteger(), None),
    ("savings_currency", _text(3), None),
    ("savings_text", sa.Text(), ""),
    ("savings_source", _text(2000), ""),
    ("level_of_government", _text(20), None),
    ("delivery_mode", _text(20), None),
    ("initiated_by", _text(20), None),
    ("lessons", sa.Text(), ""),
    ("challenges", sa.Text(), ""),
    ("website", _text(2000), ""),
    ("contact_name", _text(200), ""),
    ("contact_organisation", _text(300), ""),
    ("contact_email", _text(254), ""),
    ("contact_url", _text(2000), ""),
    ("contact_consent", sa.Boolean(), False),
    ("contact_consent_at", sa.DateTime(timezone=True), None),
)


def _server_default(value):
    if value is False:
        return sa.false()
    return sa.text("''")


def upgrade() -> None:
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        for name, kind, fill in COLUMNS:
            if fill is None:
                batch_op.add_column(sa.Column(name, kind, nullable=True))
            else:
                batch_op.add_column(
                    sa.Column(name, kind, nullable=False, server_default=_server_default(fill))
                )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        for name, _, fill in COLUMNS:
            if fill is not None:
                batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        for name, _, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
