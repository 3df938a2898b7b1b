"""What the API says about itself: the vocabularies and the OpenAPI document."""

from __future__ import annotations

from flask import url_for

from .. import openapi, shapes, vocab
from ..security import public
from .blueprint import bp


@bp.get("/vocabularies")
@public
def vocabularies():
    return shapes.dump(shapes.Vocabularies, vocab.as_json())


@bp.get("/openapi.json")
@public
def openapi_document():
    return openapi.document(url_for("browse.home", _external=True))
