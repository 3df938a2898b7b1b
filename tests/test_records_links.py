"""Case records (issue 16): typed links between records, written through the action layer,
shown both ways, a search filter, and never revealing an unpublished record to the public."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from registry import actions, initiatives
from registry.actions.errors import Forbidden
from registry.db import read_session, write_session
from registry.models import InitiativeLink
from registry.schemas import ValidationFailed

from .conftest import csrf_from
from .test_transfer import engine_of


def _link(app, who, source, target, kind="mainstreamed_as"):
    with write_session(engine_of(app)) as s:
        return actions.link_records(s, who, source, target, kind).id


def _page(client, initiative_id, **headers):
    return client.get(
        f"/initiatives/{initiative_id}/x", headers=headers, follow_redirects=True
    ).get_data(as_text=True)


def _links(app) -> int:
    with read_session(engine_of(app)) as s:
        return s.scalar(select(func.count()).select_from(InitiativeLink))


def test_a_pilot_and_its_successor_show_the_link_both_ways_in_both_languages(
    app, users, make_owned, client
):
    pilot = make_owned(users["submitter"], "published", title="Pilot walks")
    successor = make_owned(users["submitter"], "published", title="Citywide walks")
    _link(app, users["curator"], pilot, successor)  # a curator's link is live at once
    page = _page(client, pilot)
    assert "Pilot mainstreamed as" in page and "Citywide walks" in page
    back = _page(client, successor)
    assert "Mainstreamed from the pilot" in back and "Pilot walks" in back
    assert "Expérimentation généralisée en" in _page(client, pilot, **{"Accept-Language": "fr"})
    french = _page(client, successor, **{"Accept-Language": "fr"})
    assert "Généralisation de l&#39;expérimentation" in french


def test_a_link_to_an_unpublished_record_is_never_public(app, users, make_owned, client, sign_in):
    published = make_owned(users["submitter"], "published", title="Public walks")
    draft = make_owned(users["submitter"], "draft", title="Secret successor")
    _link(app, users["submitter"], published, draft)
    assert "Secret successor" not in _page(client, published)
    found = client.get("/api/v1/initiatives?link=mainstreamed_as").get_json()
    assert found["total"] == 0
    exported = client.get("/export/initiatives.json?link=mainstreamed_as").get_json()
    assert exported["initiatives"] == []
    owner_view = (
        sign_in(users["submitter"].email)
        .get(f"/initiatives/{published}/x", follow_redirects=True)
        .get_data(as_text=True)
    )
    assert "Secret successor" in owner_view and "not public" in owner_view


def test_the_link_filter_keeps_records_linked_to_a_published_record_either_way(
    app, users, make_owned, client
):
    one = make_owned(users["submitter"], "published", title="Original walks")
    two = make_owned(users["submitter"], "published", title="Copied walks")
    make_owned(users["submitter"], "published", title="Unlinked walks")
    _link(app, users["curator"], two, one, "replication_of")
    found = client.get("/api/v1/initiatives?link=replication_of").get_json()
    assert {r["title"] for r in found["results"]} == {"Original walks", "Copied walks"}
    assert client.get("/api/v1/initiatives?link=part_of").get_json()["total"] == 0
    exported = client.get("/export/initiatives.json?link=replication_of").get_json()
    assert {r["title"] for r in exported["initiatives"]} == {"Original walks", "Copied walks"}
    page = client.get("/initiatives?link=replication_of").get_data(as_text=True)
    assert "Copied walks" in page and "Unlinked walks" not in page


@pytest.mark.parametrize("value", ["sibling_of", "part_of,inspired_by"])
def test_a_bad_link_filter_is_refused(client, value):
    response = client.get(f"/api/v1/initiatives?link={value}")
    assert response.status_code == 400 and "link" in response.get_json()["error"]["fields"]


def test_bad_links_get_a_clear_error_and_nothing_is_written(app, users, make_owned):
    mine = make_owned(users["submitter"], "published")
    theirs = make_owned(users["other"], "draft", title="Vienna draft")
    cases = [
        (mine, "cousin_of", "kind", "unknown code"),
        (mine, "mainstreamed_as", "target", "cannot be linked to itself"),
        (987654, "mainstreamed_as", "target", "no record with this number"),
        (theirs, "mainstreamed_as", "target", "no record with this number"),
        ("ten", "mainstreamed_as", "target", "whole number"),
    ]
    for target, kind, field, message in cases:
        with pytest.raises(ValidationFailed) as caught, write_session(engine_of(app)) as s:
            actions.link_records(s, users["submitter"], mine, target, kind)
        assert message in str(caught.value.fields[field]), (target, caught.value.fields)
    other = make_owned(users["submitter"], "published", title="Other walks")
    _link(app, users["submitter"], mine, other)
    with pytest.raises(ValidationFailed) as caught, write_session(engine_of(app)) as s:
        actions.link_records(s, users["submitter"], mine, other, "mainstreamed_as")
    assert "already linked" in str(caught.value.fields["target"])
    assert _links(app) == 1


def test_only_owners_and_curators_change_links(app, users, make_owned):
    mine = make_owned(users["submitter"], "published")
    public = make_owned(users["other"], "published", title="Vienna walks")
    with pytest.raises(Forbidden), write_session(engine_of(app)) as s:
        actions.link_records(s, users["other"], mine, public, "inspired_by")
    draft = make_owned(users["submitter"])
    with pytest.raises(initiatives.NotFound), write_session(engine_of(app)) as s:
        actions.link_records(s, users["other"], draft, public, "part_of")
    link = _link(app, users["other"], public, mine, "inspired_by")  # their record, my target
    with write_session(engine_of(app)) as s:  # either end's owners may remove it
        actions.unlink_records(s, users["submitter"], mine, link)
    assert _links(app) == 0


def test_owners_add_and_remove_a_link_from_the_page(app, users, make_owned, sign_in, client):
    pilot = make_owned(users["submitter"], "published", title="Pilot walks")
    successor = make_owned(users["submitter"], "published", title="Citywide walks")
    owner = sign_in(users["submitter"].email)
    html = owner.get(f"/initiatives/{pilot}/x", follow_redirects=True).get_data(as_text=True)
    version = re.search(r'/links".*?name="version" value="(\d+)"', html, re.S).group(1)
    address = f"https://registry.example/initiatives/{successor}/citywide-walks"
    form = {"csrf_token": csrf_from(html), "version": version, "kind": "mainstreamed_as",
            "target": address}  # fmt: skip
    added = owner.post(f"/my/initiatives/{pilot}/links", data=form, follow_redirects=True)
    assert "it waits for a curator&#39;s review" in added.get_data(as_text=True)
    # An owner's link of a published record waits for a curator, marked on the owner's page.
    assert "Pilot mainstreamed as" not in _page(client, pilot)
    html = owner.get(f"/initiatives/{pilot}/x", follow_redirects=True).get_data(as_text=True)
    assert "added: waits for review" in html
    assert "Links and translations waiting for review" in html
    _review(app, users, pilot)
    assert "Pilot mainstreamed as" in _page(client, pilot)
    html = owner.get(f"/initiatives/{pilot}/x", follow_redirects=True).get_data(as_text=True)
    remove = re.search(r'action="(/my/initiatives/\d+/links/\d+/remove)".*?value="(\d+)"', html,
                       re.S)  # fmt: skip
    data = {"csrf_token": csrf_from(html), "version": remove.group(2)}
    assert owner.post(remove.group(1), data=data).status_code == 302
    assert "Pilot mainstreamed as" in _page(client, pilot)  # until the removal is published
    # Removing it again (a second click) says it is gone, on the record's page, not a 404.
    again = owner.post(remove.group(1), data={**data, "version": int(remove.group(2)) + 1},
                       follow_redirects=True)  # fmt: skip
    assert again.status_code == 200 and "this record has no such link" in again.get_data(True)
    _review(app, users, pilot)
    assert "Pilot mainstreamed as" not in _page(client, pilot)
    refused = client.post(f"/my/initiatives/{pilot}/links", data=form)
    assert refused.status_code in (302, 400, 401, 403) and _links(app) == 0


def _review(app, users, record_id: int) -> None:
    """The owner submits the waiting edit and a curator publishes it."""
    with write_session(engine_of(app)) as s:
        actions.submit(s, users["submitter"], record_id)
        actions.publish(s, users["curator"], record_id)


def test_a_link_is_one_revision_of_the_record_it_is_made_on(app, users, make_owned):
    a = make_owned(users["submitter"], "published")
    b = make_owned(users["submitter"], "published", title="Other")
    with read_session(engine_of(app)) as s:
        before = initiatives.lookup(s, a).version
    _link(app, users["submitter"], a, b, "part_of")
    with read_session(engine_of(app)) as s:
        record = initiatives.lookup(s, a)
        assert record.version == before + 1 and record.status == "published"
