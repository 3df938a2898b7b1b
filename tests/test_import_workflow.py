"""Imports go through the workflow, and slugs and external ids are claimed per owner: the
data-loss paths of the first version, as regression tests, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from registry import actions, initiatives
from registry.db import read_session, write_session
from registry.models import ChangeLog, Initiative, Revision
from registry.transfer.importing import ImportFailed, Row

from .conftest import create_people, run_import, valid_record

LYON = "Ville de Lyon"


@pytest.fixture
def people(engine):
    return create_people(
        engine,
        {
            "owner": ("owner@lyon.example", "submitter", LYON),
            "colleague": ("colleague@lyon.example", "submitter", LYON),
            "stranger": ("sub@wien.example", "submitter", "Stadt Wien"),
            "curator": ("cur@registry.example", "curator", "Registry curators"),
        },
    )


def footprint(engine) -> tuple[int, int, int]:
    with read_session(engine) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t)) for t in (Initiative, Revision, ChangeLog)
        )


def published_with_waiting_edit(engine, people) -> int:
    """Lyon's published record, with an edit of its owner submitted for review."""
    owner, curator = people["owner"], people["curator"]
    with write_session(engine) as s:
        i = actions.create(s, owner, valid_record(external_id="LY-1")).id
        actions.submit(s, owner, i)
        actions.publish(s, curator, i)
        actions.edit(s, owner, i, {"summary": "The owner's better summary."}, expected_version=None)
        actions.submit(s, owner, i)
    return i


def row_for(engine, record_id: int, **changes) -> Row:
    """A row as an export of the published record would give it, with `changes`."""
    with read_session(engine) as s:
        record = initiatives.to_record(s.get(Initiative, record_id))
    fields = {k: record[k] for k in initiatives.EDITABLE}
    return Row("row 2", {**fields, **changes}, organisation=record["organisation"],
               version=record["version"])  # fmt: skip


def test_an_import_never_overwrites_an_edit_waiting_for_review(engine, people):
    """Scenario 1: an import corrected the live title, then publishing the waiting edit
    silently undid the correction."""
    record = published_with_waiting_edit(engine, people)
    before = footprint(engine)
    with pytest.raises(ImportFailed) as caught:
        run_import(engine, [row_for(engine, record, title="Corrected title")], people["curator"])
    assert "edit waiting" in caught.value.problems[0].message
    assert footprint(engine) == before

    # Chosen explicitly, the file's row replaces the waiting edit, and the history says so.
    run_import(
        engine, [row_for(engine, record, title="Corrected title")], people["curator"],
        replace_pending=True, source="fixes.csv",
    )  # fmt: skip
    with write_session(engine) as s:
        actions.publish(s, people["curator"], record)
    with read_session(engine) as s:
        live = s.get(Initiative, record)
        assert live.title == "Corrected title" and live.pending is None
        notes = [r.note for r in initiatives.revisions(s, live)]
        snapshots = [r.snapshot for r in initiatives.revisions(s, live)]
    assert "fixes.csv, replacing the edit waiting at version 5" in notes
    assert any((p or {}).get("summary") == "The owner's better summary." for p in
               (snap.get("pending") for snap in snapshots))  # fmt: skip


def test_an_import_never_changes_or_publishes_another_organisations_draft(engine, people):
    """Scenario 2: a curator's import, matched on external_id, overwrote and published
    another organisation's draft that was never submitted."""
    with write_session(engine) as s:
        draft = actions.create(s, people["owner"], valid_record(external_id="FR-001")).id
    before = footprint(engine)
    row = Row("row 2", valid_record(external_id="FR-001", title="Imported over it"),
              organisation=LYON)  # fmt: skip
    with pytest.raises(ImportFailed) as caught:
        run_import(engine, [row], people["curator"], publish=True)
    assert "only the initiative's owners can submit it" in caught.value.problems[0].message
    assert footprint(engine) == before

    # Without naming Lyon, the same external id is another owner's: reported, never merged.
    summary = run_import(engine, [Row("row 2", row.record)], people["curator"], publish=True)
    assert len(summary.created) == 1 and summary.notices[0].field == "external_id"
    with read_session(engine) as s:
        mine = s.get(Initiative, draft)
        assert (mine.status, mine.title) == ("draft", valid_record()["title"])


def test_an_import_without_publishing_leaves_the_live_fields_to_review(engine, people):
    with write_session(engine) as s:
        i = actions.create(s, people["owner"], valid_record(external_id="LY-2")).id
        actions.submit(s, people["owner"], i)
        actions.publish(s, people["curator"], i)
    run_import(engine, [row_for(engine, i, title="Proposed by the file")], people["curator"])
    with read_session(engine) as s:
        record = s.get(Initiative, i)
        assert record.title == valid_record()["title"]  # the public sees no change yet
        assert actions.state_of(record) == actions.State.EDIT_SUBMITTED
        assert record.pending["title"] == "Proposed by the file"


