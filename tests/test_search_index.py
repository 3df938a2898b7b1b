"""The index follows the database: catch-up after a crash, rebuild swap, drift check, and
several processes writing and searching one index folder at once."""

from __future__ import annotations

import multiprocessing
import random
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.datastructures import MultiDict

from registry import actions, create_app, search
from registry.cli import main
from registry.db import read_session, write_session
from registry.filters import parse_filters
from registry.search import indexing
from registry.search.store import IndexBusy, SearchIndex, write_seq

from .conftest import _app, bring_to, valid_record


def total(client, **params) -> int:
    response = client.get("/api/v1/initiatives", query_string=params)
    assert response.status_code == 200
    return response.get_json()["total"]


def test_commit_without_indexing_is_found_by_the_next_search(app, client, make_initiative):
    make_initiative(title="Before the crash")
    assert total(client, q="crash") == 1
    # A write committed by a process that died before touching the index:
    make_initiative(title="Nightingale committed then lost")
    # A fresh process (new handle on the same folder) catches up before searching.
    app.extensions["search"] = SearchIndex(app.extensions["search"].folder)
    assert total(client, q="nightingale") == 1 and total(client) == 2


def test_changes_applied_twice_leave_no_duplicates(app, client, make_initiative):
    for n in range(3):
        make_initiative(title=f"Garden {n}")
    assert total(client, q="garden") == 3
    index = app.extensions["search"]
    # The index committed but the process died before recording the sequence number.
    write_seq(index.generation_dir(index.current_generation()), 0)
    assert total(client, q="garden") == 3
    assert index.applied_seq() == 9  # each record's creation, submission and publication


def test_a_record_changed_again_within_one_catch_up_is_indexed_once(
    app, client, make_initiative, monkeypatch
):
    """Whoosh replaces committed documents only: an initiative written twice before a commit
    was in the index twice, or stayed in it (and in facet counts) once withdrawn."""
    engine = app.extensions["registry"].engine
    monkeypatch.setattr(indexing, "BATCH", 2)
    kept = make_initiative(title="Orchard kept", country="NO")
    gone = make_initiative(title="Orchard withdrawn", country="IS")
    for n in range(3):  # changes in between, so the next ones fall in later batches
        make_initiative(title=f"Filler {n}", country="FI")
    with write_session(engine) as session:
        actions.edit(session, actions.SYSTEM, kept, {"title": "Orchard renamed"},
                     expected_version=None)  # fmt: skip
        actions.withdraw(session, actions.SYSTEM, gone)
    shutil.rmtree(app.extensions["search"].folder, ignore_errors=True)  # replayed from seq 0
    body = client.get("/api/v1/initiatives", query_string={"q": "orchard"}).get_json()
    assert [r["title"] for r in body["results"]] == ["Orchard renamed"]
    assert body["total"] == 1 and body["facets"]["country"] == {"NO": 1}
    with read_session(engine) as session:
        drift = search.check(app.extensions["search"], session)
    assert drift.clean, drift


def test_edit_is_visible_at_the_next_search(app, client, make_initiative):
    record = make_initiative(title="Old name for the garden")
    assert total(client, q="old") == 1
    with write_session(app.extensions["registry"].engine) as session:
        actions.edit(session, actions.SYSTEM, record, {"title": "New name"}, expected_version=3)
    assert total(client, q="old") == 0 and total(client, q="new") == 1


def test_search_follows_the_change_log_on_either_database(any_app, make_initiative):
    client = any_app.test_client()
    record = make_initiative(title="Lighthouse keepers", target=any_app)
    make_initiative(status="draft", title="Lighthouse draft", target=any_app)
    assert total(client, q="lighthouse") == 1
    with write_session(any_app.extensions["registry"].engine) as session:
        actions.withdraw(session, actions.SYSTEM, record)
    assert total(client, q="lighthouse") == 0
    with read_session(any_app.extensions["registry"].engine) as session:
        assert search.check(any_app.extensions["search"], session).clean


def test_rebuild_swaps_atomically_while_searches_go_on(app, client, make_initiative):
    """Searches run while the new generation is being written (the rebuild waits for one to
    complete in the middle of its work, so the overlap is certain), and after the swap."""
    for n in range(30):
        make_initiative(title=f"Rebuilt garden {n}")
    assert total(client, q="garden") == 30
    index = app.extensions["search"]
    before = index.current_generation()
    errors: list[BaseException] = []
    totals: list[int] = []
    done = threading.Event()
    rebuilding = threading.Event()  # the new generation has documents, not yet swapped in
    searched_meanwhile = threading.Event()
    swapped = threading.Event()
    searched_after = threading.Event()

    def searching():
        other = app.test_client()
        while not done.is_set():
            during, after = rebuilding.is_set(), swapped.is_set()
            try:
                totals.append(total(other, q="garden"))
            except BaseException as exc:
                errors.append(exc)
            if during:
                searched_meanwhile.set()
            if after:
                searched_after.set()

    def progress(count: int) -> None:  # called by the rebuild after each batch
        rebuilding.set()
        assert searched_meanwhile.wait(timeout=30), "no search ran during the rebuild"
        assert index.current_generation() == before

    reader = threading.Thread(target=searching)
    reader.start()
    try:
        count = search.rebuild(index, app.extensions["registry"].engine, progress=progress)
        swapped.set()
        assert searched_after.wait(timeout=30), "no search ran on the new generation"
    finally:
        done.set()
        reader.join()
    assert count == 30 and not errors and set(totals) == {30}
    assert index.current_generation() != before
    assert total(client, q="garden") == 30
    gens = sorted(p.name for p in index.folder.iterdir() if p.name.startswith("gen-"))
    assert len(gens) == 2  # the new one and the previous one, still open by old searchers


