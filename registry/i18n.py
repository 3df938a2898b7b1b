"""Interface language.

Pages: the visitor's choice (the `lang` cookie, set by the switch in the header), else the
signed-in account's choice, else the browser's Accept-Language, else English. Choosing a
language while signed in also records it in the account, and signing in sets the cookie from
the account, so the choice follows the person to other browsers. URLs carry no language, so
they stay shareable. The JSON API answers in the Accept-Language of each request: a script's
messages should not depend on a cookie.

Messages live in translations/ (see `make messages` and the README); records are never
translated: they keep their own language and are marked with it.
"""

from __future__ import annotations

from babel import Locale
from flask import Flask, Response, request
from flask_babel import Babel, get_locale

from .api import is_api_request
from .messages import localized
from .paths import resource

LANGUAGES = ("en", "fr")
# Each language named in itself, for the switch.
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600
TRANSLATIONS = resource("translations")


def _account_locale() -> str | None:
    from flask_login import current_user

    principal = getattr(current_user, "principal", None)
    return getattr(principal, "locale", None)


def select_locale() -> str:
    browser = request.accept_languages.best_match(LANGUAGES)
    if is_api_request():
        return browser or "en"
    for chosen in (request.cookies.get(COOKIE), _account_locale()):
        if chosen in LANGUAGES:
            return chosen
    return browser or "en"


def current_locale() -> str:
    return str(get_locale() or "en")


def remember(response: Response, code: str) -> Response:
    """Set the language cookie on `response`."""
    response.set_cookie(
        COOKIE, code, max_age=COOKIE_AGE, samesite="Lax", httponly=True, secure=request.is_secure
    )
    return response


def language_name(code: str | None, standalone: bool = False) -> str:
    """A record's language named in the interface's language ("French", "anglais");
    capitalised when it stands alone (a facet, a label)."""
    if not code:
        return ""
    try:
        name = Locale.parse(current_locale()).languages.get(code.lower())
    except ValueError:
        name = None
    if not name:
        return code.upper()
    return name[:1].upper() + name[1:] if standalone else name


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        current_locale=current_locale,
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        language_name=language_name,
        localized=localized,
    )
    app.jinja_env.filters["localized"] = localized
