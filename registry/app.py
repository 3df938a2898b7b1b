"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

from flask import Flask, g
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from . import i18n, security
from .config import Settings
from .db import make_engine
from .paths import STATIC, TEMPLATES
from .search import SearchIndex
from .stats import FigureCache


@dataclass
class Registry:
    """What one application instance holds: its settings and its database engine."""

    settings: Settings
    engine: Engine


def freeze_startup_objects() -> None:
    """Take the objects alive now (modules, the app) out of the garbage collector's walks.

    They are ~100,000 long-lived objects: every full collection walked them, a 40-60 ms pause
    landing on whichever request set it off (most of the p95 of a 10 ms search). Call once a
    serving process is ready; forked gunicorn workers then also keep sharing those pages.
    """
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the app from `settings` (a Settings, overrides of the environment, or None)."""
    if not isinstance(settings, Settings):
        settings = Settings.from_env(**(settings or {}))
    app = Flask(
        "registry",
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        instance_path=str(settings.instance_dir),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        JSON_SORT_KEYS=False,
    )
    app.config.update(settings.extra)
    registry = Registry(settings=settings, engine=make_engine(settings.database_url))
    app.extensions["registry"] = registry
    app.extensions["search"] = SearchIndex(settings.index_dir)  # opened on first search
    app.extensions["figures"] = FigureCache()

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

    i18n.init_app(app)
    security.init_app(app, settings)
    from . import api, web

    api.init_app(app)
    web.init_app(app)
    return app


def registry_of(app: Flask) -> Registry:
    return app.extensions["registry"]


def search_index(app: Flask | None = None) -> SearchIndex:
    """The process's handle on the search index (default: the current app's).

    A view passes it with `db()` to `registry.search.search` / `matching_ids` / `similar`.
    """
    from flask import current_app

    return (app or current_app).extensions["search"]


def figure_cache(app: Flask | None = None) -> FigureCache:
    """The process's cache of statistics, valid until the change log moves on."""
    from flask import current_app

    return (app or current_app).extensions["figures"]


def db() -> Session:
    """The request's read session: opened on first use, rolled back and closed at teardown."""
    from flask import current_app

    if "db" not in g:
        g.db = Session(registry_of(current_app).engine)
    return g.db
