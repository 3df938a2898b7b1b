"""Browser tests: the app served on a free port from a seeded temporary instance, driven by
Playwright in Debian's chromium (never a browser downloaded by Playwright).

`make browser-deps` installs chromium (apt-get) and axe-core (npm, into .cache/node); without
them these tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from registry import create_app, seeds

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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, sqlite_template) -> Iterator[str]:
    """The app on 127.0.0.1 and a port the OS chose, seeded with the illustrative records."""
    instance = tmp_path_factory.mktemp("live")
    shutil.copy(sqlite_template, instance / "registry.sqlite3")
    app = create_app(
        {
            "instance_dir": instance,
            "database_url": f"sqlite:///{instance / 'registry.sqlite3'}",
            "index_dir": instance / "index",
            "secret_key": "browser-test",
        }
    )
    engine = app.extensions["registry"].engine
    seeds.seed(engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    engine.dispose()


def missing(reason: str) -> None:
    """Skip where a developer lacks the browser tools; fail in CI, which must install them."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it with `make browser-deps`)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing(f"Debian's chromium is not at {CHROMIUM}: run `make browser-deps` (as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh desktop page with the base URL set; fails the test on any console error or
    uncaught script error (a Content-Security-Policy violation is a console error)."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ (kept by CI)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
