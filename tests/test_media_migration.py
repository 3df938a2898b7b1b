"""Migration 0005 (media) on a database at 0004 holding records in several states, on SQLite and
PostgreSQL: every record, revision and pending edit is as it was, and media work afterwards;
the downgrade removes the two tables and nothing else."""

from __future__ import annotations

from sqlalchemy import inspect

from registry import actions, schema_migrations
from registry.db import make_engine, read_session, write_session
from registry.models import Initiative

from . import media_files
from .conftest import bring_to, propose_edit, valid_record
from .migrations import move_to, rows

TABLES = ("initiative", "initiative_term", "initiative_tag", "initiative_key", "revision",
          "change_log")  # fmt: skip


def test_media_migration_keeps_every_record_and_media_work_after_it(database_url):
    engine = make_engine(database_url)
    try:
        with write_session(engine) as s:
            ids = {}
            for state in ("draft", "submitted", "published", "withdrawn", "deleted"):
                record = actions.create(s, actions.SYSTEM, valid_record(
                    title=f"A {state} record", operating_status="ongoing"))  # fmt: skip
                bring_to(s, record.id, state, actions.SYSTEM)
                ids[state] = record.id
        propose_edit(engine, ids["published"], title="A published record, renamed")
        move_to(engine, "0004")
        assert not {"media", "media_file"} & set(inspect(engine).get_table_names())
        before = rows(engine, TABLES)

        move_to(engine, "0005", up=True)
        assert rows(engine, TABLES) == before
        schema_migrations.upgrade(engine)
        assert schema_migrations.is_current(engine)

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

        move_to(engine, "0004")
        tables = set(inspect(engine).get_table_names())
        assert not {"media", "media_file"} & tables and "initiative" in tables
        schema_migrations.upgrade(engine)
    finally:
        engine.dispose()
