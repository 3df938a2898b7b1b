"""What a visitor does, in a real browser: arrive, filter the catalogue, open an initiative,
switch to French, and get around with the keyboard alone."""

from __future__ import annotations

import re

import pytest

from registry import seeds
from registry.paths import SEEDS

from .conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.browser
SEEDED = len(seeds.load_records(SEEDS / "initiatives.json"))


def test_home_page_introduces_the_registry(page):
    page.goto("/")
    assert page.title() == "Home · Coproduction Registry"
    assert page.locator("h1").inner_text().startswith("Public services, made with")
    figures = page.locator(".figures dd")
    assert figures.first.inner_text() == str(SEEDED)
    assert page.locator(".cards .card").count() >= 3
    screenshot(page, "home")


def test_practitioner_searches_and_refines_with_facets(page):
    page.goto("/initiatives")
    assert page.locator(".result-count").inner_text() == f"{SEEDED} initiatives"
    screenshot(page, "catalogue")
    page.get_by_label("Search the registry").fill("patients")
    page.get_by_label("Search the registry").press("Enter")
    page.wait_for_url(re.compile(r"q=patients"))
    assert page.locator(".card mark").count() >= 1
    stage = page.locator(".facet", has=page.get_by_role("heading", name="Stage"))
    stage.get_by_role("link", name=re.compile(r"^Deliver")).click()
    page.wait_for_url(re.compile(r"stage=deliver"))
    cards = page.locator(".cards .card")
    count = cards.count()
    assert 1 <= count < SEEDED
    assert page.locator(".result-count").inner_text().startswith(f"{count} initiative")
    for card in cards.all():
        assert "Deliver" in card.locator(".badges").inner_text()
    # The active filter is a chip that removes it again.
    page.locator(".chips").get_by_role("link", name=re.compile("Deliver")).click()
    page.wait_for_url(lambda url: "stage=" not in url)
    assert "q=patients" in page.url
    screenshot(page, "catalogue-filtered")


def test_opening_an_initiative_from_the_catalogue(page):
    page.goto("/initiatives")
    link = page.locator(".card-title a").first
    title = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/[a-z0-9-]+$"))
    assert page.locator("h1").inner_text() == title
    assert page.get_by_role("heading", name="Key facts").is_visible()
    screenshot(page, "initiative")
    page.locator(".breadcrumb").get_by_role("link", name="Initiatives").click()
    page.wait_for_url(re.compile(r"/initiatives$"))


def test_practitioner_searches_filters_by_country_and_stage_and_opens_one(page):
    page.goto("/")
    page.get_by_role("link", name="Initiatives", exact=True).first.click()
    search = page.get_by_label("Search the registry")
    search.fill("services")
    search.press("Enter")
    page.wait_for_url(re.compile(r"q=services"))
    total = int(page.locator(".result-count").inner_text().split()[0])
    assert total > 2
    screenshot(page, "search-results")
    country = page.locator(".facet", has=page.get_by_role("heading", name="Country"))
    country.get_by_role("link", name=re.compile(r"^Finland")).click()
    page.wait_for_url(re.compile(r"country=FI"))
    stage = page.locator(".facet", has=page.get_by_role("heading", name="Stage"))
    stage.get_by_role("link", name=re.compile(r"^Design")).click()
    page.wait_for_url(re.compile(r"stage=design"))
    assert "q=services" in page.url and "country=FI" in page.url  # filters add up
    cards = page.locator(".cards .card")
    assert 1 < cards.count() < total
    for card in cards.all():
        assert "Design" in card.locator(".badges").inner_text()
    chips = page.locator(".chips").inner_text()
    assert "Finland" in chips and "Design" in chips
    titles = [t.inner_text() for t in page.locator(".card-title a").all()]
    page.get_by_role("link", name=titles[0]).click()
    # The search's words travel with the link, to be highlighted on the record's page.
    page.wait_for_url(re.compile(r"/initiatives/\d+/[a-z0-9-]+\?hl=services$"))
    assert page.locator("h1").inner_text() == titles[0]
    facts = page.locator(".facts")
    assert "Finland" in facts.inner_text() and "Design" in facts.inner_text()
    page.go_back()
    page.wait_for_url(re.compile(r"stage=design"))
    assert page.locator(".cards .card").count() == cards.count()