def test_an_edit_waiting_for_review_keeps_its_slug_and_external_id(engine, people):
    """Scenario 3: a pending edit did not reserve its values; another record took them, then
    publishing the edit answered 409 and withdrawing the record answered 500."""
    owner, colleague, stranger = people["owner"], people["colleague"], people["stranger"]
    record = published_with_waiting_edit(engine, people)
    with write_session(engine) as s:
        actions.withdraw(s, owner, record)  # the edit goes back to its owner
        actions.edit(s, owner, record, {"slug": "kept-for-the-edit", "external_id": "LY-NEW"},
                     expected_version=None)  # fmt: skip
    for field, value in (("slug", "kept-for-the-edit"), ("external_id", "LY-NEW")):
        with pytest.raises(actions.Conflict) as caught, write_session(engine) as s:
            actions.create(s, colleague, valid_record(**{field: value}))
        assert caught.value.field == field
    with write_session(engine) as s:  # another organisation's records are another scope
        other = actions.create(s, stranger, valid_record(slug="kept-for-the-edit")).slug
    assert other == "kept-for-the-edit"
    with write_session(engine) as s:
        actions.withdraw(s, owner, record)  # off the catalogue: the edit becomes the record
    with read_session(engine) as s:
        withdrawn = s.get(Initiative, record)
        assert (withdrawn.status, withdrawn.slug, withdrawn.external_id) == (
            "withdrawn", "kept-for-the-edit", "LY-NEW")  # fmt: skip


def test_taken_values_tell_nothing_about_other_organisations(engine, people):
    """No existence oracle: another organisation's draft or deleted record changes neither the
    slug a new record gets nor any message."""
    owner, stranger = people["owner"], people["stranger"]
    with write_session(engine) as s:
        hidden = actions.create(
            s, stranger, valid_record(title="Secret programme", external_id="X")
        )
        actions.create(s, stranger, valid_record(title="Secret programme"))
        actions.delete(s, stranger, hidden.id)
    with write_session(engine) as s:
        mine = actions.create(s, owner, valid_record(title="Secret programme", external_id="X"))
        again = actions.create(s, owner, valid_record(title="Secret programme"))
        slugs = (mine.slug, again.slug)
    assert slugs == ("secret-programme", "secret-programme-2")


def test_concurrent_import_and_publish_of_one_record_one_wins_nothing_lost(engine, people):
    """Real threads: a curator publishes the waiting edit while another imports a file that
    replaces it. One wins; the other is refused with a clear conflict; both texts survive."""
    record = published_with_waiting_edit(engine, people)
    with read_session(engine) as s:
        version = s.get(Initiative, record).version
    row = row_for(engine, record, title="From the file")
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def publish() -> None:
        barrier.wait()
        try:
            with write_session(engine) as s:
                actions.publish(s, people["curator"], record, expected_version=version)
            outcome["publish"] = "ok"
        except actions.StaleVersion:
            outcome["publish"] = "conflict"

    def import_file() -> None:
        barrier.wait()
        try:
            run_import(engine, [row], people["curator"], replace_pending=True)
            outcome["import"] = "ok"
        except ImportFailed as exc:
            assert "published again since this file was exported" in exc.problems[0].message
            outcome["import"] = "conflict"

    threads = [threading.Thread(target=publish), threading.Thread(target=import_file)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcome.values()) == ["conflict", "ok"], outcome
    with read_session(engine) as s:
        live = s.get(Initiative, record)
        texts = {str(r.snapshot) for r in initiatives.revisions(s, live)}
        assert any("The owner's better summary." in t for t in texts)
        if outcome["publish"] == "ok":
            assert live.summary == "The owner's better summary." and live.pending is None
        else:
            assert live.pending["title"] == "From the file"
            assert live.pending_status == "submitted"


def test_two_records_claiming_one_slug_at_once_get_a_conflict_never_an_error(engine, people):
    """Both claims pass the check before either commits: the unique constraint decides, and
    the loser is told the value is taken, as a check would have told it."""
    owner, colleague = people["owner"], people["colleague"]
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def claim(who) -> None:
        barrier.wait()
        try:
            with write_session(engine) as s:
                actions.create(s, who, valid_record(slug="one-slug"))
            outcome[who.email] = "created"
        except actions.Conflict as exc:
            outcome[who.email] = exc.field

    threads = [threading.Thread(target=claim, args=(p,)) for p in (owner, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcome.values()) == ["created", "slug"], outcome
