"""Images and documents in a real browser: a submitter adds a photograph and a report to a
published record from its edit page, a curator publishes the edit, and the public sees them on
the record's page and its search card; the new pages are axe-core clean, work with the keyboard
and do not scroll sideways on a phone. These change what the public sees: a server of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from registry import accounts, actions
from registry.db import write_session

from .. import media_files
from .conftest import AXE, DESKTOP, PEOPLE, PHONE, missing, screenshot, serving, sign_in
from .test_accessibility import FOCUS_RING, serious_violations

pytestmark = pytest.mark.browser

TITLE = "Shared allotments run by tenants and the parks service of Vénissieux"
ALT = "Tenants planting leeks in a raised bed beside a tower block"
CAPTION = "The first harvest, June 2024"
REPORT = "Allotments evaluation report 2024"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template) -> Iterator[tuple[str, object, int]]:
    """A server with a published record of the submitter's organisation."""
    with serving(tmp_path_factory.mktemp("media"), sqlite_template) as (url, app):
        record = {
            "title": TITLE,
            "summary": "Tenants and gardeners of the city grow vegetables together.",
            "description": "Tenants tend the beds; the city's gardeners teach and lend tools.",
            "start_year": 2020,
            "sources": [{"title": "Garden diary", "url": "https://example.org/garden"}],
            "country": "FR",
            "sector": "environment",
            "stages": ["deliver"],
            "maturity": "pilot",
        }
        with write_session(app.extensions["registry"].engine) as s:
            owner = accounts.Principal.of(accounts.find_user(s, PEOPLE["submitter"][0]))
            created = actions.create(s, owner, record, submit=True)
            curator = accounts.Principal.of(accounts.find_user(s, PEOPLE["curator"][0]))
            actions.publish(s, curator, created.id)
            record_id = created.id
        yield url, app, record_id


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("uploads")
    (folder / "IMG_2024.jpg").write_bytes(media_files.photo_with_gps(size=(1600, 1200)))
    (folder / "report.pdf").write_bytes(media_files.pdf(title=REPORT, pages=3))
    (folder / "fake.pdf").write_bytes(media_files.HTML_AS_PDF)
    return {name: str(folder / name) for name in ("IMG_2024.jpg", "report.pdf", "fake.pdf")}