def test_practitioner_compares_two_initiatives(page):
    """Ticks two results' "Compare" boxes and sees both side by side."""
    page.goto("/initiatives?q=services&country=FI&stage=design")
    links = page.locator(".card-title a")
    titles = [a.inner_text() for a in links.all()]
    assert len(titles) >= 2
    for title in titles[:2]:
        page.get_by_role("checkbox", name=f"Compare {title}").check()
    page.get_by_role("button", name=re.compile("Compare the ticked initiatives")).click()
    page.wait_for_url(re.compile(r"/compare/initiatives\?"))
    body = page.locator("main").inner_text()
    assert titles[0] in body and titles[1] in body
    screenshot(page, "compare")


# Interface strings that must all be gone once the interface is in French.
ENGLISH_CHROME = ["Skip to content", "Search the registry", "Sign in", "Start year", "Key facts"]


def english_left(page) -> list[str]:
    text = page.locator("body").inner_text() + " ".join(
        page.locator("label, [aria-label]").evaluate_all(
            "els => els.map(e => e.textContent + ' ' + (e.getAttribute('aria-label') || ''))"
        )
    )
    return [s for s in ENGLISH_CHROME if s in text]


def test_visitor_switches_the_whole_interface_to_french_and_back(page):
    """Uses the header's language control, found by its stable selector `[data-lang=…]`."""
    page.goto("/initiatives?q=services&country=FI")
    control = page.locator('header [data-lang="fr"]')
    assert control.count() == 1
    control.first.click()
    page.wait_for_function("document.documentElement.lang === 'fr'")
    assert "q=services" in page.url and "country=FI" in page.url  # same page, same filters
    facet = page.locator(".facet", has=page.get_by_role("heading", name="Secteur"))
    assert facet.is_visible()
    assert "Finlande" in page.locator(".chips").inner_text()
    assert not english_left(page), english_left(page)
    screenshot(page, "search-results-fr")
    page.locator(".card-title a").first.click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/"))
    assert page.locator("html").get_attribute("lang") == "fr"
    assert not english_left(page), english_left(page)
    page.goto("/sign-in")  # remembered from page to page
    assert page.locator("html").get_attribute("lang") == "fr"
    assert not english_left(page), english_left(page)
    page.locator('header [data-lang="en"]').first.click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.get_by_role("heading", name="Sign in").is_visible()


def test_keyboard_only_visitor_can_skip_to_the_content(page):
    page.goto("/initiatives")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab goes into the content (the search box), not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"


def test_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/initiatives?stage=plan")
    page.get_by_label("From").fill("2010")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"year_from=2010"))
    assert "stage=plan" in page.url
    sector = page.locator(".facet", has=page.get_by_role("heading", name="Sector"))
    sector.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"sector="))
    assert "stage=plan" in page.url and "year_from=2010" in page.url
    context.close()


@pytest.mark.parametrize("path", ["/", "/initiatives", "/initiatives/1"])
def test_phone_layout_does_not_scroll_sideways(browser, live_server, path):
    context = browser.new_context(base_url=live_server, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(path)
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{path} is {wide}px wide on a {PHONE['width']}px phone"
    name = {"/": "home", "/initiatives": "catalogue", "/initiatives/1": "initiative"}[path]
    screenshot(page, name)
    context.close()


def test_on_a_phone_a_link_above_the_results_leads_to_the_filters(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto("/initiatives")
    link = page.get_by_role("link", name="Refine by country, sector, stage…")
    assert link.is_visible()
    country = page.get_by_role("heading", name="Country")
    assert not country.is_visible() or country.bounding_box()["y"] > PHONE["height"]
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#refine$"))
    box = country.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"]
    context.close()
    desktop = browser.new_context(base_url=live_server, viewport=DESKTOP)
    wide = desktop.new_page()
    wide.goto("/initiatives")
    assert not wide.get_by_role("link", name="Refine by country, sector, stage…").is_visible()
    desktop.close()


def test_the_content_security_policy_is_enforced(browser, live_server):
    """What the `page` fixture relies on: the browser reports inline code the CSP refused."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.goto("/")
    with page.expect_console_message(lambda m: m.type == "error") as message:
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x')")
    assert "Content Security Policy" in message.value.text
    context.close()
