"""The contribution and moderation pages, driven like a browser (real CSRF tokens)."""

from __future__ import annotations

import re

import pytest

from .conftest import csrf_from


def form_data(**overrides):
    data = {
        "title": "Neighbourhood health walks",
        "summary": "Residents and nurses plan weekly walks together.",
        "description": "Nurses and residents choose the routes and lead the walks in turn.",
        "language": "en",
        "country": "FR",
        "sector": "health",
        "stages": ["design", "deliver"],
        "maturity": "pilot",
        "start_year": "2019",
        "tags": "walking, prevention",
        "sources": "Evaluation | https://example.org/eval.pdf",
    }
    data.update(overrides)
    return data


def post_form(browser, url, data, button="save"):
    page = browser.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    fields = {**data, "csrf_token": csrf_from(html), button: "1"}
    version = re.search(r'name="version"[^>]*value="(\d+)"', html)
    if version and "version" not in data:
        fields["version"] = version.group(1)
    return browser.post(url, data=fields)


def press(browser, page_url, action, **extra):
    """Press a workflow button on the initiative page (its form has the CSRF token)."""
    html = browser.get(page_url).get_data(as_text=True)
    match = re.search(rf'action="([^"]+/{action})"', html)
    assert match, f"no {action} button on {page_url}"
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return browser.post(
        match.group(1), data={"csrf_token": csrf_from(html), "version": version, **extra}
    )


def test_whole_path_from_draft_to_published_in_the_browser(sign_in, users, client):
    owner = sign_in(users["submitter"].email)
    saved = post_form(owner, "/my/initiatives/new", form_data())
    assert saved.status_code == 302
    page_url = saved.headers["Location"]
    draft_page = owner.get(page_url).get_data(as_text=True)
    assert "Draft" in draft_page and "Only your organisation" in draft_page
    assert client.get(page_url).status_code == 404
    assert sign_in(users["other"].email).get(page_url).status_code == 404
    assert "Neighbourhood health walks" in owner.get("/my/initiatives").get_data(as_text=True)

    assert press(owner, page_url, "submit").status_code == 302
    curator = sign_in(users["curator"].email)
    queue = curator.get("/review").get_data(as_text=True)
    assert "Neighbourhood health walks" in queue and "Proposed" in queue

    press(curator, page_url, "reject", reason="Please add the city")
    owner_view = owner.get(page_url).get_data(as_text=True)
    assert "Sent back" in owner_view and "Please add the city" in owner_view

    edited = post_form(
        owner,
        page_url.split("/initiatives/")[0] + "/my/initiatives/" + page_url.split("/")[-2] + "/edit",
        form_data(locality="Lyon"),
        button="submit",
    )
    assert edited.status_code == 302
    assert "Waiting for review" in owner.get(page_url).get_data(as_text=True)
    press(curator, page_url, "publish")
    public = client.get(page_url)
    assert public.status_code == 200 and "Lyon" in public.get_data(as_text=True)
    history = owner.get(f"/my/initiatives/{page_url.split('/')[-2]}/history").get_data(as_text=True)
    for action in ("Created", "Submitted for review", "Sent back", "Edited", "Published"):
        assert action in history
    assert client.get(f"/my/initiatives/{page_url.split('/')[-2]}/history").status_code == 302


def test_pending_edit_is_invisible_to_the_public_page_until_published(
    sign_in, users, client, make_owned
):
    new_id = make_owned(users["submitter"], "published")
    page_url = f"/initiatives/{new_id}/citizen-patrols-with-the-local-police"
    owner = sign_in(users["submitter"].email)
    edit = post_form(
        owner,
        f"/my/initiatives/{new_id}/edit",
        form_data(title="Secret new title"),
        button="submit",
    )
    assert edit.status_code == 302
    assert "Secret new title" not in client.get(page_url).get_data(as_text=True)
    assert "Secret new title" not in sign_in(users["other"].email).get(page_url).get_data(
        as_text=True
    )
    owner_page = owner.get(page_url).get_data(as_text=True)
    assert "edit waiting for review" in owner_page and "Secret new title" in owner_page
    curator = sign_in(users["curator"].email)
    assert "Secret new title" in curator.get("/review").get_data(as_text=True)
    press(curator, page_url, "publish")
    assert client.get(f"/initiatives/{new_id}").status_code == 301
    assert "Secret new title" in client.get(
        f"/initiatives/{new_id}", follow_redirects=True
    ).get_data(as_text=True)


def test_stale_edit_form_is_refused_and_changes_nothing(sign_in, users, make_owned):
    new_id = make_owned(users["submitter"])
    first, second = sign_in(users["submitter"].email), sign_in(users["colleague"].email)
    url = f"/my/initiatives/{new_id}/edit"
    html = second.get(url).get_data(as_text=True)
    assert post_form(first, url, form_data(title="First writer")).status_code == 302
    late = second.post(
        url,
        data={
            **form_data(title="Second writer"),
            "save": "1",
            "csrf_token": csrf_from(html),
            "version": "1",
        },
    )
    assert late.status_code == 409
    assert "Someone else changed this record" in late.get_data(as_text=True)
    assert "First writer" in first.get(f"/initiatives/{new_id}", follow_redirects=True).get_data(
        as_text=True
    )


