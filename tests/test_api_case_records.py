"""The API's links and translations of a record (issue 16): owners and curators change them
through the actions, anyone who may see the record reads them, a stranger gets 403 or 404
without learning of an unpublished record, and a bad payload gets a clear error and writes
nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from registry import actions, shapes
from registry.db import read_session, write_session
from registry.models import InitiativeLink, InitiativeTranslation, Revision

from .test_records_translations import FRENCH
from .test_transfer import engine_of


def _count(app, model) -> int:
    with read_session(engine_of(app)) as s:
        return s.scalar(select(func.count()).select_from(model))


def _base(record_id: int) -> str:
    return f"/api/v1/initiatives/{record_id}"


def _review(app, users, record_id: int) -> None:
    """The owner submits the waiting edit and a curator publishes it."""
    with write_session(engine_of(app)) as s:
        actions.submit(s, users["submitter"], record_id)
        actions.publish(s, users["curator"], record_id)


def test_an_owner_links_reads_and_unlinks_records(app, client, users, make_owned, api_token):
    pilot = make_owned(users["submitter"], "published", title="Pilot walks")
    successor = make_owned(users["submitter"], "published", title="Citywide walks")
    owner = api_token(users["submitter"].email)
    version = client.get(_base(pilot), headers=owner).get_json()["version"]
    made = client.post(f"{_base(pilot)}/links", headers={**owner, "If-Match": str(version)},
                       json={"kind": "mainstreamed_as", "target": successor})  # fmt: skip
    assert made.status_code == 201, made.get_json()
    link = made.get_json()
    assert set(link) == set(shapes.Link.model_fields)
    assert link["kind"] == "mainstreamed_as" and link["direction"] == "outgoing"
    assert link["other"]["id"] == successor and link["other"]["title"] == "Citywide walks"
    assert link["label"] == "Pilot mainstreamed as" and link["state"] == "added"
    assert made.headers["Location"].endswith(f"{_base(pilot)}/links/{link['id']}")
    # The owner's link of a published record waits for a curator: the public does not see it.
    assert client.get(f"{_base(pilot)}/links").get_json() == []
    assert client.get(f"{_base(pilot)}/links/{link['id']}").status_code == 404
    assert client.get(_base(pilot), headers=owner).get_json()["pending_status"] == "draft"
    assert client.get(f"{_base(pilot)}/links", headers=owner).get_json() == [link]
    _review(app, users, pilot)
    public = {k: v for k, v in link.items() if k != "state"}
    assert client.get(f"{_base(pilot)}/links").get_json() == [public]
    back = client.get(f"{_base(successor)}/links", headers={"Accept-Language": "fr"}).get_json()
    assert back[0]["direction"] == "incoming" and back[0]["other"]["id"] == pilot
    assert back[0]["label"] == "Généralisation de l'expérimentation"
    assert client.get(f"{_base(successor)}/links/{link['id']}").get_json()["id"] == link["id"]
    # Each change is one revision of the record, by the action.
    with read_session(engine_of(app)) as s:
        done = s.scalars(select(Revision.action).where(Revision.initiative_id == pilot)).all()
    assert "link_records" in done and done[-1] == "publish"
    gone = client.delete(f"{_base(pilot)}/links/{link['id']}", headers=owner)
    assert gone.status_code == 204
    assert client.get(f"{_base(pilot)}/links").get_json() == [public]  # until it is reviewed
    listed = client.get(f"{_base(pilot)}/links", headers=owner).get_json()
    assert listed[0]["state"] == "removing"
    again = client.delete(f"{_base(pilot)}/links/{link['id']}", headers=owner)
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"
    _review(app, users, pilot)
    assert client.get(f"{_base(pilot)}/links").get_json() == []
    assert _count(app, InitiativeLink) == 0


def test_strangers_get_403_or_404_and_never_see_an_unpublished_record(
    app, client, users, make_owned, api_token
):
    mine = make_owned(users["submitter"], "published", title="Public walks")
    draft = make_owned(users["submitter"], "draft", title="Secret successor")
    owner, stranger = api_token(users["submitter"].email), api_token(users["other"].email)
    made = client.post(f"{_base(mine)}/links", headers=owner,
                       json={"kind": "mainstreamed_as", "target": draft})  # fmt: skip
    assert made.status_code == 201
    link_id = made.get_json()["id"]
    put = client.put(f"{_base(draft)}/translations/fr", headers=owner, json=FRENCH)
    assert put.status_code == 201
    # The public and a stranger see the published record, without the link to the draft.
    for headers in ({}, stranger):
        assert client.get(f"{_base(mine)}/links", headers=headers).get_json() == []
        hidden = client.get(f"{_base(mine)}/links/{link_id}", headers=headers)
        assert hidden.status_code == 404 and "Secret" not in hidden.get_data(as_text=True)
        for path in (f"{_base(draft)}/links", f"{_base(draft)}/translations",
                     f"{_base(draft)}/translations/fr"):  # fmt: skip
            assert client.get(path, headers=headers).status_code == 404, path
    assert "Secret" in client.get(f"{_base(mine)}/links", headers=owner).get_data(as_text=True)
    # A stranger may not change a published record's links or translations (403), nor
    # learn that a draft exists (404, as for a record that does not exist).
    refused = [
        ("post", f"{_base(mine)}/links", {"kind": "inspired_by", "target": draft}, 403),
        ("delete", f"{_base(mine)}/links/{link_id}", None, 403),
        ("put", f"{_base(mine)}/translations/fr", FRENCH, 403),
        ("delete", f"{_base(mine)}/translations/fr", None, 403),
        ("post", f"{_base(draft)}/links", {"kind": "inspired_by", "target": mine}, 404),
        ("put", f"{_base(draft)}/translations/fr", FRENCH, 404),
        ("delete", f"{_base(draft)}/translations/fr", None, 404),
        ("post", f"{_base(987654)}/links", {"kind": "inspired_by", "target": mine}, 404),
    ]
    for method, path, body, status in refused:
        answer = getattr(client, method)(path, headers=stranger, json=body)
        assert answer.status_code == status, (method, path, answer.get_json())
        anonymous = getattr(client, method)(path, json=body)
        assert anonymous.status_code == 401, (method, path)
    # Linking to a record the caller cannot see says no such record, as for a missing one.
    theirs = make_owned(users["other"], "published", title="Vienna walks")
    blind = client.post(f"{_base(theirs)}/links", headers=stranger,
                        json={"kind": "inspired_by", "target": draft})  # fmt: skip
    assert blind.status_code == 422
    assert "no record with this number" in blind.get_json()["error"]["fields"]["target"][0]
    assert _count(app, InitiativeLink) == 1 and _count(app, InitiativeTranslation) == 1


def test_bad_link_payloads_get_clear_errors_and_write_nothing(
    app, client, users, make_owned, api_token
):
    mine = make_owned(users["submitter"], "published", title="Pilot walks")
    other = make_owned(users["submitter"], "published", title="Other walks")
    owner = api_token(users["submitter"].email)
    with read_session(engine_of(app)) as s:
        revisions = s.scalar(select(func.count()).select_from(Revision))
    path = f"{_base(mine)}/links"
    cases = [
        ({"data": "kind=part_of", "content_type": "application/x-www-form-urlencoded"}, 415, None),
        ({"data": "{", "content_type": "application/json"}, 400, None),
        ({"json": ["part_of", other]}, 422, "_"),
        ({"json": {"kind": "cousin_of", "target": other}}, 422, "kind"),
        ({"json": {"kind": "part_of"}}, 422, "target"),
        ({"json": {"kind": "part_of", "target": "ten"}}, 422, "target"),
        ({"json": {"kind": "part_of", "target": mine}}, 422, "target"),
        ({"json": {"kind": "part_of", "target": other, "note": "x"}}, 422, "note"),
        ({"json": {"kind": "part_of", "target": other, "version": 1.5}}, 400, "version"),
        ({"json": {"kind": "part_of", "target": other, "version": 1}}, 409, None),
    ]
    for request, status, field in cases:
        answer = client.post(path, headers=owner, **request)
        assert answer.status_code == status, (request, answer.get_json())
        error = answer.get_json()["error"]
        assert error["message"], request
        if field:
            assert error["fields"][field], (request, error)
    assert client.delete(f"{path}/987654", headers=owner).status_code == 404
    assert _count(app, InitiativeLink) == 0
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).select_from(Revision)) == revisions


def test_an_owner_puts_reads_and_removes_a_translation(app, client, users, make_owned, api_token):
    record = make_owned(users["submitter"], "published")
    owner = api_token(users["submitter"].email)
    path = f"{_base(record)}/translations/fr"
    added = client.put(path, headers=owner, json=FRENCH)
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert set(body) == set(shapes.Translation.model_fields)
    assert body["language"] == "fr" and body["title"] == FRENCH["title"]
    assert body["state"] == "added" and added.headers["Location"].endswith(path)
    assert client.get(path).status_code == 404  # waits for a curator
    assert client.get(f"{_base(record)}/translations").get_json() == []
    _review(app, users, record)
    assert client.get(path).get_json()["title"] == FRENCH["title"]
    # New texts for a public translation wait too: the public keeps the reviewed ones.
    replaced = client.put(path[:-2] + "FR", headers=owner,
                          json={**FRENCH, "title": "Patrouilles de quartier"})  # fmt: skip
    assert replaced.status_code == 200
    assert replaced.get_json()["proposed"]["title"] == "Patrouilles de quartier"
    assert client.get(path).get_json()["title"] == FRENCH["title"]
    _review(app, users, record)
    assert client.get(path).get_json()["title"] == "Patrouilles de quartier"
    listed = client.get(f"{_base(record)}/translations").get_json()
    assert [t["title"] for t in listed] == ["Patrouilles de quartier"] and "state" not in listed[0]
    page = client.get(f"/initiatives/{record}/x", headers={"Accept-Language": "fr"},
                      follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Patrouilles de quartier" in page
    assert client.delete(path, headers=owner).status_code == 204
    assert client.get(path).status_code == 200  # until the removal is reviewed
    _review(app, users, record)
    assert client.get(path).status_code == 404
    missing = client.delete(path, headers=owner)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get(f"{_base(record)}/translations/en").status_code == 404  # its own language


def test_bad_translations_get_clear_errors_and_write_nothing(
    app, client, users, make_owned, api_token
):
    record = make_owned(users["submitter"], "published")
    owner = api_token(users["submitter"].email)
    path = f"{_base(record)}/translations"
    cases = [
        ("fr", {"data": "title=x", "content_type": "text/plain"}, 415, None),
        ("fr", {"data": "[1,", "content_type": "application/json"}, 400, None),
        ("fr", {"json": "Patrouilles"}, 422, "_"),
        ("de", {"json": FRENCH}, 422, "language"),
        ("en", {"json": FRENCH}, 422, "language"),
        ("fr", {"json": {**FRENCH, "title": "ab"}}, 422, "title"),
        ("fr", {"json": {k: v for k, v in FRENCH.items() if k != "translator"}}, 422, "translator"),
        ("fr", {"json": {**FRENCH, "colour": "blue"}}, 422, "colour"),
        ("fr", {"json": {**FRENCH, "version": "two"}}, 400, "version"),
        ("fr", {"json": {**FRENCH, "version": 1}}, 409, None),
    ]
    for language, request, status, field in cases:
        answer = client.put(f"{path}/{language}", headers=owner, **request)
        assert answer.status_code == status, (language, request, answer.get_json())
        if field:
            assert answer.get_json()["error"]["fields"][field], (request, answer.get_json())
    french = client.put(f"{path}/fr", headers=owner, json=FRENCH).get_json()
    assert client.delete(f"{path}/de", headers=owner).status_code == 422
    assert client.get(path, headers=owner).get_json() == [french]
    assert _count(app, InitiativeTranslation) == 1
