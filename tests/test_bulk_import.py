"""`registry import` at scale: files of any size streamed, all or nothing with every problem
reported, new records written in batches inside the import action, a large import indexed in
bulk and swapped in."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event, func, select, text

from registry import actions, cli, search
from registry.actions import importing as import_action
from registry.cli import main
from registry.db import UnguardedWrite, make_engine, read_session, write_session
from registry.models import (
    ChangeLog,
    Initiative,
    InitiativeKey,
    InitiativeTag,
    InitiativeTerm,
    Revision,
)
from registry.transfer import importing
from registry.transfer.importing import FileRows, ImportFailed, Row
from tests.conftest import engine_of, run_import, valid_record
from tests.test_records_case import CASE


def _records(count: int, **overrides) -> list[dict]:
    return [
        valid_record(title=f"Shared repair workshop {n}", external_id=f"ext-{n}", **overrides)
        for n in range(count)
    ]


def _count(app, model) -> int:
    with read_session(engine_of(app)) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_file_larger_than_the_upload_limit_is_streamed(cli_env, app, tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"licence": "x", "initiatives": _records(30)}), encoding="utf-8")
    monkeypatch.setattr(importing, "MAX_BYTES", 1_000)  # the upload page's limit, made tiny
    with pytest.raises(ImportFailed):
        importing.read_bytes(path.read_bytes(), "json")
    result = CliRunner().invoke(main, ["import", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "30 created, 0 updated, 0 unchanged" in result.stdout
    assert _count(app, Initiative) == 30


def test_csv_is_streamed_row_by_row_with_its_row_numbers(tmp_path):
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "summary", "country", "sector", "stages", "maturity"])
        writer.writerow(
            ["Repair café", "Neighbours fix\nthings", "FR", "health", "design", "pilot"]
        )
        writer.writerow([])
        writer.writerow(["Tool library", "Lending tools", "FR", "health", "design", "pilot"])
    rows = FileRows(path)
    found = [(str(r.where), r.record["title"]) for r in rows]
    assert found == [("row 2", "Repair café"), ("row 3", "Tool library")]
    assert rows.count == 2 and rows.position == path.stat().st_size
    assert [r.record["title"] for r in rows] == ["Repair café", "Tool library"]  # read again


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"initiatives": [{"title": "a"}', "not valid JSON"),
        ("[" * 40 + "]" * 40, "nested more than"),
        ('[{"start_year": 1' + "0" * 40 + "}]", "integer overflow"),  # ijson's words
        ('"text"', "expected a list of initiatives"),
        ("[]", "holds no initiatives"),
    ],
)
def test_broken_json_files_fail_with_one_clear_line(tmp_path, content, reason):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        list(FileRows(path))
    assert reason in str(failed.value.message)


def test_every_failing_row_is_reported_and_nothing_is_written(app):
    rows = [Row(f"record {n}", r) for n, r in enumerate(_records(1_200), start=1)]
    rows[3].record = {**rows[3].record, "country": "Atlantis"}
    rows[700].record = {**rows[700].record, "sector": ""}
    rows[1_150].record = {**rows[1_150].record, "description": "![" * 2_000}
    with pytest.raises(ImportFailed) as failed:
        run_import(app, rows, publish=True)
    assert [(str(p.row), p.field) for p in failed.value.problems] == [
        ("record 4", "country"), ("record 701", "sector"), ("record 1151", "description"),
    ]  # fmt: skip
    assert _count(app, Initiative) == 0 and _count(app, ChangeLog) == 0


def test_new_records_are_written_in_batches_not_one_flush_per_row(app):
    statements: list[str] = []
    engine = engine_of(app)

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO INITIATIVE "):
            statements.append(statement)

    records = _records(1_200)
    for n, record in enumerate(records):  # rows with different columns left empty
        record["start_year"] = None if n % 3 else 2012
        record["end_year"] = None if n % 5 else 2020
    event.listen(engine, "before_cursor_execute", capture)
    try:
        summary = run_import(app, [Row(f"r{n}", r) for n, r in enumerate(records)], publish=True)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(summary.created) == 1_200
    assert len(statements) == 3  # 3 batches of 500, each one multi-row insert
    with read_session(engine) as s:
        first = s.get(Initiative, summary.created[0])
        assert first.status == "published" and first.version == 1 and first.public_version == 1
        revision = s.scalars(select(Revision).where(Revision.initiative_id == first.id)).one()
        assert revision.number == 1 and revision.snapshot["title"] == first.title
        keys = set(s.execute(select(InitiativeKey.kind, InitiativeKey.value).where(
            InitiativeKey.initiative_id == first.id)).all())  # fmt: skip
        assert keys == {("slug", first.slug), ("external_id", "ext-0")}
    assert _count(app, ChangeLog) == 1_200


def test_the_batchs_key_lookups_use_an_index_not_a_scan_of_every_key(app):
    """`kind = … AND value IN (…)` over every scope: the unique index starts with the scope."""
    statements: list[str] = []
    engine = engine_of(app)

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM initiative_key" in statement and "IN (" in statement:
            statements.append(cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}",
                                                        parameters).fetchall())  # fmt: skip

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run_import(app, [Row(f"r{n}", r) for n, r in enumerate(_records(20))], publish=True)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = [" ".join(str(step[-1]) for step in plan) for plan in statements]
    assert len(plans) >= 2  # external ids and slugs
    assert all("ix_initiative_key_kind_value" in plan for plan in plans), plans
    assert not any("SCAN initiative_key" in plan for plan in plans), plans


def test_a_temporary_folder_that_cannot_be_written_fails_the_import_in_words(
    app, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    with pytest.raises(ImportFailed) as failed:
        run_import(app, [Row("r1", valid_record(title="Spooled"))])
    assert f"temporary folder {tmp_path / 'gone'}" in failed.value.message
    assert "set TMPDIR" in failed.value.message
    assert _count(app, Initiative) == 0


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_disk_while_spooling_fails_the_import_in_words_and_writes_nothing(app, monkeypatch):
    # /dev/full: a real device on which every write fails with "No space left on device".
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **_: open("/dev/full", "w+b"))  # noqa: SIM115
    with pytest.raises(ImportFailed) as failed:
        run_import(app, [Row(f"r{n}", r) for n, r in enumerate(_records(30))])
    assert "No space left on device" in failed.value.message
    assert _count(app, Initiative) == 0 and _count(app, ChangeLog) == 0


def test_batched_records_get_free_slugs_like_single_ones(app, make_initiative):
    make_initiative(title="Walking school bus")
    rows = [Row(f"r{n}", valid_record(title="Walking school bus")) for n in range(3)]
    summary = run_import(app, rows, publish=True)
    with read_session(engine_of(app)) as s:
        slugs = [s.get(Initiative, i).slug for i in summary.created]
    assert slugs == ["walking-school-bus-2", "walking-school-bus-3", "walking-school-bus-4"]


def test_a_reimport_updates_matched_records_and_creates_the_rest(app):
    first = run_import(app, [Row(f"r{n}", r) for n, r in enumerate(_records(3))], publish=True)
    changed = _records(5)
    changed[0]["summary"] = "A new summary."
    again = run_import(app, [Row(f"r{n}", r) for n, r in enumerate(changed)], publish=True)
    assert again.updated == [first.created[0]] and again.unchanged == first.created[1:]
    assert len(again.created) == 2


@pytest.mark.parametrize("target", [ChangeLog, ChangeLog.__table__], ids=["orm", "core"])
def test_the_batch_writer_refuses_to_write_outside_the_import_action(app, target):
    with write_session(engine_of(app)) as session, pytest.raises(UnguardedWrite):
        session.execute(import_action.insert(target), [{"initiative_id": 1, "action": "import"}])


def test_a_large_import_is_indexed_in_bulk_and_swapped_in(cli_env, app, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "BULK_INDEX_FROM", 5)
    monkeypatch.setattr(cli, "INDEX_PROCS", 1)  # the multi-process path: bench/transfer.py
    path = tmp_path / "many.json"
    path.write_text(json.dumps(_records(6)), encoding="utf-8")
    index = app.extensions["search"]
    result = CliRunner().invoke(main, ["import", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "search index rebuilt" in result.stdout
    with read_session(engine_of(app)) as session:
        assert search.check(index, session).clean
    assert index.applied_seq() == 6


def test_the_upload_page_says_where_larger_files_go(app, users, sign_in):
    client = sign_in(users["curator"].email)
    page = client.get("/curate/import").get_data(as_text=True)
    assert "registry import" in page


# A record with every kind of column: multi-valued fields out of vocabulary order, tags out of
# order, case-record figures, key results, a contact point shown with consent.
RICH = valid_record(
    title="Neighbourhood walks with older residents",
    external_id="walks-1",
    stages=["deliver", "design"],
    participants=["volunteers", "citizens"],
    tags=["walking", "ageing", "Isolation"],
    partners=["Ville de Lyon", "Walkers' club"],
    language="fr",
    region="Auvergne-Rhône-Alpes",
    locality="Lyon",
    outcomes="Fewer falls.",
    key_results=[{"indicator": "Falls", "value": "-12 %", "period": "2022"}],
    **{k: v for k, v in CASE.items() if k != "funding_sources"},
    funding_sources=["local", "foundation"],
)
STAMPS = {"created_at", "updated_at", "published_at", "submitted_at", "contact_consent_at",
          "last_verified_at"}  # fmt: skip


def _stamped(values: dict) -> dict:
    """`values` with each time replaced by whether it is set (the two paths write at different
    moments), and without the record's id (they run in different databases)."""
    return {k: (v is not None if k in STAMPS else v) for k, v in values.items() if k != "id"}


