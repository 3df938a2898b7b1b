"""The statistics pages (issue 17) in a real browser: no serious axe-core violation with every
folded detail open, and no sideways scrolling on a 390 px phone."""

from __future__ import annotations

import pytest

from .conftest import AXE, DESKTOP, PHONE, missing
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser

PAGES = ["/compare", "/compare?pilot_cohort=not_stated&year_from=2015&year_to=2020",
         "/compare?country=JP", "/countries", "/countries/FR",
         "/countries/FR?illustrative=exclude"]  # fmt: skip
OPEN_ALL = "document.querySelectorAll('details').forEach(d => d.open = true)"


@pytest.mark.parametrize("path", PAGES)
def test_statistics_pages_have_no_serious_accessibility_violation(browser, live_server, path):
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    assert page.goto(path).status == 200
    page.evaluate(OPEN_ALL)
    problems = serious_violations(page)
    context.close()
    assert not problems, f"{path}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ["/compare", "/countries", "/countries/FR"])
def test_statistics_pages_do_not_scroll_sideways_on_a_phone(browser, live_server, path):
    context = browser.new_context(base_url=live_server, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(path)
    page.evaluate(OPEN_ALL)
    wide = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert wide <= PHONE["width"], f"{path} is {wide}px wide on a {PHONE['width']}px phone"
