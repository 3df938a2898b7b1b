"""Migration 0006 (case records) on a database at 0005 holding records in several states, on
SQLite and PostgreSQL: every row is as it was, the new fields are empty, and they work
afterwards; the downgrade removes what it added and nothing else."""

from __future__ import annotations

from alembic import command
from sqlalchemy import MetaData, inspect, select

from registry import actions, completeness, initiatives, schema_migrations
from registry.db import make_engine, read_session, write_session
from registry.models import Initiative

from .conftest import bring_to, propose_edit, valid_record
from .test_records_case import CASE

TABLES = ("initiative", "initiative_term", "initiative_tag", "initiative_key", "revision",
          "change_log", "media")  # fmt: skip


def _to(engine, revision: str) -> None:
    """Downgrade as `schema_migrations.upgrade` upgrades (SQLite rebuilds tables that foreign
    keys point at: they are off meanwhile)."""
    config = schema_migrations.alembic_config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        if sqlite:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                command.downgrade(config, revision)
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")


def _rows(engine, columns: dict[str, set[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of TABLES, limited to `columns` (the 0005 columns) when given."""
    meta = MetaData()
    meta.reflect(engine, only=TABLES)
    found = {}
    with engine.connect() as conn:
        for name in TABLES:
            table = meta.tables[name]
            keep = [c for c in table.columns if columns is None or c.name in columns[name]]
            order = list(table.primary_key.columns)
            found[name] = [tuple(r) for r in conn.execute(select(*keep).order_by(*order))]
    return found


def _sources(row: tuple) -> list[dict]:
    return next(v for v in row if isinstance(v, list) and v and isinstance(v[0], dict))


def _untyped(row: tuple) -> tuple:
    """An initiative row with the types of its (live and pending) sources removed."""

    def strip(value):
        if isinstance(value, list):
            return [{k: v for k, v in s.items() if k != "type"} for s in value]
        if isinstance(value, dict) and "sources" in value:
            return {**value, "sources": strip(value["sources"])}
        return value

    return tuple(strip(v) for v in row)


def test_records_migration_keeps_every_row_and_case_fields_work_after_it(database_url):
    engine = make_engine(database_url)
    try:
        with write_session(engine) as s:
            ids = {}
            for state in ("draft", "submitted", "published", "withdrawn", "deleted"):
                record = actions.create(s, actions.SYSTEM, valid_record(
                    title=f"A {state} record", participants=["citizens"], tags=["walks"],
                    sources=[{"title": "Report", "url": "https://example.org/r"}]))  # fmt: skip
                bring_to(s, record.id, state, actions.SYSTEM)
                ids[state] = record.id
        propose_edit(engine, ids["published"], title="A published record, renamed")
        _to(engine, "0005")
        old_columns = {t: {c["name"] for c in inspect(engine).get_columns(t)} for t in TABLES}
        assert "lessons" not in old_columns["initiative"]
        before = _rows(engine)

        schema_migrations.upgrade(engine)
        assert schema_migrations.is_current(engine)
        after = _rows(engine, old_columns)
        assert {k: v for k, v in after.items() if k != "initiative"} == {
            k: v for k, v in before.items() if k != "initiative"
        }
        assert [_untyped(r) for r in after["initiative"]] == before["initiative"]
        assert all(s["type"] == "other" for r in after["initiative"] for s in _sources(r))
        with read_session(engine) as s:  # the waiting edit's sources are typed too
            assert s.get(Initiative, ids["published"]).pending["sources"][0]["type"] == "other"
        with read_session(engine) as s:
            for row in s.scalars(select(Initiative)):
                assert (row.lessons, row.website, row.contact_consent) == ("", "", False)
                assert row.participant_count is None and row.codes("funding_sources") == []
                assert row.completeness == completeness.score(initiatives.to_record(row)) > 0

        with write_session(engine) as s:  # the waiting edit takes case fields, then goes live
            actions.edit(s, actions.SYSTEM, ids["published"], CASE, expected_version=None)
            actions.publish(s, actions.SYSTEM, ids["published"])
        with read_session(engine) as s:
            published = s.get(Initiative, ids["published"])
            assert published.title == "A published record, renamed"
            assert published.annual_cost == 250_000 and published.contact_consent_at is not None
            assert published.codes("funding_sources") == ["local", "foundation", "in_kind"]

        _to(engine, "0005")
        assert "lessons" not in {c["name"] for c in inspect(engine).get_columns("initiative")}
        assert not any("type" in s for r in _rows(engine)["initiative"] for s in _sources(r))
        schema_migrations.upgrade(engine)
    finally:
        engine.dispose()
