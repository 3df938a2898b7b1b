"""Migrations 0006 and 0008 (case records; issue 18's 0007* run between them) on a database at
0005 holding records in several states, on SQLite and PostgreSQL: every row is as it was, the
new fields are empty (completeness scored), and they work afterwards; the downgrade removes what
they added and nothing else."""

from __future__ import annotations

from sqlalchemy import inspect, select

from registry import actions, completeness, initiatives, schema_migrations
from registry.db import make_engine, read_session, write_session
from registry.models import Initiative, InitiativeLink, InitiativeTranslation

from .conftest import bring_to, propose_edit, valid_record
from .migrations import move_to, rows
from .test_records_case import CASE

TABLES = ("initiative", "initiative_term", "initiative_tag", "initiative_key", "revision",
          "change_log", "media")  # fmt: skip


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
        move_to(engine, "0005")
        old_columns = {t: {c["name"] for c in inspect(engine).get_columns(t)} for t in TABLES}
        assert "lessons" not in old_columns["initiative"]
        before = rows(engine, TABLES)

        schema_migrations.upgrade(engine)
        assert schema_migrations.is_current(engine)
        after = rows(engine, TABLES, old_columns)
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

        move_to(engine, "0005")
        assert "lessons" not in {c["name"] for c in inspect(engine).get_columns("initiative")}
        assert not any("type" in s for r in rows(engine, TABLES)["initiative"] for s in _sources(r))
        schema_migrations.upgrade(engine)
    finally:
        engine.dispose()


def test_review_migration_keeps_links_and_translations_live(database_url):
    """0009 (links and translations waiting for review): on a database at 0008 holding a link
    and a translation, both are live afterwards and work; the downgrade removes the columns it
    added and nothing else."""
    engine = make_engine(database_url)
    tables = ("initiative_link", "initiative_translation")
    try:
        with write_session(engine) as s:
            one = actions.create(s, actions.SYSTEM, valid_record(title="One walk"))
            two = actions.create(s, actions.SYSTEM, valid_record(title="Two walks"))
            actions.link_records(s, actions.SYSTEM, one.id, two.id, "inspired_by")
            texts = {"title": "Une marche", "summary": "Des marches.", "translator": "C. M."}
            actions.translate_record(s, actions.SYSTEM, one.id, "fr", texts)
        move_to(engine, "0008")
        old_columns = {t: {c["name"] for c in inspect(engine).get_columns(t)} for t in tables}
        assert "state" not in old_columns["initiative_link"]
        assert "proposed" not in old_columns["initiative_translation"]
        before = rows(engine, tables)
        schema_migrations.upgrade(engine)
        assert rows(engine, tables, old_columns) == before
        with read_session(engine) as s:
            assert [r.state for r in s.scalars(select(InitiativeLink))] == ["live"]
            translation = s.scalar(select(InitiativeTranslation))
            assert (translation.state, translation.proposed) == ("live", None)
        move_to(engine, "0008")
        assert rows(engine, tables) == before
        schema_migrations.upgrade(engine)
    finally:
        engine.dispose()
