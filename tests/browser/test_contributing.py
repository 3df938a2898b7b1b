"""What contributors and curators do, in a real browser: a submitter fills the form, makes a
mistake and corrects it; a curator sends a record back with a reason, the submitter fixes it,
the curator publishes it and the public finds it in search.

These journeys change what the public sees, so they run on a server of their own."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from registry import accounts, actions
from registry.db import write_session

from .conftest import PEOPLE, choose_country, screenshot, serving, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template) -> Iterator[tuple[str, object]]:
    with serving(tmp_path_factory.mktemp("contributing"), sqlite_template) as running:
        yield running


def submitted_by(app, who: str, **fields) -> str:
    """An initiative of `who`'s organisation, submitted for review; returns its title."""
    record = {
        "title": "Repair cafés run with the libraries of Villeurbanne",
        "summary": "Residents and librarians fix household objects together every month.",
        "description": "Volunteers bring tools; librarians lend the room and the manuals.",
        "start_year": 2022,
        "sources": [{"title": "Library newsletter", "url": "https://example.org/repair"}],
        "country": "FR",
        "sector": "environment",
        "stages": ["deliver"],
        "maturity": "pilot",
        **fields,
    }
    with write_session(app.extensions["registry"].engine) as s:
        owner = accounts.Principal.of(accounts.find_user(s, PEOPLE[who][0]))
        actions.create(s, owner, record, submit=True)
    return record["title"]


def test_submitter_fills_the_form_with_a_mistake_corrects_it_and_submits(new_page, server):
    url, _app = server
    page = new_page(url)
    sign_in(page, "submitter")
    page.get_by_role("link", name="My initiatives").click()
    page.get_by_role("link", name="Add an initiative").click()
    page.wait_for_url(re.compile(r"/my/initiatives/new$"))
    title = "Neighbourhood tool library co-run with residents of Croix-Rousse"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Summary").fill("Residents lend and repair tools with the city's staff.")
    page.get_by_label("Description").fill("Volunteers and staff open the library twice a week.")
    page.get_by_label("Sources", exact=True).fill("City report | https://example.org/tools")
    choose_country(page, "Fra", "France")
    page.get_by_label("Sector", exact=True).select_option("environment")
    page.locator("#f-stages").get_by_label("Deliver", exact=True).check()
    # The mistakes: no maturity chosen, and a start year from before the registry's range.
    page.get_by_label("Start year").fill("1850")
    page.get_by_role("button", name="Submit for review").click()

    alert = page.get_by_role("alert")
    assert "Nothing was saved" in alert.inner_text()
    year = page.get_by_label("Start year")
    assert year.get_attribute("aria-invalid") == "true"
    assert "1900" in page.locator("#e-start_year").inner_text()
    assert page.locator("#e-maturity").is_visible()
    assert "e-start_year" in year.get_attribute("aria-describedby").split()
    # What was typed is kept.
    assert page.get_by_label("Title", exact=True).input_value() == title
    assert page.get_by_role("combobox", name="Country", exact=True).input_value() == "France"
    assert page.locator("#f-country-select").input_value() == "FR"
    assert page.locator("#f-stages").get_by_label("Deliver", exact=True).is_checked()
    assert year.input_value() == "1850"
    screenshot(page, "contribute-form-errors")

    year.fill("2019")
    page.get_by_label("Maturity").select_option("pilot")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/neighbourhood-tool-library"))
    assert page.get_by_role("status").filter(has_text="Submitted for review.").is_visible()
    assert "Waiting for review" in page.locator(".manage-panel").inner_text()
    assert page.locator("h1").inner_text() == title
    page.get_by_role("link", name="My initiatives").click()
    row = page.get_by_role("row", name=re.compile("Neighbourhood tool library"))
    assert "Waiting for review" in row.inner_text()


def test_curator_sends_back_submitter_fixes_curator_publishes_public_finds_it(new_page, server):
    url, app = server
    title = submitted_by(app, "submitter")
    reason = "Please add a source for the attendance figures."
    anonymous = new_page(url)
    anonymous.goto("/initiatives?q=Villeurbanne")
    assert anonymous.locator(".result-count").inner_text() == "0 initiatives"

    curator = new_page(url)
    sign_in(curator, "curator")
    curator.get_by_role("link", name=re.compile(r"^Review( \d+ waiting)?$")).click()
    item = curator.locator(".review-item", has=curator.get_by_role("heading", name=title))
    item.get_by_label("Reason (shown to the submitter)").fill(reason)
    item.get_by_role("button", name="Send back").click()
    curator.wait_for_url(re.compile(r"/review$"))
    assert curator.locator(".review-item", has_text=title).count() == 0

    submitter = new_page(url)
    sign_in(submitter, "submitter")
    submitter.get_by_role("link", name="My initiatives").click()
    row = submitter.get_by_role("row", name=re.compile("Repair cafés"))
    assert "Sent back" in row.inner_text()
    row.get_by_role("link", name=title).click()
    assert reason in submitter.locator(".rejection").inner_text()
    submitter.get_by_role("link", name="Edit", exact=True).click()
    submitter.get_by_role("textbox", name=re.compile("^Sources")).fill(
        "Villeurbanne libraries, annual report 2024 | https://example.org/report-2024"
    )
    submitter.get_by_role("button", name="Submit for review").click()
    submitter.wait_for_url(re.compile(r"/initiatives/\d+/"))
    assert "Waiting for review" in submitter.locator(".manage-panel").inner_text()

    curator.get_by_role("link", name=re.compile(r"^Review( \d+ waiting)?$")).click()
    item = curator.locator(".review-item", has=curator.get_by_role("heading", name=title))
    assert "annual report 2024" in item.locator("table.diff").inner_text()
    screenshot(curator, "review-queue")
    item.get_by_role("button", name="Publish").click()
    assert curator.get_by_role("status").filter(has_text="Published.").is_visible()

    anonymous.get_by_label("Search the registry").fill("Villeurbanne")
    anonymous.get_by_label("Search the registry").press("Enter")
    anonymous.get_by_role("link", name=title).click()
    assert anonymous.locator("h1").inner_text() == title
    sources = anonymous.get_by_role("link", name=re.compile("annual report 2024"))
    assert sources.get_attribute("href") == "https://example.org/report-2024"
