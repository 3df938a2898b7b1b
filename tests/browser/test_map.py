"""The world map in a real browser (issue 19): a keyboard user tabs to a country and follows it
to the country's profile; axe-core finds no serious violation; the map fits a phone."""

from __future__ import annotations

import re

import pytest

from .conftest import AXE, PHONE, missing, screenshot
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser


def test_a_keyboard_user_tabs_to_a_country_and_follows_it(page):
    page.goto("/countries")
    first_link = page.locator(".map-svg a.map-link").first
    names = page.locator(".map-svg a.map-link").evaluate_all(
        "links => links.map(a => a.getAttribute('aria-label'))"
    )
    assert any(re.fullmatch(r"France: \d+ initiatives", n) for n in names)
    for _ in range(60):  # from the top of the page, through the header, into the map
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('map-link')"):
            break
    else:
        pytest.fail("Tab never reached a country of the map")
    reached = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert reached == first_link.get_attribute("aria-label")
    ring = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('path')).strokeWidth"
    )
    assert float(ring.removesuffix("px")) >= 1.5  # the focused country is outlined
    while "France" not in page.evaluate("document.activeElement.getAttribute('aria-label')"):
        page.keyboard.press("Tab")
    screenshot(page, "map-keyboard-focus")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/countries/FR$"))
    assert "France" in page.get_by_role("heading", level=1).inner_text()


def test_the_map_page_is_accessible_and_fits_a_phone(new_page):
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    page = new_page(bypass_csp=True)
    page.goto("/countries")
    assert not serious_violations(page), "/countries"
    screenshot(page, "map")
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/countries")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "map")
