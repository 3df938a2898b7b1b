"""Curated collections through the API: the list and one collection, with its published
initiatives only (registry.collections); curators create, replace and delete them."""

from __future__ import annotations

from flask import url_for

from .. import actions, shapes
from .. import collections as curated
from ..db import read_session, write_session
from ..errors import ApiError
from ..extensions import db, registry_of
from ..messages import msg
from ..models import Collection, Initiative
from ..schemas import iso
from ..security import private, public
from .blueprint import bp, json_body
from .initiatives import actor


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


def _not_found() -> ApiError:
    return ApiError(404, "not_found", msg("no such collection"))


def _answer(collection_id: int, session=None):
    """The collection's answer; after a write, read in a fresh session (the request's may hold a
    snapshot from before the write's commit)."""
    if session is None:
        with read_session(registry_of().engine) as fresh:
            return _answer(collection_id, fresh)
    collection = curated.get(session, collection_id)
    if collection is None:
        raise _not_found()
    urls = {
        "url": _page(collection),
        "feed_url": url_for("collections.feed", collection_id=collection.id, _external=True),
    }
    record = curated.to_record(
        collection, curated.public_items(session, collection), urls, _initiative_url
    )
    return shapes.dump(shapes.Collection, record)


@bp.get("/collections/<int:collection_id>")
@public
def get_collection(collection_id: int):
    return _answer(collection_id, db())


@bp.post("/collections")
@private("curators")
def create_collection():
    """A new collection; every field and item checked at once (422 lists them)."""
    user, body = actor(), json_body()
    with write_session(registry_of().engine) as session:
        made = actions.create_collection(session, user, body)
        made_id = made.id
    location = url_for(".get_collection", collection_id=made_id, _external=True)
    return _answer(made_id), 201, {"Location": location}


@bp.put("/collections/<int:collection_id>")
@private("curators")
def replace_collection(collection_id: int):
    """Replace the collection's texts and items (the body is the whole collection)."""
    user, body = actor(), json_body()
    try:
        with write_session(registry_of().engine) as session:
            actions.update_collection(session, user, collection_id, body)
    except curated.CollectionNotFound:
        raise _not_found() from None
    return _answer(collection_id)


@bp.delete("/collections/<int:collection_id>")
@private("curators")
def delete_collection(collection_id: int):
    user = actor()
    try:
        with write_session(registry_of().engine) as session:
            actions.delete_collection(session, user, collection_id)
    except curated.CollectionNotFound:
        raise _not_found() from None
    return "", 204
