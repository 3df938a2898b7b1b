"""No page scrolls sideways on a 390 px phone (issue 19): every page the browser suite visits,
public and signed in, plus the wide ones (four records compared, the country comparison with
its "Add a country" select, a form sent back with errors, the map). And the header stays on
one row on a 1280 px screen in every language."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE, WAITING, screenshot, sign_in

pytestmark = pytest.mark.browser

PUBLIC = [
    "/",
    "/initiatives",
    "/initiatives?q=services",
    "/initiatives?q=services&country=FI&stage=design",
    "/initiatives?stage=design&sector=health",
    "/initiatives?sector=transport&stage=plan&maturity=integrated",
    "/initiatives?page=99",
    "/initiatives?year_from=1200",
    "/initiatives/1",
    "/initiatives/4",
    "/compare",
    "/compare?country=FR&country=DE&country=FI",
    "/compare/initiatives?ids=1&ids=2&ids=3&ids=4",
    "/countries",
    "/countries/FR",
    "/export",
    "/api",
    "/sign-in",
    "/forgot-password",
    "/password/not-a-valid-link",
    "/no/such/page",
]
SIGNED_IN = [
    "/my/initiatives",
    "/my/initiatives/new",
    "/review",
    "/account",
    "/initiatives/{waiting}",
    "/my/initiatives/{waiting}/edit",
    "/my/initiatives/{waiting}/history",
]


def too_wide(page, path: str) -> str | None:
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        return f"{path} is {width} px wide on a {page.viewport_size['width']} px phone"
    return None


def test_no_page_scrolls_sideways_on_a_phone(new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    problems = [p for path in PUBLIC if (p := too_wide(page, path))]
    page.goto("/compare/initiatives?ids=1&ids=2&ids=3&ids=4")
    screenshot(page, "compare-initiatives-phone")
    page.goto("/compare?country=FR&country=DE&country=FI")
    screenshot(page, "compare-countries-phone")
    sign_in(page, "curator")
    page.goto("/review")
    link = page.get_by_role("link", name=WAITING["title"]).first
    waiting = link.get_attribute("href").split("/")[2]
    problems += [p for path in SIGNED_IN if (p := too_wide(page, path.format(waiting=waiting)))]
    page.goto("/review")
    screenshot(page, "review-queue-phone")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("who", [None, "curator"])
def test_the_header_is_one_row_on_a_desktop(new_page, language, who):
    page = new_page(viewport=DESKTOP)
    if who:
        sign_in(page, who)
    page.goto(f"/language/{language}?next=/initiatives")
    if who:  # a signed-in person's choice is a form button
        button = page.locator(f"[data-lang='{language}']")
        if button.count():
            button.click()
    tops = page.evaluate(
        """() => [...document.querySelectorAll('.header-row > *, .site-nav li')]
                 .map(e => Math.round(e.getBoundingClientRect().top))"""
    )
    middles = page.evaluate(
        """() => [...document.querySelectorAll('.brand, .site-nav li, .lang-switch > *')]
                 .filter(e => e.checkVisibility())
                 .map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; })"""
    )
    assert max(middles) - min(middles) < 12, f"header on two rows ({language}, {who}): {tops}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= DESKTOP["width"]
    screenshot(page, f"header-{language}-{who or 'public'}")
