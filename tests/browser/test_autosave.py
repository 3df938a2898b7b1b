"""A draft saved as its writer types, in a real browser (static/js/autosave.js): the value
survives a reload; a change made meanwhile by someone else is reported, and neither side's
text is lost; a new record becomes a draft once its required fields are filled. The server
side is tests/test_autosave.py. These tests change records, so they run on a server of their
own."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from registry import accounts, actions
from registry.db import read_session, write_session
from registry.models import Initiative

from .conftest import PEOPLE, SCREENSHOTS, choose_country, serving, sign_in

pytestmark = pytest.mark.browser
SAVED = re.compile(r"Draft saved at \d\d:\d\d")


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template) -> Iterator[tuple[str, object]]:
    with serving(tmp_path_factory.mktemp("autosave"), sqlite_template) as running:
        yield running


def _draft(app, title: str) -> int:
    with write_session(app.extensions["registry"].engine) as s:
        owner = accounts.Principal.of(accounts.find_user(s, PEOPLE["submitter"][0]))
        record = {
            "title": title,
            "summary": "Residents and librarians lend tools to each other.",
            "country": "FR",
            "sector": "environment",
            "stages": ["deliver"],
            "maturity": "pilot",
        }
        return actions.create(s, owner, record).id


def shot(page, element, name: str) -> None:
    """A screenshot of the viewport with `element` in its middle (the form is long)."""
    element.evaluate("e => e.scrollIntoView({block: 'center'})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"))


def _eventually(check, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not saved in time"
        time.sleep(0.2)


def _stored(app, initiative_id: int) -> tuple[str, str, str, int]:
    with read_session(app.extensions["registry"].engine) as s:
        i = s.get(Initiative, initiative_id)
        return i.title, i.summary, i.locality, i.version


def test_typing_is_saved_after_a_pause_and_kept_on_reload(new_page, server):
    url, app = server
    record = _draft(app, "Tool library of the Croix-Rousse")
    page = new_page(url)
    sign_in(page, "submitter")
    page.goto(f"/my/initiatives/{record}/edit")
    status = page.locator("#autosave-status")
    assert status.get_attribute("role") == "status"
    assert status.inner_text() == "Your draft is saved as you type."
    page.get_by_label("Locality").fill("Lyon 4e")
    expect(status).to_have_text(SAVED, timeout=15000)
    assert status.get_attribute("aria-live") == "polite"
    assert _stored(app, record)[2] == "Lyon 4e"
    shot(page, status, "form-autosaved")
    page.reload()
    assert page.get_by_label("Locality").input_value() == "Lyon 4e"
    # The form's own button still saves, with the version the background save made.
    page.get_by_label("Locality").fill("Lyon 4e arrondissement")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(rf":\d+/initiatives/{record}/"))
    assert page.get_by_role("status").filter(has_text="Changes saved.").is_visible()
    with read_session(app.extensions["registry"].engine) as s:
        assert s.get(Initiative, record).status == "draft"  # never submitted
    assert _stored(app, record)[2] == "Lyon 4e arrondissement"


def test_a_change_made_meanwhile_is_reported_and_nothing_is_lost(new_page, server):
    url, app = server
    record = _draft(app, "Seed swaps of the Guillotière")
    mine = new_page(url)
    sign_in(mine, "submitter")
    mine.goto(f"/my/initiatives/{record}/edit")
    # A curator opens the same draft in another browser and saves a new title from the form.
    theirs = new_page(url)
    sign_in(theirs, "curator")
    theirs.goto(f"/my/initiatives/{record}/edit")
    theirs.locator("#f-title").fill("Seed swaps of la Guillotière")
    theirs.get_by_role("button", name="Save draft").click()
    theirs.wait_for_url(re.compile(rf":\d+/initiatives/{record}/"))
    before = _stored(app, record)
    # The submitter, on the page made before that change, types on.
    summary = "Gardeners swap seeds every spring at the community centre."
    mine.get_by_label("Summary").fill(summary)
    status = mine.locator("#autosave-status")
    expect(status).to_contain_text("Someone else changed this record", timeout=15000)
    assert "Someone else changed this record" in status.inner_text()
    assert status.get_attribute("aria-live") == "assertive"
    assert mine.get_by_label("Summary").input_value() == summary  # the text is still there
    assert _stored(app, record) == before  # their change stands, nothing overwritten
    # Nothing more is sent in the background.
    mine.get_by_label("Locality").fill("Lyon 7e")
    mine.wait_for_timeout(3000)
    assert _stored(app, record) == before
    shot(mine, status, "form-autosave-stale")


def test_a_new_record_becomes_a_draft_once_its_required_fields_are_filled(new_page, server):
    url, app = server
    page = new_page(url)
    sign_in(page, "submitter")
    page.goto("/my/initiatives/new")
    title = "Bicycle repair evenings with the Vaulx-en-Velin youth service"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Summary").fill("Young people and mechanics fix bicycles together.")
    page.get_by_label("Sector", exact=True).select_option("transport")
    page.locator("#f-stages").get_by_label("Deliver", exact=True).check()
    page.get_by_label("Maturity").select_option("pilot")
    choose_country(page, "Fra", "France")
    page.get_by_label("Locality").fill("Vaulx-en-Velin")
    page.wait_for_url(re.compile(r"/my/initiatives/\d+/edit$"), timeout=15000)
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=15000)
    record = int(re.search(r"/my/initiatives/(\d+)/edit", page.url).group(1))
    page.get_by_label("Locality").fill("Vaulx-en-Velin, Mas du Taureau")
    _eventually(lambda: _stored(app, record)[2] == "Vaulx-en-Velin, Mas du Taureau")
    page.reload()
    assert page.locator("#f-title").input_value() == title
    with read_session(app.extensions["registry"].engine) as s:
        mine = s.scalars(select(Initiative).where(Initiative.title == title)).all()
        assert [i.id for i in mine] == [record] and mine[0].status == "draft"
