"""The workflow actions and the sign-in throttle on SQLite and PostgreSQL: one revision and
one change per transition, pending edits kept out of the live record until published."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry import accounts, actions, initiatives
from registry.db import read_session, write_session
from registry.models import ChangeLog, Initiative, Revision

from .conftest import create_people, valid_record


def totals(engine) -> tuple[int, int]:
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Revision)),
            s.scalar(select(func.count()).select_from(ChangeLog)),
        )


@pytest.fixture
def people(engine):
    return create_people(
        engine,
        {
            "owner": ("owner@lyon.example", "submitter", "Ville de Lyon"),
            "curator": ("curator@registry.example", "curator", "Registry curators"),
        },
    )


@pytest.fixture
def published(engine, people) -> int:
    """A record of the owner's organisation, submitted and published."""
    with write_session(engine) as s:
        i = actions.create(s, people["owner"], valid_record())
        actions.submit(s, people["owner"], i.id)
        actions.publish(s, people["curator"], i.id)
        return i.id


def test_pending_edit_then_publish(engine, people, published):
    owner, curator = people["owner"], people["curator"]
    before = totals(engine)
    with write_session(engine) as s:
        actions.edit(s, owner, published, {"title": "Renamed", "stages": ["evaluate"]},
                     expected_version=3)  # fmt: skip
        actions.submit(s, owner, published)
    assert totals(engine) == (before[0] + 2, before[1] + 2)
    with read_session(engine) as s:
        live = initiatives.get_public(s, published)
        assert live.title == valid_record()["title"]
        assert live.codes("stages") == ["design", "deliver"]
        assert initiatives.to_record(live)["version"] == 1  # the public saw no change yet
        assert [q.id for q in initiatives.review_queue(s)] == [published]
        diff = {field for field, _, _ in initiatives.review_diff(s, live)}
        assert diff == {"title", "stages"}
    with write_session(engine) as s:
        actions.publish(s, curator, published)
    with read_session(engine) as s:
        live = initiatives.get_public(s, published)
        assert live.title == "Renamed" and live.codes("stages") == ["evaluate"]
        assert live.pending is None and initiatives.review_queue(s) == []
        assert initiatives.to_record(live)["version"] == 2


def test_failed_transition_writes_nothing(engine, people):
    with write_session(engine) as s:
        new_id = actions.create(s, people["owner"], valid_record(), submit=True).id
    before = totals(engine)
    with pytest.raises(actions.StaleVersion), write_session(engine) as s:
        actions.publish(s, people["curator"], new_id, expected_version=99)
    with pytest.raises(actions.ValidationFailed), write_session(engine) as s:
        actions.reject(s, people["curator"], new_id, "")
    with pytest.raises(actions.Forbidden), write_session(engine) as s:
        actions.publish(s, people["owner"], new_id)
    assert totals(engine) == before


def test_throttle_counts_in_the_shared_database(engine):
    with write_session(engine) as s:
        actions.create_user(
            s, actions.SYSTEM, "a@example.org", role="submitter", password="long enough pw"
        )
    for _ in range(accounts.MAX_FAILURES_PER_PAIR):
        assert accounts.authenticate(engine, "a@example.org", "wrong", "10.0.0.1") is None
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(engine, "A@example.org", "long enough pw", "10.0.0.1")
    # the owner, elsewhere, is not locked out by someone else's guesses (issue 20)
    assert accounts.authenticate(engine, "a@example.org", "long enough pw", "10.0.0.2")
    with write_session(engine) as s:  # another account from that address still signs in
        actions.create_user(
            s, actions.SYSTEM, "b@example.org", role="curator", password="long enough pw"
        )
    assert accounts.authenticate(engine, "b@example.org", "long enough pw", "10.0.0.1")


def test_curator_touch_up_of_an_edit_in_review_keeps_it_in_review(engine, people, published):
    owner, curator = people["owner"], people["curator"]
    with write_session(engine) as s:
        actions.edit(s, owner, published, {"title": "Proposed"}, expected_version=None)
        actions.submit(s, owner, published)
        actions.edit(s, curator, published, {"summary": "Tidied"}, expected_version=None)
    with read_session(engine) as s:
        i = s.get(Initiative, published)
        assert (i.title, i.pending["title"], i.pending["summary"]) == (
            valid_record()["title"],
            "Proposed",
            "Tidied",
        )
        assert i.pending_status == "submitted"


def test_a_deleted_record_comes_back_as_a_draft_from_its_history(engine, people, published):
    owner, curator = people["owner"], people["curator"]
    with write_session(engine) as s:
        actions.edit(s, curator, published, {"title": "Second title"}, expected_version=None)
        actions.delete(s, curator, published)
    with write_session(engine) as s:
        assert initiatives.claimed_slugs(s, f"org:{owner.organisation_id}") == set()
        restored = actions.restore(s, curator, published, 3)  # as first published
        assert (restored.status, restored.title) == ("draft", valid_record()["title"])
    with read_session(engine) as s:
        last = s.scalars(select(Revision).order_by(Revision.number.desc())).first()
        assert (last.action, last.note, last.changes) == ("restore", "3", ["title"])
        assert initiatives.claimed_slugs(s, f"org:{owner.organisation_id}") == {restored.slug}
