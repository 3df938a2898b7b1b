"""action layer: scoped keys, public versions

Slugs and external ids stop being unique across the whole registry: each record claims them in
`initiative_key`, unique within its scope (organisation, else creator, else the registry),
for its live values and for those of an edit waiting for review. `public_version` counts the
published states of a record. A pending edit taken back from review ("withdrawn") is now an
edit in draft.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 07:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NAMES = {"uq": "%(table_name)s_%(column_0_name)s_key"}
# Revisions after which the public saw new content (see registry.actions.workflow).
_PUBLIC_ACTIONS = ("create", "update", "publish")


def _scope(organisation_id, created_by_id) -> str:
    if organisation_id is not None:
        return f"org:{organisation_id}"
    if created_by_id is not None:
        return f"user:{created_by_id}"
    return "registry"


def upgrade() -> None:
    op.create_table(
        "initiative_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=220), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "kind", "value"),
    )
    with op.batch_alter_table("initiative_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_key_initiative_id"), ["initiative_id"], unique=False
        )

    # 0001 left the unique constraints unnamed: PostgreSQL named them <table>_<column>_key;
    # SQLite's batch mode finds them by the naming convention below.
    with op.batch_alter_table("initiative", schema=None, naming_convention=_NAMES) as batch_op:
        batch_op.add_column(
            sa.Column("public_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.drop_constraint("initiative_slug_key", type_="unique")
        batch_op.drop_constraint("initiative_external_id_key", type_="unique")
        batch_op.create_index(batch_op.f("ix_initiative_slug"), ["slug"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_initiative_external_id"), ["external_id"], unique=False
        )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.alter_column("public_version", server_default=None)

    bind = op.get_bind()
    initiative = sa.table(
        "initiative",
        sa.column("id", sa.Integer),
        sa.column("slug", sa.String),
        sa.column("external_id", sa.String),
        sa.column("status", sa.String),
        sa.column("organisation_id", sa.Integer),
        sa.column("created_by_id", sa.Integer),
        sa.column("pending", sa.JSON),
        sa.column("pending_status", sa.String),
        sa.column("public_version", sa.Integer),
    )
    revision_table = sa.table(
        "revision",
        sa.column("initiative_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("snapshot", sa.JSON),
    )
    key = sa.table(
        "initiative_key",
        sa.column("initiative_id", sa.Integer),
        sa.column("scope", sa.String),
        sa.column("kind", sa.String),
        sa.column("value", sa.String),
    )
    public_versions: dict[int, int] = {}
    for initiative_id, action, snapshot in bind.execute(
        sa.select(
            revision_table.c.initiative_id, revision_table.c.action, revision_table.c.snapshot
        )
    ):
        if action in _PUBLIC_ACTIONS and (snapshot or {}).get("status") == "published":
            public_versions[initiative_id] = public_versions.get(initiative_id, 0) + 1
    claims = []
    rows = bind.execute(
        sa.select(
            initiative.c.id,
            initiative.c.slug,
            initiative.c.external_id,
            initiative.c.status,
            initiative.c.organisation_id,
            initiative.c.created_by_id,
            initiative.c.pending,
        )
    ).all()
    for row in rows:
        if public_versions.get(row.id):
            bind.execute(
                initiative.update()
                .where(initiative.c.id == row.id)
                .values(public_version=public_versions[row.id])
            )
        if row.status == "deleted":
            continue
        scope = _scope(row.organisation_id, row.created_by_id)
        wanted = {("slug", row.slug), ("external_id", row.external_id)}
        pending = row.pending or {}
        wanted |= {("slug", pending.get("slug")), ("external_id", pending.get("external_id"))}
        claims += [
            {"initiative_id": row.id, "scope": scope, "kind": kind, "value": value}
            for kind, value in sorted(wanted, key=str)
            if value
        ]
    if claims:
        bind.execute(key.insert(), claims)
    bind.execute(
        initiative.update()
        .where(initiative.c.pending_status == "withdrawn")
        .values(pending_status="draft")
    )


def downgrade() -> None:
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_external_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_slug"))
        batch_op.create_unique_constraint("initiative_external_id_key", ["external_id"])
        batch_op.create_unique_constraint("initiative_slug_key", ["slug"])
        batch_op.drop_column("public_version")
    with op.batch_alter_table("initiative_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_key_initiative_id"))
    op.drop_table("initiative_key")
