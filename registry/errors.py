"""The JSON error body of the API contract (docs/api.md): `{"error": {"code", "message",
"fields"}}`, and the failure each code stands for.

Shared by the API's blueprint, the open-data files (read by programs), the sign-in check that
runs before any view, and the application's error handlers. Codes are fixed English words;
messages follow the request's language (registry.i18n).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from . import shapes
from .actions import (
    Conflict,
    Forbidden,
    InvalidMove,
    LinkNotFound,
    MediaNotFound,
    StaleVersion,
    TranslationNotFound,
)
from .filters import BadParameter
from .i18n import localized, localized_fields
from .initiatives import NotFound
from .messages import msg
from .schemas import ValidationFailed


class ApiError(Exception):
    """An error answered as the contract's JSON error body."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


# The failures a JSON answer names by their own code (anything else is an HTTPException).
API_ERRORS = (ApiError, ValidationFailed, BadParameter, NotFound, StaleVersion, Conflict,
              Forbidden, InvalidMove)  # fmt: skip


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> tuple[Response, int]:
    body: dict[str, Any] = {"code": code, "message": localized(message)}
    if fields:
        body["fields"] = localized_fields(fields)
    return jsonify(shapes.dump(shapes.Error, {"error": body})), status


def handle_error(exc: Exception) -> tuple[Response, int]:
    """The JSON answer to one of API_ERRORS or to an HTTPException."""
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields)
    if isinstance(exc, ValidationFailed):
        return error_response(
            422, "validation_failed", msg("some fields are not valid"), exc.fields
        )
    if isinstance(exc, BadParameter):
        return error_response(
            400, "bad_parameter", msg("some parameters are not valid"), exc.fields
        )
    if isinstance(exc, MediaNotFound):
        return error_response(404, "not_found", msg("no such media item"))
    if isinstance(exc, (LinkNotFound, TranslationNotFound)):
        return error_response(404, "not_found", exc.message)
    if isinstance(exc, NotFound):
        return error_response(404, "not_found", msg("no such initiative"))
    if isinstance(exc, StaleVersion):
        return error_response(
            409,
            "stale_version",
            msg(
                "the record changed since you read it (now version %(version)s); "
                "fetch it again and reapply your change",
                version=exc.current,
            ),
        )
    if isinstance(exc, Conflict):
        return error_response(409, "conflict", exc.message, {exc.field: [exc.message]})
    if isinstance(exc, Forbidden):
        return error_response(403, "forbidden", exc.message)
    if isinstance(exc, InvalidMove):
        return error_response(409, "invalid_transition", exc.message)
    assert isinstance(exc, HTTPException)
    code = (exc.name or "error").lower().replace(" ", "_")
    return error_response(exc.code or 500, code, exc.description or exc.name)
