"""Interface language: the user's choice (cookie), else the browser's, else English."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel, get_locale

from .paths import resource

LANGUAGES = ("en", "fr")
COOKIE = "lang"


def select_locale() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def current_locale() -> str:
    return str(get_locale() or "en")


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(resource("translations")))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
