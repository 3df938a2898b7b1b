"""Reading a record's translations (issue 16): which texts a reader of a language gets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from .models import Initiative, InitiativeTranslation
from .schemas import iso

TEXTS = ("title", "summary", "description", "outcomes", "lessons", "challenges")


@dataclass(frozen=True)
class Texts:
    """The texts a page shows: the record's own, or its translation (`translation` set)."""

    title: str
    summary: str
    description: str
    outcomes: str
    lessons: str
    challenges: str
    language: str
    translation: InitiativeTranslation | None = None


def of(initiative: Initiative) -> Texts:
    return Texts(**{n: getattr(initiative, n) for n in TEXTS}, language=initiative.language)


def find(session: Session, initiative: Initiative, language: str) -> InitiativeTranslation | None:
    if language == initiative.language:
        return None
    return session.get(InitiativeTranslation, (initiative.id, language))


def for_reader(session: Session, initiative: Initiative, language: str) -> Texts:
    """The record's texts in `language` where a translation exists, else its own."""
    found = find(session, initiative, language)
    if found is None:
        return of(initiative)
    texts = {n: getattr(found, n) or getattr(initiative, n) for n in TEXTS}
    return Texts(**texts, language=found.language, translation=found)


def languages(session: Session, initiative: Initiative) -> list[str]:
    return list(
        session.scalars(
            select(InitiativeTranslation.language).where(
                InitiativeTranslation.initiative_id == initiative.id
            )
        )
    )


FIELDS = (*TEXTS, "translator")


def every(session: Session, initiative: Initiative) -> list[InitiativeTranslation]:
    """The record's translations, by language."""
    return list(
        session.scalars(
            select(InitiativeTranslation)
            .where(InitiativeTranslation.initiative_id == initiative.id)
            .order_by(InitiativeTranslation.language)
        )
    )


def to_record(row: InitiativeTranslation) -> dict[str, Any]:
    """A translation as the API and the exports give it (shapes.Translation)."""
    return {"language": row.language, **{n: getattr(row, n) for n in FIELDS},
            "translated_at": iso(row.translated_at)}  # fmt: skip


def by_record(session: Session, ids: Iterable[int]) -> dict[int, list[InitiativeTranslation]]:
    """Every translation of each of these records, by record id and language (exports; the
    caller keeps to published records): one query."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    found: dict[int, list[InitiativeTranslation]] = {}
    for row in session.scalars(
        select(InitiativeTranslation)
        .where(InitiativeTranslation.initiative_id.in_(wanted))
        .order_by(InitiativeTranslation.initiative_id, InitiativeTranslation.language)
    ):
        found.setdefault(row.initiative_id, []).append(row)
    return found
