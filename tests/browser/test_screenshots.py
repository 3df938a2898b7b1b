"""Screenshots of the main pages on a desktop and on a phone, kept by CI as artifacts
(test-artifacts/screenshots/), and none of them scrolls sideways on the phone."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser

PUBLIC = {
    "home": "/",
    "search-results": "/initiatives?q=services",
    "initiative": "/initiatives/4",
    "export": "/export",
    "api": "/api",
    "sign-in": "/sign-in",
}
SIGNED_IN = {  # as a curator, who sees every page a submitter sees and the review queue
    "contribute-form": "/my/initiatives/new",
    "my-initiatives": "/my/initiatives",
    "review-queue": "/review",
    "account": "/account",
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots_of_the_main_pages(new_page, viewport):
    phone = viewport is PHONE
    page = new_page(viewport=viewport, is_mobile=phone, has_touch=phone)
    too_wide = []

    def shoot(name: str, path: str) -> None:
        assert page.goto(path).status == 200, path
        if name == "review-queue":
            assert page.locator(".review-item").count() >= 1  # the shot shows a record
        screenshot(page, name)
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > viewport["width"]:
            too_wide.append(f"{path} is {wide}px wide on a {viewport['width']}px screen")

    for name, path in PUBLIC.items():
        shoot(name, path)
    sign_in(page, "curator")
    for name, path in SIGNED_IN.items():
        shoot(name, path)
    assert not too_wide, "\n".join(too_wide)
