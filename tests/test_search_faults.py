"""A broken search index degrades search, never the registry: read-only, deleted, being
rebuilt, or the database out of reach. Real Whoosh index folders, a real SQLite file, a real
PostgreSQL URL that nobody answers; no mocks.

Root ignores permission bits, so "read-only" is the immutable attribute (`chattr +i`) when the
tests run as root, and `chmod a-w` otherwise.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from registry import actions, create_app, initiatives, search
from registry.db import read_session, write_session
from registry.extensions import db
from registry.search import indexing, querying

from .conftest import bring_to, valid_record


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make `folder` and everything in it unwritable, even for root; undo on exit."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: cannot make a folder read-only")
        done = subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i is not supported here: {done.stderr.decode().strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)
        return
    paths = [folder, *folder.rglob("*")]
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        p.chmod(modes[p] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield
    finally:
        for p in paths:
            p.chmod(modes[p])


def total(client, **params) -> int:
    response = client.get("/api/v1/initiatives", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def assert_search_unavailable(client) -> None:
    api = client.get("/api/v1/initiatives?q=garden")
    assert api.status_code == 503
    assert api.headers["Retry-After"].isdigit()
    error = api.get_json()["error"]
    assert error["code"] == "search_unavailable" and "Search is unavailable" in error["message"]
    page = client.get("/initiatives?q=garden")
    assert page.status_code == 503 and page.headers["Retry-After"].isdigit()
    assert "Search is unavailable for a moment" in page.get_data(as_text=True)


def test_read_only_index_serves_the_last_results_and_writes_reach_the_database(
    app, client, users, api_token, make_initiative
):
    first = make_initiative(title="Community garden in Lyon")
    assert total(client, q="garden") == 1
    folder = app.extensions["search"].folder
    curator = api_token(users["curator"].email)
    with read_only(folder):
        created = client.post(
            "/api/v1/initiatives", json=valid_record(title="Second garden"), headers=curator
        )
        assert created.status_code == 201
        new_id = created.get_json()["id"]
        assert (
            client.post(f"/api/v1/initiatives/{new_id}/submit", headers=curator).status_code == 200
        )
        assert (
            client.post(f"/api/v1/initiatives/{new_id}/publish", headers=curator).status_code == 200
        )
        patched = client.patch(
            f"/api/v1/initiatives/{first}", json={"summary": "Now with bees."},
            headers={**curator, "If-Match": "3"},  # created, submitted, published
        )  # fmt: skip
        assert patched.status_code == 200
        # Search still answers from the last committed index, and the page says so.
        assert total(client, q="garden") == 1
        page = client.get("/initiatives?q=garden")
        assert page.status_code == 200
        assert "not up to date yet" in page.get_data(as_text=True)
        assert client.get(f"/initiatives/{first}", follow_redirects=True).status_code == 200
    with read_session(app.extensions["registry"].engine) as s:
        assert initiatives.get_public(s, new_id).title == "Second garden"
        assert initiatives.lookup(s, first).summary == "Now with bees."
    # Writable again: the next search catches up with everything written meanwhile.
    assert total(client, q="garden") == 2 and total(client, q="bees") == 1
    assert "not up to date yet" not in client.get("/initiatives?q=garden").get_data(as_text=True)


def test_deleted_index_is_rebuilt_from_the_change_log(app, client, make_initiative):
    for n in range(3):
        make_initiative(title=f"Garden number {n}")
    assert total(client, q="garden") == 3
    shutil.rmtree(app.extensions["search"].folder)
    make_initiative(title="Garden planted after the loss")
    assert total(client, q="garden") == 4


def test_a_lost_index_is_refilled_over_several_searches_none_of_them_long(
    app, client, make_initiative, monkeypatch
):
    """A lost index over a big catalogue used to be refilled inside one request: past a
    worker's timeout, killed, and started again by the next one."""
    for n in range(6):
        make_initiative(title=f"Garden number {n}")
    assert total(client, q="garden") == 6
    index = app.extensions["search"]
    shutil.rmtree(index.folder)
    monkeypatch.setattr(indexing, "BATCH", 2)  # two changes per batch…
    monkeypatch.setattr(querying, "CATCH_UP_BUDGET", 0)  # … and one batch per request
    applied, unavailable = [], 0
    while client.get("/api/v1/initiatives?q=garden").status_code == 503:
        unavailable += 1
        applied.append(index.applied_seq())
        assert unavailable < 50
    assert unavailable >= 3 and applied == sorted(set(applied))  # progress kept each time
    assert total(client, q="garden") == 6


