"""Media rows and their bytes: the writes behind the media actions, and what publishing,
withdrawing or deleting a record does to the media waiting with its edit.

Only registry.actions calls these (tests/test_action_layer.py fails otherwise): they check
nothing about who may act.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from ..accounts import Principal
from ..media import reading, uploads
from ..media.reading import ADDED, LIVE, REMOVING
from ..models import Initiative, Media, MediaFile, utcnow


def add(
    session: Session,
    initiative: Initiative,
    principal: Principal,
    accepted: uploads.Accepted,
    texts: dict[str, Any],
    state: str,
) -> Media:
    """A new item after the record's others, with its file and thumbnail."""
    last = session.scalar(
        select(func.max(Media.position)).where(Media.initiative_id == initiative.id)
    )
    stored = accepted.file
    now = utcnow()
    media = Media(
        initiative_id=initiative.id,
        kind=accepted.kind,
        state=state,
        position=(last or 0) + 1,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        width=stored.width,
        height=stored.height,
        pages=accepted.pages,
        filename=uploads.download_name(accepted.kind, texts, stored.content_type),
        created_by_id=principal.id,
        created_at=now,
        updated_at=now,
        **texts,
    )
    session.add(media)
    session.flush()
    files = [(reading.FILE, stored), (reading.THUMBNAIL, accepted.thumbnail)]
    session.add_all(
        MediaFile(
            media_id=media.id,
            variant=variant,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            width=f.width,
            height=f.height,
            data=f.data,
        )
        for variant, f in files
        if f is not None
    )
    return media


def set_texts(media: Media, texts: dict[str, Any]) -> None:
    """Make `texts` the item's live texts (and its download's name follow its title)."""
    for name, value in texts.items():
        setattr(media, name, value)
    if media.kind == "document":
        media.filename = uploads.download_name(media.kind, texts, media.content_type)
    media.proposed = None
    media.updated_at = utcnow()


def remove(session: Session, media: Media) -> None:
    """Delete the item; its bytes go with it (ON DELETE CASCADE)."""
    session.delete(media)


def settle(session: Session, initiative_id: int, *, keep: bool) -> bool:
    """The record's edit is gone: its media changes are kept (`keep`: published, or made the
    withdrawn record) or dropped (the record was deleted). True when anything changed."""
    changed = False
    for media in reading.waiting(
        session.scalars(select(Media).where(Media.initiative_id == initiative_id))
    ):
        changed = True
        if media.state == (ADDED if not keep else REMOVING):
            remove(session, media)
            continue
        if keep and media.proposed is not None:
            set_texts(media, {**reading.texts_of(media), **media.proposed})
        media.state, media.proposed = LIVE, None
    return changed
