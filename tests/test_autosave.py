"""A draft saved as its writer types (issue 19): the form's script posts the whole form to
/my/initiatives/<id>/autosave (or /my/initiatives/autosave for a new record), which goes through
the edit (or create) action with the page's version. Only drafts, records sent back and
withdrawn records; never a submission; a stale version or bad input is refused with a clear
answer and nothing written. The browser side is tests/browser/test_autosave.py."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from registry.db import read_session
from registry.models import Initiative, Revision

from .conftest import csrf_from
from .test_contribute_pages import form_data


def _counts(app) -> tuple[int, int]:
    with read_session(app.extensions["registry"].engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Initiative)),
            s.scalar(select(func.count()).select_from(Revision)),
        )


def _record(app, initiative_id: int) -> Initiative:
    """The record as stored now, detached with its columns loaded."""
    with read_session(app.extensions["registry"].engine) as s:
        record = s.get(Initiative, initiative_id)
        s.refresh(record)
        s.expunge(record)
        return record


def _edit_page(browser, initiative_id: int) -> tuple[str, str, str]:
    """(page, CSRF token, version) of the record's edit page."""
    html = browser.get(f"/my/initiatives/{initiative_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)
    return html, csrf_from(html), version


def test_a_draft_is_saved_in_the_background_and_never_submitted(app, sign_in, users, make_owned):
    browser = sign_in(users["submitter"].email)
    draft = make_owned(users["submitter"])
    html, token, version = _edit_page(browser, draft)
    assert f'data-autosave="/my/initiatives/{draft}/autosave"' in html
    assert 'id="autosave-status" role="status" aria-live="polite"' in html
    assert "js/autosave.js" in html
    body = {**form_data(title="Walks, saved as typed"), "csrf_token": token, "version": version,
            "submit": "1"}  # fmt: skip
    answer = browser.post(f"/my/initiatives/{draft}/autosave", data=body)
    assert answer.status_code == 200
    saved = answer.get_json()
    assert saved["version"] == int(version) + 1
    assert saved["edit_url"] == f"/my/initiatives/{draft}/edit"
    record = _record(app, draft)
    assert (record.title, record.status, record.version) == (
        "Walks, saved as typed", "draft", saved["version"]
    )  # fmt: skip


def test_a_stale_version_is_refused_and_nothing_is_written(app, sign_in, users, make_owned):
    browser = sign_in(users["submitter"].email)
    colleague = sign_in(users["colleague"].email)
    draft = make_owned(users["submitter"])
    _html, token, version = _edit_page(browser, draft)
    # The colleague saves the draft meanwhile, from the form.
    _c_html, c_token, c_version = _edit_page(colleague, draft)
    kept = colleague.post(f"/my/initiatives/{draft}/edit",
                          data={**form_data(title="The colleague's title"), "csrf_token": c_token,
                                "version": c_version, "save": "1"})  # fmt: skip
    assert kept.status_code == 302
    before = _counts(app)
    body = {**form_data(title="Mine"), "csrf_token": token, "version": version}
    refused = browser.post(f"/my/initiatives/{draft}/autosave", data=body)
    assert refused.status_code == 409
    answer = refused.get_json()
    assert answer["stale"] is True and "Someone else changed this record" in answer["message"]
    assert _counts(app) == before
    assert _record(app, draft).title == "The colleague's title"


def test_bad_input_gets_the_readers_words_and_writes_nothing(app, sign_in, users, make_owned):
    browser = sign_in(users["submitter"].email)
    draft = make_owned(users["submitter"])
    _html, token, version = _edit_page(browser, draft)
    before = _counts(app)
    body = {**form_data(title="ab", start_year="last year"), "csrf_token": token,
            "version": version}  # fmt: skip
    refused = browser.post(f"/my/initiatives/{draft}/autosave", data=body,
                           headers={"Accept-Language": "fr"})  # fmt: skip
    assert refused.status_code == 422
    answer = refused.get_json()
    assert set(answer["errors"]) == {"title", "start_year"}
    assert answer["message"].startswith("Pas enregistré")
    assert (
        "« Année de début »" in answer["errors"]["start_year"][0]
        or "Année" in (answer["errors"]["start_year"][0])
    )
    assert _counts(app) == before
    # Without the page's CSRF token nothing is saved either.
    forged = browser.post(f"/my/initiatives/{draft}/autosave",
                          data={**form_data(title="Forged"), "version": version})  # fmt: skip
    assert forged.status_code == 400
    assert _counts(app) == before


def test_only_drafts_are_saved_as_you_type(app, sign_in, users, make_owned):
    owner = sign_in(users["submitter"].email)
    curator = sign_in(users["curator"].email)
    stranger = sign_in(users["other"].email)
    published = make_owned(users["submitter"], "published")
    html, token, version = _edit_page(owner, published)
    assert "data-autosave" not in html and "js/autosave.js" not in html
    before = _counts(app)
    body = {**form_data(title="Changed live?"), "csrf_token": token, "version": version}
    refused = owner.post(f"/my/initiatives/{published}/autosave", data=body)
    assert refused.status_code == 409 and "saved as you type" in refused.get_json()["message"]
    c_html, c_token, c_version = _edit_page(curator, published)
    assert "data-autosave" not in c_html
    live = curator.post(f"/my/initiatives/{published}/autosave",
                        data={**body, "csrf_token": c_token, "version": c_version})  # fmt: skip
    assert live.status_code == 409
    assert _counts(app) == before
    submitted = make_owned(users["submitter"], "submitted")
    s_html = curator.get(f"/my/initiatives/{submitted}/edit").get_data(as_text=True)
    assert "data-autosave" not in s_html
    draft = make_owned(users["submitter"])
    before = _counts(app)
    s_token = csrf_from(stranger.get("/my/initiatives/new").get_data(as_text=True))
    other = stranger.post(f"/my/initiatives/{draft}/autosave", data={**body, "csrf_token": s_token})
    assert other.status_code == 404
    assert _counts(app) == before


def test_a_new_record_becomes_a_draft_once_its_required_fields_are_valid(app, sign_in, users):
    browser = sign_in(users["submitter"].email)
    html = browser.get("/my/initiatives/new").get_data(as_text=True)
    assert 'data-autosave="/my/initiatives/autosave"' in html
    token = csrf_from(html)
    before = _counts(app)
    early = browser.post("/my/initiatives/autosave",
                         data={"title": "Walks", "csrf_token": token})  # fmt: skip
    assert early.status_code == 422
    assert early.get_json()["message"] == "Not saved yet: a draft needs the required fields."
    assert _counts(app) == before
    made = browser.post("/my/initiatives/autosave", data={**form_data(), "csrf_token": token})
    assert made.status_code == 201
    answer = made.get_json()
    record = _record(app, answer["id"])
    assert (record.status, record.version) == ("draft", answer["version"])
    assert answer["autosave_url"] == f"/my/initiatives/{answer['id']}/autosave"
    assert browser.get(answer["edit_url"]).status_code == 200
