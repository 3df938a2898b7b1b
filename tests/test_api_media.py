"""The media endpoints of the JSON API: list, read, add (multipart), change texts, remove; the
contract's errors; the public sees a published record's published media only."""

from __future__ import annotations

from registry import actions
from registry.db import write_session

from . import media_files as files
from .test_media_uploads import multipart

TEXTS = {"kind": "image", "alt": "Tenants at the housing panel", "credit": "Stadt Wien",
         "licence": "cc_by"}  # fmt: skip


def post(client, record_id: int, headers: dict, data: bytes, **fields):
    return client.post(
        f"/api/v1/initiatives/{record_id}/media",
        headers=headers,
        **multipart(fields, data, "photo.jpg", "image/jpeg"),
    )


def test_an_owner_adds_changes_and_removes_an_image(app, client, users, make_owned, api_token):
    record = make_owned(users["submitter"])
    headers = api_token("sub@lyon.example")
    created = post(client, record, headers, files.image(), **TEXTS)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["state"] == "live" and item["alt"] == TEXTS["alt"] and item["title"] is None
    assert created.headers["Location"].endswith(f"/api/v1/initiatives/{record}/media/{item['id']}")
    assert item["url"].endswith(f"/initiatives/{record}/media/{item['id']}")
    assert client.get(item["thumbnail_url"], headers=headers).status_code == 404  # no session
    changed = client.patch(
        f"/api/v1/initiatives/{record}/media/{item['id']}",
        json={"caption": "Autumn meeting"},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.get_json()["caption"] == "Autumn meeting"
    listed = client.get(f"/api/v1/initiatives/{record}/media", headers=headers).get_json()
    assert [m["id"] for m in listed] == [item["id"]]
    gone = client.delete(f"/api/v1/initiatives/{record}/media/{item['id']}", headers=headers)
    assert gone.status_code == 204
    assert client.get(f"/api/v1/initiatives/{record}/media", headers=headers).get_json() == []


def test_the_public_lists_only_published_media(app, client, users, make_owned, api_token):
    draft = make_owned(users["submitter"])
    post(client, draft, api_token("sub@lyon.example"), files.image(), **TEXTS)
    assert client.get(f"/api/v1/initiatives/{draft}/media").status_code == 404
    assert client.get(f"/api/v1/initiatives/{draft}/media/1").status_code == 404
    with write_session(app.extensions["registry"].engine) as s:
        actions.submit(s, users["submitter"], draft)
        actions.publish(s, users["curator"], draft)
    public = client.get(f"/api/v1/initiatives/{draft}/media").get_json()
    assert len(public) == 1 and "state" not in public[0] and "proposed" not in public[0]
    assert client.get(f"/api/v1/initiatives/{draft}/media/{public[0]['id']}").status_code == 200


def test_refusals_use_the_contracts_errors(app, client, users, make_owned, api_token):
    record = make_owned(users["submitter"])
    headers = api_token("sub@lyon.example")
    bad = post(client, record, headers, files.HTML_AS_PDF, **{**TEXTS, "alt": ""})
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["code"] == "validation_failed" and set(error["fields"]) == {"file", "alt"}
    assert "not a JPEG, PNG or WebP image" in error["fields"]["file"][0]
    as_json = client.post(f"/api/v1/initiatives/{record}/media", json=TEXTS, headers=headers)
    assert as_json.status_code == 415
    assert post(client, record, {}, files.image(), **TEXTS).status_code == 401
    stranger = post(client, record, api_token("sub@wien.example"), files.image(), **TEXTS)
    assert stranger.status_code == 404
    stale = post(client, record, {**headers, "If-Match": "9"}, files.image(), **TEXTS)
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    missing = client.delete(f"/api/v1/initiatives/{record}/media/777", headers=headers)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "no such media item"
    french = client.delete(f"/api/v1/initiatives/{record}/media/777",
                           headers={**headers, "Accept-Language": "fr"})  # fmt: skip
    assert french.get_json()["error"]["message"] != "no such media item"
    unknown = client.patch(f"/api/v1/initiatives/{record}/media/777", json={"alt": "x"},
                           headers=headers)  # fmt: skip
    assert unknown.status_code == 404
    assert client.get(f"/api/v1/initiatives/{record}/media", headers=headers).get_json() == []
