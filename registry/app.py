"""The application factory: everything is built here, nothing at import time.

The top of the layers (tests/test_layers.py): it puts together the pieces below it. Nothing in
the package imports it; views and commands reach the app's objects through registry.extensions.
"""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from . import api, auth, extensions, i18n, security, web
from .config import Settings
from .paths import STATIC, TEMPLATES


def freeze_startup_objects() -> None:
    """Take the objects alive now (modules, the app) out of the garbage collector's walks.

    They are ~100,000 long-lived objects: every full collection walked them, a 40-60 ms pause
    landing on whichever request set it off (most of the p95 of a 10 ms search). Call once a
    serving process is ready; forked gunicorn workers then also keep sharing those pages.
    """
    gc.collect()
    gc.freeze()


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, shared by every app the process builds.

    Jinja compiles each template per environment, and each app has its own: a process that
    builds many apps (the test suite builds one per test) spent half of a page's time compiling.
    Buckets are keyed by template name and source checksum, so an edited template recompiles.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


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
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _COMPILED_TEMPLATES}
    extensions.init_app(app, settings)
    i18n.init_app(app)
    security.init_app(app, settings)
    auth.init_app(app)
    api.init_app(app)
    web.init_app(app)
    return app