def test_an_image_and_a_report_reach_the_public_once_a_curator_publishes(new_page, server, files):
    url, _app, record = server
    submitter = new_page(url)
    sign_in(submitter, "submitter")
    submitter.goto(f"/initiatives/{record}")
    submitter.get_by_role("link", name="Edit", exact=True).click()
    image_form = submitter.locator("#add-image")
    # A mistake first: a web page named .pdf is refused on its field, and nothing is added.
    document_form = submitter.locator("#add-document")
    document_form.get_by_label("PDF file").set_input_files(files["fake.pdf"])
    document_form.get_by_label("Title").fill(REPORT)
    document_form.get_by_role("button", name="Add the document").click()
    error = submitter.locator("#e-document-file")
    assert "not a PDF document" in error.inner_text()
    assert submitter.get_by_label("PDF file").get_attribute("aria-invalid") == "true"
    assert submitter.locator("#add-document").get_by_label("Title").input_value() == REPORT
    assert "No image or document yet." in submitter.locator("#media").inner_text()

    image_form = submitter.locator("#add-image")
    image_form.get_by_label("Image file").set_input_files(files["IMG_2024.jpg"])
    image_form.get_by_label("Alt text").fill(ALT)
    image_form.get_by_label("Caption (optional)").fill(CAPTION)
    image_form.get_by_label("Credit (who made it or holds its rights)").fill("Ville de Lyon")
    image_form.get_by_label("Licence").select_option("cc_by")
    image_form.get_by_role("button", name="Add the image").click()
    submitter.wait_for_url(re.compile(r"/edit#media$"))
    assert "once a curator publishes your edit" in submitter.get_by_role("status").inner_text()
    document_form = submitter.locator("#add-document")
    document_form.get_by_label("PDF file").set_input_files(files["report.pdf"])
    document_form.get_by_label("Title").fill(REPORT)
    document_form.get_by_role("button", name="Add the document").click()
    submitter.wait_for_url(re.compile(r"/edit#media$"))
    listed = submitter.locator(".media-list").inner_text()
    assert ALT in listed and REPORT in listed and listed.count("added: waits for review") == 2
    screenshot(submitter, "media-edit")

    anonymous = new_page(url)
    anonymous.goto(f"/initiatives/{record}")
    assert anonymous.locator("figure").count() == 0  # not before a curator publishes

    submitter.goto(f"/initiatives/{record}")
    submitter.get_by_role("button", name="Submit for review").click()
    curator = new_page(url)
    sign_in(curator, "curator")
    curator.get_by_role("link", name=re.compile(r"^Review( \d+ waiting)?$")).click()
    item = curator.locator(".review-item", has=curator.get_by_role("heading", name=TITLE))
    assert ALT in item.locator(".media-waiting").inner_text()
    item.get_by_role("button", name="Publish").click()
    expect(curator.get_by_role("status").filter(has_text="Published.")).to_be_visible()

    anonymous.goto(f"/initiatives/{record}")
    figure = anonymous.locator("figure")
    image = figure.get_by_role("img", name=ALT)
    assert image.is_visible()
    image.scroll_into_view_if_needed()  # a lazily loaded image: loaded once in view
    anonymous.wait_for_function("i => i.complete", arg=image.element_handle())
    assert anonymous.evaluate("i => i.naturalWidth", image.element_handle()) == 480  # upright
    assert CAPTION in figure.locator("figcaption").inner_text()
    assert "Ville de Lyon" in figure.inner_text()
    assert figure.get_by_role("link", name="CC BY 4.0").get_attribute("href").endswith("/by/4.0/")
    report = anonymous.get_by_role("link", name=REPORT)
    assert "3 pages" in anonymous.locator(".document-list").inner_text()
    download = anonymous.request.get(report.get_attribute("href"))
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment")
    full = anonymous.request.get(figure.locator(".gallery-link").get_attribute("href"))
    assert full.headers["content-type"] == "image/jpeg" and b"Phonemaker" not in full.body()
    screenshot(anonymous, "media-gallery")

    anonymous.goto("/initiatives?q=allotments")
    card = anonymous.locator(".card", has_text=TITLE)
    assert card.get_by_role("img", name=ALT).is_visible()


@pytest.fixture(scope="module")
def axe_context(browser, server):
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    url, _app, record = server
    context = browser.new_context(base_url=url, viewport=DESKTOP, bypass_csp=True)
    yield context, record
    context.close()


def test_media_pages_have_no_serious_accessibility_violation(axe_context, files):
    context, record = axe_context
    page = context.new_page()
    page.goto(f"/initiatives/{record}")
    problems = serious_violations(page)
    sign_in(page, "submitter")
    page.goto(f"/my/initiatives/{record}/edit")
    assert page.locator("#media").is_visible()
    problems += serious_violations(page)
    form = page.locator("#add-image")
    form.get_by_label("Image file").set_input_files(files["fake.pdf"])
    form.get_by_role("button", name="Add the image").click()
    expect(page.locator("#e-image-alt")).to_be_visible()  # sent back with errors (waits for it)
    problems += serious_violations(page)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/initiatives/{record}", "/my/initiatives/{record}/edit"])
def test_media_pages_do_not_scroll_sideways_on_a_phone(browser, server, path):
    url, _app, record = server
    context = browser.new_context(base_url=url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    if "/my/" in path:
        sign_in(page, "submitter")
    page.goto(path.format(record=record))
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{path} is {wide}px wide on a {PHONE['width']}px phone"
    screenshot(page, "media-phone-" + ("edit" if "/my/" in path else "record"))
    context.close()


def test_the_gallery_is_reached_with_the_keyboard(page, server):
    url, _app, record = server
    page.goto(f"{url}/initiatives/{record}")
    if page.locator("figure").count() == 0:
        pytest.skip("the journey above publishes the image this test tabs to")
    for _ in range(60):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring["what"].startswith("a") and ALT in page.evaluate(
            "document.activeElement.innerHTML"
        ):
            assert ring["width"] >= 2 and ring["contrast"] >= 3
            return
    pytest.fail("no gallery link was reached with Tab")
