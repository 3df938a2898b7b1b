"""The JSON API v1 (contract: docs/api.md). Every error is `{"error": {"code", "message",
"fields"}}`; a request that fails writes nothing. Codes are fixed English words; messages follow
the request's Accept-Language (registry.i18n). Every answer goes out through its shape
(`registry.shapes.dump`), the models the OpenAPI document's schemas are generated from.

Each module adds its routes to the one blueprint (`blueprint.bp`) when it is imported.
"""

from __future__ import annotations

from flask import Flask

from . import (  # noqa: F401  (importing them adds their routes)
    case_records,
    collections,
    initiatives,
    media,
    meta,
    search,
    stats,
)
from .blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
