"""Security headers on every response, templates that a strict CSP can serve, and a declared
visibility on every view."""

from __future__ import annotations

import re

import pytest

from registry import actions, create_app
from registry.db import write_session
from registry.paths import TEMPLATES
from registry.security import PRIVATE, PUBLIC, private, visibility_of

from .media_files import image
from .url_map import COMMON_SAMPLES, method_of, routes, urls

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
CSP_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
]


# Stored files (images, PDFs) are served under a policy that lets nothing run or load.
FILE_CSP_DIRECTIVES = ["default-src 'none'", "frame-ancestors 'none'", "sandbox"]


def assert_security_headers(response, where: str, directives=CSP_DIRECTIVES) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, f"{where}: {name}"
    csp = [d.strip() for d in response.headers.get("Content-Security-Policy", "").split(";")]
    for directive in directives:
        assert directive in csp, f"{where}: CSP lacks {directive!r}"
    assert not any("unsafe-inline" in d or "unsafe-eval" in d for d in csp), where
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), where
    assert "Strict-Transport-Security" not in response.headers, f"{where}: HSTS on plain HTTP"


def test_every_route_sends_the_security_headers(app, client, make_initiative):
    published = make_initiative()
    with write_session(app.extensions["registry"].engine) as s:
        texts = {"alt": "A walk", "credit": "Registry", "licence": "cc0"}
        media = actions.add_media(s, actions.SYSTEM, published, "image", image(), texts).id
    samples = {
        ("int", "initiative_id"): [str(published)],
        ("string", "slug"): ["some-slug"],
        ("string", "code"): ["fr"],
        **COMMON_SAMPLES,
        ("int", "media_id"): [str(media)],
        ("int", "link_id"): ["1"],  # case records: a link (none may exist)
    }
    checked = 0
    for rule in routes(client.application):
        files = rule.endpoint in ("media.file", "media.thumbnail")
        for url in urls(rule, samples):
            with client.open(url, method=method_of(rule)) as response:
                assert response.status_code < 500, url
                assert_security_headers(
                    response,
                    f"{method_of(rule)} {url}",
                    FILE_CSP_DIRECTIVES if files else CSP_DIRECTIVES,
                )
            checked += 1
    assert checked >= 5
    for url in ("/static/css/registry.css", "/no/such/page", "/api/v1/no-such-thing"):
        response = client.get(url)
        assert_security_headers(response, url)
        response.close()


def test_development_serves_plain_http_and_production_forces_https(tmp_path):
    def make(production: bool):
        return create_app(
            {
                "instance_dir": tmp_path / ("prod" if production else "dev"),
                "database_url": "sqlite://",
                "secret_key": "k",
                "production": production,
                "base_url": "https://localhost" if production else None,
            }
        )

    dev = make(False)
    plain = dev.test_client().get("/language/fr")
    assert plain.status_code == 302 and "Secure" not in plain.headers["Set-Cookie"]
    assert not dev.config["SESSION_COOKIE_SECURE"]
    prod = make(True).test_client()
    response = prod.get("/language/fr", base_url="http://localhost")
    assert response.status_code == 302 and response.location.startswith("https://")
    secure = prod.get("/language/fr", base_url="https://localhost")
    assert secure.status_code == 302 and secure.location == "/"
    assert "Secure" in secure.headers["Set-Cookie"]
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert prod.application.config["SESSION_COOKIE_SECURE"]


# What a strict Content-Security-Policy blocks: keep templates free of it.
INLINE = [
    # A JSON-LD data block (issue 18) is data, never run, and CSP does not apply to it.
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I),
        "inline <script> (use static/js/)",
    ),
    (re.compile(r"<style\b", re.I), "<style> element (use static/css/)"),
    (re.compile(r"\sstyle\s*=", re.I), 'style="" attribute (use a class)'),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= event handler (use static/js/)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_needs_inline_script_or_style():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert templates
    problems = [
        f"{path.relative_to(TEMPLATES)}:{text[: m.start()].count(chr(10)) + 1}: {what}"
        for path in templates
        for text in [path.read_text(encoding="utf-8")]
        for pattern, what in INLINE
        for m in pattern.finditer(text)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<p style="color:red">',
        '<a onclick="go()">',
        "<style>p{}</style>",
    ],
)
def test_the_template_check_catches_inline_code(snippet):
    assert any(pattern.search(snippet) for pattern, _ in INLINE)
    assert not any(p.search('<script src="/static/js/x.js" defer></script>') for p, _ in INLINE)


def undeclared_views(app) -> list[str]:
    return sorted(
        f"{rule.rule} -> {rule.endpoint}"
        for rule in routes(app)
        if visibility_of(app.view_functions[rule.endpoint]) not in (PUBLIC, PRIVATE)
    )


def test_every_view_declares_who_may_call_it(app):
    """Like CKAN's check that every action has an auth function: a view without `@public` or
    `@private(reason)` (registry/security.py) fails here, before it can leak anything."""
    undeclared = undeclared_views(app)
    assert not undeclared, (
        "views without a declared visibility (decorate them with @public or "
        "@private(reason) from registry.security):\n" + "\n".join(undeclared)
    )


def test_an_undeclared_view_is_caught(app):
    @app.get("/forgotten")
    def forgotten():
        return "?"

    @app.get("/staff")
    @private("curators only")
    def staff():
        return "?"

    assert undeclared_views(app) == ["/forgotten -> forgotten"]
