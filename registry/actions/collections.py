"""Curated collections: curators (and admins) create, change and delete them. The checks of
their content are registry.collections.clean's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete as sql_delete
from sqlmodel import Session

from .. import collections
from ..accounts import Principal
from ..messages import msg
from ..models import Collection, CollectionItem, utcnow
from .errors import Forbidden
from .guard import action, permit


def _curator(principal: Principal | None, name: str) -> None:
    if principal is None or not principal.is_curator:
        raise Forbidden(name, msg("only curators manage collections"))
    permit(name)


def _set_items(session: Session, collection_id: int, items: list[tuple[int, str]]) -> None:
    session.execute(sql_delete(CollectionItem).where(CollectionItem.collection_id == collection_id))
    for position, (initiative_id, note) in enumerate(items):
        session.add(CollectionItem(collection_id=collection_id, initiative_id=initiative_id,
                                   position=position, note=note))  # fmt: skip


@action("create_collection")
def create_collection(
    session: Session, principal: Principal, payload: dict[str, Any]
) -> Collection:
    """A new public collection (curators); every field and item checked at once."""
    _curator(principal, "create_collection")
    data = collections.clean(session, payload)
    items = data.pop("items")
    collection = Collection(**data, created_by_id=principal.id)
    session.add(collection)
    session.flush()
    _set_items(session, collection.id, items)
    return collection


@action("update_collection")
def update_collection(
    session: Session, principal: Principal, collection_id: int, payload: dict[str, Any]
) -> Collection:
    """Replace a collection's texts and its ordered items (curators)."""
    _curator(principal, "update_collection")
    collection = collections.get(session, collection_id)
    if collection is None:
        raise collections.CollectionNotFound(collection_id)
    session.refresh(collection, with_for_update=True)
    data = collections.clean(session, payload)
    items = data.pop("items")
    for key, value in data.items():
        setattr(collection, key, value)
    collection.updated_at = utcnow()
    _set_items(session, collection.id, items)
    return collection


@action("delete_collection")
def delete_collection(session: Session, principal: Principal, collection_id: int) -> None:
    _curator(principal, "delete_collection")
    collection = collections.get(session, collection_id)
    if collection is None:
        raise collections.CollectionNotFound(collection_id)
    session.execute(sql_delete(CollectionItem).where(CollectionItem.collection_id == collection_id))
    session.delete(collection)
