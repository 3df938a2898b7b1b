"""Messages written in English where they arise, shown in the reader's language where they are
displayed.

Validation, import and account code knows nothing of requests, so it cannot know the reader's
language; it builds a `Message` with `msg("... %(name)s ...", name=...)`. A Message is the
English text (logs, the CLI, tests and comparisons see plain English), and it remembers its
template and values, so a page or the API shows it translated with `localized()`.
`pybabel extract` collects `msg(...)` like `_()` (see babel.cfg and `make messages`).
"""

from __future__ import annotations

from typing import Any


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


def localized(text: object) -> str:
    """`text` in the current request's language: a Message by its template, any other string
    by itself when the catalogue has it (HTTP errors, CSRF errors); unchanged otherwise."""
    from flask_babel import gettext

    if isinstance(text, Message):
        values = {k: localized(v) if isinstance(v, Message) else v for k, v in text.values.items()}
        return gettext(text.template, **values)
    if isinstance(text, str) and text:
        return gettext(text)
    return "" if text is None else str(text)


def localized_fields(fields: dict[str, list[Any]] | None) -> dict[str, list[str]] | None:
    """Every message of a field → messages mapping, translated."""
    if fields is None:
        return None
    return {name: [localized(m) for m in messages] for name, messages in fields.items()}


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
