"""Submitting a record for its first review needs what a curator needs (schemas.REVIEW_NEEDS:
a description, a start year, a source), whatever the surface: the `create` (submitted) and
`submit` actions hold the rule, so the API, the pages and anything else calling them obey it
alike (issue 19). A refusal lists every missing field at once and writes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from registry import actions
from registry.db import read_session, write_session
from registry.models import Initiative, Revision
from registry.schemas import REVIEW_NEEDS, ValidationFailed

from .conftest import REVIEW_READY, csrf_from, draft_record
from .test_contribute_pages import form_data, post_form

API = "/api/v1/initiatives"


def _counts(app) -> tuple[int, int]:
    with read_session(app.extensions["registry"].engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Initiative)),
            s.scalar(select(func.count()).select_from(Revision)),
        )


def test_the_api_refuses_to_submit_an_incomplete_draft_and_says_what_is_missing(
    app, client, users, api_token
):
    owner = api_token(users["submitter"].email)
    draft = client.post(API, json=draft_record(), headers=owner)
    assert draft.status_code == 201  # a draft is saved without them
    path = f"{API}/{draft.get_json()['id']}"
    before = _counts(app)
    refused = client.post(path + "/submit", headers=owner)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == set(REVIEW_NEEDS)
    assert error["fields"]["start_year"] == [
        "needed before the initiative can be submitted for review"
    ]
    assert _counts(app) == before
    kept = client.get(path, headers=owner).get_json()
    assert (kept["status"], kept["version"]) == ("draft", 1)
    # In the reader's language.
    french = client.post(path + "/submit", headers={**owner, "Accept-Language": "fr"})
    assert "soumise" in french.get_json()["error"]["fields"]["sources"][0]
    # Filled in, it goes.
    filled = client.patch(path, json=REVIEW_READY, headers=owner)
    assert filled.status_code == 200
    done = client.post(path + "/submit", headers=owner)
    assert done.status_code == 200 and done.get_json()["status"] == "submitted"


def test_the_api_refuses_to_create_an_incomplete_submission_with_every_problem_at_once(
    app, client, users, api_token
):
    owner = api_token(users["submitter"].email)
    before = _counts(app)
    body = {**draft_record(title="ab", description="   "), "status": "submitted"}
    refused = client.post(API, json=body, headers=owner)
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"title", *REVIEW_NEEDS}
    assert _counts(app) == before
    whole = client.post(API, json={**draft_record(**REVIEW_READY), "status": "submitted"},
                        headers=owner)  # fmt: skip
    assert whole.status_code == 201 and whole.get_json()["status"] == "submitted"


def test_only_the_missing_fields_are_listed(app, users):
    engine = app.extensions["registry"].engine
    owner = users["submitter"]
    with write_session(engine) as s:
        record = actions.create(s, owner, draft_record(start_year=2015, description="Why.")).id
    with pytest.raises(ValidationFailed) as refused, write_session(engine) as s:
        actions.submit(s, owner, record)
    assert list(refused.value.fields) == ["sources"]


def test_an_edit_of_a_published_record_is_not_asked_again(app, users, make_owned):
    """The rule is for a record's first review: a published record's edit goes to review as
    before, even when an older record lacks a start year."""
    engine = app.extensions["registry"].engine
    owner = users["submitter"]
    record = make_owned(owner, "published")
    with write_session(engine) as s:
        actions.edit(s, owner, record, {"start_year": None}, expected_version=None)
        actions.submit(s, owner, record)
    with read_session(engine) as s:
        assert s.get(Initiative, record).pending_status == "submitted"


def test_the_page_submit_shows_the_actions_errors_in_the_readers_words(app, sign_in, users):
    browser = sign_in(users["submitter"].email)
    bare = form_data(description="", sources="", start_year="")
    saved = post_form(browser, "/my/initiatives/new", bare, button="save")
    assert saved.status_code == 302
    before = _counts(app)
    page = browser.get(saved.headers["Location"]).get_data(as_text=True)
    action = re.search(r'action="([^"]+/submit)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    pressed = browser.post(action, data={"csrf_token": csrf_from(page), "version": version})
    assert pressed.status_code == 422
    html = pressed.get_data(as_text=True)
    summary = re.search(r'class="error-summary"(.*?)</ul>', html, re.S).group(1)
    for field in REVIEW_NEEDS:
        assert f'href="#f-{field}"' in summary
    assert "a curator needs it to review the record" in summary
    assert "needed before the initiative" not in html  # the API's words, not the reader's
    assert _counts(app) == before
    # The form's own "Submit for review" on the edit page: the same, with the field errors.
    edit_url = re.search(r'action="([^"]+/edit)"', html).group(1)
    refused = post_form(browser, edit_url, {**bare, "title": "ab"}, button="submit")
    assert refused.status_code == 422
    summary = re.search(r'class="error-summary"(.*?)</ul>', refused.get_data(as_text=True),
                        re.S).group(1)  # fmt: skip
    assert summary.count("<li>") == 4 and 'href="#f-title"' in summary
    assert _counts(app) == before
    done = post_form(browser, edit_url, form_data(), button="submit")
    assert done.status_code == 302
    assert "Submitted for review" in browser.get(done.headers["Location"]).get_data(as_text=True)
