"""What the API says about itself: the vocabularies and the OpenAPI document."""

from __future__ import annotations

from flask import request

from .. import openapi, vocab
from . import bp


@bp.get("/vocabularies")
def vocabularies():
    return vocab.as_json()


@bp.get("/openapi.json")
def openapi_document():
    return openapi.document(request.host_url)
