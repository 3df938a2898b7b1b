"""The `/api/v1` blueprint every API module adds its routes to, and how a request's JSON body is
read. A request that fails writes nothing and gets the contract's JSON error (registry.errors).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from .. import jsontext
from ..errors import API_ERRORS, ApiError, handle_error
from ..extensions import API_PREFIX
from ..messages import msg

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
for _error in API_ERRORS:
    bp.register_error_handler(_error, handle_error)


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
