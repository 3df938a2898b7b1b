"""Reading a record's translations (issue 16): which texts a reader of a language gets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from .media.reading import ADDED
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


def find(
    session: Session, initiative: Initiative, language: str, *, waiting: bool = False
) -> InitiativeTranslation | None:
    """The translation into `language` the public sees (live, or being removed); `waiting`
    (owners and curators): also one whose addition waits for review."""
    if language == initiative.language:
        return None
    found = session.get(InitiativeTranslation, (initiative.id, language))
    return found if found is not None and (waiting or found.state != ADDED) else None


def for_reader(session: Session, initiative: Initiative, language: str) -> Texts:
    """The record's texts in `language` where a translation exists, else its own."""
    found = find(session, initiative, language)
    if found is None:
        return of(initiative)
    texts = {n: getattr(found, n) or getattr(initiative, n) for n in TEXTS}
    return Texts(**texts, language=found.language, translation=found)


def languages(session: Session, initiative: Initiative) -> list[str]:
    """Every language the record has a translation into, waiting ones included (its owners'
    form)."""
    return list(
        session.scalars(
            select(InitiativeTranslation.language).where(
                InitiativeTranslation.initiative_id == initiative.id
            )
        )
    )


FIELDS = (*TEXTS, "translator")


def every(
    session: Session, initiative: Initiative, *, waiting: bool = False
) -> list[InitiativeTranslation]:
    """The record's translations the public sees, by language; `waiting`: all of them."""
    query = (
        select(InitiativeTranslation)
        .where(InitiativeTranslation.initiative_id == initiative.id)
        .order_by(InitiativeTranslation.language)
    )
    if not waiting:
        query = query.where(InitiativeTranslation.state != ADDED)
    return list(session.scalars(query))


def to_record(row: InitiativeTranslation, *, manager: bool = False) -> dict[str, Any]:
    """A translation as the API and the exports give it (shapes.Translation): its live texts;
    `manager` (owners and curators): with its review state and the texts waiting for review."""
    extra = {}
    if manager:
        proposed = {k: v for k, v in (row.proposed or {}).items() if k in FIELDS}
        extra = {"state": row.state, "proposed": proposed or None}
    return {"language": row.language, **{n: getattr(row, n) for n in FIELDS},
            "translated_at": iso(row.translated_at), **extra}  # fmt: skip


def live(rows: Iterable[InitiativeTranslation]) -> list[InitiativeTranslation]:
    """The rows the public sees (the search index's, from a record's `translation_rows`)."""
    return [row for row in rows if row.state != ADDED]


def by_record(session: Session, ids: Iterable[int]) -> dict[int, list[InitiativeTranslation]]:
    """Every translation of each of these records, by record id and language (exports; the
    caller keeps to published records): one query."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    found: dict[int, list[InitiativeTranslation]] = {}
    for row in session.scalars(
        select(InitiativeTranslation)
        .where(
            InitiativeTranslation.initiative_id.in_(wanted), InitiativeTranslation.state != ADDED
        )
        .order_by(InitiativeTranslation.initiative_id, InitiativeTranslation.language)
    ):
        found.setdefault(row.initiative_id, []).append(row)
    return found