def test_form_without_csrf_token_is_refused(sign_in, users):
    owner = sign_in(users["submitter"].email)
    assert owner.post("/my/initiatives/new", data={**form_data(), "save": "1"}).status_code == 400


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "ab", "“Title”: must have at least 3 characters"),
        ("summary", "", "Enter “Summary”."),
        ("summary", "x" * 601, "“Summary” must have at most 600 characters; it has 601."),
        ("country", "", "Choose “Country”."),
        ("sector", "", "Choose “Sector”."),
        ("stages", [], "Choose at least one option for “Stages of the service cycle”."),
        ("maturity", "", "Choose “Maturity”."),
        ("language", "zz", "Choose “Language of the record” from the list."),
        ("start_year", "1800", "“Start year” must be 1900 or later."),
        ("start_year", "soon", "“Start year” must be a year in figures, like 2019."),
        ("mainstreamed_year", "2020", "only integrated initiatives have a mainstreaming year"),
        ("end_year", "2010", "must not be before the start or mainstreaming year"),
        ("sources", "Report | ftp://example.org", "line 1: the address must start with http://"),
        ("region", "r" * 201, "“Region” must have at most 200 characters"),
    ],
)
def test_each_validation_message_names_its_field_beside_it_and_in_the_summary(
    sign_in, users, field, value, message
):
    owner = sign_in(users["submitter"].email)
    response = post_form(owner, "/my/initiatives/new", form_data(**{field: value}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    beside = re.search(rf'<p class="field-error" id="e-{field}">(.*?)</p>', html, re.S)
    assert beside and message in beside.group(1), html[html.find("error-summary") :][:1500]
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert re.search(rf'<a href="#f-{field}[^"]*">[^<]*{re.escape(message)}', summary)
    assert "item 0" not in html and "ISO 3166" not in html and "ISO 639" not in html
    if isinstance(value, str) and value and field not in ("sources", "language"):
        assert value[:50] in html  # the input is kept (a select keeps only its own options)


def test_possible_duplicates_are_shown(sign_in, users, make_owned):
    make_owned(users["submitter"], "published", title="Neighbourhood health walk")
    owner = sign_in(users["colleague"].email)
    saved = post_form(owner, "/my/initiatives/new", form_data())
    page = owner.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Is this the same as" in page and "Neighbourhood health walk<" in page


def test_review_queue_is_for_curators_and_oldest_first(sign_in, users, make_owned):
    first = make_owned(users["submitter"], "submitted", title="Oldest submission")
    make_owned(users["other"], "submitted", title="Newer submission")
    assert sign_in(users["submitter"].email).get("/review").status_code == 403
    queue = sign_in(users["curator"].email).get("/review").get_data(as_text=True)
    assert queue.index("Oldest submission") < queue.index("Newer submission")
    assert f"/initiatives/{first}/" in queue


def test_withdraw_and_delete_from_the_page(sign_in, users, client, make_owned):
    new_id = make_owned(users["submitter"], "published")
    page_url = f"/initiatives/{new_id}/citizen-patrols-with-the-local-police"
    owner = sign_in(users["submitter"].email)
    assert press(owner, page_url, "withdraw").status_code == 302
    assert client.get(page_url).status_code == 404
    assert "Withdrawn" in owner.get(page_url).get_data(as_text=True)
    curator = sign_in(users["curator"].email)
    assert press(curator, page_url, "delete").status_code == 302
    assert owner.get(page_url).status_code == 404
    assert "citizen-patrols" not in owner.get("/my/initiatives").get_data(as_text=True)


def test_other_organisation_cannot_act_on_a_published_record(sign_in, users, make_owned):
    new_id = make_owned(users["submitter"], "published")
    other = sign_in(users["other"].email)
    assert other.get(f"/my/initiatives/{new_id}/edit").status_code == 403
    html = other.get(f"/initiatives/{new_id}", follow_redirects=True).get_data(as_text=True)
    assert "/withdraw" not in html
    token = csrf_from(other.get("/account").get_data(as_text=True))
    assert (
        other.post(f"/my/initiatives/{new_id}/withdraw", data={"csrf_token": token}).status_code
        == 403
    )


def test_the_history_names_roles_and_organisations_never_e_mail_addresses(
    sign_in, users, make_owned, app
):
    record = make_owned(users["submitter"], status="published")
    page = sign_in(users["submitter"].email).get(f"/my/initiatives/{record}/history")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for person in users.values():
        assert person.email not in html
    assert "Submitter, Ville de Lyon" in html and "The registry" in html
