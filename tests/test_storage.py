"""The write service on SQLite and PostgreSQL: one revision and one change per write, nothing
written when a write fails, migrations from empty."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlmodel import SQLModel

from registry import initiatives, schema_migrations
from registry.db import make_engine, read_session, write_session
from registry.models import ChangeLog, Initiative, InitiativeTerm, Revision
from registry.schemas import ValidationFailed

from .conftest import valid_record


def counts(engine) -> tuple[int, int, int]:
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Initiative)),
            s.scalar(select(func.count()).select_from(Revision)),
            s.scalar(select(func.count()).select_from(ChangeLog)),
        )


def test_create_writes_row_revision_and_change(engine):
    with write_session(engine) as s:
        created = initiatives.create(s, valid_record(tags=["Volunteers", "crime prevention"]))
        new_id = created.id
    assert counts(engine) == (1, 1, 1)
    with read_session(engine) as s:
        record = initiatives.to_record(initiatives.get(s, new_id))
        terms = s.scalars(select(InitiativeTerm.code).where(InitiativeTerm.field == "stages"))
        assert sorted(terms) == ["deliver", "design"]
        revision = s.scalars(select(Revision)).one()
        assert revision.snapshot["title"] == record["title"] and revision.number == 1
    assert record["stages"] == ["design", "deliver"]
    assert record["tags"] == ["crime prevention", "volunteers"]
    assert record["status"] == "draft" and record["version"] == 1


def test_update_adds_exactly_one_revision_and_change(engine):
    with write_session(engine) as s:
        new_id = initiatives.create(s, valid_record()).id
    with write_session(engine) as s:
        updated = initiatives.update(
            s, initiatives.get(s, new_id), {"maturity": "integrated"}, expected_version=1
        )
        assert updated.version == 2
    assert counts(engine) == (1, 2, 2)
    with read_session(engine) as s:
        last = s.scalars(select(Revision).order_by(Revision.number.desc())).first()
        assert last.changes == ["maturity"] and last.snapshot["maturity"] == "integrated"


def test_update_that_changes_nothing_adds_no_revision(engine):
    with write_session(engine) as s:
        new_id = initiatives.create(s, valid_record()).id
    with write_session(engine) as s:
        initiatives.update(s, initiatives.get(s, new_id), {"country": "fr"}, expected_version=1)
    assert counts(engine) == (1, 1, 1)


def test_stale_version_is_refused_and_writes_nothing(engine):
    with write_session(engine) as s:
        new_id = initiatives.create(s, valid_record()).id
    with write_session(engine) as s:
        initiatives.update(
            s, initiatives.get(s, new_id), {"title": "First edit"}, expected_version=1
        )
    with pytest.raises(initiatives.StaleVersion) as caught, write_session(engine) as s:
        initiatives.update(
            s, initiatives.get(s, new_id), {"title": "Late edit"}, expected_version=1
        )
    assert caught.value.current == 2
    with read_session(engine) as s:
        assert initiatives.get(s, new_id).title == "First edit"
    assert counts(engine) == (1, 2, 2)


def test_failed_validation_writes_nothing(engine):
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as s:
        initiatives.create(s, valid_record(country="XX", stages=[]))
    assert set(caught.value.fields) == {"country", "stages"}
    assert counts(engine) == (0, 0, 0)


def test_failure_after_first_record_rolls_back_the_whole_transaction(engine):
    with pytest.raises(ValidationFailed), write_session(engine) as s:
        initiatives.create(s, valid_record(title="A valid one"))
        initiatives.create(s, valid_record(maturity="sometimes"))
    assert counts(engine) == (0, 0, 0)


def test_generated_slugs_are_unique_and_explicit_duplicates_conflict(engine):
    with write_session(engine) as s:
        a = initiatives.create(s, valid_record(title="Café des parents")).slug
        b = initiatives.create(s, valid_record(title="Café des parents")).slug
    assert (a, b) == ("cafe-des-parents", "cafe-des-parents-2")
    with pytest.raises(initiatives.Conflict), write_session(engine) as s:
        initiatives.create(s, valid_record(slug="cafe-des-parents"))
    assert counts(engine)[0] == 2


def test_status_change_is_one_revision_and_one_change(engine):
    with write_session(engine) as s:
        new_id = initiatives.create(s, valid_record()).id
    with write_session(engine) as s:
        initiatives.set_status(s, initiatives.get(s, new_id), "published", action="publish")
    with read_session(engine) as s:
        published = initiatives.get_public(s, new_id)
        assert published.published_at is not None and published.version == 2
        actions = [c.action for c in initiatives.changes_since(s, 0)]
    assert actions == ["create", "publish"]
    assert counts(engine) == (1, 2, 2)


def test_change_log_sequence_increases(engine):
    with write_session(engine) as s:
        for n in range(3):
            initiatives.create(s, valid_record(title=f"Initiative {n}"))
    with read_session(engine) as s:
        seqs = [c.seq for c in initiatives.changes_since(s, 0)]
        assert seqs == sorted(seqs) and len(set(seqs)) == 3
        assert initiatives.latest_change(s) == seqs[-1]
        assert initiatives.changes_since(s, seqs[-1]) == []


def test_draft_is_not_found_publicly(engine):
    with write_session(engine) as s:
        new_id = initiatives.create(s, valid_record()).id
    with read_session(engine) as s, pytest.raises(initiatives.NotFound):
        initiatives.get_public(s, new_id)


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    assert diff == []


def test_migrations_apply_from_empty_and_twice(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:  # a second, empty PostgreSQL database beside the test's own
        base = database_url.rsplit("/", 1)[0]
        url = f"{base}/registry_empty_{uuid.uuid4().hex[:8]}"
        admin = make_engine(database_url.rsplit("/", 1)[0] + "/test")
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"'))
    engine = make_engine(url)
    try:
        assert not schema_migrations.is_current(engine)
        schema_migrations.upgrade(engine)
        schema_migrations.upgrade(engine)
        assert schema_migrations.is_current(engine)
        assert {"initiative", "revision", "change_log", "initiative_term"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()
        if not database_url.startswith("sqlite"):
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
            admin.dispose()


def test_sqlite_connections_use_wal_and_foreign_keys(app):
    engine = app.extensions["registry"].engine
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_resending_a_record_with_sources_adds_no_revision(engine):
    sources = [{"title": "Evaluation report", "url": "https://example.org/report.pdf"}]
    with write_session(engine) as s:
        new_id = initiatives.create(s, valid_record(sources=sources, partners=["Police"])).id
    with write_session(engine) as s:
        initiative = initiatives.get(s, new_id)
        initiatives.update(
            s, initiative, initiatives.editable_fields(initiative), expected_version=1
        )
    assert counts(engine) == (1, 1, 1)


def test_ids_beyond_the_integer_range_are_simply_not_found(engine):
    with read_session(engine) as s:
        assert initiatives.lookup(s, 10**20) is None and initiatives.lookup(s, 0) is None
        with pytest.raises(initiatives.NotFound):
            initiatives.get_public(s, 99999999999999999999)
