"""Curated collections: reading them as the public sees them, and checking what curators send.

A collection's items are read through `initiatives.public_query()`: an item whose record is not
published (withdrawn, deleted, back in draft) is simply not there for anyone reading a
collection, and comes back if the record is published again. Writes are the actions
`create_collection`, `update_collection` and `delete_collection` (registry.actions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from . import initiatives
from .messages import msg
from .models import Collection, CollectionItem, Initiative
from .schemas import ValidationFailed, iso, slugify, text_problem

MAX_TITLE = 200
MAX_INTRODUCTION = 20_000
MAX_NOTE = 2_000
MAX_ITEMS = 500
LANGUAGES = ("en", "fr")


class CollectionNotFound(LookupError):
    """No collection with this id."""


@dataclass
class Item:
    initiative: Initiative
    note: str
    position: int


def title(collection: Collection, locale: str) -> str:
    """The title in the reader's language, else in the other one."""
    mine = collection.title_fr if locale.startswith("fr") else collection.title_en
    return mine or collection.title_en or collection.title_fr


def introduction(collection: Collection, locale: str) -> str:
    mine = collection.introduction_fr if locale.startswith("fr") else collection.introduction_en
    return mine or collection.introduction_en or collection.introduction_fr


def get(session: Session, collection_id: int) -> Collection | None:
    if not 0 < collection_id <= initiatives.MAX_ID:
        return None
    return session.get(Collection, collection_id)


def listing(session: Session) -> list[tuple[Collection, int]]:
    """Every collection with the number of its published items, newest change first."""
    counted = (
        select(CollectionItem.collection_id, func.count().label("n"))
        .join(Initiative, Initiative.id == CollectionItem.initiative_id)
        .where(Initiative.status == initiatives.PUBLIC_STATUS)
        .group_by(CollectionItem.collection_id)
        .subquery()
    )
    rows = session.execute(
        select(Collection, func.coalesce(counted.c.n, 0))
        .outerjoin(counted, counted.c.collection_id == Collection.id)
        .order_by(Collection.updated_at.desc(), Collection.id.desc())
    )
    return [(c, n) for c, n in rows]


def public_items(session: Session, collection: Collection) -> list[Item]:
    """The collection's published initiatives in the curator's order, with their notes."""
    rows = session.execute(
        initiatives.public_query()
        .add_columns(CollectionItem.note, CollectionItem.position)
        .join(CollectionItem, CollectionItem.initiative_id == Initiative.id)
        .where(CollectionItem.collection_id == collection.id)
        .order_by(CollectionItem.position, Initiative.id)
    )
    return [Item(i, note, position) for i, note, position in rows]


def all_items(session: Session, collection: Collection) -> list[Item]:
    """Every item, published or not (the curators' edit form: they may see every record)."""
    rows = session.execute(
        select(Initiative, CollectionItem.note, CollectionItem.position)
        .join(CollectionItem, CollectionItem.initiative_id == Initiative.id)
        .where(CollectionItem.collection_id == collection.id)
        .order_by(CollectionItem.position, Initiative.id)
    )
    return [Item(i, note, position) for i, note, position in rows]


def of_initiative(session: Session, initiative_id: int) -> list[Collection]:
    """The collections a published initiative is in (none for an unpublished one)."""
    return list(
        session.scalars(
            select(Collection)
            .join(CollectionItem, CollectionItem.collection_id == Collection.id)
            .join(Initiative, Initiative.id == CollectionItem.initiative_id)
            .where(
                CollectionItem.initiative_id == initiative_id,
                Initiative.status == initiatives.PUBLIC_STATUS,
            )
            .order_by(Collection.id)
        )
    )


def _text(
    fields: dict[str, list[str]], name: str, value: Any, limit: int, *, required: bool = False
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        fields.setdefault(name, []).append(str(msg("must be text")))
        return ""
    value = value.strip()
    if len(value) > limit:
        fields.setdefault(name, []).append(
            str(msg("at most %(limit)s characters", limit=f"{limit:,}"))
        )
    elif (problem := text_problem(value)) is not None:
        fields.setdefault(name, []).append(str(problem))
    elif required and not value:
        fields.setdefault(name, []).append(str(msg("required")))
    return value


def clean(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """The collection's fields and items, checked; ValidationFailed lists every problem.

    `payload`: title_en, title_fr, introduction_en, introduction_fr, and `items`, a list of
    {"initiative_id": int, "note": str} in order. At least one title; each item a published
    initiative, once.
    """
    if not isinstance(payload, dict):
        raise ValidationFailed({"body": [str(msg("must be an object"))]})
    fields: dict[str, list[str]] = {}
    clean_: dict[str, Any] = {}
    for lang in LANGUAGES:
        clean_[f"title_{lang}"] = _text(fields, f"title_{lang}", payload.get(f"title_{lang}"),
                                        MAX_TITLE)  # fmt: skip
        clean_[f"introduction_{lang}"] = _text(
            fields, f"introduction_{lang}", payload.get(f"introduction_{lang}"), MAX_INTRODUCTION
        )
    if not (clean_["title_en"] or clean_["title_fr"]) and "title_en" not in fields:
        fields.setdefault("title_en", []).append(str(msg("give a title in at least one language")))
    items = payload.get("items") or []
    chosen: list[tuple[int, str]] = []
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        fields.setdefault("items", []).append(
            str(msg("a list of at most %(limit)s initiatives", limit=MAX_ITEMS))
        )
        items = []
    seen: set[int] = set()
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            fields.setdefault("items", []).append(str(msg("each item is an object")))
            continue
        ident = item.get("initiative_id")
        if isinstance(ident, bool) or not isinstance(ident, int):
            fields.setdefault("items", []).append(
                str(msg("item %(n)s: initiative_id must be a whole number", n=n + 1))
            )
            continue
        note = _text(fields, "items", item.get("note"), MAX_NOTE)
        if ident in seen:
            fields.setdefault("items", []).append(
                str(msg("initiative %(id)s is listed twice", id=ident))
            )
            continue
        seen.add(ident)
        chosen.append((ident, note))
    published = {i.id for i in initiatives.published_in_order(session, [i for i, _ in chosen])}
    for ident, _note in chosen:
        if ident not in published:
            fields.setdefault("items", []).append(
                str(msg("initiative %(id)s is not a published initiative", id=ident))
            )
    if fields:
        raise ValidationFailed(fields)
    clean_["items"] = chosen
    clean_["slug"] = slugify(clean_["title_en"] or clean_["title_fr"])
    return clean_


def to_record(
    collection: Collection, items: list[Item], urls: dict[str, str], item_url
) -> dict[str, Any]:
    """The collection as the API returns it (shapes.Collection)."""
    return {
        "id": collection.id,
        "slug": collection.slug,
        "title": {"en": collection.title_en, "fr": collection.title_fr},
        "introduction": {"en": collection.introduction_en, "fr": collection.introduction_fr},
        "created_at": iso(collection.created_at),
        "updated_at": iso(collection.updated_at),
        **urls,
        "initiatives": [
            {**initiatives.to_record(it.initiative), "url": item_url(it.initiative),
             "note": it.note}
            for it in items
        ],
    }  # fmt: skip
