"""Security headers on every response, and the declared visibility of every view.

Headers come from Flask-Talisman: a strict Content-Security-Policy (no inline script or style,
so templates keep JavaScript in static/js/ and styles in static/css/), no framing, no MIME
sniffing. HTTPS is forced only in production, so development and tests run on plain HTTP.

Every view declares who may call it with `@public` or `@private(reason)`; a test walks the URL
map and fails on a view that declares neither, and crawls every public route for unpublished
content (tests/test_no_leaks.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from flask_talisman import DENY, Talisman

from .config import Settings

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}
# Powerful browser features the registry never uses, switched off for every page.
PERMISSIONS_POLICY = {
    feature: "()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "browsing-topics",
    )
}

PUBLIC = "public"
PRIVATE = "private"

View = TypeVar("View", bound=Callable)


def public(view: View) -> View:
    """Anyone may call this view; it must read through `initiatives.public_query()` /
    `get_public`, so it never shows an unpublished record to an anonymous visitor."""
    view.visibility = PUBLIC  # type: ignore[attr-defined]
    return view


def private(reason: str) -> Callable[[View], View]:
    """This view refuses anonymous visitors (sign-in redirect, 401, 403 or 404); `reason` says
    who may use it. The marker checks nothing itself: the view's own permission check does, and
    tests/test_no_leaks.py asserts that an anonymous request is refused."""

    def mark(view: View) -> View:
        view.visibility = PRIVATE  # type: ignore[attr-defined]
        view.visibility_reason = reason  # type: ignore[attr-defined]
        return view

    return mark


def visibility_of(view: Callable) -> str | None:
    """`PUBLIC`, `PRIVATE`, or None for a view that declared nothing."""
    return getattr(view, "visibility", None)


def init_app(app: Flask, settings: Settings) -> None:
    Talisman(
        app,
        force_https=settings.production,
        session_cookie_secure=settings.production,
        strict_transport_security=True,  # sent only on HTTPS requests
        frame_options=DENY,
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=PERMISSIONS_POLICY,
    )