def _written(engine, initiative_id: int) -> dict:
    """Every row stored for one record, as plain values."""
    with read_session(engine) as s:
        # As stored (raw SQL): JSON text, and SQL NULL told from JSON null.
        record = s.execute(text("SELECT * FROM initiative WHERE id = :id"), {"id": initiative_id})
        revisions = s.scalars(select(Revision).where(Revision.initiative_id == initiative_id))
        log = s.scalars(select(ChangeLog).where(ChangeLog.initiative_id == initiative_id))
        return {
            "initiative": _stamped(dict(record.one()._mapping)),
            "terms": sorted(s.execute(select(InitiativeTerm.field, InitiativeTerm.code).where(
                InitiativeTerm.initiative_id == initiative_id)).all()),
            "tags": sorted(s.scalars(select(InitiativeTag.tag).where(
                InitiativeTag.initiative_id == initiative_id))),
            "keys": sorted(s.execute(select(InitiativeKey.scope, InitiativeKey.kind,
                InitiativeKey.value).where(InitiativeKey.initiative_id == initiative_id)).all()),
            "revisions": [(r.number, r.action, r.user_id, r.changes, r.note, r.created_at
                           is not None, _stamped(r.snapshot)) for r in revisions],
            "change_log": [(c.action, c.created_at is not None) for c in log],
        }  # fmt: skip


