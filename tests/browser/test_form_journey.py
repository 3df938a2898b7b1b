"""The initiative form as a submitter meets it (issue 19), in a real browser: three mistakes,
the error summary takes the focus and lists them as links, each link moves the focus to its
field, the submitter fixes them through the links and submits. axe-core checks the form with
errors and the delete confirmation; each page fits a 390 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from .conftest import AXE, PHONE, choose_country, missing, screenshot, serving, sign_in
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template) -> Iterator[tuple[str, object]]:
    with serving(tmp_path_factory.mktemp("form"), sqlite_template) as running:
        yield running


def fits(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def test_submitter_fixes_three_mistakes_through_the_error_summary(new_page, server):
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    url, _app = server
    page = new_page(url, bypass_csp=True)  # axe is injected as an inline script
    sign_in(page, "submitter")
    page.goto("/my/initiatives/new")
    title = "Community gardens planned with the parks department of Lyon"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Description").fill("Residents choose plots; gardeners of the city teach.")
    page.get_by_label("Language of the record").select_option("fr")
    choose_country(page, "Fra", "France")
    page.get_by_label("Sector", exact=True).select_option("environment")
    page.locator("#f-stages").get_by_label("Deliver", exact=True).check()
    page.get_by_label("Maturity").select_option("pilot")
    # Three mistakes: no summary, a start year out of range, a source that is not a web address.
    page.get_by_label("Start year").fill("1850")
    page.get_by_label("Sources", exact=True).fill("Council minutes | www.lyon.fr/minutes")
    page.get_by_role("button", name="Submit for review").click()

    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    links = summary.get_by_role("link")
    assert links.count() == 3
    texts = links.all_inner_texts()
    assert texts == [
        "Enter “Summary”.",
        "“Start year” must be 1900 or later.",
        "“Sources”, line 1: the address must start with http:// or https://.",
    ]
    assert not any("item 0" in t or "ISO" in t for t in texts)
    assert page.locator(".task-error").count() == 3  # three sections have errors
    assert page.get_by_label("Title", exact=True).input_value() == title
    assert not serious_violations(page), "form with errors"
    screenshot(page, "form-error-summary")

    # Each link puts the focus in its field; the submitter fixes them one by one.
    links.nth(0).click()
    assert page.evaluate("document.activeElement.id") == "f-summary"
    page.keyboard.type("Neighbours grow vegetables on council land with the city's gardeners.")
    assert "characters remaining" in page.locator("#c-summary").inner_text()
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "f-start_year"
    page.keyboard.press("Control+A")
    page.keyboard.type("2019")
    links.nth(2).click()
    assert page.evaluate("document.activeElement.id") == "f-sources"
    page.get_by_label("Sources", exact=True).fill("Council minutes | https://www.lyon.fr/minutes")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/community-gardens"))
    assert page.get_by_role("status").filter(has_text="Submitted for review.").is_visible()
    screenshot(page, "form-submitted")


def test_the_form_and_its_errors_fit_a_phone(new_page, server):
    url, _app = server
    page = new_page(url, viewport=PHONE)
    sign_in(page, "submitter")
    page.goto("/my/initiatives/new")
    fits(page)
    page.get_by_role("button", name="Save draft").click()
    assert page.locator(".error-summary").is_visible()
    fits(page)
    screenshot(page, "form-errors-phone")


def test_a_submitter_deletes_a_draft_after_confirming(new_page, server):
    url, _app = server
    page = new_page(url, bypass_csp=True)
    sign_in(page, "submitter")
    page.goto("/my/initiatives/new")
    page.get_by_label("Title", exact=True).fill("A draft written by mistake")
    page.get_by_label("Summary").fill("Nothing to keep.")
    choose_country(page, "Fra", "France")
    page.get_by_label("Sector", exact=True).select_option("health")
    page.locator("#f-stages").get_by_label("Design", exact=True).check()
    page.get_by_label("Maturity").select_option("pilot")
    page.get_by_role("button", name="Save draft").click()
    # The record's page (not its edit page, which the background save may have made the
    # form's address).
    page.wait_for_url(re.compile(r":\d+/initiatives/\d+/"))
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_role("link", name="Delete this draft").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Delete “A draft")
    assert not serious_violations(page), "delete confirmation"
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_url(re.compile(r"/my/initiatives$"))
    assert "A draft written by mistake" not in page.locator("main").inner_text()