def test_a_backlog_longer_than_a_request_allows_is_shown_with_a_notice(
    app, client, make_initiative, monkeypatch
):
    make_initiative(title="Garden number 0")
    assert total(client, q="garden") == 1
    for n in range(1, 6):
        make_initiative(title=f"Garden number {n}")
    monkeypatch.setattr(indexing, "BATCH", 2)
    monkeypatch.setattr(querying, "CATCH_UP_BUDGET", 0)
    page = client.get("/initiatives?q=garden")
    assert page.status_code == 200
    assert "not up to date yet" in page.get_data(as_text=True)
    assert 1 <= total(client, q="garden") < 6
    for _ in range(20):
        total(client, q="garden")
    assert total(client, q="garden") == 6
    assert "not up to date yet" not in client.get("/initiatives?q=garden").get_data(as_text=True)


def test_index_being_rebuilt_elsewhere_gives_503_not_empty_results(app, client, make_initiative):
    make_initiative(title="Garden kept safe")
    assert total(client, q="garden") == 1
    index = app.extensions["search"]
    shutil.rmtree(index.folder)
    with index.write_lock(timeout=5):  # another process starts replaying into an empty
        index.start_empty()  # generation and holds the lock while it does
        assert_search_unavailable(client)
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/vocabularies").status_code == 200
    assert total(client, q="garden") == 1


def test_index_that_cannot_be_recreated_gives_503_and_pages_still_work(
    app, client, make_initiative
):
    published = make_initiative(title="Garden on the roof")
    assert total(client, q="garden") == 1
    folder = app.extensions["search"].folder
    shutil.rmtree(folder)
    with read_only(folder.parent):  # the instance folder: the index cannot be made again
        assert_search_unavailable(client)
        page = client.get(f"/initiatives/{published}", follow_redirects=True)
        assert page.status_code == 200 and "Garden on the roof" in page.get_data(as_text=True)
    assert total(client, q="garden") == 1


def test_damaged_index_gives_503_until_rebuilt(app, client, make_initiative):
    make_initiative(title="Garden by the river")
    assert total(client, q="garden") == 1
    index = app.extensions["search"]
    generation = index.generation_dir(index.current_generation())
    for path in generation.iterdir():
        if path.suffix == ".seg" or path.name.endswith(".toc"):
            path.unlink()
    make_initiative(title="Garden by the sea")
    assert_search_unavailable(client)
    search.rebuild(index, app.extensions["registry"].engine)
    assert total(client, q="garden") == 2


def test_database_out_of_reach_gives_503_with_retry_after(tmp_path):
    app = create_app(
        {
            "instance_dir": tmp_path,
            "database_url": "postgresql://postgres@127.0.0.1:9/nowhere",
            "secret_key": "test",
            "TESTING": True,
        }
    )
    client = app.test_client()
    api = client.get("/api/v1/initiatives/1")
    assert api.status_code == 503 and api.headers["Retry-After"].isdigit()
    assert api.get_json()["error"]["code"] == "database_unavailable"
    page = client.get("/")
    assert page.status_code == 503 and page.headers["Retry-After"].isdigit()
    assert "cannot reach its database" in page.get_data(as_text=True)
    app.extensions["registry"].engine.dispose()


def test_database_back_after_an_outage_is_used_again(tmp_path, instance, make_initiative, app):
    """The same engine serves again once its database answers: nothing to restart."""
    make_initiative(title="Garden before the outage")
    engine = app.extensions["registry"].engine
    client = app.test_client()
    assert total(client, q="garden") == 1
    database = instance / "registry.sqlite3"
    moved = tmp_path / "away.sqlite3"
    engine.dispose()
    database.rename(moved)
    database.mkdir()  # a folder where the file was: every connection attempt fails
    try:
        response = client.get("/api/v1/initiatives/1")
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "database_unavailable"
    finally:
        database.rmdir()
        moved.rename(database)
    with write_session(engine) as s:
        created = actions.create(s, actions.SYSTEM, valid_record(title="Garden after the outage"))
        bring_to(s, created.id, "published", actions.SYSTEM)
    assert total(client, q="garden") == 2


@pytest.mark.postgres
def test_request_whose_database_connection_died_still_ends_cleanly(
    instance, postgres_url, postgres_server
):
    """A PostgreSQL restart can cut a request's connection after its answer is made: closing
    the request's session must not turn that answer into a server error."""
    admin, _template = postgres_server
    app = create_app(
        {"instance_dir": instance, "database_url": postgres_url, "secret_key": "t", "TESTING": True}
    )
    with app.app_context():
        session = db()
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    # Leaving the context ran the teardown on the dead connection without raising.
    assert app.test_client().get("/api/v1/initiatives/1").status_code == 404
    app.extensions["registry"].engine.dispose()
