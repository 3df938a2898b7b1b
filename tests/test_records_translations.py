"""Case records (issue 16): a record's texts translated into the other interface language,
marked as a translation, shown to readers of that language with a link to the original."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from registry import actions
from registry.actions.errors import Forbidden
from registry.db import read_session, write_session
from registry.models import InitiativeTranslation, Revision
from registry.schemas import ValidationFailed

from .conftest import csrf_from
from .test_transfer import engine_of

FRENCH = {
    "title": "Patrouilles citoyennes avec la police",
    "summary": "Des bénévoles et des agents parcourent le quartier ensemble.",
    "description": "Une **description** traduite.",
    "outcomes": "Moins de cambriolages.",
    "lessons": "Commencer petit.",
    "challenges": "Garder les bénévoles.",
    "translator": "Camille Martin",
}


def _translate(app, who, initiative_id, language="fr", **changes):
    with write_session(engine_of(app)) as s:
        return actions.translate_record(s, who, initiative_id, language, {**FRENCH, **changes})


def _page(client, initiative_id, locale="en", query=""):
    return client.get(
        f"/initiatives/{initiative_id}/citizen-patrols-with-the-local-police{query}",
        headers={"Accept-Language": locale},
        follow_redirects=True,
    ).get_data(as_text=True).replace("&#39;", "'")  # fmt: skip


def test_a_french_reader_gets_the_translation_with_a_note_and_the_original(
    app, users, make_owned, client
):
    new_id = make_owned(users["submitter"], "published", lessons="Start small.")
    _translate(app, users["curator"], new_id)  # a curator's translation is live at once
    french = _page(client, new_id, "fr")
    for text in ("Patrouilles citoyennes avec la police", "Moins de cambriolages.",
                 "Commencer petit.", "Garder les bénévoles.", "Camille Martin",
                 "Traduction de l'original en anglais", "Lire l'original"):  # fmt: skip
        assert text in french, text
    assert '<article class="initiative" lang="fr">' in french
    original = _page(client, new_id, "fr", "?original=1")
    assert "Citizen patrols with the local police" in original and "Start small." in original
    english = _page(client, new_id, "en")
    assert "Citizen patrols with the local police" in english and "Camille Martin" not in english


def test_a_translation_is_one_revision_and_can_be_replaced_and_removed(app, users, make_owned):
    new_id = make_owned(users["submitter"], "published")
    _translate(app, users["submitter"], new_id)
    _translate(app, users["submitter"], new_id, title="Patrouilles de voisins")
    with read_session(engine_of(app)) as s:
        rows = s.scalars(select(InitiativeTranslation)).all()
        assert [(r.language, r.title) for r in rows] == [("fr", "Patrouilles de voisins")]
        actions_done = s.scalars(select(Revision.action).where(Revision.initiative_id == new_id))
        assert list(actions_done).count("translate_record") == 2
    with write_session(engine_of(app)) as s:
        actions.remove_translation(s, users["submitter"], new_id, "fr")
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).select_from(InitiativeTranslation)) == 0


@pytest.mark.parametrize(
    ("language", "changes", "field", "message"),
    [
        ("en", {}, "language", "another language of the interface"),
        ("de", {}, "language", "another language of the interface"),
        ("fr", {"title": "ab"}, "title", "at least 3 characters"),
        ("fr", {"summary": ""}, "summary", "at least 1 character"),
        ("fr", {"translator": ""}, "translator", "at least 1 character"),
        ("fr", {"lessons": "a\x00b"}, "lessons", "not allowed"),
    ],
)
def test_bad_translations_get_a_clear_error_and_nothing_is_written(
    app, users, make_owned, language, changes, field, message
):
    new_id = make_owned(users["submitter"], "published")
    with pytest.raises(ValidationFailed) as caught:
        _translate(app, users["submitter"], new_id, language, **changes)
    assert message in str(caught.value.fields[field]), caught.value.fields
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).select_from(InitiativeTranslation)) == 0


def test_only_owners_and_curators_translate(app, users, make_owned):
    new_id = make_owned(users["submitter"], "published")
    with pytest.raises(Forbidden):
        _translate(app, users["other"], new_id)
    _translate(app, users["curator"], new_id)


def test_owners_translate_from_the_form_and_errors_show_next_to_their_field(
    app, users, make_owned, sign_in, client
):
    new_id = make_owned(users["submitter"], "published")
    owner = sign_in(users["submitter"].email)
    page = owner.get(f"/initiatives/{new_id}/x", follow_redirects=True).get_data(as_text=True)
    assert f"/my/initiatives/{new_id}/translation" in page
    html = owner.get(f"/my/initiatives/{new_id}/translation").get_data(as_text=True)
    form = {"csrf_token": csrf_from(html), "language": "fr", **FRENCH, "title": "ab",
            "version": re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)}  # fmt: skip
    refused = owner.post(f"/my/initiatives/{new_id}/translation", data=form)
    assert refused.status_code == 422
    block = re.search(r'id="field-title"(.*?)</div>', refused.get_data(as_text=True), re.S)
    assert "at least 3 characters" in block.group(1)
    saved = owner.post(
        f"/my/initiatives/{new_id}/translation", data={**form, "title": FRENCH["title"]}
    )
    assert saved.status_code == 302
    assert FRENCH["title"] not in _page(client, new_id, "fr")  # waits for a curator
    with write_session(engine_of(app)) as s:
        actions.submit(s, users["submitter"], new_id)
        actions.publish(s, users["curator"], new_id)
    assert FRENCH["title"] in _page(client, new_id, "fr")
    assert client.get(f"/my/initiatives/{new_id}/translation").status_code in (302, 401)
    other = sign_in(users["other"].email)
    assert other.get(f"/my/initiatives/{new_id}/translation").status_code == 403


def test_the_translation_of_an_unpublished_record_is_never_public(app, users, make_owned, client):
    draft = make_owned(users["submitter"], "draft")
    _translate(app, users["submitter"], draft)
    assert (
        client.get(f"/initiatives/{draft}/x", headers={"Accept-Language": "fr"}).status_code == 404
    )
    found = client.get("/api/v1/initiatives?q=Patrouilles").get_json()
    assert found["total"] == 0


def test_search_finds_a_record_by_the_words_of_its_translation(app, users, make_owned, client):
    new_id = make_owned(users["submitter"], "published")
    assert client.get("/api/v1/initiatives?q=cambriolages").get_json()["total"] == 0
    _translate(app, users["submitter"], new_id)  # the owner's: waits for review, not searched
    assert client.get("/api/v1/initiatives?q=cambriolages").get_json()["total"] == 0
    with write_session(engine_of(app)) as s:
        actions.submit(s, users["submitter"], new_id)
        actions.publish(s, users["curator"], new_id)
    for query in ("cambriolages", "Patrouilles citoyennes", "Citizen patrols"):
        found = client.get("/api/v1/initiatives", query_string={"q": query}).get_json()
        assert [r["id"] for r in found["results"]] == [new_id], query
