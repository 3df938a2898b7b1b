"""What the application holds for its requests, and how views, API handlers and commands reach it.

`create_app` calls `init_app` once: the database engine, the search index handle and the cache
of statistics then live in `app.extensions` for the process's lifetime. Both interfaces (web
pages and the JSON API) and the command line import their accessors from here, never from
`registry.app`, which sits above them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, Request, current_app, g, request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from .config import Settings
from .db import make_engine
from .search import SearchIndex
from .stats import FigureCache
from .token_uses import TokenUses

# Where the JSON API lives: its blueprint's prefix, and how the shared hooks tell its requests.
API_PREFIX = "/api/v1"


@dataclass
class Registry:
    """What one application instance holds: its settings and its database engine."""

    settings: Settings
    engine: Engine


View = TypeVar("View", bound=Callable)


class RegistryRequest(Request):
    """A request whose body may be as large as its view accepts (`accepts_uploads`), else the
    app's MAX_CONTENT_LENGTH. The view is known from the URL, so the limit holds before anything
    reads the body (the CSRF check does, before the view runs)."""

    @property
    def max_content_length(self) -> int | None:
        view = current_app.view_functions.get(self.endpoint or "")
        limit = getattr(view, "max_body_bytes", None)
        return limit if limit is not None else super().max_content_length


def accepts_uploads(limit: int) -> Callable[[View], View]:
    """This view takes request bodies of up to `limit` bytes (file uploads); a larger one is
    refused with 413 before it is read."""

    def mark(view: View) -> View:
        view.max_body_bytes = limit  # type: ignore[attr-defined]
        return view

    return mark


def init_app(app: Flask, settings: Settings) -> None:
    """Create the engine; the search index opens on the first search."""
    app.request_class = RegistryRequest
    app.extensions["registry"] = Registry(
        settings=settings, engine=make_engine(settings.database_url)
    )
    app.extensions["search"] = SearchIndex(settings.index_dir)
    app.extensions["figures"] = FigureCache()
    app.extensions["token_uses"] = TokenUses(
        app.extensions["registry"].engine, app.config.get("TOKEN_USES_EVERY", 60.0)
    )

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            try:
                session.rollback()
            except SQLAlchemyError as exc:  # the database went away: the answer is already made
                app.logger.warning("could not roll back the request's session: %s", exc)
            finally:
                session.close()


def token_uses(app: Flask | None = None) -> TokenUses:
    """The process's batch of API token uses waiting to be recorded."""
    return (app or current_app).extensions["token_uses"]


def registry_of(app: Flask | None = None) -> Registry:
    """Settings and engine of `app` (default: the current app)."""
    return (app or current_app).extensions["registry"]


def search_index(app: Flask | None = None) -> SearchIndex:
    """The process's handle on the search index (default: the current app's).

    A view passes it with `db()` to `registry.search.search` / `matching_ids` / `similar`.
    """
    return (app or current_app).extensions["search"]


def figure_cache(app: Flask | None = None) -> FigureCache:
    """The process's cache of statistics, valid until the change log moves on."""
    return (app or current_app).extensions["figures"]


def db() -> Session:
    """The request's read session: opened on first use, rolled back and closed at teardown."""
    if "db" not in g:
        g.db = Session(registry_of().engine)
    return g.db


def is_api_request() -> bool:
    """Whether the current request is for the JSON API (its errors and language differ)."""
    return request.path.startswith(API_PREFIX + "/") or request.path == API_PREFIX
