"""case records: scale, money, context, lessons, contact point, key results, typed sources
(issue 16)

New nullable or defaulted columns on `initiative`; funding sources are rows of
`initiative_term` like every multi-valued field, so they need no schema change. Every existing
record keeps its content and gets empty values for the new fields. Sources written before they
had a type (of the live record and of a waiting edit) become `other`; revisions keep what they
held (a restore reads an untyped source as `other`). The downgrade removes the types again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from registry import completeness

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
    ("key_results", sa.JSON(), []),
    ("last_verified_at", sa.DateTime(timezone=True), None),
    ("last_verified_by_id", sa.Integer(), None),
    ("completeness", sa.Integer(), 0),
)
VERIFIED_BY_KEY = "fk_initiative_last_verified_by_id_user_account"


def _server_default(value):
    if value is False:
        return sa.false()
    if value == 0:
        return sa.text("0")
    if value == []:
        return sa.text("'[]'")
    return sa.text("''")


def _typed(sources, typed: bool):
    """`sources` (a JSON list) with each item's type set to `other` where it has none, or
    (typed=False) with every type removed; anything else as it is."""
    if not isinstance(sources, list):
        return sources
    changed = []
    for item in sources:
        if isinstance(item, dict):
            item = dict(item)
            if typed:
                item.setdefault("type", "other")
            else:
                item.pop("type", None)
        changed.append(item)
    return changed


def _retype_sources(typed: bool) -> None:
    table = sa.table(
        "initiative", sa.column("id", sa.Integer()), sa.column("sources", sa.JSON()),
        sa.column("pending", sa.JSON()),
    )  # fmt: skip
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, table.c.sources, table.c.pending)).all()
    for row in rows:
        sources = _typed(row.sources, typed)
        pending = row.pending
        if isinstance(pending, dict) and "sources" in pending:
            pending = {**pending, "sources": _typed(pending["sources"], typed)}
        values = {}  # only what changed: a NULL pending stays NULL, not JSON null
        if sources != row.sources:
            values["sources"] = sources
        if pending != row.pending:
            values["pending"] = pending
        if values:
            bind.execute(table.update().where(table.c.id == row.id).values(**values))


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
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.create_index("ix_initiative_completeness", ["completeness"], unique=False)
        batch_op.create_foreign_key(
            VERIFIED_BY_KEY, "user_account", ["last_verified_by_id"], ["id"]
        )
    _retype_sources(typed=True)
    _score_completeness()
    op.create_table(
        "initiative_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["from_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["to_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("from_id", "to_id", "kind"),
    )
    with op.batch_alter_table("initiative_link", schema=None) as batch_op:
        batch_op.create_index("ix_initiative_link_to_id", ["to_id"], unique=False)
    op.create_table(
        "initiative_translation",
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("language", _text(8), nullable=False),
        sa.Column("title", _text(200), nullable=False),
        *(sa.Column(n, sa.Text(), nullable=False)
          for n in ("summary", "description", "outcomes", "lessons", "challenges")),
        sa.Column("translator", _text(200), nullable=False),
        sa.Column("translated_by_id", sa.Integer(), nullable=True),
        sa.Column("translated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["translated_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("initiative_id", "language"),
    )  # fmt: skip


def _score_completeness() -> None:
    """Every record's completeness from its live fields (registry.completeness)."""
    bind = op.get_bind()
    names = ("id", "description", "locality", "region", "start_year", "operating_status",
             "lead_organisation", "evidence_level", "outcomes", "sources")  # fmt: skip
    table = sa.table("initiative", *(sa.column(n) for n in names), sa.column("completeness"))
    terms = sa.table("initiative_term", sa.column("initiative_id"), sa.column("field"))
    fields: dict[int, set[str]] = {}
    for initiative_id, field in bind.execute(sa.select(terms.c.initiative_id, terms.c.field)):
        fields.setdefault(initiative_id, set()).add(field)
    for row in bind.execute(sa.select(*(table.c[n] for n in names))).mappings().all():
        record = dict(row)
        record.update({f: ["?"] for f in fields.get(row["id"], ())})
        bind.execute(
            table.update()
            .where(table.c.id == row["id"])
            .values(completeness=completeness.score(record))
        )


def downgrade() -> None:
    op.drop_table("initiative_translation")
    with op.batch_alter_table("initiative_link", schema=None) as batch_op:
        batch_op.drop_index("ix_initiative_link_to_id")
    op.drop_table("initiative_link")
    _retype_sources(typed=False)
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_constraint(VERIFIED_BY_KEY, type_="foreignkey")
        batch_op.drop_index("ix_initiative_completeness")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        for name, _, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
