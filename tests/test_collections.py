"""Curated collections (issue 18): curators make them through the form, the public reads their
page, feed, exports and API answers; a record that stops being published leaves every
collection; other people cannot curate."""

from __future__ import annotations

import csv
import io
import json

import pytest
from lxml import etree

from registry import actions
from registry.db import write_session
from registry.schemas import ValidationFailed

from .conftest import csrf_from

CANARY = "Quillcanary"
ATOM = "{http://www.w3.org/2005/Atom}"


def engine_of(app):
    return app.extensions["registry"].engine


def make_collection(app, items, principal=actions.SYSTEM, **fields) -> int:
    payload = {"title_en": "Care at home", "title_fr": "Soins à domicile",
               "introduction_en": "Cases of *care*.", "introduction_fr": "Des cas de *soins*.",
               **fields,
               "items": [{"initiative_id": i, "note": note} for i, note in items]}  # fmt: skip
    with write_session(engine_of(app)) as s:
        return actions.create_collection(s, principal, payload).id


def withdraw(app, initiative_id):
    with write_session(engine_of(app)) as s:
        actions.withdraw(s, actions.SYSTEM, initiative_id)


def test_a_curator_builds_a_collection_through_the_form(app, users, sign_in, make_initiative):
    first = make_initiative(title="Home visits by neighbours")
    second = make_initiative(title="Carers plan the service")
    curator = sign_in(users["curator"].email)
    form = curator.get("/curate/collections/new")
    assert form.status_code == 200
    response = curator.post("/curate/collections/new", data={
        "csrf_token": csrf_from(form.get_data(as_text=True)),
        "title_en": "Care at home", "title_fr": "Soins à domicile",
        "introduction_en": "Chosen for *carers*.", "introduction_fr": "",
        "add": f"{second}\nhttp://localhost/initiatives/{first}/home-visits\n",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    page = curator.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index("Carers plan the service") < page.index("Home visits by neighbours")
    assert "<em>carers</em>" in page
    # Reorder, annotate, then remove one.
    edit_url = response.headers["Location"].split("/care-at-home")[0] + "/edit"
    form = curator.get(edit_url).get_data(as_text=True)
    data = {"csrf_token": csrf_from(form), "title_en": "Care at home", "title_fr": "",
            "introduction_en": "", "introduction_fr": "", "item": [str(second), str(first)],
            f"position_{first}": "1", f"position_{second}": "2",
            f"note_{first}": "The first to try it."}  # fmt: skip
    assert curator.post(edit_url, data=data).status_code == 302
    page = curator.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index("Home visits by neighbours") < page.index("Carers plan the service")
    assert "The first to try it." in page
    data[f"remove_{second}"] = "1"
    assert curator.post(edit_url, data=data).status_code == 302
    page = app.test_client().get(response.headers["Location"]).get_data(as_text=True)
    assert "Carers plan the service" not in page
    # The initiative page names its collections; the listing counts the published items.
    initiative = app.test_client().get(f"/initiatives/{first}", follow_redirects=True)
    assert "Care at home" in initiative.get_data(as_text=True)
    assert "1 initiative" in app.test_client().get("/collections").get_data(as_text=True)


def test_french_readers_get_the_french_title_and_the_english_one_when_there_is_none(
    app, make_initiative
):
    made = make_collection(app, [(make_initiative(), "")])
    client = app.test_client()
    client.get("/language/fr")
    assert "Soins à domicile" in client.get(f"/collections/{made}", follow_redirects=True).text
    only_english = make_collection(app, [], title_fr="", title_en="Only English")
    assert "Only English" in client.get(f"/collections/{only_english}", follow_redirects=True).text


def test_only_curators_curate(app, users, sign_in, client, make_initiative):
    made = make_collection(app, [(make_initiative(), "")])
    assert client.get("/curate/collections/new").status_code == 302
    submitter = sign_in(users["submitter"].email)
    assert submitter.get("/curate/collections/new").status_code == 403
    assert submitter.get(f"/collections/{made}/edit").status_code == 403
    token = csrf_from(submitter.get("/sign-in").get_data(as_text=True))
    assert (
        submitter.post(f"/collections/{made}/delete", data={"csrf_token": token}).status_code == 403
    )
    with pytest.raises(actions.Forbidden), write_session(engine_of(app)) as s:
        actions.create_collection(s, users["submitter"], {"title_en": "Mine", "items": []})


def test_a_curator_deletes_a_collection(app, users, sign_in, make_initiative):
    made = make_collection(app, [(make_initiative(), "")])
    curator = sign_in(users["curator"].email)
    token = csrf_from(curator.get(f"/collections/{made}/edit").get_data(as_text=True))
    assert (
        curator.post(f"/collections/{made}/delete", data={"csrf_token": token}).status_code == 302
    )
    assert curator.get(f"/collections/{made}").status_code == 404


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    app, users, sign_in, make_initiative
):
    draft = make_initiative("draft")
    with pytest.raises(ValidationFailed) as refused, write_session(engine_of(app)) as s:
        actions.create_collection(s, actions.SYSTEM, {
            "title_en": "x" * 201, "title_fr": "ok\x00",
            "items": [{"initiative_id": draft}, {"initiative_id": 987654}, {"initiative_id": "1"}],
        })  # fmt: skip
    assert set(refused.value.fields) == {"title_en", "title_fr", "items"}
    assert len(refused.value.fields["items"]) == 3
    curator = sign_in(users["curator"].email)
    token = csrf_from(curator.get("/curate/collections/new").get_data(as_text=True))
    page = curator.post("/curate/collections/new", data={"csrf_token": token, "title_en": "",
                                                         "add": "not a number"})  # fmt: skip
    assert page.status_code == 422
    assert "is not an initiative" in page.get_data(as_text=True)
    page = curator.post("/curate/collections/new", data={"csrf_token": token, "title_en": ""})
    assert page.status_code == 422 and "at least one language" in page.get_data(as_text=True)
    assert app.test_client().get("/api/v1/collections").get_json() == []


def test_feed_exports_and_api_give_the_items_in_order_with_notes(app, make_initiative):
    first, second = make_initiative(title="Alpha case"), make_initiative(title="Beta case")
    made = make_collection(app, [(second, "Read this first."), (first, "")])
    client = app.test_client()
    feed = etree.fromstring(client.get(f"/collections/{made}/feed.atom").data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["Beta case", "Alpha case"]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/collections/{made}/export.csv").text)))
    assert [r["title"] for r in rows] == ["Beta case", "Alpha case"]
    exported = json.loads(client.get(f"/collections/{made}/export.json").text)
    assert [(r["title"], r["note"]) for r in exported["initiatives"]] == [
        ("Beta case", "Read this first."), ("Alpha case", "")]  # fmt: skip
    assert exported["licence"]["id"] == "CC-BY-4.0"
    api = client.get(f"/api/v1/collections/{made}").get_json()
    assert api["title"] == {"en": "Care at home", "fr": "Soins à domicile"}
    assert [(r["id"], r["note"]) for r in api["initiatives"]] == [
        (second, "Read this first."), (first, "")]  # fmt: skip
    [listed] = client.get("/api/v1/collections").get_json()
    assert (listed["id"], listed["count"]) == (made, 2)
    assert client.get("/api/v1/collections/987654").status_code == 404


def test_a_record_that_is_no_longer_published_leaves_every_collection(app, make_initiative):
    live = make_initiative(title="Still here")
    hidden = make_initiative(title=f"{CANARY} title", summary=f"{CANARY} summary",
                             tags=[CANARY])  # fmt: skip
    made = make_collection(app, [(hidden, f"{CANARY} is great"), (live, "")])
    other = make_collection(app, [(hidden, "")], title_en="Second", title_fr="")
    withdraw(app, hidden)
    client = app.test_client()
    urls = ["/collections", "/api/v1/collections"]
    for c in (made, other):
        urls += [f"/collections/{c}", f"/collections/{c}/feed.atom", f"/api/v1/collections/{c}",
                 f"/collections/{c}/export.csv", f"/collections/{c}/export.json"]  # fmt: skip
    for url in urls:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        assert CANARY not in response.get_data(as_text=True), url
    assert "Still here" in client.get(f"/collections/{made}", follow_redirects=True).text
    counts = {c["id"]: c["count"] for c in client.get("/api/v1/collections").get_json()}
    assert counts == {made: 1, other: 0}
