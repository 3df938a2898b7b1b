"""Links and translations waiting with a record's edit (issue 16): what publishing, withdrawing
or deleting the record does to them, as `media_storage.settle` does to its media.

A link change waits with the edit of the record it was made on (`waits_with`); a translation
with its record's. Only registry.actions calls these: they check nothing about who may act.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlmodel import Session

from ..media.reading import ADDED, LIVE, REMOVING
from ..models import InitiativeLink, InitiativeTranslation, utcnow

TRANSLATED = ("title", "summary", "description", "outcomes", "lessons", "challenges",
              "translator")  # fmt: skip


def apply_texts(row: InitiativeTranslation, texts: dict) -> None:
    for name in TRANSLATED:
        setattr(row, name, texts.get(name, getattr(row, name)))


def settle(session: Session, initiative_id: int, *, keep: bool) -> list[str]:
    """The record's edit is gone: the link and translation changes waiting with it are kept
    (published, or made the withdrawn record) or dropped (the record was deleted). The names
    of what changed ("links", "translation")."""
    changed = []
    waiting_links = session.scalars(
        select(InitiativeLink).where(
            InitiativeLink.waits_with == initiative_id, InitiativeLink.state != LIVE
        )
    ).all()
    for link in waiting_links:
        if link.state == (ADDED if not keep else REMOVING):
            session.delete(link)
        else:
            link.state, link.waits_with = LIVE, None
    if waiting_links:
        changed.append("links")
    waiting = session.scalars(
        select(InitiativeTranslation).where(
            InitiativeTranslation.initiative_id == initiative_id,
            or_(InitiativeTranslation.state != LIVE, InitiativeTranslation.proposed.is_not(None)),
        )
    ).all()
    for row in waiting:
        if row.state == (ADDED if not keep else REMOVING):
            session.delete(row)
            continue
        if keep and row.proposed is not None:
            apply_texts(row, row.proposed)
            row.translated_by_id = row.proposed.get("translated_by_id", row.translated_by_id)
            row.translated_at = utcnow()
        row.state, row.proposed = LIVE, None
    if waiting:
        changed.append("translation")
    return changed
