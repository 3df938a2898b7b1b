"""Reading one initiative through the API (writes arrive with accounts)."""

from __future__ import annotations

from flask import url_for

from .. import initiatives
from ..app import db
from ..security import public
from . import bp


def with_url(record: dict) -> dict:
    """The contract's record: the stored fields plus the page's absolute address."""
    return {
        **record,
        "url": url_for(
            "browse.initiative_page",
            initiative_id=record["id"],
            slug=record["slug"],
            _external=True,
        ),
    }


@bp.get("/initiatives/<int:initiative_id>")
@public
def get_initiative(initiative_id: int):
    return with_url(initiatives.to_record(initiatives.get_public(db(), initiative_id)))
