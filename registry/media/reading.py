"""Which media the public and a record's managers see: the visibility rule for media, in one place.

The public sees a media item only while its record is published, and only when the item is part
of the published version (`live`, or `removing`: its removal waits for review). Owners and
curators also see what waits with the record's edit (`added` items, changed texts). Nothing here
writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ..initiatives import PUBLIC_STATUS
from ..models import Initiative, Media, MediaFile
from ..schemas import iso

LIVE, ADDED, REMOVING = "live", "added", "removing"
# The items of the record's current version (published or not): what its page shows.
CURRENT_STATES = (LIVE, REMOVING)
# The items the record will hold once its waiting edit is published.
PROPOSED_STATES = (LIVE, ADDED)
FILE, THUMBNAIL = "file", "thumbnail"


def _ordered(query):
    return query.order_by(Media.position, Media.id)


def is_public(initiative: Initiative, media: Media) -> bool:
    """The rule: a published record, and an item of its published version."""
    return (
        initiative.status == PUBLIC_STATUS
        and media.initiative_id == initiative.id
        and media.state in CURRENT_STATES
    )


def current(session: Session, initiative: Initiative) -> list[Media]:
    """The items of the record's current version, in order: what its page shows to whoever may
    see the page (for a published record, exactly what the public sees)."""
    query = select(Media).where(
        Media.initiative_id == initiative.id, Media.state.in_(CURRENT_STATES)
    )
    return list(session.scalars(_ordered(query)))


def public(session: Session, initiative: Initiative) -> list[Media]:
    """What the public sees of a record's media: nothing unless it is published."""
    return current(session, initiative) if initiative.status == PUBLIC_STATUS else []


def every(session: Session, initiative: Initiative) -> list[Media]:
    """Every item in any state, in order (owners' and curators' editing views)."""
    return list(
        session.scalars(_ordered(select(Media).where(Media.initiative_id == initiative.id)))
    )


def waiting(items: Iterable[Media]) -> list[Media]:
    """The items whose addition, removal or new texts wait with the record's edit."""
    return [m for m in items if m.state != LIVE or m.proposed is not None]


def find(session: Session, initiative_id: int, media_id: int) -> Media | None:
    """The item `media_id` of record `initiative_id`, in any state (callers check who asks)."""
    if not 0 < media_id <= 2**31 - 1:
        return None
    media = session.get(Media, media_id)
    return media if media is not None and media.initiative_id == initiative_id else None


def file_of(session: Session, media: Media, variant: str) -> MediaFile | None:
    return session.get(MediaFile, (media.id, variant))


def covers(session: Session, ids: Iterable[int]) -> dict[int, Media]:
    """The first public image of each of these records, by record id (search cards): one query,
    published records only."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(
        _ordered(
            select(Media)
            .join(Initiative, Initiative.id == Media.initiative_id)
            .where(
                Media.initiative_id.in_(wanted),
                Media.kind == "image",
                Media.state.in_(CURRENT_STATES),
                Initiative.status == PUBLIC_STATUS,
            )
        )
    )
    found: dict[int, Media] = {}
    for media in rows:
        found.setdefault(media.initiative_id, media)
    return found


def public_by_record(session: Session, ids: Iterable[int]) -> dict[int, list[Media]]:
    """Every public item of each of these records, by record id (exports): one query."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(
        _ordered(
            select(Media)
            .join(Initiative, Initiative.id == Media.initiative_id)
            .where(
                Media.initiative_id.in_(wanted),
                Media.state.in_(CURRENT_STATES),
                Initiative.status == PUBLIC_STATUS,
            )
        )
    )
    found: dict[int, list[Media]] = {}
    for media in rows:
        found.setdefault(media.initiative_id, []).append(media)
    return found


def texts_of(media: Media) -> dict[str, Any]:
    """The item's live texts (what the public reads)."""
    if media.kind == "document":
        return {"title": media.title}
    return {"alt": media.alt, "caption": media.caption, "credit": media.credit,
            "licence": media.licence}  # fmt: skip


def proposed_texts(media: Media) -> dict[str, Any]:
    """The texts the item will have once the waiting edit is published."""
    return {**texts_of(media), **(media.proposed or {})}


def to_record(media: Media, file_url: str, thumbnail_url: str | None) -> dict[str, Any]:
    """The item as the API and the exports give it to the public."""
    return {
        "id": media.id,
        "kind": media.kind,
        "url": file_url,
        "thumbnail_url": thumbnail_url if media.kind == "image" else None,
        "content_type": media.content_type,
        "size": media.size,
        "width": media.width,
        "height": media.height,
        "pages": media.pages,
        "alt": media.alt if media.kind == "image" else None,
        "caption": media.caption if media.kind == "image" else None,
        "credit": media.credit if media.kind == "image" else None,
        "licence": media.licence if media.kind == "image" else None,
        "title": media.title if media.kind == "document" else None,
        "created_at": iso(media.created_at),
    }


def full_record(media: Media, file_url: str, thumbnail_url: str | None) -> dict[str, Any]:
    """The item as its record's owners and curators see it: with its state and the texts
    waiting for review."""
    return {
        **to_record(media, file_url, thumbnail_url),
        "state": media.state,
        "proposed": media.proposed,
    }
