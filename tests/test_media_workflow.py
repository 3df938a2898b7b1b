"""Media follow their record's workflow and visibility: the public sees a record's media only
while it is published and only those of its published version; an owner's additions, removals
and new texts wait with the record's edit until a curator publishes it; every change is one
revision naming the item; files are served with safe headers and caching that cannot leak."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry import actions, initiatives
from registry.db import read_session, write_session
from registry.media import reading
from registry.models import Initiative, Media, MediaFile, Revision

from . import media_files as files
from .conftest import propose_edit, valid_record

TEXTS = {"alt": "Volunteers painting the bus shelter", "credit": "Ville de Lyon",
         "licence": "cc_by_sa", "caption": "Spring 2024"}  # fmt: skip


def engine_of(app):
    return app.extensions["registry"].engine


def add(app, who, record_id: int, kind: str = "image", **texts) -> int:
    data = files.image(colour=texts.pop("colour", "seagreen")) if kind == "image" else files.pdf()
    with write_session(engine_of(app)) as s:
        found = texts or (TEXTS if kind == "image" else {"title": "Evaluation report 2024"})
        return actions.add_media(s, who, record_id, kind, data, found).id


def state(app, record_id: int) -> tuple[str, str | None, dict[int, str]]:
    with read_session(engine_of(app)) as s:
        record = s.get(Initiative, record_id)
        media = {m.id: m.state for m in reading.every(s, record)}
        return record.status, record.pending_status, media


def public_ids(client, record_id: int) -> set[int]:
    """The media the public API lists for the record."""
    response = client.get(f"/api/v1/initiatives/{record_id}/media")
    return {m["id"] for m in response.get_json()} if response.status_code == 200 else set()


@pytest.fixture
def published(app, users, make_owned) -> int:
    return make_owned(users["submitter"], status="published", title="Painted bus shelters")


def test_a_drafts_media_are_never_served_to_the_public(app, client, users, make_owned, sign_in):
    draft = make_owned(users["submitter"])
    image, document = add(app, users["submitter"], draft), add(app, users["submitter"], draft,
                                                               "document")  # fmt: skip
    for media_id in (image, document):
        for suffix in ("", "/thumbnail"):
            assert client.get(f"/initiatives/{draft}/media/{media_id}{suffix}").status_code == 404
    assert client.get(f"/api/v1/initiatives/{draft}/media").status_code == 404
    owner = sign_in("sub@lyon.example")
    seen = owner.get(f"/initiatives/{draft}/media/{image}")
    assert seen.status_code == 200 and seen.headers["Cache-Control"] == "private, no-store"
    stranger = sign_in("sub@wien.example")
    assert stranger.get(f"/initiatives/{draft}/media/{image}").status_code == 404


def test_published_files_are_served_with_safe_headers(app, client, users, published):
    image = add(app, users["submitter"], published)
    document = add(app, users["submitter"], published, "document")
    # The owner's additions wait for review; a curator publishes them.
    with write_session(engine_of(app)) as s:
        actions.submit(s, users["submitter"], published)
        actions.publish(s, users["curator"], published)
    shown = client.get(f"/initiatives/{published}/media/{image}")
    assert shown.status_code == 200
    assert shown.headers["Content-Type"] == "image/jpeg"
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    policy = {d.strip() for d in shown.headers["Content-Security-Policy"].split(";")}
    assert policy == {"default-src 'none'", "frame-ancestors 'none'", "sandbox"}
    assert shown.headers["Cache-Control"] == "public, max-age=300"
    etag = shown.headers["ETag"].strip('"')
    again = client.get(
        f"/initiatives/{published}/media/{image}", headers={"If-None-Match": f'"{etag}"'}
    )
    assert again.status_code == 304
    pdf = client.get(f"/initiatives/{published}/media/{document}")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"] == "attachment; filename=evaluation-report-2024.pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert client.get(f"/initiatives/{published}/media/{document}/thumbnail").status_code == 404
    # The record's id must match: another record's address does not reach the file.
    other = add(app, users["submitter"], published)
    assert client.get(f"/initiatives/{published + 1}/media/{image}").status_code == 404
    assert other not in public_ids(client, published)


def test_an_owners_media_changes_wait_for_a_curator(app, client, users, published):
    owner, curator = users["submitter"], users["curator"]
    with write_session(engine_of(app)) as s:  # a curator's change of a published record: live
        first = actions.add_media(s, curator, published, "image", files.image(), TEXTS).id
    assert state(app, published) == ("published", None, {first: "live"})
    assert public_ids(client, published) == {first}

    second = add(app, owner, published, colour="gold")
    with write_session(engine_of(app)) as s:
        actions.update_media(s, owner, published, first, {"alt": "The shelter, repainted"})
        actions.remove_media(s, owner, published, first)
        actions.update_media(s, owner, published, second, {"caption": "Before the paint dried"})
    assert state(app, published) == ("published", "draft", {first: "removing", second: "added"})
    assert public_ids(client, published) == {first}  # the public still sees the published one
    page = client.get(f"/initiatives/{published}", follow_redirects=True).get_data(as_text=True)
    assert TEXTS["alt"] in page and "Before the paint dried" not in page
    assert client.get(f"/initiatives/{published}/media/{second}").status_code == 404

    with write_session(engine_of(app)) as s:
        actions.submit(s, owner, published)
        actions.publish(s, curator, published)
    assert state(app, published) == ("published", None, {second: "live"})
    assert public_ids(client, published) == {second}
    assert client.get(f"/initiatives/{published}/media/{first}").status_code == 404
    listed = client.get(f"/api/v1/initiatives/{published}/media").get_json()
    assert listed[0]["caption"] == "Before the paint dried" and "state" not in listed[0]
    with read_session(engine_of(app)) as s:  # the removed item's bytes are gone too
        assert s.scalar(select(func.count()).select_from(MediaFile).where(
            MediaFile.media_id == first)) == 0  # fmt: skip


def test_new_texts_of_a_published_image_wait_for_review(app, client, users, published):
    owner = users["submitter"]
    with write_session(engine_of(app)) as s:
        image = actions.add_media(s, users["curator"], published, "image", files.image(), TEXTS).id
        actions.update_media(s, owner, published, image, {"alt": "Renamed", "licence": "cc0"})
    api = client.get(f"/api/v1/initiatives/{published}/media").get_json()
    assert (api[0]["alt"], api[0]["licence"]) == (TEXTS["alt"], "cc_by_sa")
    with read_session(engine_of(app)) as s:
        assert s.get(Media, image).proposed == {"alt": "Renamed", "licence": "cc0"}
    with write_session(engine_of(app)) as s:
        actions.submit(s, owner, published)
        actions.reject(s, users["curator"], published, "Keep the licence")
    assert client.get(f"/api/v1/initiatives/{published}/media").get_json()[0]["alt"] == TEXTS["alt"]
    with write_session(engine_of(app)) as s:
        actions.update_media(s, owner, published, image, {"licence": "cc_by_sa"})
        actions.submit(s, owner, published)
        actions.publish(s, users["curator"], published)
    api = client.get(f"/api/v1/initiatives/{published}/media").get_json()
    assert (api[0]["alt"], api[0]["licence"]) == ("Renamed", "cc_by_sa")


def test_withdrawing_hides_every_file_and_deleting_drops_what_waited(app, client, users, published):
    owner = users["submitter"]
    live = add(app, users["curator"], published)
    waiting = add(app, owner, published, colour="gold")
    with write_session(engine_of(app)) as s:
        actions.withdraw(s, owner, published)  # the owners' edit becomes the withdrawn record
    assert state(app, published) == ("withdrawn", None, {live: "live", waiting: "live"})
    for media_id in (live, waiting):
        assert client.get(f"/initiatives/{published}/media/{media_id}").status_code == 404

    other = add(app, users["curator"], published)  # now a draft-like record: applies at once
    with write_session(engine_of(app)) as s:
        actions.submit(s, owner, published)
        actions.publish(s, users["curator"], published)
    added_late = add(app, owner, published, colour="plum")
    with write_session(engine_of(app)) as s:
        actions.delete(s, users["curator"], published)
    assert state(app, published)[2] == {live: "live", waiting: "live", other: "live"}
    assert added_late not in state(app, published)[2]
    assert client.get(f"/initiatives/{published}/media/{live}").status_code == 404


def test_every_media_change_is_one_revision_naming_the_item(engine):
    with write_session(engine) as s:
        record = actions.create(s, actions.SYSTEM, valid_record()).id
        image = actions.add_media(s, actions.SYSTEM, record, "image", files.image(), TEXTS).id
        actions.update_media(s, actions.SYSTEM, record, image, {"caption": "New caption"})
        actions.update_media(s, actions.SYSTEM, record, image, {"caption": "New caption"})
        actions.remove_media(s, actions.SYSTEM, record, image)
    with read_session(engine) as s:
        revisions = list(s.scalars(select(Revision).where(Revision.initiative_id == record)
                                   .order_by(Revision.number)))  # fmt: skip
        assert [(r.action, r.changes) for r in revisions] == [
            ("create", revisions[0].changes),
            ("add_media", ["media"]),
            ("update_media", ["media"]),  # the second, identical update wrote nothing
            ("remove_media", ["media"]),
        ]
        assert revisions[1].note == f"#{image} “{TEXTS['alt']}”"
        assert s.scalar(select(func.count()).select_from(Media)) == 0
        assert s.scalar(select(func.count()).select_from(MediaFile)) == 0


def test_publishing_an_edit_with_media_names_them_in_its_revision(engine):
    owner = actions.SYSTEM
    with write_session(engine) as s:
        record = actions.create(s, owner, valid_record()).id
        actions.submit(s, owner, record)
        actions.publish(s, owner, record)
    propose_edit(engine, record, title="Renamed")  # an edit in review
    with write_session(engine) as s:
        image = actions.add_media(s, owner, record, "image", files.image(), TEXTS)
        assert image.state == "added"  # beside an edit in review, even a curator's change waits
        actions.publish(s, owner, record)
    with read_session(engine) as s:
        last = s.scalars(select(Revision).where(Revision.initiative_id == record)
                         .order_by(Revision.number.desc())).first()  # fmt: skip
        assert last.action == "publish" and "media" in last.changes and "title" in last.changes
        assert {m.state for m in s.scalars(select(Media))} == {"live"}


@pytest.mark.parametrize(
    ("who", "status", "expected"),
    [
        ("other", "draft", initiatives.NotFound),  # another organisation: 404
        ("submitter", "submitted", actions.Forbidden),  # in review: curators only
        ("colleague", "draft", None),  # the same organisation: an owner
        ("curator", "submitted", None),
    ],
)
def test_media_actions_need_edit_rights(app, users, make_owned, who, status, expected):
    record = make_owned(users["submitter"], status=status)
    if expected is None:
        assert add(app, users[who], record)
        return
    with pytest.raises(expected), write_session(engine_of(app)) as s:
        actions.add_media(s, users[who], record, "image", files.image(), TEXTS)
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).select_from(Media)) == 0


def test_a_stale_version_is_refused(engine):
    with write_session(engine) as s:
        record = actions.create(s, actions.SYSTEM, valid_record()).id
    with pytest.raises(actions.StaleVersion), write_session(engine) as s:
        actions.add_media(s, actions.SYSTEM, record, "image", files.image(), TEXTS,
                          expected_version=7)  # fmt: skip


def test_search_cards_show_the_first_public_image(app, client, users, published, make_owned):
    first = add(app, users["curator"], published, alt="First image", credit="C", licence="cc0")
    add(app, users["curator"], published, alt="Second image", credit="C", licence="cc0")
    hidden = make_owned(users["submitter"], title="Painted bus shelters draft")
    add(app, users["submitter"], hidden, alt="Draft image", credit="C", licence="cc0")
    page = client.get("/initiatives?q=shelters").get_data(as_text=True)
    assert f'src="/initiatives/{published}/media/{first}/thumbnail" alt="First image"' in page
    assert "Second image" not in page and "Draft image" not in page


def test_exports_list_public_media_by_address_and_imports_ignore_them(app, client, users,
                                                                      published):  # fmt: skip
    image = add(app, users["curator"], published)
    document = add(app, users["curator"], published, "document")
    waiting = add(app, users["submitter"], published, colour="gold")  # waits for review
    exported = client.get("/export/initiatives.json").get_json()["initiatives"]
    (record,) = [r for r in exported if r["id"] == published]
    assert [(m["id"], m["kind"]) for m in record["media"]] == [(image, "image"),
                                                               (document, "document")]  # fmt: skip
    assert record["media"][0]["url"] == f"http://localhost/initiatives/{published}/media/{image}"
    assert record["media"][0]["licence"] == "cc_by_sa"
    csv = client.get("/export/initiatives.csv").get_data(as_text=True)
    assert csv.splitlines()[0].endswith(",media,links,translations")  # issue 16
    assert (f"http://localhost/initiatives/{published}/media/{image}; "
            f"http://localhost/initiatives/{published}/media/{document}") in csv  # fmt: skip
    from registry.transfer.importing import read_bytes

    from .conftest import run_import

    rows = read_bytes(client.get("/export/initiatives.json").data, "json", "export.json")
    summary = run_import(app, rows, replace_pending=True)
    assert published in summary.unchanged + summary.updated
    assert state(app, published)[2] == {image: "live", waiting: "added", document: "live"}