def test_the_batched_rows_equal_what_create_writes_for_one_record(app, tmp_path, sqlite_template):
    """The import's plain-value inserts and the ORM path of `actions.create` cannot drift: the
    same record written by both gives the same rows, column for column (in two databases, so
    both get the same slug; the action's name is the only difference)."""
    single = tmp_path / "single.sqlite3"
    shutil.copy(sqlite_template, single)
    engine = make_engine(f"sqlite:///{single}")
    try:
        with write_session(engine) as s:
            created = actions.create(s, actions.SYSTEM, RICH).id
        by_action = _written(engine, created)
    finally:
        engine.dispose()
    summary = run_import(app, [Row("record 1", RICH)])
    by_import = _written(engine_of(app), summary.created[0])
    assert by_import["initiative"]["contact_consent_at"] and by_import["terms"]
    assert by_import["revisions"][0][1] == "import" and by_action["revisions"][0][1] == "create"
    assert by_import["change_log"][0][0] == "import"
    for written in (by_import, by_action):
        written["revisions"] = [(n, "_", *rest) for n, _, *rest in written["revisions"]]
        written["change_log"] = [("_", *rest) for _, *rest in written["change_log"]]
    assert by_import == by_action


def test_published_batched_rows_are_stamped_as_a_publication(app):
    summary = run_import(app, [Row("record 1", RICH)], publish=True)
    with read_session(engine_of(app)) as s:
        record = s.get(Initiative, summary.created[0])
        assert (record.status, record.pending_status, record.version, record.public_version) == (
            "published", None, 1, 1)  # fmt: skip
        assert record.published_at == record.updated_at == record.created_at
        assert record.submitted_at is None and record.contact_consent_at is not None
