"""`registry import` at scale: files of any size streamed, all or nothing with every problem
reported, new records written in batches inside the import action, a large import indexed in
bulk and swapped in."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import event, func, select

from registry import cli, search
from registry.actions import importing as import_action
from registry.cli import main
from registry.db import UnguardedWrite, read_session, write_session
from registry.models import ChangeLog, Initiative, InitiativeKey, Revision
from registry.transfer import importing
from registry.transfer.importing import FileRows, ImportFailed, Row
from tests.conftest import engine_of, run_import, valid_record


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

    event.listen(engine, "before_cursor_execute", capture)
    try:
        summary = run_import(app, [Row(f"r{n}", r) for n, r in enumerate(_records(1_200))],
                             publish=True)  # fmt: skip
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(summary.created) == 1_200
    assert len(statements) <= 6  # 3 batches of 500, each one multi-row insert (or a few)
    with read_session(engine) as s:
        first = s.get(Initiative, summary.created[0])
        assert first.status == "published" and first.version == 1 and first.public_version == 1
        revision = s.scalars(select(Revision).where(Revision.initiative_id == first.id)).one()
        assert revision.number == 1 and revision.snapshot["title"] == first.title
        keys = set(s.execute(select(InitiativeKey.kind, InitiativeKey.value).where(
            InitiativeKey.initiative_id == first.id)).all())  # fmt: skip
        assert keys == {("slug", first.slug), ("external_id", "ext-0")}
    assert _count(app, ChangeLog) == 1_200


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


def test_the_batch_writer_refuses_to_write_outside_the_import_action(app):
    with write_session(engine_of(app)) as session, pytest.raises(UnguardedWrite):
        session.execute(import_action.insert(ChangeLog), [{"initiative_id": 1, "action": "import"}])


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
