"""Security headers on every response, the declared visibility of every view, and what the
request itself may carry: characters, Host, client address behind a trusted proxy.

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
from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from flask_login import current_user
from flask_talisman import DENY, Talisman
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Settings
from .filters import BadParameter
from .schemas import text_problem

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
# Files served as they were stored (images, PDF documents): nothing in them may run or load.
FILE_CONTENT_SECURITY_POLICY = {"default-src": "'none'", "frame-ancestors": "'none'", "sandbox": ""}
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


def serves_files(view: View) -> View:
    """This view answers with a stored file, under FILE_CONTENT_SECURITY_POLICY."""
    view.talisman_view_options = {  # type: ignore[attr-defined]
        "content_security_policy": FILE_CONTENT_SECURITY_POLICY
    }
    return view


def visibility_of(view: Callable) -> str | None:
    """`PUBLIC`, `PRIVATE`, or None for a view that declared nothing."""
    return getattr(view, "visibility", None)


def _refuse_forbidden_characters() -> Response | None:
    """Every query-string value and path segment goes through the text sanitiser before any
    view runs: a NUL reaching PostgreSQL or a U+FFFF reaching a feed is a 400, never a 500.
    (Request bodies are checked where they are validated, so forms keep their field errors.)"""
    if isinstance(request.routing_exception, SecurityError):  # a Host not in TRUSTED_HOSTS
        return Response("unknown host\n", 400, mimetype="text/plain")  # no page: no URLs
    fields: dict[str, list] = {}
    values = [*request.args.items(multi=True), *(request.view_args or {}).items()]
    for name, value in values:
        problem = text_problem(value) if isinstance(value, str) else None
        if problem is not None:
            fields.setdefault(name[:40], []).append(problem)
    if fields:
        raise BadParameter(fields)
    return None


def _private_answers_not_cached(response: Response) -> Response:
    """No shared cache (nor the browser's back button) keeps what a signed-in person saw."""
    if request.endpoint != "static" and (
        g.get("bearer_principal") is not None or current_user.is_authenticated
    ):
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _build_urls_from(app: Flask, base_url: str) -> None:
    """Absolute URLs (feeds, exports, the API's `url`, OpenAPI `servers`) name the configured
    public address, never the request's Host header."""
    parts = urlsplit(base_url)
    app.config.update(SERVER_NAME=parts.netloc, PREFERRED_URL_SCHEME=parts.scheme)
    create = app.create_url_adapter

    def create_url_adapter(req):
        adapter = create(req)
        if adapter is not None:
            adapter.url_scheme = parts.scheme
        return adapter

    app.create_url_adapter = create_url_adapter  # type: ignore[method-assign]


def init_app(app: Flask, settings: Settings) -> None:
    if settings.trusted_proxies:  # only then is X-Forwarded-For believed
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    if settings.base_url:
        _build_urls_from(app, settings.base_url)
    if settings.production:
        app.config["TRUSTED_HOSTS"] = settings.trusted_hosts  # any other Host: 400
    app.before_request(_refuse_forbidden_characters)
    app.after_request(_private_answers_not_cached)
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
