"""The workflow service and the sign-in throttle on SQLite and PostgreSQL: one revision and
one change per transition, pending edits kept out of the live record."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry import accounts, initiatives
from registry.db import read_session, write_session
from registry.models import ChangeLog, Revision

from .conftest import valid_record


def totals(engine) -> tuple[int, int]:
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Revision)),
            s.scalar(select(func.count()).select_from(ChangeLog)),
        )


def test_pending_edit_then_publish(engine):
    with write_session(engine) as s:
        i = initiatives.create(s, valid_record())
        initiatives.submit(s, i)
        initiatives.publish(s, i)
        new_id = i.id
    before = totals(engine)
    with write_session(engine) as s:
        i = initiatives.get(s, new_id)
        initiatives.edit(s, i, {"title": "Renamed", "stages": ["evaluate"]}, expected_version=3)
        initiatives.submit(s, i)
    assert totals(engine) == (before[0] + 2, before[1] + 2)
    with read_session(engine) as s:
        live = initiatives.get_public(s, new_id)
        assert live.title == valid_record()["title"] and live.codes("stages") == [
            "design",
            "deliver",
        ]
        assert [q.id for q in initiatives.review_queue(s)] == [new_id]
        diff = {field for field, _, _ in initiatives.review_diff(s, live)}
        assert diff == {"title", "stages"}
    with write_session(engine) as s:
        initiatives.publish(s, initiatives.get(s, new_id))
    with read_session(engine) as s:
        live = initiatives.get_public(s, new_id)
        assert live.title == "Renamed" and live.codes("stages") == ["evaluate"]
        assert live.pending is None and initiatives.review_queue(s) == []


def test_failed_transition_writes_nothing(engine):
    with write_session(engine) as s:
        i = initiatives.create(s, valid_record(), status="submitted")
        new_id = i.id
    before = totals(engine)
    with pytest.raises(initiatives.StaleVersion), write_session(engine) as s:
        initiatives.publish(s, initiatives.get(s, new_id), expected_version=99)
    with pytest.raises(initiatives.ValidationFailed), write_session(engine) as s:
        initiatives.reject(s, initiatives.get(s, new_id), "")
    assert totals(engine) == before


def test_throttle_counts_in_the_shared_database(engine):
    with write_session(engine) as s:
        accounts.create_user(s, "a@example.org", role="submitter", password="long enough pw")
    for _ in range(accounts.MAX_FAILURES_PER_PAIR):
        assert accounts.authenticate(engine, "a@example.org", "wrong", "10.0.0.1") is None
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(engine, "A@example.org", "long enough pw", "10.0.0.1")
    # the owner, elsewhere, is not locked out by someone else's guesses (issue 20)
    assert accounts.authenticate(engine, "a@example.org", "long enough pw", "10.0.0.2")
    with write_session(engine) as s:  # another account from that address still signs in
        accounts.create_user(s, "b@example.org", role="curator", password="long enough pw")
    assert accounts.authenticate(engine, "b@example.org", "long enough pw", "10.0.0.1")


def test_curator_touch_up_of_an_edit_in_review_keeps_it_in_review(engine):
    with write_session(engine) as s:
        i = initiatives.create(s, valid_record(), status="published")
        initiatives.edit(s, i, {"title": "Proposed"}, expected_version=None)
        initiatives.submit(s, i)
        initiatives.edit(s, i, {"summary": "Tidied"}, expected_version=None, direct=True)
        assert (i.title, i.pending["title"], i.pending["summary"]) == (
            valid_record()["title"],
            "Proposed",
            "Tidied",
        )
        assert i.pending_status == "submitted"
