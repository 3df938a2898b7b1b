"""Keep, follow, cite and share (issue 18) in a real browser: a practitioner saves a search and
sees a new record in its feed once a curator publishes it; a printed initiative page has no
navigation and writes its links out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from lxml import etree

from .conftest import serving, sign_in
from .test_contributing import submitted_by

pytestmark = pytest.mark.browser
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template) -> Iterator[tuple[str, object]]:
    with serving(tmp_path_factory.mktemp("keep"), sqlite_template) as running:
        yield running


def feed_titles(page, url: str) -> list[str]:
    response = page.request.get(url)
    assert response.ok
    root = etree.fromstring(response.body())
    return [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]


def test_a_saved_search_feed_shows_a_record_once_a_curator_publishes_it(new_page, server):
    url, app = server
    title = submitted_by(app, "submitter", title="Tool library run with tenants of Lyon",
                         country="FR", sector="environment")  # fmt: skip
    reader = new_page(url)
    sign_in(reader, "other")
    reader.goto("/initiatives?country=FR&sector=environment")
    follow = reader.locator(".follow-results")
    assert follow.get_by_role("link", name="Atom feed").is_visible()
    assert follow.get_by_role("link", name="CSV").is_visible()
    reader.get_by_label("Save this search as").fill("Environment in France")
    reader.get_by_label("and e-mail me what is new").select_option("weekly")
    reader.get_by_role("button", name="Save this search").click()
    reader.wait_for_url(re.compile(r"/my/searches$"))
    assert reader.get_by_role("heading", name="Environment in France").is_visible()
    feed = reader.get_by_role("link", name="Atom feed").get_attribute("href")
    assert title not in feed_titles(reader, feed)

    curator = new_page(url)
    sign_in(curator, "curator")
    curator.get_by_role("link", name="Review", exact=True).click()
    item = curator.locator(".review-item", has=curator.get_by_role("heading", name=title))
    item.get_by_role("button", name="Publish").click()
    assert curator.get_by_role("status").filter(has_text="Published.").is_visible()

    assert title in feed_titles(reader, feed)
    # The record now offers its citation and a list to keep it in.
    reader.goto("/initiatives?q=tenants+Lyon")
    reader.get_by_role("link", name=title).first.click()
    assert reader.get_by_role("heading", name="Cite this initiative").is_visible()
    reader.get_by_label("or a new list:").fill("For my report")
    reader.get_by_role("button", name="Make it and add").click()
    reader.wait_for_url(re.compile(r"/my/lists/\d+$"))
    assert reader.get_by_role("link", name=title).is_visible()


def test_a_printed_initiative_has_no_navigation_and_shows_its_links(page):
    page.goto("/initiatives")
    page.locator(".card-title a").first.click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/"))
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert page.get_by_role("heading", name="Key facts").is_visible()
    link = page.locator("main .cite a").first  # the permanent link
    after = page.evaluate("(a) => getComputedStyle(a, '::after').content", link.element_handle())
    assert link.get_attribute("href") in after
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
