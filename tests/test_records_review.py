"""Links and translations of a published record proposed by its owners wait for a curator, as an
edit does (issue 16): nothing waiting shows on public pages, in search, in the API or in
exports; the owners' page and the review desk show it; publishing makes it live, deleting the
record drops it, and a curator's own change is live at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from registry import actions
from registry.db import read_session, write_session
from registry.models import Initiative, InitiativeLink, InitiativeTranslation

from .test_records_translations import FRENCH
from .test_transfer import engine_of

SECRET = "Zanzibarquette"  # a word only the waiting translation holds


@pytest.fixture
def proposal(app, users, make_owned) -> dict[str, int]:
    """Two published records of the owner; the owner links one to the other and translates it:
    both changes wait with the record's edit."""
    ids = {
        "pilot": make_owned(users["submitter"], "published", title="Pilot walks"),
        "programme": make_owned(users["submitter"], "published", title="Citywide walks"),
    }
    with write_session(engine_of(app)) as s:
        actions.link_records(s, users["submitter"], ids["pilot"], ids["programme"],
                             "mainstreamed_as")  # fmt: skip
        actions.translate_record(s, users["submitter"], ids["pilot"], "fr",
                                 {**FRENCH, "title": f"Marches {SECRET}"})  # fmt: skip
    return ids


def _public_views(client, ids) -> str:
    """What anyone can read about the records: pages in both languages, the API, the exports and
    the feed (search answers echo the query: they are checked by their results)."""
    pilot, programme = ids["pilot"], ids["programme"]
    parts = []
    for language in ("en", "fr"):
        for record in (pilot, programme):
            page = client.get(f"/initiatives/{record}/x", follow_redirects=True,
                              headers={"Accept-Language": language})  # fmt: skip
            parts.append(page.get_data(as_text=True))
    for path in (f"/api/v1/initiatives/{pilot}/links", f"/api/v1/initiatives/{programme}/links",
                 f"/api/v1/initiatives/{pilot}/translations",
                 "/export/initiatives.json", "/export/initiatives.csv", "/feed.atom",
                 "/export/initiatives.json?link=mainstreamed_as"):  # fmt: skip
        parts.append(client.get(path).get_data(as_text=True))
    return "\n".join(parts)


def test_nothing_waiting_shows_to_the_public(app, client, users, proposal):
    seen = _public_views(client, proposal)
    assert SECRET not in seen
    assert "Pilot mainstreamed as" not in seen and "Mainstreamed from the pilot" not in seen
    assert '"links": [{' not in seen and "mainstreamed_as:" not in seen
    assert client.get(f"/api/v1/initiatives/{proposal['pilot']}/translations/fr").status_code == 404
    for query in ({"link": "mainstreamed_as"}, {"q": SECRET}):
        assert client.get("/api/v1/initiatives", query_string=query).get_json()["total"] == 0
        page = client.get("/initiatives", query_string=query).get_data(as_text=True)
        assert "Pilot walks" not in page, query


def test_the_owners_page_and_the_review_desk_show_what_waits(app, users, proposal, sign_in):
    pilot = proposal["pilot"]
    owner = sign_in(users["submitter"].email)
    page = owner.get(f"/initiatives/{pilot}/x", follow_redirects=True).get_data(as_text=True)
    assert "Links and translations waiting for review" in page
    assert "added: waits for review" in page and f"Marches {SECRET}" in page
    with write_session(engine_of(app)) as s:
        actions.submit(s, users["submitter"], pilot)
    desk = sign_in(users["curator"].email).get("/review").get_data(as_text=True)
    block = desk.split(f'id="h-review-{pilot}"')[1]
    assert "Links and translations waiting for review" in block and "Citywide walks" in block
    assert "Translation into French:" in block and f"Marches {SECRET}" in block
    french = sign_in(users["curator"].email).get(
        "/review", headers={"Accept-Language": "fr"}).get_data(as_text=True)  # fmt: skip
    assert "Liens et traductions en attente de validation" in french


