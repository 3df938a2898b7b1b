"""HTML pages: blueprints, template helpers and friendly error pages.

The error handlers are the application's: a request for the JSON API gets the contract's JSON
error (registry.errors) instead of a page.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from .. import vocab
from ..errors import error_response, handle_error
from ..extensions import is_api_request
from ..filters import BadParameter
from ..markdown import render as render_markdown
from ..messages import msg
from ..search import SearchUnavailable
from . import (
    account,
    admin,
    alerts,
    browse,
    citations,
    collections,
    compare,
    contribute,
    country_pages,
    dates,
    discovery,
    forms,
    imports,
    lists,
    media,
    opendata,
    outbox,
    records,
    review,
    search_links,
)
from .labels import country_name, field_value, label
from .urls import url_with

# A filter's query parameter as its label on the page says it (error pages never show
# parameter names such as year_from).
PARAMETER_LABELS = {
    "q": lazy_gettext("Search"),
    "country": lazy_gettext("Country"),
    "sector": lazy_gettext("Sector"),
    "stage": lazy_gettext("Stage"),
    "maturity": lazy_gettext("Maturity"),
    "evidence_level": lazy_gettext("Evidence level"),
    "language": lazy_gettext("Language"),
    "tag": lazy_gettext("Tag"),
    "year_from": lazy_gettext("Started from (year)"),
    "year_to": lazy_gettext("Started until (year)"),
    "sort": lazy_gettext("Sort order"),
    "page": lazy_gettext("Page"),
    "per_page": lazy_gettext("Results per page"),
    "ids": lazy_gettext("Initiatives to compare"),
}
# Seconds a client is asked to wait when the database or the search index is out of reach.
RETRY_DATABASE = 5
RETRY_SEARCH = 10


def init_app(app: Flask) -> None:
    app.register_blueprint(browse.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(contribute.bp)
    app.register_blueprint(opendata.bp)
    app.register_blueprint(country_pages.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(media.bp)
    # Issue 18: mail, collections, citations, sharing and discovery, saved searches,
    # personal lists.
    app.register_blueprint(outbox.bp)
    app.register_blueprint(collections.bp)
    app.jinja_env.globals.update(collections.HELPERS)
    app.register_blueprint(citations.bp)
    app.jinja_env.globals.update(citations.HELPERS)
    app.register_blueprint(discovery.bp)
    app.jinja_env.globals.update(discovery.HELPERS)
    app.register_blueprint(alerts.bp)
    app.jinja_env.globals.update(alerts.HELPERS)
    app.register_blueprint(lists.bp)
    app.jinja_env.globals.update(lists.HELPERS)
    app.register_blueprint(admin.bp)  # accounts on the web (issue 19)
    app.register_blueprint(records.bp)  # case records (issue 16)
    app.jinja_env.globals.setdefault("nav_links", []).extend(
        [
            ("countries.country_list", lazy_gettext("Countries")),
            ("compare.compare_page", lazy_gettext("Compare")),
            ("opendata.export_page", lazy_gettext("Open data")),
        ]
    )
    app.jinja_env.globals["nav_links"].append(("collections.listing", lazy_gettext("Collections")))
    app.jinja_env.globals["feed_link"] = opendata.feed_link
    app.jinja_env.globals.update(search_links.HELPERS)
    app.jinja_env.globals.update(media.HELPERS)
    app.jinja_env.globals.update(records.HELPERS)  # case records (issue 16)
    app.jinja_env.globals.update(
        label=label,
        country_name=country_name,
        url_with=url_with,
        field_label=forms.field_label,
        field_value=field_value,
        VOCABULARIES=vocab.VOCABULARIES,
    )
    app.jinja_env.filters["markdown"] = render_markdown
    # Issue 19: one date format per language; the number of records waiting for review.
    app.jinja_env.filters.update(day=dates.day, moment=dates.moment)
    app.jinja_env.globals["waiting_count"] = review.waiting_count

    @app.errorhandler(BadParameter)
    def _bad_parameter(exc: BadParameter):
        labelled = {PARAMETER_LABELS.get(name, name): m for name, m in exc.fields.items()}
        return render_template("errors/400.html", fields=labelled), 400

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        if is_api_request():
            return handle_error(exc)
        template = "errors/404.html" if exc.code == 404 else "errors/error.html"
        return render_template(template, error=exc), exc.code

    @app.errorhandler(SearchUnavailable)
    def _search_unavailable(exc: SearchUnavailable):
        app.logger.warning("search unavailable on %s: %s", request.path, exc)
        message = lazy_gettext(
            "Search is unavailable for a moment. "
            "Initiative pages still work; please try the search again shortly."
        )
        return _unavailable("search_unavailable", message, RETRY_SEARCH)

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc: OperationalError):
        app.logger.warning("database unavailable on %s: %s", request.path, exc.orig)
        message = lazy_gettext(
            "The registry cannot reach its database for a moment. "
            "Nothing you sent was saved; please try again shortly."
        )
        return _unavailable("database_unavailable", message, RETRY_DATABASE)

    @app.errorhandler(Exception)
    def _server_error(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if is_api_request():
            return error_response(500, "server_error", msg("internal error"))
        return render_template("errors/500.html"), 500


def _unavailable(code: str, message: str, retry_after: int):
    """503 with Retry-After: the API's JSON error, or the error page for a browser."""
    headers = {"Retry-After": str(retry_after)}
    if is_api_request():
        body, status = error_response(503, code, str(message))
        return body, status, headers
    error = ServiceUnavailable(str(message))
    return render_template("errors/error.html", error=error), 503, headers
