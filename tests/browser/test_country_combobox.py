"""The form's country, a select the reader can type in to filter (static/js/combobox.js, the
WAI-ARIA combobox pattern), in a real browser: typed and chosen with the keyboard, in English
("Fra") and French ("Allem", "etats" without its accent), saved; the plain select without
scripts; axe-core clean with its list open; no sideways scrolling at 390 px."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from registry.db import read_session
from registry.models import Initiative

from .conftest import AXE, PHONE, SCREENSHOTS, missing, serving, sign_in
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template) -> Iterator[tuple[str, object]]:
    with serving(tmp_path_factory.mktemp("combobox"), sqlite_template) as running:
        yield running


def _fill_the_rest(page, title: str) -> None:
    page.locator("#f-title").fill(title)
    page.locator("#f-summary").fill("Residents and staff run it together.")
    page.locator("#f-sector").select_option("health")
    page.locator("#f-stages-deliver").check()
    page.locator("#f-maturity").select_option("pilot")


def _country_of(app, title: str) -> str | None:
    with read_session(app.extensions["registry"].engine) as s:
        found = s.scalars(select(Initiative).where(Initiative.title == title)).one_or_none()
        return found.country if found else None


def _save(page) -> None:
    page.locator(".form-actions").get_by_role("button").first.click()
    page.wait_for_url(re.compile(r":\d+/initiatives/\d+/"))


def test_typing_fra_and_choosing_with_the_keyboard_stores_france(new_page, server):
    url, app = server
    page = new_page(url)
    sign_in(page, "submitter")
    page.goto("/my/initiatives/new")
    title = "Health walks chosen with the keyboard"
    _fill_the_rest(page, title)
    box = page.get_by_role("combobox", name="Country", exact=True)
    assert box.get_attribute("id") == "f-country"  # the label and the error links lead here
    assert page.locator("#f-country-select").is_hidden()
    box.focus()
    page.keyboard.type("Fra")
    listbox = page.get_by_role("listbox", name="Country")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    assert options.first.inner_text() == "France"
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")  # chooses; does not send the form
    assert box.input_value() == "France" and box.get_attribute("aria-expanded") == "false"
    assert page.locator("#f-country-select").input_value() == "FR"
    assert page.url.endswith("/new") or "/edit" in page.url
    expect(page.locator(f"#{box.get_attribute('aria-controls')}")).to_be_hidden()
    # Escape closes an open list; the choice stays.
    page.keyboard.type("x")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    box.fill("France")
    page.keyboard.press("Tab")
    _save(page)
    assert _country_of(app, title) == "FR"


def test_in_french_allem_finds_allemagne_and_accents_do_not_matter(new_page, server):
    url, app = server
    page = new_page(url)
    sign_in(page, "submitter")
    page.context.add_cookies([{"name": "lang", "value": "fr", "url": url}])  # the switch's
    page.goto("/my/initiatives/new")
    box = page.get_by_role("combobox", name="Pays", exact=True)
    box.fill("etats")
    assert "États-Unis" in page.get_by_role("listbox").get_by_role("option").all_inner_texts()
    box.fill("Allem")
    box.evaluate("e => e.scrollIntoView({block: 'center'})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "form-country-combobox-fr-1280.png"))
    page.get_by_role("option", name="Allemagne", exact=True).click()
    assert page.locator("#f-country-select").input_value() == "DE"
    title = "Marches santé choisies en français"
    _fill_the_rest(page, title)
    _save(page)
    assert _country_of(app, title) == "DE"


def test_without_scripts_the_plain_select_saves(new_page, server):
    url, app = server
    page = new_page(url, java_script_enabled=False)
    sign_in(page, "submitter")
    page.goto("/my/initiatives/new")
    assert (
        page.get_by_role("combobox", name="Country", exact=True).evaluate("e => e.tagName")
        == "SELECT"
    )
    page.get_by_label("Country", exact=True).select_option("PT")
    title = "Health walks saved without scripts"
    _fill_the_rest(page, title)
    _save(page)
    assert _country_of(app, title) == "PT"


def test_the_open_list_is_accessible_and_fits_a_phone(new_page, server):
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    url, _app = server
    page = new_page(url, viewport=PHONE, bypass_csp=True)  # axe is injected as a script
    sign_in(page, "submitter")
    page.goto("/my/initiatives/new")
    box = page.get_by_role("combobox", name="Country", exact=True)
    box.fill("a")
    expect(page.get_by_role("listbox", name="Country")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form with the list open is {width} px wide"
    assert not serious_violations(page), "the country list open"
    box.evaluate("e => e.scrollIntoView({block: 'center'})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # the list in view, not the whole form
    page.screenshot(path=str(SCREENSHOTS / "form-country-combobox-390.png"))
