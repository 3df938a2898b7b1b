"""The curators' review desk (issue 19): curators start at the queue, the header counts what
waits, each item names who submitted it for which organisation and when and whether it is new
or an edit, the diff is word-level on rendered text with clean labels, a record goes back with
notes per field, and its history is one click away."""

from __future__ import annotations

import re

from registry.web.review import word_diff

from .conftest import csrf_from
from .test_contribute_pages import form_data, post_form, press


def test_curators_start_at_the_review_queue_and_submitters_at_their_list(app, users):
    for email, landing in (("cur@registry.example", "/review"), ("sub@lyon.example", "/my/")):
        client = app.test_client()
        token = csrf_from(client.get("/sign-in").get_data(as_text=True))
        response = client.post(
            "/sign-in", data={"email": email, "password": "correct horse battery",
                              "csrf_token": token},
        )  # fmt: skip
        assert landing in response.headers["Location"]


def test_the_header_counts_the_records_waiting_for_curators_only(sign_in, users, make_owned):
    make_owned(users["submitter"], "submitted", title="First waiting record")
    make_owned(users["other"], "submitted", title="Second waiting record")
    make_owned(users["other"], "draft", title="A draft nobody reviews yet")
    curator = sign_in(users["curator"].email).get("/initiatives").get_data(as_text=True)
    assert re.search(
        r'Review <span class="nav-count">2<span class="visually-hidden"> waiting', curator
    )
    submitter = sign_in(users["submitter"].email).get("/initiatives").get_data(as_text=True)
    assert "nav-count" not in submitter


def test_each_item_says_who_for_which_organisation_when_and_new_or_edit(sign_in, users, make_owned):
    make_owned(users["other"], "submitted", title="Hearing clinics in Wien")
    published = make_owned(users["submitter"], "published", title="Walks with nurses in Lyon")
    owner = sign_in(users["submitter"].email)
    post_form(
        owner,
        f"/my/initiatives/{published}/edit",
        form_data(
            title="Walks with nurses in Lyon",
            description="Nurses and **residents** choose the routes together.",
        ),
        button="submit",
    )
    html = sign_in(users["curator"].email).get("/review").get_data(as_text=True)
    wien = html[html.index("Hearing clinics in Wien") :]
    wien = wien[: wien.index("</dl>")]
    assert "New record" in wien and "sub@wien.example" in wien and "Stadt Wien" in wien
    lyon = html[html.index("Walks with nurses in Lyon") :]
    assert "Edit of a published record" in lyon[:400]
    assert "sub@lyon.example" in lyon and "Ville de Lyon" in lyon
    assert f'href="/my/initiatives/{published}/history"' in lyon
    # Clean labels and rendered Markdown: no hint in a label, no asterisks in the text.
    assert '<th scope="row">Description</th>' in lyon
    assert "**residents**" not in lyon and "<ins>" in lyon
    assert "(at most 600 characters)" not in html and "(Markdown)" not in html


def test_the_word_diff_marks_only_the_words_that_changed():
    before, after = word_diff("Residents walk every week", "Residents and nurses walk every day")
    assert str(before) == "Residents walk every <del>week</del>"
    assert str(after) == "Residents <ins>and nurses </ins>walk every <ins>day</ins>"
    escaped, _ = word_diff("<b>bold</b>", "")
    assert "<b>" not in str(escaped)


def test_a_record_goes_back_with_a_note_per_field(sign_in, users, make_owned):
    record = make_owned(users["submitter"], "submitted", title="Street repairs with residents")
    curator = sign_in(users["curator"].email)
    page_url = f"/initiatives/{record}/street-repairs-with-residents"
    html = curator.get("/review").get_data(as_text=True)
    assert 'name="note-title"' in html and "Note on “Title”" in html
    press(curator, page_url, "reject", reason="Almost there.", **{
        "note-title": "Name the city in the title.", "note-summary": "Say who takes part.",
    })  # fmt: skip
    shown = sign_in(users["submitter"].email).get(page_url).get_data(as_text=True)
    assert "Almost there.\nTitle: Name the city in the title.\nSummary: Say who takes part." in (
        shown
    )