def test_cli_check_reports_drift_and_exits_1(cli_env, app, make_initiative):
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    kept = make_initiative(title="Kept")
    edited = make_initiative(title="Edited")
    gone = make_initiative(title="Withdrawn later")
    assert runner.invoke(main, ["index", "catch-up"]).exit_code == 0
    clean = runner.invoke(main, ["index", "check"])
    assert clean.exit_code == 0 and "agree" in clean.output

    missing = make_initiative(title="Never indexed")
    engine = app.extensions["registry"].engine
    with write_session(engine) as session:
        actions.edit(session, actions.SYSTEM, edited, {"title": "Edited again"},
                     expected_version=3)  # fmt: skip
        actions.withdraw(session, actions.SYSTEM, gone)
    drift = runner.invoke(main, ["index", "check"])
    assert drift.exit_code == 1
    assert f"missing from the index: {missing}" in drift.output
    assert f"version differs): {edited}" in drift.output
    assert f"not published: {gone}" in drift.output
    assert str(kept) not in drift.output.replace(str(missing), "")
    assert runner.invoke(main, ["index", "rebuild"]).exit_code == 0
    assert runner.invoke(main, ["index", "check"]).exit_code == 0


def test_init_rebuilds_an_index_made_by_an_earlier_version_and_builds_a_missing_one(
    cli_env, app, make_initiative
):
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    make_initiative(title="Kept across versions")
    index = app.extensions["search"]
    (index.generation_dir(index.current_generation()) / "format").unlink()  # as before FORMAT
    before = runner.invoke(main, ["index", "check"])
    assert before.exit_code == 1 and "made by an earlier version" in before.output
    upgraded = runner.invoke(main, ["init"])
    assert upgraded.exit_code == 0 and "rebuilt for this version (1 published" in upgraded.output
    assert index.format() == search.FORMAT
    assert runner.invoke(main, ["index", "check"]).exit_code == 0
    shutil.rmtree(index.folder)  # a new server, or a lost index: built in bulk, not replayed
    built = runner.invoke(main, ["init"])
    assert built.exit_code == 0 and "search index built (1 published" in built.output
    assert runner.invoke(main, ["index", "check"]).exit_code == 0


def _worker(instance: str, worker: int, rounds: int, queue) -> None:
    """One process: writes through the service layer and searches, like a web worker."""
    folder = Path(instance)
    app = create_app(
        {
            "instance_dir": folder,
            "database_url": f"sqlite:///{folder / 'registry.sqlite3'}",
            "index_dir": folder / "index",
            "secret_key": "test",
        }
    )
    engine = app.extensions["registry"].engine
    index = app.extensions["search"]
    problems = []
    try:
        for n in range(rounds):
            with write_session(engine) as session:
                record = actions.create(
                    session, actions.SYSTEM, valid_record(title=f"Worker{worker} garden {n}")
                )
                bring_to(session, record.id, "published", actions.SYSTEM)
                record_id, version = record.id, record.version
            if n % 3 == 0:
                with write_session(engine) as session:
                    actions.edit(session, actions.SYSTEM, record_id,
                                 {"summary": f"Edited by worker {worker}"},
                                 expected_version=version)  # fmt: skip
            with read_session(engine) as session:
                search.search(index, session, parse_filters(MultiDict({"q": "garden"})))
    except BaseException as exc:
        problems.append(repr(exc))
    queue.put(problems)
    engine.dispose()


@pytest.mark.slow
def test_processes_writing_and_searching_at_once_agree_with_the_database(app, instance):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_worker, args=(str(instance), w, 12, queue)) for w in range(3)
    ]
    for p in workers:
        p.start()
    results = [queue.get(timeout=120) for _ in workers]
    for p in workers:
        p.join(timeout=60)
    assert results == [[], [], []]
    engine = app.extensions["registry"].engine
    index = app.extensions["search"]
    with read_session(engine) as session:
        search.catch_up(index, session, timeout=10)
        assert search.check(index, session).clean
        found = search.search(index, session, parse_filters(MultiDict({"q": "garden"})))
    assert found.total == 36


def test_two_indexes_with_the_same_segment_names_keep_their_own_arrays(
    tmp_path, sqlite_template, make_initiative
):
    """Whoosh names segments with `random`, which hypothesis seeds: two indexes in one process
    can then hold segments of the same name. The per-segment array cache must not mix them."""
    for n in (1, 3):
        folder = tmp_path / f"instance-{n}"
        folder.mkdir()
        shutil.copy(sqlite_template, folder / "registry.sqlite3")
        app = _app(folder, f"sqlite:///{folder / 'registry.sqlite3'}")
        for k in range(n):
            make_initiative(target=app, title=f"Record {k} of {n}")
        random.seed(0)  # the same segment names in both indexes
        body = app.test_client().get("/api/v1/initiatives?sort=title").get_json()
        assert [r["title"] for r in body["results"]] == [f"Record {k} of {n}" for k in range(n)]
        app.extensions["registry"].engine.dispose()


def test_the_write_lock_outlives_the_index_folder(tmp_path):
    """A lock inside the folder went with it: a process still holding it and one holding the
    new folder's lock then wrote into the same new index (lost and stale records)."""
    holder, other = SearchIndex(tmp_path / "index"), SearchIndex(tmp_path / "index")
    with holder.write_lock(timeout=1):
        shutil.rmtree(holder.folder)
        with pytest.raises(IndexBusy), other.write_lock(timeout=0.1):
            pass
    with other.write_lock(timeout=0.1):
        assert other.folder.is_dir()
