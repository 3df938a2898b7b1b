"""Accounts on the web in a real browser (issue 19), with the real SMTP server of the mail
tests: an admin invites a curator, the invitation arrives, the curator chooses a password from
the link, signs in and publishes from the review queue; a user who forgot a password resets it.
axe-core checks each new page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from registry import actions, mail, outbox
from registry.db import write_session

from ..conftest import PASSWORD
from ..smtp_server import smtp_server  # noqa: F401 (the fixture)
from .conftest import AXE, PEOPLE, WAITING, missing, screenshot, serving
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser
NEW_PASSWORD = "rivers and bridges 2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template) -> Iterator[tuple[str, object]]:
    with serving(tmp_path_factory.mktemp("accounts"), sqlite_template) as (url, app):
        with write_session(app.extensions["registry"].engine) as s:
            actions.create_user(s, actions.SYSTEM, "admin@registry.example", role="admin",
                                password=PASSWORD, organisation="Registry curators")  # fmt: skip
        yield url, app


def deliver(app) -> None:
    outbox.deliver_due(app.extensions["registry"].engine, mail.SmtpSettings.from_env())


def link_of(message, url: str) -> str:
    return re.search(r"http://\S+(/password/\S+)", message.get_content()).group(1)


def test_an_admin_invites_a_curator_who_publishes_from_the_queue(new_page, server, smtp_server):  # noqa: F811
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    url, app = server
    admin = new_page(url, bypass_csp=True)
    admin.goto("/sign-in")  # the admin is not one of PEOPLE: signed in by hand
    admin.get_by_label("Email").fill("admin@registry.example")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(re.compile(r"/review$"))
    admin.get_by_text("Your account", exact=True).click()
    admin.get_by_role("link", name="Account", exact=True).click()
    admin.get_by_role("link", name=re.compile("People and organisations")).click()
    assert not serious_violations(admin), "/admin/users"
    admin.get_by_label("E-mail address", exact=True).fill("ines@registry.example")
    admin.get_by_label("Role", exact=True).select_option("curator")
    admin.get_by_label("Organisation", exact=True).fill("Registry curators")
    admin.get_by_role("button", name="Send the invitation").click()
    assert "ines@registry.example is invited" in admin.get_by_role("status").inner_text()
    screenshot(admin, "admin-users")

    deliver(app)
    [invitation] = smtp_server.messages
    assert invitation["To"] == "ines@registry.example"
    curator = new_page(url, bypass_csp=True)
    curator.goto(link_of(invitation, url))
    assert not serious_violations(curator), "password link"
    curator.get_by_label("New password").fill(NEW_PASSWORD)
    curator.get_by_label("The same password again").fill(NEW_PASSWORD)
    curator.get_by_role("button", name="Save the password").click()
    curator.wait_for_url(re.compile(r"/sign-in$"))
    curator.get_by_label("Email").fill("ines@registry.example")
    curator.get_by_label("Password").fill(NEW_PASSWORD)
    curator.get_by_role("button", name="Sign in").click()
    curator.wait_for_url(re.compile(r"/review$"))  # curators start at the queue
    item = curator.locator(
        ".review-item", has=curator.get_by_role("heading", name=WAITING["title"])
    )
    item.get_by_role("button", name="Publish").click()
    assert curator.get_by_role("status").filter(has_text="Published.").is_visible()


def test_a_user_resets_a_forgotten_password(new_page, server, smtp_server):  # noqa: F811
    url, app = server
    page = new_page(url, bypass_csp=True)
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    if AXE.exists():
        assert not serious_violations(page), "/forgot-password"
    page.get_by_label("E-mail address").fill(PEOPLE["other"][0])
    page.get_by_role("button", name="Send me a link").click()
    assert "If an account has this address" in page.get_by_role("status").inner_text()
    screenshot(page, "forgot-password")
    deliver(app)
    [message] = smtp_server.messages
    page.goto(link_of(message, url))
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("The same password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    page.wait_for_url(re.compile(r"/sign-in$"))
    page.get_by_label("Email").fill(PEOPLE["other"][0])
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/my/initiatives$"))
    page.goto(link_of(message, url))  # used once: the link is dead
    assert "expired or has been used" in page.locator("main").inner_text()
