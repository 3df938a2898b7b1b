"""A published seed record read as a practitioner reads it (issue 16), in a real browser, in
English and in French: its scale, money, key results with their source, lessons, operating
status, linked records, its (illustrative) image and report, and whom to ask; axe-core finds no
serious violation on either page. Reads only: the shared live server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE, DESKTOP, missing
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser

SLUG = "street-guardians-residents-and-the-neighbourhood-policing-team-in-kestrelmouth"
LINKED = "Voisins référents et police municipale contre les cambriolages à Valbrune-sur-Ondine"
ALT = "Illustrative bar chart: reported burglaries fell by 14%"
REPORT = "Street Guardians evaluation report (illustrative summary)"
SOURCE = "Street Guardians evaluation report (illustrative)"
# What each language shows of the case: headings, then the facts (number formats included:
# 38,000 in English, 38 000 in French).
SHOWN = {
    "en": {
        "title": "Street Guardians: residents and the neighbourhood policing team in Kestrelmouth",
        "headings": ["Key results", "Lessons learned", "Challenges",
                     "Pathway and related initiatives"],
        "facts": {"Operating status": "Ongoing", "Population served": "38,000 (2019)",
                  "Volunteers": "120 (2019)", "Annual cost or budget": "85,000 GBP (2019)",
                  "Funding sources": "National government",
                  "Whom to ask": "Street Guardians coordinator"},
        "link": "Inspired",
    },
    "fr": {
        "title": "Street Guardians : les habitants et l'équipe de police de proximité de "
                 "Kestrelmouth",
        "headings": ["Principaux résultats", "Enseignements", "Difficultés",
                     "Parcours et initiatives liées"],
        "facts": {"Situation": "En cours", "Population desservie": "38 000 (2019)",
                  "Bénévoles": "120 (2019)", "Coût ou budget annuel": "85 000 GBP (2019)",
                  "Sources de financement": "État",
                  "Qui contacter": "Street Guardians coordinator"},
        "link": "A inspiré",
    },
}  # fmt: skip


def _record_id(page) -> int:
    found = page.request.get("/api/v1/initiatives", params={"q": "Kestrelmouth"}).json()
    return next(r["id"] for r in found["results"] if r["slug"] == SLUG)


def _fact(page, term: str) -> str:
    """The text of the key-facts entry named `term`, its spaces made plain."""
    value = page.locator(f"dt:text-is('{term}') + dd").first.inner_text()
    return re.sub(r"\s+", " ", value.replace("\u202f", " ").replace("\u00a0", " ")).strip()


def _check_the_case(page, language: str) -> None:
    shown = SHOWN[language]
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(shown["title"])
    for name in shown["headings"]:
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    for term, value in shown["facts"].items():
        assert value in _fact(page, term), (language, term)
    # Results with their source: the key result's row, and the typed source it rests on.
    expect(page.get_by_role("cell", name="-14%", exact=True)).to_be_visible()
    source = page.get_by_role("link", name=SOURCE, exact=True)
    expect(source).to_have_attribute("href", re.compile(r"^https://example\.org/"))
    # The linked record, with what it is to this one.
    links = page.locator("section.case-links")
    expect(links.get_by_text(shown["link"], exact=True)).to_be_visible()
    expect(links.get_by_role("link", name=LINKED)).to_be_visible()
    # The illustrative image, actually loaded, and the report as a download.
    image = page.locator(f'img[alt^="{ALT}"]').first
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    expect(page.get_by_role("link", name=re.compile(re.escape(REPORT)))).to_be_visible()
    # Whom to ask, shown with the recorded consent.
    expect(page.get_by_role("link", name="street-guardians@example.org")).to_have_attribute(
        "href", "mailto:street-guardians@example.org"
    )


def test_a_published_seed_record_shows_the_whole_case_in_both_languages(page):
    record = _record_id(page)
    page.goto(f"/initiatives/{record}")
    _check_the_case(page, "en")
    page.goto(f"/language/fr?next=/initiatives/{record}")
    page.wait_for_url(re.compile(rf"/initiatives/{record}"))
    _check_the_case(page, "fr")
    expect(page.get_by_role("link", name="Lire l'original")).to_be_visible()


def test_the_case_pages_have_no_serious_accessibility_violation(browser, live_server):
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    try:
        page = context.new_page()
        record = _record_id(page)
        page.goto(f"/initiatives/{record}")
        assert not serious_violations(page), serious_violations(page)
        page.goto(f"/language/fr?next=/initiatives/{record}")
        page.wait_for_url(re.compile(rf"/initiatives/{record}"))
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        found = serious_violations(page)
        assert not found, found
    finally:
        context.close()
