"""Interface language.

Pages: the visitor's choice (the `lang` cookie, set by the switch in the header), else the
signed-in account's choice, else the browser's Accept-Language, else English. Choosing a
language while signed in also records it in the account, and signing in sets the cookie from
the account, so the choice follows the person to other browsers. URLs carry no language, so
they stay shareable. The JSON API answers in the Accept-Language of each request: a script's
messages should not depend on a cookie.

Messages live in translations/ (see `make messages` and the README): the languages offered are
English and each language with a catalogue there. Records are never translated: they keep
their own language and are marked with it.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Flask, Response, request
from flask_babel import Babel, get_locale
from flask_login import current_user

from .extensions import is_api_request
from .messages import LANGUAGES, SOURCE_LANGUAGE, TRANSLATIONS, translate

COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600


def _own_name(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


# Each language named in itself, for the switch ("English", "Français").
LANGUAGE_NAMES = {code: _own_name(code) for code in LANGUAGES}


def _account_locale() -> str | None:
    principal = getattr(current_user, "principal", None)
    return getattr(principal, "locale", None)


def select_locale() -> str:
    browser = request.accept_languages.best_match(LANGUAGES)
    if is_api_request():
        return browser or SOURCE_LANGUAGE
    for chosen in (request.cookies.get(COOKIE), _account_locale()):
        if chosen in LANGUAGES:
            return chosen
    return browser or SOURCE_LANGUAGE


def current_locale() -> str:
    return str(get_locale() or SOURCE_LANGUAGE)


def localized(text: object) -> str:
    """`text` in the current request's language (see `messages.translate`)."""
    return translate(text, current_locale())


def localized_fields(fields: dict[str, list[Any]] | None) -> dict[str, list[str]] | None:
    """Every message of a field → messages mapping, translated."""
    if fields is None:
        return None
    return {name: [localized(m) for m in messages] for name, messages in fields.items()}


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