def test_publishing_the_edit_makes_them_live(app, client, users, proposal):
    pilot = proposal["pilot"]
    with write_session(engine_of(app)) as s:
        actions.submit(s, users["submitter"], pilot)
        actions.publish(s, users["curator"], pilot)
    seen = _public_views(client, proposal)
    assert SECRET in seen and "Pilot mainstreamed as" in seen
    linked = client.get("/initiatives", query_string={"link": "mainstreamed_as"})
    assert "Pilot walks" in linked.get_data(as_text=True)
    found = client.get("/api/v1/initiatives", query_string={"q": SECRET}).get_json()
    assert [r["id"] for r in found["results"]] == [pilot]
    with read_session(engine_of(app)) as s:
        assert {r.state for r in s.scalars(select(InitiativeLink))} == {"live"}
        assert {r.state for r in s.scalars(select(InitiativeTranslation))} == {"live"}


def test_rejecting_keeps_them_waiting_and_deleting_the_record_drops_them(
    app, client, users, proposal
):
    pilot = proposal["pilot"]
    with write_session(engine_of(app)) as s:
        actions.submit(s, users["submitter"], pilot)
        actions.reject(s, users["curator"], pilot, "Check the translation")
    assert SECRET not in _public_views(client, proposal)
    with read_session(engine_of(app)) as s:
        assert s.scalars(select(InitiativeLink.state)).all() == ["added"]
    with write_session(engine_of(app)) as s:
        actions.delete(s, users["curator"], pilot)
    with read_session(engine_of(app)) as s:
        assert s.scalars(select(InitiativeLink)).all() == []
        assert s.scalars(select(InitiativeTranslation)).all() == []


def test_an_owner_cannot_add_to_an_edit_under_review_and_a_curator_changes_at_once(
    app, client, users, make_owned
):
    pilot = make_owned(users["submitter"], "published", title="Pilot walks")
    programme = make_owned(users["submitter"], "published", title="Citywide walks")
    with write_session(engine_of(app)) as s:
        actions.edit(
            s, users["submitter"], pilot, {"summary": "Walks, again."}, expected_version=None
        )
        actions.submit(s, users["submitter"], pilot)
    with pytest.raises(actions.Forbidden), write_session(engine_of(app)) as s:
        actions.link_records(s, users["submitter"], pilot, programme, "mainstreamed_as")
    with write_session(engine_of(app)) as s:
        actions.link_records(s, users["curator"], pilot, programme, "mainstreamed_as")
        actions.translate_record(s, users["curator"], pilot, "fr", FRENCH)
    page = client.get(f"/initiatives/{pilot}/x", follow_redirects=True,
                      headers={"Accept-Language": "fr"}).get_data(as_text=True)  # fmt: skip
    assert FRENCH["title"] in page and "Expérimentation généralisée en" in page


def test_owners_of_unpublished_records_change_them_at_once(app, users, make_owned):
    draft = make_owned(users["submitter"], "draft", title="Draft walks")
    other = make_owned(users["submitter"], "published", title="Citywide walks")
    with write_session(engine_of(app)) as s:
        actions.link_records(s, users["submitter"], draft, other, "inspired_by")
        actions.translate_record(s, users["submitter"], draft, "fr", FRENCH)
    with read_session(engine_of(app)) as s:
        assert s.scalars(select(InitiativeLink.state)).all() == ["live"]
        assert s.scalars(select(InitiativeTranslation.state)).all() == ["live"]


