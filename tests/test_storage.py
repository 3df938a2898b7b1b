"""The write service on SQLite and PostgreSQL: one revision and one change per write, nothing
written when a write fails, migrations from empty."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlmodel import SQLModel

from registry import actions, initiatives, schema_migrations
from registry.db import make_engine, read_session, write_session
from registry.models import ChangeLog, Initiative, InitiativeKey, InitiativeTerm, Revision
from registry.schemas import ValidationFailed

from .conftest import valid_record


def counts(engine) -> tuple[int, int, int]:
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Initiative)),
            s.scalar(select(func.count()).select_from(Revision)),
            s.scalar(select(func.count()).select_from(ChangeLog)),
        )


SYSTEM = actions.SYSTEM


def create(engine, **fields) -> int:
    with write_session(engine) as s:
        return actions.create(s, SYSTEM, valid_record(**fields)).id


def test_create_writes_row_revision_and_change(engine):
    new_id = create(engine, tags=["Volunteers", "crime prevention"])
    assert counts(engine) == (1, 1, 1)
    with read_session(engine) as s:
        record = initiatives.full_record(s.get(Initiative, new_id))
        terms = s.scalars(select(InitiativeTerm.code).where(InitiativeTerm.field == "stages"))
        assert sorted(terms) == ["deliver", "design"]
        revision = s.scalars(select(Revision)).one()
        assert revision.snapshot["title"] == record["title"] and revision.number == 1
    assert record["stages"] == ["design", "deliver"]
    assert record["tags"] == ["crime prevention", "volunteers"]
    assert record["status"] == "draft" and record["version"] == 1


def test_edit_adds_exactly_one_revision_and_change(engine):
    new_id = create(engine)
    with write_session(engine) as s:
        edited = actions.edit(s, SYSTEM, new_id, {"maturity": "integrated"}, expected_version=1)
        assert edited.version == 2
    assert counts(engine) == (1, 2, 2)
    with read_session(engine) as s:
        last = s.scalars(select(Revision).order_by(Revision.number.desc())).first()
        assert last.changes == ["maturity"] and last.snapshot["maturity"] == "integrated"


def test_edit_that_changes_nothing_adds_no_revision(engine):
    new_id = create(engine)
    with write_session(engine) as s:
        actions.edit(s, SYSTEM, new_id, {"country": "fr"}, expected_version=1)
    assert counts(engine) == (1, 1, 1)


def test_stale_version_is_refused_and_writes_nothing(engine):
    new_id = create(engine)
    with write_session(engine) as s:
        actions.edit(s, SYSTEM, new_id, {"title": "First edit"}, expected_version=1)
    with pytest.raises(actions.StaleVersion) as caught, write_session(engine) as s:
        actions.edit(s, SYSTEM, new_id, {"title": "Late edit"}, expected_version=1)
    assert caught.value.current == 2
    with read_session(engine) as s:
        assert s.get(Initiative, new_id).title == "First edit"
    assert counts(engine) == (1, 2, 2)


def test_failed_validation_writes_nothing(engine):
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as s:
        actions.create(s, SYSTEM, valid_record(country="XX", stages=[]))
    assert set(caught.value.fields) == {"country", "stages"}
    assert counts(engine) == (0, 0, 0)


def test_failure_after_first_record_rolls_back_the_whole_transaction(engine):
    with pytest.raises(ValidationFailed), write_session(engine) as s:
        actions.create(s, SYSTEM, valid_record(title="A valid one"))
        actions.create(s, SYSTEM, valid_record(maturity="sometimes"))
    assert counts(engine) == (0, 0, 0)


def test_generated_slugs_are_numbered_and_explicit_duplicates_conflict(engine):
    with write_session(engine) as s:
        a = actions.create(s, SYSTEM, valid_record(title="Café des parents")).slug
        b = actions.create(s, SYSTEM, valid_record(title="Café des parents")).slug
    assert (a, b) == ("cafe-des-parents", "cafe-des-parents-2")
    with pytest.raises(actions.Conflict) as caught, write_session(engine) as s:
        actions.create(s, SYSTEM, valid_record(slug="cafe-des-parents"))
    assert caught.value.field == "slug" and "cafe-des-parents" in caught.value.message
    assert counts(engine)[0] == 2


def test_publishing_is_one_revision_and_one_change_and_counts_a_public_version(engine):
    new_id = create(engine)
    with write_session(engine) as s:
        actions.submit(s, SYSTEM, new_id)
        actions.publish(s, SYSTEM, new_id)
    with read_session(engine) as s:
        published = initiatives.get_public(s, new_id)
        assert published.published_at is not None and published.version == 3
        assert initiatives.to_record(published)["version"] == published.public_version == 1
        done = [c.action for c in initiatives.changes_since(s, 0)]
    assert done == ["create", "submit", "publish"]
    assert counts(engine) == (1, 3, 3)


def test_change_log_sequence_increases(engine):
    for n in range(3):
        create(engine, title=f"Initiative {n}")
    with read_session(engine) as s:
        seqs = [c.seq for c in initiatives.changes_since(s, 0)]
        assert seqs == sorted(seqs) and len(set(seqs)) == 3
        assert initiatives.latest_change(s) == seqs[-1]
        assert initiatives.changes_since(s, seqs[-1]) == []


def test_draft_is_not_found_publicly(engine):
    new_id = create(engine)
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
    new_id = create(engine, sources=sources, partners=["Police"])
    with write_session(engine) as s:
        fields = initiatives.editable_fields(s.get(Initiative, new_id))
        actions.edit(s, SYSTEM, new_id, fields, expected_version=1)
    assert counts(engine) == (1, 1, 1)


def test_ids_beyond_the_integer_range_are_simply_not_found(engine):
    with read_session(engine) as s:
        assert initiatives.lookup(s, 10**20) is None and initiatives.lookup(s, 0) is None
        with pytest.raises(initiatives.NotFound):
            initiatives.get_public(s, 99999999999999999999)


def test_migration_to_scoped_keys_keeps_every_record(database_url, tmp_path):
    """0003 on a database written by 0002's code: records, revisions and pending edits stay;
    slugs and external ids become claims in their owners' scopes; public versions count the
    published states; a pending edit taken back from review becomes an edit in draft."""
    from alembic import command

    engine = make_engine(database_url)
    with engine.begin() as conn:
        for table in (
            "user_list_item",  # issue 18: 0007c, 0007b, 0007
            "user_list",
            "saved_search",
            "collection_item",
            "collection",
            "outbox_message",
            "initiative_translation",  # 0006
            "initiative_link",
            "media_file",
            "media",
            "initiative_key",
        ):  # tables of later migrations
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        for table in ("alembic_version", "change_log", "revision", "initiative_term",
                      "initiative_tag", "initiative", "login_failure", "api_token",
                      "user_account", "organisation"):  # fmt: skip
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    config = schema_migrations.alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    row = {
        "summary": "S.", "description": "", "language": "en", "country": "FR", "region": "",
        "locality": "", "sector": "health", "maturity": "pilot", "outcomes": "",
        "lead_organisation": "", "partners": "[]", "sources": "[]", "illustrative": False,
        "rejection_reason": "", "created_at": "2026-01-01 00:00:00+00",
        "updated_at": "2026-01-01 00:00:00+00",
    }  # fmt: skip
    pending = '{"slug": "renamed", "external_id": "ext-9", "title": "Renamed"}'
    old = [
        dict(row, id=1, slug="published", external_id="ext-1", title="Published", version=4,
             status="published", organisation_id=None, pending=pending,
             pending_status="withdrawn"),
        dict(row, id=2, slug="draft", external_id=None, title="Draft", version=1,
             status="draft", organisation_id=1, pending=None, pending_status=None),
        dict(row, id=3, slug="gone", external_id="ext-3", title="Gone", version=2,
             status="deleted", organisation_id=1, pending=None, pending_status=None),
    ]  # fmt: skip
    snapshots = [(1, 1, "create", "draft"), (1, 2, "publish", "published"),
                 (1, 3, "update", "published"), (1, 4, "edit", "published"),
                 (2, 1, "create", "draft"), (3, 1, "create", "draft")]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (id, name, created_at) VALUES "
                          "(1, 'Ville', '2026-01-01 00:00:00+00')"))  # fmt: skip
        columns = ", ".join(old[0])
        values = ", ".join(f":{k}" for k in old[0])
        conn.execute(text(f"INSERT INTO initiative ({columns}) VALUES ({values})"), old)
        conn.execute(
            text("INSERT INTO revision (initiative_id, number, action, created_at, snapshot, "
                 "changes, note) VALUES (:i, :n, :a, '2026-01-01 00:00:00+00', :snap, '[]', '')"),
            [{"i": i, "n": n, "a": a, "snap": f'{{"status": "{st}"}}'}
             for i, n, a, st in snapshots],
        )  # fmt: skip
    schema_migrations.upgrade(engine)
    try:
        with read_session(engine) as s:
            keys = {(k.initiative_id, k.scope, k.kind, k.value)
                    for k in s.scalars(select(InitiativeKey))}  # fmt: skip
            assert keys == {
                (1, "registry", "slug", "published"), (1, "registry", "external_id", "ext-1"),
                (1, "registry", "slug", "renamed"), (1, "registry", "external_id", "ext-9"),
                (2, "org:1", "slug", "draft"),
            }  # fmt: skip
            published, draft, gone = (s.get(Initiative, i) for i in (1, 2, 3))
            assert (published.public_version, draft.public_version) == (2, 0)
            assert published.pending_status == "draft" and published.pending["title"] == "Renamed"
            assert initiatives.to_record(published)["title"] == "Published"
            assert gone.status == "deleted" and s.scalar(select(func.count()).select_from(
                Revision)) == len(snapshots)  # fmt: skip
    finally:
        engine.dispose()
