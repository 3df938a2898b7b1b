"""case records, continued: last verified, completeness, links between records, translations
(issue 16)

On `initiative`: when an owner or a curator last confirmed the record is accurate, and who;
its completeness score (0-100, computed here for every existing record by
registry.completeness, as the application computes it). New tables `initiative_link` (typed links
between records) and `initiative_translation` (a record's texts in another interface
language). Every existing record keeps its content.

Revision ID: 0008
Revises: 0007d
Create Date: 2026-12-02 11:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from registry import completeness

revision = "0008"
down_revision = "0007d"
branch_labels = None
depends_on = None

VERIFIED_BY_KEY = "fk_initiative_last_verified_by_id_user_account"
# The record's columns registry.completeness reads (multi-valued fields come from its terms).
SCORED = (
    "id", "description", "locality", "region", "start_year", "operating_status",
    "lead_organisation", "evidence_level", "outcomes", "sources", "key_results", "lessons",
    "challenges", "level_of_government", "delivery_mode", "initiated_by", "participant_count",
    "population_served", "volunteer_count", "staff_count", "annual_cost", "website",
    "contact_email", "contact_url",
)  # fmt: skip


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("last_verified_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("completeness", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.alter_column("completeness", server_default=None)
        batch_op.create_index("ix_initiative_completeness", ["completeness"], unique=False)
        batch_op.create_foreign_key(
            VERIFIED_BY_KEY, "user_account", ["last_verified_by_id"], ["id"]
        )
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
    typed = {"sources": sa.JSON(), "key_results": sa.JSON()}  # else read as their JSON text
    table = sa.table(
        "initiative", *(sa.column(n, typed.get(n)) for n in SCORED), sa.column("completeness")
    )
    terms = sa.table("initiative_term", sa.column("initiative_id"), sa.column("field"))
    fields: dict[int, set[str]] = {}
    for initiative_id, field in bind.execute(sa.select(terms.c.initiative_id, terms.c.field)):
        fields.setdefault(initiative_id, set()).add(field)
    for row in bind.execute(sa.select(*(table.c[n] for n in SCORED))).mappings().all():
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
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_constraint(VERIFIED_BY_KEY, type_="foreignkey")
        batch_op.drop_index("ix_initiative_completeness")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_column("completeness")
        batch_op.drop_column("last_verified_by_id")
        batch_op.drop_column("last_verified_at")