def test_waiting_changes_settle_on_both_engines(any_app):
    """The same on SQLite and PostgreSQL: an owner's link and translation wait, publishing
    applies them, an exported file imports back with them, deleting drops what waits."""
    from registry.filters import Filters
    from registry.transfer import exporting
    from registry.transfer.importing import read_bytes

    from .conftest import create_people, run_import, valid_record

    engine = engine_of(any_app)
    people = create_people(
        engine,
        {
            "owner": ("o@walks.example", "submitter", "Walks town"),
            "curator": ("c@walks.example", "curator", "Curators"),
        },
    )
    owner, curator = people["owner"], people["curator"]
    with write_session(engine) as s:
        ids = []
        for title in ("Pilot walks", "Citywide walks"):
            record = actions.create(s, owner, valid_record(title=title), submit=True)
            actions.publish(s, curator, record.id)
            ids.append(record.id)
        actions.link_records(s, owner, ids[0], ids[1], "mainstreamed_as")
        actions.translate_record(s, owner, ids[0], "fr", FRENCH)
    with read_session(engine) as s:
        assert s.scalars(select(InitiativeLink.state)).all() == ["added"]
        assert s.scalars(select(InitiativeTranslation.state)).all() == ["added"]
        selection = list(exporting.select_public(s, Filters(), None))
        exported = list(exporting.records(selection, lambda i: "x", lambda m: ("u", None), s))
    assert all(r["links"] == [] and r["translations"] == [] for r in exported)
    with write_session(engine) as s:
        actions.submit(s, owner, ids[0])
        actions.publish(s, curator, ids[0])
    with read_session(engine) as s:
        assert s.scalars(select(InitiativeLink.state)).all() == ["live"]
        assert s.scalars(select(InitiativeTranslation.state)).all() == ["live"]
        selection = list(exporting.select_public(s, Filters(), None))
        exported = list(exporting.records(selection, lambda i: "x", lambda m: ("u", None), s))
    data = exporting.json_chunks({"licence": {}}, exported)
    run_import(any_app, read_bytes("".join(data).encode(), "json"), publish=True)
    with write_session(engine) as s:
        actions.unlink_records(s, owner, ids[1], s.scalar(select(InitiativeLink.id)))
        actions.delete(s, curator, ids[1])
    with read_session(engine) as s:  # the removal was dropped with the deleted record's edit
        assert s.scalars(select(InitiativeLink.state)).all() == ["live"]
        assert s.scalars(select(InitiativeTranslation.state)).all() == ["live"]
        assert s.scalar(select(InitiativeLink.waits_with)) is None


def test_the_translation_form_refuses_an_owner_while_the_edit_is_in_review(
    app, users, make_owned, sign_in
):
    import re

    from .conftest import csrf_from

    record = make_owned(users["submitter"], "published")
    owner = sign_in(users["submitter"].email)
    html = owner.get(f"/my/initiatives/{record}/translation").get_data(as_text=True)
    with write_session(engine_of(app)) as s:
        actions.edit(s, users["submitter"], record, {"summary": "Walks, again."},
                     expected_version=None)  # fmt: skip
        actions.submit(s, users["submitter"], record)
    with read_session(engine_of(app)) as s:
        version = s.get(Initiative, record).version
    form = {"csrf_token": csrf_from(html), "language": "fr", **FRENCH, "version": str(version)}
    refused = owner.post(f"/my/initiatives/{record}/translation", data=form)
    assert refused.status_code == 403
    assert "you may not edit this initiative" in refused.get_data(as_text=True)
    assert re.search(r'name="title"[^>]*value="Patrouilles', refused.get_data(as_text=True))
    with read_session(engine_of(app)) as s:
        assert s.scalars(select(InitiativeTranslation)).all() == []


def test_an_owner_whose_edit_is_in_review_is_told_links_wait_instead_of_offered_a_form(
    app, users, make_owned, sign_in
):
    record = make_owned(users["submitter"], "published", title="Pilot walks")
    owner = sign_in(users["submitter"].email)
    page = owner.get(f"/initiatives/{record}/x", follow_redirects=True).get_data(as_text=True)
    assert f"/my/initiatives/{record}/links" in page and "links can be changed again" not in page
    with write_session(engine_of(app)) as s:
        actions.edit(s, users["submitter"], record, {"summary": "Walks, again."},
                     expected_version=None)  # fmt: skip
        actions.submit(s, users["submitter"], record)
    page = owner.get(f"/initiatives/{record}/x", follow_redirects=True).get_data(as_text=True)
    assert "links can be changed again once a curator has decided" in page
    assert f'action="/my/initiatives/{record}/links"' not in page
    curator = sign_in(users["curator"].email)
    page = curator.get(f"/initiatives/{record}/x", follow_redirects=True).get_data(as_text=True)
    assert f'action="/my/initiatives/{record}/links"' in page
