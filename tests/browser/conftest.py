"""Browser tests: the app served on a free port from a seeded temporary instance, driven by
Playwright in Debian's chromium (never a browser downloaded by Playwright).

`make browser-deps` installs chromium (apt-get) and axe-core (npm, into .cache/node); without
them these tests skip and say why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from flask import Flask
from werkzeug.serving import make_server

from registry import actions, create_app, seeds
from registry.db import write_session

from ..conftest import PASSWORD, create_people

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


# Accounts of the live servers.
PEOPLE = {
    "submitter": ("sub@lyon.example", "submitter", "Ville de Lyon"),
    "curator": ("cur@registry.example", "curator", "Registry curators"),
    "other": ("sub@wien.example", "submitter", "Stadt Wien"),
}
# Submitted by the last of PEOPLE, so that the review queue has something to show.
WAITING = {
    "title": "Hearing clinics co-run with deaf associations in Vienna",
    "summary": "Deaf and hard-of-hearing residents and audiologists run the clinics together.",
    "description": "Monthly clinics; **users** book, greet and follow up.",
    "country": "AT",
    "sector": "health",
    "stages": ["design", "deliver"],
    "maturity": "pilot",
    "start_year": 2021,
    "sources": [{"title": "Clinic reports", "url": "https://example.org/clinics"}],
}


@contextlib.contextmanager
def serving(folder: Path, sqlite_template: Path) -> Iterator[tuple[str, Flask]]:
    """The app on 127.0.0.1 and a port the OS chose, seeded with the illustrative records, the
    accounts of PEOPLE (password PASSWORD) and the WAITING record submitted for review."""
    shutil.copy(sqlite_template, folder / "registry.sqlite3")
    app = create_app(
        {
            "instance_dir": folder,
            "database_url": f"sqlite:///{folder / 'registry.sqlite3'}",
            "index_dir": folder / "index",
            "secret_key": "browser-test",
        }
    )
    engine = app.extensions["registry"].engine
    seeds.seed(engine)
    people = create_people(engine, PEOPLE)
    with write_session(engine) as session:
        actions.create(session, people[list(PEOPLE)[-1]], WAITING, submit=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, sqlite_template) -> Iterator[str]:
    """A server shared by the tests that do not change what the public sees."""
    with serving(tmp_path_factory.mktemp("live"), sqlite_template) as (url, _app):
        yield url


def missing(reason: str) -> NoReturn:
    """Skip where a developer lacks the browser tools; fail in CI, which must install them."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it with `make browser-deps`)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing(f"Debian's chromium is not at {CHROMIUM}: run `make browser-deps` (as root)")
    try:
        from playwright import sync_api
    except ImportError:
        missing("playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(base_url=..., viewport=..., **context options) -> a page in a fresh context
    (its own cookies); fails the test on any console error or uncaught script error seen on any
    of the pages (a Content-Security-Policy violation is a console error), except the browser's
    note that a page it navigated to answered 4xx (a form sent back with errors answers 422),
    or that a script's request did (the script shows the answer: the form's background save)."""
    contexts = []
    errors: list[str] = []
    refused_pages: set[str] = set()  # a 4xx page the test navigated to, or a script asked

    def on_response(response) -> None:
        asked = response.request.is_navigation_request() or response.request.resource_type in (
            "fetch",
            "xhr",
        )
        if asked and 400 <= response.status < 500:
            refused_pages.add(response.url)

    def on_console(message) -> None:
        refused = message.location.get("url") in refused_pages
        if message.type == "error" and not (refused and "Failed to load resource" in message.text):
            errors.append(message.text)

    def make(base_url: str = live_server, viewport: dict = DESKTOP, **options):
        context = browser.new_context(base_url=base_url, viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


@pytest.fixture
def page(new_page):
    """A fresh desktop page on the shared live server."""
    return new_page()


def sign_in(page, who: str) -> None:
    """Sign in through the real form as one of PEOPLE."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(PEOPLE[who][0])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: not url.endswith("/sign-in"))
    assert page.get_by_role("button", name="Sign out").is_visible()


def choose_country(page, typed: str, name: str, label: str = "Country") -> None:
    """Type into the form's country box (static/js/combobox.js) and choose `name` in its list."""
    page.get_by_role("combobox", name=label, exact=True).fill(typed)
    page.get_by_role("option", name=name, exact=True).click()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ (kept by CI)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
