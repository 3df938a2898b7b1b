"""The initiative form's rules as a submitter meets them (issue 19): every problem at once,
cross-field ones included; a draft saved without what a curator needs, a submission refused
without it; a draft deleted after a confirmation page."""

from __future__ import annotations

import re

from .conftest import csrf_from
from .test_contribute_pages import form_data, post_form


def test_field_and_cross_field_errors_come_back_together(sign_in, users):
    owner = sign_in(users["submitter"].email)
    response = post_form(
        owner,
        "/my/initiatives/new",
        form_data(title="ab", maturity="pilot", mainstreamed_year="2020", end_year="2010"),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="e-title"' in html
    assert "only integrated initiatives have a mainstreaming year" in html
    assert "must not be before the start or mainstreaming year" in html
    summary = re.search(r'class="error-summary"(.*?)</ul>', html, re.S).group(1)
    assert summary.count("<li>") == 3
    assert 'href="#f-title"' in summary and 'href="#f-mainstreamed_year"' in summary


def test_a_draft_needs_less_than_a_submission(sign_in, users):
    owner = sign_in(users["submitter"].email)
    bare = form_data(description="", sources="", start_year="")
    refused = post_form(owner, "/my/initiatives/new", bare, button="submit")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    for field in ("description", "start_year", "sources"):
        assert f'href="#f-{field}"' in html
    assert "a curator needs it to review the record" in html
    saved = post_form(owner, "/my/initiatives/new", bare, button="save")
    assert saved.status_code == 302
    # The page's own submit button asks for the same fields, on the form.
    page = owner.get(saved.headers["Location"]).get_data(as_text=True)
    action = re.search(r'action="([^"]+/submit)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    pressed = owner.post(action, data={"csrf_token": csrf_from(page), "version": version})
    assert pressed.status_code == 422
    assert 'href="#f-description"' in pressed.get_data(as_text=True)
    assert "Draft" in owner.get(saved.headers["Location"]).get_data(as_text=True)


def test_the_form_marks_what_is_required_and_shows_each_sections_status(sign_in, users):
    owner = sign_in(users["submitter"].email)
    html = owner.get("/my/initiatives/new").get_data(as_text=True)
    assert 'id="n-title">Required<' in html
    assert 'id="n-description">Needed to submit for review<' in html
    assert 'id="n-region">Optional<' in html
    assert html.count('class="task"') == html.count('class="form-section"') >= 7
    assert "Not started" in html
    assert '<select id="f-language" name="language"' in html and ">French</option>" in html
    assert 'data-max="600"' in html and 'id="c-summary"' in html


def test_a_draft_is_deleted_after_a_confirmation(sign_in, users):
    owner = sign_in(users["submitter"].email)
    saved = post_form(owner, "/my/initiatives/new", form_data())
    page_url = saved.headers["Location"]
    draft_id = page_url.split("/")[-2]
    form = owner.get(f"/my/initiatives/{draft_id}/edit").get_data(as_text=True)
    assert f'href="/my/initiatives/{draft_id}/delete"' in form
    confirm = owner.get(f"/my/initiatives/{draft_id}/delete")
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    done = owner.post(
        f"/my/initiatives/{draft_id}/delete",
        data={"csrf_token": csrf_from(html), "version": version},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/my/initiatives")
    assert "Neighbourhood health walks" not in owner.get("/my/initiatives").get_data(as_text=True)
    assert owner.get(page_url).status_code == 404
    assert (
        sign_in(users["other"].email).get(f"/my/initiatives/{draft_id}/delete").status_code == 404
    )


def test_the_description_preview_renders_markdown_and_saves_nothing(sign_in, users):
    owner = sign_in(users["submitter"].email)
    text = "Residents **choose** the routes.\n\n- walks\n- talks"
    page = owner.get("/my/initiatives/new").get_data(as_text=True)
    response = owner.post(
        "/my/initiatives/new",
        data={
            **form_data(description=text),
            "csrf_token": csrf_from(page),
            "preview": "description",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "error-summary" not in html
    preview = html[html.index('class="md-preview"') :]
    assert "<strong>choose</strong>" in preview and "<li>walks</li>" in preview
    assert "Neighbourhood health walks" not in owner.get("/my/initiatives").get_data(as_text=True)
