"""The index follower: edits become searchable with no request, searches never write, and a
follower that dies is restarted and logged."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from registry import search
from registry.db import read_session
from registry.filters import parse_filters
from registry.search import follower as follower_module

DEADLINE = 3.0  # seconds; the follower looks every 0.2 s (about 1 s measured at worst)


@pytest.fixture
def followed(app):
    """The app with its follower running (as under `registry serve`), stopped afterwards."""
    index = app.extensions["search"]
    engine = app.extensions["registry"].engine
    running = follower_module.start(index, engine, interval=0.05)
    yield app, running
    running.stop()


def _found(app, word: str) -> list[int]:
    index = app.extensions["search"]
    with read_session(app.extensions["registry"].engine) as session:
        try:
            result = search.search(index, session, parse_filters(MultiDict({"q": word})))
        except search.SearchUnavailable:
            return []
        return [h.initiative.id for h in result.hits]


def _poll(predicate, deadline: float = DEADLINE) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > deadline:
            raise AssertionError(f"not true within {deadline} s")
        time.sleep(0.02)
    return time.monotonic() - started


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_an_edit_becomes_searchable_with_no_request(followed, make_initiative):
    app, _ = followed
    initiative_id = make_initiative(title="Beekeepers and schools share the hives")
    waited = _poll(lambda: initiative_id in _found(app, "beekeepers"))
    assert waited < DEADLINE


def test_a_search_request_writes_nothing_and_says_the_index_is_behind(
    followed, client, make_initiative
):
    app, running = followed
    first = make_initiative(title="Orchard keepers plant with the town")
    _poll(lambda: first in _found(app, "orchard"))
    running.stop()  # the follower stays attached: searches only read, even when it lags
    later = make_initiative(title="Orchard growers sell together")
    folder = app.extensions["search"].folder
    before = _files(folder.parent)
    statements: list[str] = []
    engine = app.extensions["registry"].engine

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        page = client.get("/initiatives?q=orchard")
        answer = client.get("/api/v1/initiatives?q=orchard")
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert page.status_code == 200 and answer.status_code == 200
    assert "not up to date" in page.get_data(as_text=True)
    body = answer.get_json()
    assert body["index_behind"] is True
    assert [r["id"] for r in body["results"]] == [first]  # `later` waits for the follower
    writes = [
        s for s in statements
        if s.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP")
        or "IMMEDIATE" in s.upper()
    ]  # fmt: skip
    assert statements and writes == []
    assert _files(folder.parent) == before
    assert later not in _found(app, "orchard")


def test_the_api_says_the_index_is_current(followed, client, make_initiative):
    app, _ = followed
    initiative_id = make_initiative(title="Repair cafés run by neighbours")
    _poll(lambda: initiative_id in _found(app, "repair"))
    assert client.get("/api/v1/initiatives?q=repair").get_json()["index_behind"] is False


def test_a_follower_that_dies_is_restarted_and_logged(app, make_initiative, monkeypatch, caplog):
    monkeypatch.setattr(follower_module, "WATCH", 0.05)
    monkeypatch.setattr(follower_module, "RESTART_AFTER", (0.05,))
    original = follower_module.Follower.step
    failures = []

    def failing_once(self):
        if not failures:
            failures.append(1)
            raise RuntimeError("disk on fire")
        return original(self)

    monkeypatch.setattr(follower_module.Follower, "step", failing_once)
    index = app.extensions["search"]
    caplog.set_level(logging.WARNING, logger=follower_module.__name__)
    running = follower_module.start(index, app.extensions["registry"].engine, interval=0.05)
    try:
        initiative_id = make_initiative(title="Allotments given to tenants")
        _poll(lambda: initiative_id in _found(app, "allotments"))
        assert running.restarts == 1 and running.alive
        logged = caplog.text
        assert "the search index follower stopped: disk on fire" in logged
        assert "restarting the search index follower" in logged
    finally:
        running.stop()


def test_drift_is_still_reported_beside_a_follower(followed, make_initiative):
    app, running = followed
    initiative_id = make_initiative(title="Walking buses to school")
    _poll(lambda: initiative_id in _found(app, "walking"))
    running.stop()
    make_initiative(title="Night buses with volunteers")
    with read_session(app.extensions["registry"].engine) as session:
        drift = search.check(app.extensions["search"], session)
    assert len(drift.missing) == 1 and not drift.clean
