"""Messages written in English where they arise, shown in the reader's language where they are
displayed, from the Babel catalogues of translations/ (see `make messages` and the README).

Validation, import and account code knows nothing of requests, so it cannot know the reader's
language; it builds a `Message` with `msg("... %(name)s ...", name=...)`. A Message is the
English text (logs, the CLI, tests and comparisons see plain English), and it remembers its
template and values, so a page or the API shows it translated (`registry.i18n.localized`), and
an export or the vocabularies' API gives it in any language (`translate`).
`pybabel extract` collects `msg(...)` like `_()` (see babel.cfg and `make messages`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel.support import NullTranslations, Translations

from .paths import resource

TRANSLATIONS = resource("translations")
# The language every message is written in: it needs no catalogue.
SOURCE_LANGUAGE = "en"


def _languages() -> tuple[str, ...]:
    compiled = TRANSLATIONS.glob("*/LC_MESSAGES/messages.mo")
    found = sorted(path.parents[1].name for path in compiled)
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


# The languages of the interface: English, then each language with a compiled catalogue.
LANGUAGES = _languages()


class Message(str):
    """English text that can be translated later: the template and its values are kept."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Message:
        text = super().__new__(cls, template % values if values else template)
        text.template = template
        text.values = values
        return text


def msg(template: str, **values: Any) -> Message:
    """Mark `template` for translation; `%(name)s` placeholders are filled from `values`."""
    return Message(template, **values)


@lru_cache(maxsize=32)
def _catalogue(locale: str) -> NullTranslations:
    """The compiled catalogue of `locale` ("fr", "fr_FR" or "fr-FR"); one that translates
    nothing for English or a language without a catalogue."""
    return Translations.load(str(TRANSLATIONS), [locale.replace("-", "_")])


def translate(text: object, locale: str) -> str:
    """`text` in `locale`, in or outside a request: a Message by its template (its values too),
    any other string by itself when the catalogue has it (HTTP errors, CSRF errors); unchanged
    otherwise."""
    if isinstance(text, Message):
        values = {
            k: translate(v, locale) if isinstance(v, Message) else v for k, v in text.values.items()
        }
        translated = _catalogue(locale).gettext(text.template)
        return translated % values if values else translated
    if isinstance(text, str) and text:
        return _catalogue(locale).gettext(text)
    return "" if text is None else str(text)


# What werkzeug and Flask-WTF say about HTTP errors, listed so that the catalogue holds them:
# `localized(exc.description)` then finds their translations.
HTTP_TEXTS = (
    msg("Bad Request"),
    msg("The browser (or proxy) sent a request that this server could not understand."),
    msg("Unauthorized"),
    msg(
        "The server could not verify that you are authorized to access the URL requested. "
        "You either supplied the wrong credentials (e.g. a bad password), or your browser "
        "doesn't understand how to supply the credentials required."
    ),
    msg("Forbidden"),
    msg(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    msg("Not Found"),
    msg(
        "The requested URL was not found on the server. If you entered the URL manually "
        "please check your spelling and try again."
    ),
    msg("Method Not Allowed"),
    msg("The method is not allowed for the requested URL."),
    msg("Request Entity Too Large"),
    msg("The data value transmitted exceeds the capacity limit."),
    msg("Unsupported Media Type"),
    msg("The server does not support the media type transmitted in the request."),
    msg("Too Many Requests"),
    msg("This user has exceeded an allotted request count. Try again later."),
    msg("Internal Server Error"),
    msg(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
    msg("The CSRF token is missing."),
    msg("The CSRF session token is missing."),
    msg("The CSRF token is invalid."),
    msg("The CSRF token has expired."),
    msg("The CSRF tokens do not match."),
    msg("The referrer header is missing."),
    msg("The referrer does not match the host."),
)
