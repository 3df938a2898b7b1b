"""The JSON API v1 (contract: shared/design/api.md). Every error is
`{"error": {"code", "message", "fields"}}`; a request that fails writes nothing. Codes are
fixed English words; messages follow the request's Accept-Language (registry.i18n)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from .. import jsontext
from ..filters import BadParameter
from ..initiatives import Conflict, NotFound, StaleVersion
from ..messages import localized, localized_fields, msg
from ..schemas import ValidationFailed

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SIGN_IN_FIRST = msg("send Authorization: Bearer <token> (or sign in)")


class ApiError(Exception):
    """An error answered as the contract's JSON error body."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
):
    body: dict[str, Any] = {"code": code, "message": localized(message)}
    if fields:
        body["fields"] = localized_fields(fields)
    return jsonify(error=body), status


def json_body() -> Any:
    """The request's JSON document: 415 unless it is JSON, 400 when it does not parse or
    breaks a limit of registry.jsontext (nesting, number size)."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", msg("send the body as application/json"))
    try:
        data = jsontext.loads(request.get_data(cache=True))
    except jsontext.JsonRejected as exc:
        raise ApiError(400, "malformed_json", exc.message) from None
    if data is None:
        raise ApiError(400, "malformed_json", msg("the body is not valid JSON"))
    return data


def is_api_request() -> bool:
    return request.path.startswith(bp.url_prefix + "/") or request.path == bp.url_prefix


@bp.errorhandler(ApiError)
@bp.errorhandler(ValidationFailed)
@bp.errorhandler(BadParameter)
@bp.errorhandler(NotFound)
@bp.errorhandler(StaleVersion)
@bp.errorhandler(Conflict)
def handle_error(exc: Exception):
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
    assert isinstance(exc, HTTPException)
    code = (exc.name or "error").lower().replace(" ", "_")
    return error_response(exc.code or 500, code, exc.description or exc.name)


def init_app(app: Flask) -> None:
    from . import initiatives, meta, search, stats  # noqa: F401  (they register their routes on bp)

    app.register_blueprint(bp)
