"""Personal lists (issue 18): private by default — another person's list is 404 on every
route —, shareable by an unguessable link that its owner can revoke, exported as CSV and as
citations; only published records show."""

from __future__ import annotations

import csv
import io
import json
import re

import bibtexparser
import pytest
import rispy

from registry import actions
from registry.db import write_session
from registry.schemas import ValidationFailed

from .conftest import csrf_from

CANARY = "Larkcanary"


def engine_of(app):
    return app.extensions["registry"].engine


def test_a_person_builds_a_list_from_initiative_pages(app, users, sign_in, make_initiative):
    first = make_initiative(title="Youth council designs the park")
    second = make_initiative(title="Patients co-write the leaflets")
    me = sign_in(users["submitter"].email)
    page = me.get(f"/initiatives/{first}", follow_redirects=True).text
    assert "Add to my list" in page
    response = me.post("/my/lists", data={"csrf_token": csrf_from(page), "name": "For my report",
                                          "initiative": str(first)})  # fmt: skip
    assert response.status_code == 302
    list_url = response.headers["Location"]
    list_id = int(list_url.rstrip("/").rsplit("/", 1)[1])
    page = me.get(f"/initiatives/{second}", follow_redirects=True).text
    assert "Add to “For my report”" in page
    response = me.post(f"/my/lists/{list_id}/items", data={
        "csrf_token": csrf_from(page), "initiative": str(second),
        "next": f"/initiatives/{second}"})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{second}")
    page = me.get(list_url).text
    assert page.index("Youth council") < page.index("Patients co-write")
    assert "Private: only you can see this list." in page
    rows = list(csv.DictReader(io.StringIO(me.get(f"/my/lists/{list_id}/export.csv").text)))
    assert [r["title"] for r in rows] == ["Youth council designs the park",
                                          "Patients co-write the leaflets"]  # fmt: skip
    library = bibtexparser.parse_string(me.get(f"/my/lists/{list_id}/citations.bib").text)
    assert len(library.entries) == 2 and not library.failed_blocks
    assert len(rispy.loads(me.get(f"/my/lists/{list_id}/citations.ris").text)) == 2
    items = json.loads(me.get(f"/my/lists/{list_id}/citations.json").text)
    assert [i["title"] for i in items] == ["Youth council designs the park",
                                           "Patients co-write the leaflets"]  # fmt: skip


def make_list(app, owner, ids, name="Mine") -> int:
    with write_session(engine_of(app)) as s:
        made = actions.create_list(s, owner, name)
        for i in ids:
            actions.add_to_list(s, owner, made.id, i)
        return made.id


def test_another_persons_private_list_is_404_everywhere(app, users, sign_in, make_initiative):
    list_id = make_list(app, users["submitter"], [make_initiative(title=f"{CANARY} case")])
    for who in (sign_in(users["colleague"].email), sign_in(users["curator"].email)):
        for path in ("", "/export.csv", "/citations.bib", "/citations.ris", "/citations.json"):
            response = who.get(f"/my/lists/{list_id}{path}")
            assert response.status_code == 404, path
            assert CANARY not in response.text
        token = csrf_from(who.get("/my/lists").text)
        for path in ("", "/delete", "/items", "/share", "/unshare", f"/items/{1}/remove"):
            form = {"csrf_token": token, "name": "x", "initiative": "1"}
            response = who.post(f"/my/lists/{list_id}{path}", data=form)
            assert response.status_code == 404, path
    assert app.test_client().get(f"/my/lists/{list_id}").status_code == 302


def test_a_shared_link_shows_the_list_until_it_is_revoked(app, users, sign_in, make_initiative):
    owner = users["submitter"]
    kept = make_initiative(title="Kept case")
    hidden = make_initiative(title=f"{CANARY} title")
    list_id = make_list(app, owner, [kept, hidden], name="Shared list")
    with write_session(engine_of(app)) as s:
        actions.withdraw(s, actions.SYSTEM, hidden)
    me = sign_in(owner.email)
    token = csrf_from(me.get(f"/my/lists/{list_id}").text)
    me.post(f"/my/lists/{list_id}/share", data={"csrf_token": token})
    page = me.get(f"/my/lists/{list_id}").text
    link = re.search(r'href="(http://localhost/lists/[^"]+)"', page).group(1)
    anyone = app.test_client()
    shared = anyone.get(link)
    assert shared.status_code == 200 and "Kept case" in shared.text
    assert shared.headers["X-Robots-Tag"] == "noindex"
    path = link.removeprefix("http://localhost")
    for url in (path, f"{path}/export.csv", f"{path}/citations.bib", f"{path}/citations.json"):
        response = anyone.get(url)
        assert response.status_code == 200 and CANARY not in response.text, url
    assert "Remove" not in shared.text and "Stop the link" not in shared.text
    me.post(f"/my/lists/{list_id}/unshare", data={"csrf_token": token})
    assert anyone.get(link).status_code == 404
    # Sharing again makes a new link; the old one stays dead.
    me.post(f"/my/lists/{list_id}/share", data={"csrf_token": token})
    assert anyone.get(link).status_code == 404
    new = re.search(r'href="(http://localhost/lists/[^"]+)"', me.get(f"/my/lists/{list_id}").text)
    assert new.group(1) != link and anyone.get(new.group(1)).status_code == 200


def test_only_published_records_can_be_listed(app, users, make_initiative):
    draft = make_initiative("draft", title="Draft")
    with pytest.raises(ValidationFailed), write_session(engine_of(app)) as s:
        made = actions.create_list(s, users["submitter"], "Mine")
        actions.add_to_list(s, users["submitter"], made.id, draft)
