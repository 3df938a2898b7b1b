"""Bulk import and export: all-or-nothing imports, idempotent re-imports, round trips, and
exports that hold published records only and open safely in spreadsheets."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from sqlalchemy import event, func, select

from registry import actions, create_app, initiatives
from registry.cli import main
from registry.db import read_session, write_session
from registry.models import ChangeLog, Initiative, Revision
from registry.transfer import csv_format, exporting, importing
from registry.transfer.importing import ImportFailed, read_bytes

from .conftest import run_import, valid_record

RICH = {
    "title": "Aidants et soignants : « café des aidants » à Besançon",
    "summary": "Des aidants familiaux co-animent, avec l'hôpital, des rencontres mensuelles.",
    "description": "= not a formula\n\n- first point; second point\n- élan, œuvre, naïveté",
    "language": "fr",
    "country": "FR",
    "region": "Bourgogne-Franche-Comté",
    "locality": "Besançon",
    "sector": "health",
    "stages": ["design", "deliver", "evaluate"],
    "maturity": "integrated",
    "start_year": 2012,
    "mainstreamed_year": 2016,
    "end_year": None,
    "operating_status": "ongoing",
    "integrated_from_start": False,
    "participants": ["carers_families", "professionals"],
    "contributions": ["time", "knowledge"],
    "motives": ["improve_quality"],
    "obstacles": ["lack_of_resources"],
    "success_factors": ["clear_responsibilities_and_funding"],
    "evidence_level": "monitoring",
    "outcomes": "+20 % de participation; moins d'hospitalisations",
    "lead_organisation": "CHU de Besançon",
    "partners": ["Association France Alzheimer; Doubs", "Ville de Besançon", "@aidants"],
    "tags": ["aidants", "santé mentale"],
    "sources": [
        {"title": "Rapport d'évaluation; 2018", "url": "https://example.org/rapport.pdf?a=1&b=2"},
        {"title": "Page <officielle>", "url": "https://example.org/page"},
    ],
    "external_id": "chu-25-0042",
}
COMPARED = (*RICH, "slug", "status", "illustrative")


def engine_of(app):
    return app.extensions["registry"].engine


def counts(app) -> tuple[int, int, int]:
    with read_session(engine_of(app)) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(table))
            for table in (Initiative, Revision, ChangeLog)
        )


@pytest.fixture
def other_app(tmp_path, sqlite_template):
    """A second, empty registry to import into."""
    folder = tmp_path / "other"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "registry.sqlite3")
    app = create_app(
        {
            "instance_dir": folder,
            "database_url": f"sqlite:///{folder / 'registry.sqlite3'}",
            "index_dir": folder / "index",
            "secret_key": "test-secret",
            "TESTING": True,
        }
    )
    yield app
    engine_of(app).dispose()


def records_of(app) -> dict[str, dict]:
    with read_session(engine_of(app)) as s:
        return {i.slug: initiatives.to_record(i) for i in s.scalars(select(Initiative))}


def rich_catalogue(app, make_initiative) -> None:
    make_initiative(**RICH)
    example = importing.Row("seed", valid_record(title="Illustrative example"))
    run_import(app, [example], publish=True, illustrative=True)  # as the seeds are
    make_initiative(title="A pilot with null years and no extras", country="CA")
    make_initiative(title="Second with =SUM(A1) title", summary="-minus", tags=["x;y"])
    make_initiative(status="draft", title="A draft that must not travel")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_gives_the_same_records(app, client, other_app, make_initiative, fmt):
    rich_catalogue(app, make_initiative)
    exported = client.get(f"/export/initiatives.{fmt}").data
    summary = run_import(engine_of(other_app), read_bytes(exported, fmt), publish=True)
    assert len(summary.created) == 4
    source = {k: v for k, v in records_of(app).items() if v["status"] == "published"}
    copied = records_of(other_app)
    assert copied.keys() == source.keys()
    for slug, record in source.items():
        for name in COMPARED:
            assert copied[slug][name] == record[name], (slug, name)
    # Importing the export again changes nothing.
    again = run_import(engine_of(other_app), read_bytes(exported, fmt), publish=True)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 4)


def test_reimport_updates_in_place_with_one_revision(app, tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text(
        "external_id,title,summary,country,sector,stages,maturity\n"
        "a-1,Walking buses for school,Parents walk children to school.,FR,education,deliver,pilot\n"
        "a-2,Patient panels,Patients review the ward.,CA,health,evaluate,integrated\n",
        encoding="utf-8",
    )
    engine = engine_of(app)
    first = run_import(engine, importing.read_file(path))
    assert len(first.created) == 2
    before = counts(app)
    second = run_import(engine, importing.read_file(path))
    assert (len(second.created), len(second.updated), len(second.unchanged)) == (0, 0, 2)
    assert counts(app) == before
    path.write_text(path.read_text().replace("Patient panels", "Patient panels on wards"))
    third = run_import(engine, importing.read_file(path))
    assert len(third.updated) == 1 and len(third.unchanged) == 1
    assert counts(app) == (before[0], before[1] + 1, before[2] + 1)
    with read_session(engine) as s:
        record = s.scalar(select(Initiative).where(Initiative.external_id == "a-2"))
        assert record.title == "Patient panels on wards" and record.status == "draft"


def test_rows_match_on_slug_when_there_is_no_external_id(app, make_initiative):
    made = make_initiative(title="Neighbourhood watch")
    rows = read_bytes(
        b"slug,title,summary,country,sector,stages,maturity\n"
        b"neighbourhood-watch,Neighbourhood watch,Changed summary.,FR,public_safety,design,pilot\n",
        "csv",
    )
    summary = run_import(engine_of(app), rows)
    assert summary.updated == [made]


def test_a_failing_row_imports_nothing_and_every_problem_is_listed(app, make_initiative):
    make_initiative()
    before = counts(app)
    rows = read_bytes(
        (
            b"title,summary,country,sector,stages,maturity,start_year\n"
            b"Good row,Fine.,FR,health,design,pilot,2010\n"
            b"No,,Atlantis,astrology,design,pilot,2010\n"
            b"Another good row,Fine.,DE,health,deliver,pilot,year two\n"
        ),
        "csv",
    )
    with pytest.raises(ImportFailed) as caught:
        run_import(engine_of(app), rows)
    problems = {(p.row, p.field) for p in caught.value.problems}
    assert {("row 3", "title"), ("row 3", "summary"), ("row 3", "country"), ("row 3", "sector"),
            ("row 4", "start_year")} <= problems  # fmt: skip
    assert not any(p.row == "row 2" for p in caught.value.problems)
    assert counts(app) == before


def test_a_clash_with_a_stored_record_rolls_back_the_rows_before_it(app, make_initiative):
    make_initiative(title="First stored", external_id="one")
    make_initiative(title="Second stored", external_id="two")
    before = counts(app)
    records = [
        {"title": "Brand new", "summary": "New.", "country": "FR", "sector": "health",
         "stages": ["design"], "maturity": "pilot"},
        # Matches "one" but takes the slug of "two".
        {"external_id": "one", "slug": "second-stored", "title": "First stored",
         "summary": "Same.", "country": "FR", "sector": "public_safety",
         "stages": ["design"], "maturity": "pilot"},
    ]  # fmt: skip
    with pytest.raises(ImportFailed) as caught:
        run_import(engine_of(app), read_bytes(json.dumps(records).encode(), "json"))
    assert [(p.row, p.field) for p in caught.value.problems] == [("record 2", "slug")]
    assert counts(app) == before


def test_repeated_ids_within_a_file_are_refused(app):
    row = {"external_id": "x", "title": "Same twice", "summary": "S.", "country": "FR",
           "sector": "health", "stages": ["design"], "maturity": "pilot"}  # fmt: skip
    with pytest.raises(ImportFailed) as caught:
        run_import(engine_of(app), read_bytes(json.dumps([row, row]).encode(), "json"))
    assert caught.value.problems[0].row == "record 2"
    assert counts(app)[0] == 0


def test_excel_csv_with_labels_names_and_semicolons_is_understood(app):
    text = (
        " Title ;Summary;Country;Sector;Stages;Maturity;Participants;Language\r\n"
        '  Café citoyen  ; Un résumé. ;Allemagne;Santé;"Concevoir; fournir / PRODUIRE";'
        "Projet pilote;citoyens;French\r\n"
        "Second;Summary.;united kingdom;health;EVALUATE;integrated;Service users;en\r\n"
    )
    rows = read_bytes(text.encode("cp1252"), "csv")
    assert rows[0].record["title"] == "Café citoyen"
    summary = run_import(engine_of(app), rows, publish=True)
    with read_session(engine_of(app)) as s:
        first, second = (s.get(Initiative, i) for i in summary.created)
        assert (first.country, first.sector, first.maturity, first.language) == (
            "DE", "health", "pilot", "fr")  # fmt: skip
        assert first.codes("stages") == ["design", "deliver"]
        assert first.codes("participants") == ["citizens"]
        assert (second.country, second.codes("participants")) == ("GB", ["service_users"])
        assert first.status == "published"


def test_utf8_bom_and_the_export_wrapper_are_accepted(app):
    csv_bytes = "\ufefftitle,summary,country,sector,stages,maturity\nÉté,S.,FR,health,plan,pilot\n"
    assert read_bytes(csv_bytes.encode("utf-8"), "csv")[0].record["title"] == "Été"
    wrapper = {"licence": {}, "initiatives": [{"id": 9, "url": "x", "title": "T t"}]}
    assert read_bytes(json.dumps(wrapper).encode(), "json")[0].record == {"title": "T t"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.xlsx", b"PK\x03\x04", "expected a .csv or .json file"),
        ("data.csv", b"", "empty"),
        ("data.csv", b"PK\x03\x04\x00\x00", "not a text file"),
        ("data.csv", b"title,summary\n", "no initiatives"),
        ("data.csv", b"name,colour\nx,y\n", "name the columns"),
        ("data.csv", b"title,colour\nx,y\n", "unknown column(s): colour"),
        ("data.json", b"{not json", "not valid JSON"),
        ("data.json", b'{"a": 1}', "expected a list"),
        ("data.json", b"[]", "no initiatives"),
    ],
)
def test_unusable_files_get_one_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFailed, match=None) as caught:
        importing.read_file(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_limits_on_size_and_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    rows = "title\n" + "a title\n" * 3
    with pytest.raises(ImportFailed, match="too many rows"):
        read_bytes(rows.encode(), "csv")
    monkeypatch.setattr(importing, "MAX_BYTES", 10)
    path = tmp_path / "big.csv"
    path.write_text(rows)
    with pytest.raises(ImportFailed, match="too large"):
        importing.read_file(path)


def test_multi_valued_cells_escape_the_separator():
    cells = csv_format.cells({"partners": ["A; B", "C\\D"], "tags": []})
    cell = cells[csv_format.COLUMNS.index("partners")]
    assert csv_format.record_from_row({"partners": cell})["partners"] == ["A; B", "C\\D"]


# --- command line ---------------------------------------------------------------------------


def test_cli_import_reports_failures_on_stderr_and_writes_nothing(cli_env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("title,summary,country\nOK title,S.,FR\n")
    result = CliRunner().invoke(main, ["import", str(bad)])
    assert result.exit_code == 1
    assert "row 2: sector: this field is required" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: nothing imported")
    assert "Traceback" not in result.output


def test_cli_export_then_import_with_publish(cli_env, tmp_path, app, make_initiative):
    make_initiative(**RICH)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["export", "--format", "json", "--output", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["initiatives"][0]["title"] == RICH["title"]
    record_id = document["initiatives"][0]["id"]
    draft = tmp_path / "draft.json"
    document["initiatives"][0]["title"] = "Renamed in the file"
    draft.write_text(json.dumps(document), encoding="utf-8")
    with write_session(engine_of(app)) as s:  # a curator's edit goes live after the export
        actions.edit(s, actions.SYSTEM, record_id, {"title": "Renamed"}, expected_version=None)
    stale = CliRunner().invoke(main, ["import", str(draft), "--publish"])
    assert stale.exit_code == 1 and "published again since this file was exported" in stale.stderr
    result = CliRunner().invoke(main, ["import", str(out), "--publish"])
    assert result.exit_code == 1  # the export is as stale as the draft made from it
    fresh = tmp_path / "fresh.json"
    assert CliRunner().invoke(main, ["export", "--format", "json", "--output", str(fresh)])
    document = json.loads(fresh.read_text(encoding="utf-8"))
    document["initiatives"][0]["title"] = RICH["title"]
    fresh.write_text(json.dumps(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(fresh), "--publish"])
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated, 0 unchanged" in result.stdout
    assert "search index updated" in result.stdout  # not left to the next searches
    with read_session(engine_of(app)) as s:
        assert app.extensions["search"].applied_seq() == initiatives.latest_change(s)
    csv_result = CliRunner().invoke(main, ["export", "--bom"])
    assert csv_result.stdout.startswith("\ufeffid,slug,external_id,organisation,url,title")
    assert "Renamed" not in csv_result.stdout and RICH["title"] in csv_result.stdout
    none = CliRunner().invoke(main, ["export", "--filters", "country=CA&sector=health"])
    assert none.exit_code == 0 and none.stdout.count("\n") == 1  # the header line only
    bad = CliRunner().invoke(main, ["export", "--filters", "sector=astrology"])
    assert bad.exit_code == 1 and "sector" in bad.stderr


# --- HTTP exports ---------------------------------------------------------------------------


def test_exports_hold_published_records_only_with_the_filters(client, make_initiative):
    make_initiative(title="Published in France", country="FR")
    make_initiative(title="Published in Canada", country="CA", sector="health")
    make_initiative(status="draft", title="Draft in France", country="FR")
    make_initiative(status="submitted", title="Submitted in France", country="FR")
    body = client.get("/export/initiatives.json").get_json()
    assert {i["title"] for i in body["initiatives"]} == {"Published in France",
                                                          "Published in Canada"}  # fmt: skip
    assert set(body) == {"licence", "citation", "generated_at", "filters", "initiatives"}
    assert body["licence"]["id"] == "CC-BY-4.0"
    record = body["initiatives"][0]
    assert record["url"].startswith("http://localhost/initiatives/") and "external_id" in record
    text = client.get("/export/initiatives.csv?country=fr").data.decode()
    assert "Published in France" in text and "Canada" not in text and "Draft" not in text
    filtered = client.get("/export/initiatives.json?sector=health").get_json()
    assert [i["title"] for i in filtered["initiatives"]] == ["Published in Canada"]
    assert filtered["filters"] == {"sector": ["health"]}


def test_csv_export_is_safe_to_open_in_a_spreadsheet(client, make_initiative):
    make_initiative(title='=HYPERLINK("http://evil")', summary="+1 or @home", region="-3")
    response = client.get("/export/initiatives.csv?bom=1")
    assert response.mimetype == "text/csv"
    assert 'rel="license"' in response.headers["Link"]
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeffid,")
    assert "'=HYPERLINK" in text and "'+1 or @home" in text and ",'-3," in text
    assert not client.get("/export/initiatives.csv").data.startswith(b"\xef\xbb\xbf")


def test_bad_filters_are_refused(client):
    assert client.get("/export/initiatives.csv?sector=astrology").status_code == 400
    assert client.get("/feed.atom?year_from=x").status_code == 400


def test_text_queries_filter_exports_and_feeds(client, make_initiative):
    make_initiative(title="Neighbourhood watch with the police", country="FR")
    make_initiative(title="Parents online", summary="Young parents meet social workers.")
    body = client.get("/export/initiatives.json?q=police").get_json()
    assert [r["title"] for r in body["initiatives"]] == ["Neighbourhood watch with the police"]
    feed = client.get("/feed.atom?q=parents").get_data(as_text=True)
    assert "Parents online" in feed and "Neighbourhood watch" not in feed


def test_export_page_shows_licence_citation_and_links(client, make_initiative):
    make_initiative(country="FR")
    page = client.get("/export?country=FR").data.decode()
    assert "creativecommons.org/licenses/by/4.0" in page and "Please cite it as" in page
    assert "/export/initiatives.csv?country=FR" in page and "1 published initiative" in page
    readme = client.get("/export/README")
    assert "CC BY 4.0" in readme.data.decode() and readme.mimetype == "text/plain"


@contextmanager
def counting_loads() -> Iterator[list[int]]:
    """How many Initiative rows the ORM has turned into objects so far (SQLAlchemy's own
    `load` event), while the block runs."""
    loaded = [0]

    def count(_target, _context) -> None:
        loaded[0] += 1

    event.listen(Initiative, "load", count)
    try:
        yield loaded
    finally:
        event.remove(Initiative, "load", count)


@pytest.mark.parametrize("path", ["/export/initiatives.csv", "/export/initiatives.json"])
def test_exports_send_the_first_record_before_reading_the_last(
    client, make_initiative, monkeypatch, path
):
    """Streaming, proved: the first record reaches the client while most rows are still unread
    in the database, then the whole file arrives. Batches of 2 (instead of 500) make six
    records enough to see it."""
    monkeypatch.setattr(exporting, "BATCH", 2)
    for n in range(6):
        make_initiative(title=f"Streamed initiative {n}")
    with counting_loads() as loaded:
        response = client.get(path, buffered=False)
        assert response.is_streamed
        chunks = iter(response.response)
        received = ""
        while "Streamed initiative" not in received:
            received += next(chunks).decode()
        assert loaded[0] <= 2, f"{loaded[0]} rows read before the first record was sent"
        received += b"".join(chunks).decode()
        response.close()
        assert loaded[0] == 6
    if path.endswith(".json"):
        assert len(json.loads(received)["initiatives"]) == 6
    else:
        assert len(csv_format.read_rows(received, 100)) == 6


def test_bench_script_is_deterministic(tmp_path):
    from bench.transfer import write_csv

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_csv(a, 50)
    write_csv(b, 50)
    assert a.read_bytes() == b.read_bytes()
    assert len(read_bytes(a.read_bytes(), "csv")) == 50
    assert not importing.check(read_bytes(a.read_bytes(), "csv"))


@pytest.mark.parametrize("make", ["missing", "folder"])
def test_a_missing_file_or_a_folder_gets_one_clear_error(tmp_path, make):
    path = tmp_path / "initiatives.csv"
    if make == "folder":
        path.mkdir()
    with pytest.raises(ImportFailed, match=r"initiatives\.csv: cannot read \(") as failure:
        importing.read_file(path)
    reason = "Is a directory" if make == "folder" else "No such file or directory"
    assert reason in str(failure.value)


def test_import_is_all_or_nothing_and_idempotent_on_both_engines(any_app):
    good = {"external_id": "e-1", "title": "Both engines", "summary": "S.", "country": "FR",
            "sector": "health", "stages": ["design"], "maturity": "pilot"}  # fmt: skip
    bad = {**good, "external_id": "e-2", "country": "XX"}
    engine = engine_of(any_app)
    with pytest.raises(ImportFailed):
        run_import(engine, read_bytes(json.dumps([good, bad]).encode(), "json"))
    assert counts(any_app) == (0, 0, 0)
    first = run_import(engine, read_bytes(json.dumps([good]).encode(), "json"), publish=True)
    again = run_import(engine, read_bytes(json.dumps([good]).encode(), "json"), publish=True)
    assert len(first.created) == 1 and again.unchanged == first.created
    assert counts(any_app) == (1, 1, 1)
