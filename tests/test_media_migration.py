"""Migration 0005 (media) on a database at 0004 holding records in several states, on SQLite and
PostgreSQL: every record, revision and pending edit is as it was, and media work afterwards;
the downgrade removes the two tables and nothing else."""

from __future__ import annotations

from alembic import command
from sqlalchemy import func, inspect, select

from registry import actions, initiatives, schema_migrations
from registry.db import make_engine, read_session, write_session
from registry.models import Initiative, Revision

from . import media_files
from .conftest import bring_to, propose_edit, valid_record


def _to(engine, revision: str) -> None:
    config = schema_migrations.alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _everything(engine) -> tuple[list[dict], int]:
    with read_session(engine) as s:
        rows = s.scalars(select(Initiative).order_by(Initiative.id))
        records = [initiatives.full_record(i) for i in rows]
        return records, s.scalar(select(func.count()).select_from(Revision))


def test_media_migration_keeps_every_record_and_media_work_after_it(database_url):
    engine = make_engine(database_url)
    try:
        _to(engine, "0004")
        assert not {"media", "media_file"} & set(inspect(engine).get_table_names())
        with write_session(engine) as s:
            ids = {}
            for state in ("draft", "submitted", "published", "withdrawn", "deleted"):
                record = actions.create(s, actions.SYSTEM, valid_record(
                    title=f"A {state} record", operating_status="ongoing"))  # fmt: skip
                bring_to(s, record.id, state, actions.SYSTEM)
                ids[state] = record.id
        propose_edit(engine, ids["published"], title="A published record, renamed")
        before = _everything(engine)

        schema_migrations.upgrade(engine)
        assert schema_migrations.is_current(engine)
        assert _everything(engine) == before

        with write_session(engine) as s:  # beside the edit in review: the image waits with it
            texts = {"alt": "A walk", "credit": "R", "licence": "cc0"}
            photo = media_files.photo_with_gps()
            image = actions.add_media(s, actions.SYSTEM, ids["published"], "image", photo, texts)
            assert image.state == "added"
            actions.publish(s, actions.SYSTEM, ids["published"])
        with read_session(engine) as s:
            published = s.get(Initiative, ids["published"])
            assert published.title == "A published record, renamed"
            assert published.pending is None

        _to(engine, "0004")
        tables = set(inspect(engine).get_table_names())
        assert not {"media", "media_file"} & tables and "initiative" in tables
        schema_migrations.upgrade(engine)
    finally:
        engine.dispose()
