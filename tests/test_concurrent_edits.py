"""Two writers with the same version at the same moment: exactly one wins, the other gets 409.

Real threads on a real SQLite file and on a real PostgreSQL database. On PostgreSQL the
version check only holds because the write path locks the row (SELECT … FOR UPDATE): without
it both transactions read the old version and both succeed, one silently undoing the other.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, func, select, text

from registry import actions
from registry.db import is_sqlite, read_session, write_session
from registry.models import Initiative, Revision

from .conftest import bring_to, create_people, valid_record

ROUNDS = 8


def _curator_token(app) -> dict[str, str]:
    engine = app.extensions["registry"].engine
    create_people(engine, {"curator": ("cur@registry.example", "curator", "C")})
    with write_session(engine) as s:
        token = actions.create_token(s, actions.SYSTEM, for_email="cur@registry.example")
    return {"Authorization": f"Bearer {token}"}


def _published(app) -> int:
    with write_session(app.extensions["registry"].engine) as s:
        initiative = actions.create(s, actions.SYSTEM, valid_record())
        bring_to(s, initiative.id, "published", actions.SYSTEM)
        return initiative.id


def _revisions(app, initiative_id: int) -> int:
    with read_session(app.extensions["registry"].engine) as s:
        return s.scalar(
            select(func.count())
            .select_from(Revision)
            .where(Revision.initiative_id == initiative_id)
        )


def _race(send, app) -> dict[str, int]:
    """Status codes of `send(client, name)` run by two threads released at the same moment."""
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def run(name: str) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[name] = send(client, name).status_code

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def test_two_patches_with_one_version_one_wins(any_app):
    headers = _curator_token(any_app)
    initiative_id = _published(any_app)
    path = f"/api/v1/initiatives/{initiative_id}"
    version = any_app.test_client().get(path, headers=headers).get_json()["version"]
    for round_ in range(ROUNDS):
        statuses = _race(
            lambda client, name, r=round_, v=version: client.patch(
                path,
                json={"summary": f"Written by {name} in round {r}."},
                headers={**headers, "If-Match": str(v)},
            ),
            any_app,
        )
        assert sorted(statuses.values()) == [200, 409], (round_, statuses)
        record = any_app.test_client().get(path, headers=headers).get_json()
        assert record["version"] == version + 1
        winner = next(n for n, s in statuses.items() if s == 200)
        assert record["summary"] == f"Written by {winner} in round {round_}."
        version = record["version"]
    # The creation, its submission and publication, then one per round.
    assert _revisions(any_app, initiative_id) == 3 + ROUNDS


def _waiting_on_a_lock(engine, backend_pid: int) -> bool:
    """Whether that PostgreSQL backend is blocked on a lock (row, table or advisory)."""
    with engine.connect() as conn:
        kind = conn.execute(
            text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
            {"pid": backend_pid},
        ).scalar()
    return kind == "Lock"


def test_a_writer_waiting_for_the_row_sees_the_new_version(any_app):
    """Certain interleaving, on both engines: A locks and changes the row, then keeps its
    transaction open until B is waiting for that row inside the database; only then does A
    commit. B, which expected the same version, must fail.

    B waits at its first statement on SQLite (BEGIN IMMEDIATE cannot return while A holds the
    write lock); on PostgreSQL, pg_stat_activity shows B's backend waiting on a lock.
    """
    engine = any_app.extensions["registry"].engine
    initiative_id = _published(any_app)
    a_has_written, b_has_sent = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}
    b_backend: list[int] = []

    def b_statement(conn, _cursor, _statement, _params, _context, _many) -> None:
        if threading.current_thread().name == "B" and not b_has_sent.is_set():
            if not is_sqlite(engine):
                b_backend.append(conn.connection.dbapi_connection.info.backend_pid)
            b_has_sent.set()

    def b_is_waiting() -> bool:
        if not b_has_sent.wait(30):
            return False
        if is_sqlite(engine):
            return True
        deadline = time.monotonic() + 30
        while not _waiting_on_a_lock(engine, b_backend[0]):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)  # polling what the server reports, not guessing a delay
        return True

    def writer_a() -> None:
        with write_session(engine) as s:
            actions.edit(s, actions.SYSTEM, initiative_id, {"summary": "From A."},
                         expected_version=3)  # fmt: skip
            a_has_written.set()
            outcome["b waited"] = b_is_waiting()  # then A commits, and only then
        outcome["a"] = "ok"

    def writer_b() -> None:
        a_has_written.wait(30)
        try:
            with write_session(engine) as s:
                actions.edit(s, actions.SYSTEM, initiative_id, {"summary": "From B."},
                             expected_version=3)  # fmt: skip
            outcome["b"] = "ok"
        except actions.StaleVersion as exc:
            outcome["b"] = exc.current

    event.listen(engine, "before_cursor_execute", b_statement)
    try:
        threads = [
            threading.Thread(target=writer_a, name="A"),
            threading.Thread(target=writer_b, name="B"),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
    finally:
        event.remove(engine, "before_cursor_execute", b_statement)
    assert outcome == {"b waited": True, "a": "ok", "b": 4}
    with read_session(engine) as s:
        assert s.get(Initiative, initiative_id).summary == "From A."


@pytest.mark.parametrize("action", ["publish", "withdraw"])
def test_two_transitions_with_one_version_one_wins(any_app, action):
    headers = _curator_token(any_app)
    with write_session(any_app.extensions["registry"].engine) as s:
        initiative = actions.create(s, actions.SYSTEM, valid_record(), submit=True)
        initiative_id, version = initiative.id, initiative.version
    statuses = list(
        _race(
            lambda client, _name: client.post(
                f"/api/v1/initiatives/{initiative_id}/{action}",
                headers={**headers, "If-Match": str(version)},
            ),
            any_app,
        ).values()
    )
    # The loser is refused (409 for the version, or 403: the state no longer allows it).
    assert sorted(statuses)[0] == 200 and sorted(statuses)[1] in (403, 409), statuses
    assert _revisions(any_app, initiative_id) == 2  # the creation, then the winner
