"""Curated collections through the API: the list and one collection, with its published
initiatives only (registry.collections)."""

from __future__ import annotations

from flask import url_for

from .. import collections as curated
from .. import shapes
from ..errors import ApiError
from ..extensions import db
from ..messages import msg
from ..models import Collection, Initiative
from ..schemas import iso
from ..security import public
from .blueprint import bp


def _page(collection: Collection) -> str:
    return url_for("collections.collection_page", collection_id=collection.id,
                   slug=collection.slug, _external=True)  # fmt: skip


def _initiative_url(initiative: Initiative) -> str:
    return url_for("browse.initiative_page", initiative_id=initiative.id, slug=initiative.slug,
                   _external=True)  # fmt: skip


@bp.get("/collections")
@public
def list_collections():
    return shapes.dump(
        list[shapes.CollectionSummary],
        [
            {"id": c.id, "slug": c.slug, "url": _page(c), "count": n,
             "title": {"en": c.title_en, "fr": c.title_fr}, "updated_at": iso(c.updated_at)}
            for c, n in curated.listing(db())
        ],
    )  # fmt: skip


@bp.get("/collections/<int:collection_id>")
@public
def get_collection(collection_id: int):
    collection = curated.get(db(), collection_id)
    if collection is None:
        raise ApiError(404, "not_found", msg("no such collection"))
    urls = {
        "url": _page(collection),
        "feed_url": url_for("collections.feed", collection_id=collection.id, _external=True),
    }
    record = curated.to_record(
        collection, curated.public_items(db(), collection), urls, _initiative_url
    )
    return shapes.dump(shapes.Collection, record)
