"""Reading initiatives: the visibility rule, the contract's record shapes, and the queries pages,
the API and the search index share. Nothing here writes: every change goes through
`registry.actions` (docs/architecture.md, "The action layer").
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlmodel import Session

from . import schemas
from .models import (
    ChangeLog,
    Initiative,
    InitiativeKey,
    InitiativeTag,
    InitiativeTerm,
    Revision,
    User,
)
from .schemas import MULTI, RECORD_FIELDS
from .vocab import MULTI_FIELDS

PUBLIC_STATUS = "published"
# The fields a client may send back (the base of a partial update, and of a pending edit).
EDITABLE = (*RECORD_FIELDS, "slug", "external_id")


class NotFound(LookupError):
    """No such initiative, or not one the caller may see."""


def to_record(initiative: Initiative) -> dict[str, Any]:
    """The initiative as the public sees it (the contract's JSON object without `url`).

    `version` counts the record's published states, so hidden edits and rejections never show.
    """
    i = initiative
    record: dict[str, Any] = {"id": i.id, "slug": i.slug}
    for name in RECORD_FIELDS:
        record[name] = i.codes(name) if name in MULTI else getattr(i, name)
    record["tags"] = i.tags
    record.update(
        external_id=i.external_id,
        organisation=i.organisation.name if i.organisation is not None else None,
        status=i.status,
        version=i.public_version,
        illustrative=i.illustrative,
        created_at=schemas.iso(i.created_at),
        updated_at=schemas.iso(i.updated_at),
        published_at=schemas.iso(i.published_at),
    )
    # Case records (issue 16): read-only.
    record["contact_consent_at"] = schemas.iso(i.contact_consent_at)
    record["last_verified_at"] = schemas.iso(i.last_verified_at)
    record["completeness"] = i.completeness
    return record


def full_record(initiative: Initiative) -> dict[str, Any]:
    """The record as its owners and curators see it: with the edit waiting in review, and
    `version` being the number every change moves (what If-Match compares)."""
    i = initiative
    return {
        **to_record(i),
        "version": i.version,
        "public_version": i.public_version,
        "pending": i.pending,
        "pending_status": i.pending_status,
        "rejection_reason": i.rejection_reason or None,
        "submitted_at": schemas.iso(i.submitted_at),
    }


def editable_fields(initiative: Initiative) -> dict[str, Any]:
    """The fields a client may send back, as they are live now."""
    record = to_record(initiative)
    return {k: record[k] for k in EDITABLE}


def proposed_fields(initiative: Initiative) -> dict[str, Any]:
    """What a curator is asked to publish: the waiting edit, or the record itself."""
    return initiative.pending if initiative.pending is not None else editable_fields(initiative)


def scope_of(organisation_id: int | None, created_by_id: int | None) -> str:
    """Where a record's slug and external id must be unique: its organisation, else its
    creator, else the registry's own records (seeds, command-line imports). Only records the
    same people can see share a scope, so a taken value never reveals anything else."""
    if organisation_id is not None:
        return f"org:{organisation_id}"
    if created_by_id is not None:
        return f"user:{created_by_id}"
    return REGISTRY_SCOPE


REGISTRY_SCOPE = "registry"


def claimed_slugs(session: Session, scope: str) -> set[str]:
    """Every slug claimed in `scope` (live or by a waiting edit)."""
    return set(
        session.scalars(
            select(InitiativeKey.value).where(
                InitiativeKey.scope == scope, InitiativeKey.kind == "slug"
            )
        )
    )


def public_query():
    """Every public read starts here: published initiatives only."""
    return select(Initiative).where(Initiative.status == PUBLIC_STATUS)


# Ids are 32-bit integers on both engines; larger ones from a URL cannot exist.
MAX_ID = 2**31 - 1


def lookup(session: Session, initiative_id: int, *, for_update: bool = False) -> Initiative | None:
    """The initiative with this id in any state, or None (also for ids no row can have).

    `for_update` locks the row until the transaction ends (SELECT … FOR UPDATE on PostgreSQL;
    SQLite's write transactions hold the database lock already): the action layer reads every
    record it changes this way, so its checks cannot be overtaken by a concurrent writer.
    """
    if not 0 < initiative_id <= MAX_ID:
        return None
    return session.get(Initiative, initiative_id, with_for_update=for_update)


def get_public(session: Session, initiative_id: int) -> Initiative:
    """A published initiative, or NotFound (drafts and the like do not exist for the public)."""
    initiative = lookup(session, initiative_id)
    if initiative is None or initiative.status != PUBLIC_STATUS:
        raise NotFound(initiative_id)
    return initiative


def published_in_order(session: Session, ids: list[int]) -> list[Initiative]:
    """The published ones of `ids`, in that order (the database has the last word)."""
    if not ids:
        return []
    rows = session.scalars(public_query().where(Initiative.id.in_(ids)))
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


SUMMARY_COLUMNS = (
    "id", "slug", "title", "summary", "description", "outcomes", "language", "country",
    "sector", "maturity", "start_year", "evidence_level", "illustrative",
)  # fmt: skip


@dataclass(frozen=True)
class Summary:
    """What a list of results shows of a published initiative (search hits, the comparison's
    picker): its columns in SUMMARY_COLUMNS, its stages and tags. Read as plain rows: loading
    the ORM object, its terms, tags, organisation and translations was most of a search's
    fixed cost."""

    id: int
    slug: str
    title: str
    summary: str
    description: str
    outcomes: str
    language: str
    country: str
    sector: str
    maturity: str
    start_year: int | None
    evidence_level: str | None
    illustrative: bool
    stages: tuple[str, ...]
    tags: list[str]

    def codes(self, field: str) -> list[str]:
        """As Initiative.codes, for the one multi-valued field a summary holds."""
        if field != "stages":
            raise KeyError(f"a summary holds the stages only, not {field}")
        return list(self.stages)


def _in(column):
    return column.in_(bindparam("ids", expanding=True))


# Built once: a statement made per request cost more CPU than running it.
_SUMMARY_ROWS = select(*(getattr(Initiative, name) for name in SUMMARY_COLUMNS)).where(
    Initiative.status == PUBLIC_STATUS, _in(Initiative.id)
)
_SUMMARY_STAGES = select(InitiativeTerm.initiative_id, InitiativeTerm.code).where(
    InitiativeTerm.field == "stages", _in(InitiativeTerm.initiative_id)
)
_SUMMARY_TAGS = select(InitiativeTag.initiative_id, InitiativeTag.tag).where(
    _in(InitiativeTag.initiative_id)
)


def published_summaries(session: Session, ids: list[int]) -> list[Summary]:
    """The published ones of `ids`, in that order, as summaries (the database has the last
    word, as in `published_in_order`). Three Core selects on the session's connection."""
    if not ids:
        return []
    connection = session.connection()
    rows = connection.execute(_SUMMARY_ROWS, {"ids": ids}).all()
    found = [row.id for row in rows]
    stages: defaultdict[int, set[str]] = defaultdict(set)
    tags: defaultdict[int, list[str]] = defaultdict(list)
    if found:
        for initiative_id, code in connection.execute(_SUMMARY_STAGES, {"ids": found}):
            stages[initiative_id].add(code)
        for initiative_id, tag in connection.execute(_SUMMARY_TAGS, {"ids": found}):
            tags[initiative_id].append(tag)
    order = MULTI_FIELDS["stages"].codes
    by_id = {
        row.id: Summary(
            **row._asdict(),
            stages=tuple(c for c in order if c in stages[row.id]),
            tags=sorted(tags[row.id]),
        )
        for row in rows
    }
    return [by_id[i] for i in ids if i in by_id]


def by_ids(session: Session, ids: set[int]) -> dict[int, Initiative]:
    """The records with these ids, in any state (for a curator's import summary)."""
    if not ids:
        return {}
    return {i.id: i for i in session.scalars(select(Initiative).where(Initiative.id.in_(ids)))}


def revisions(session: Session, initiative: Initiative) -> list[Revision]:
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.initiative_id == initiative.id)
            .order_by(Revision.number)
        )
    )


def revision_authors(session: Session, revisions_: list[Revision]) -> dict[int, User]:
    """The accounts that made these revisions, by id (for naming their role and organisation)."""
    ids = {r.user_id for r in revisions_ if r.user_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def latest_change(session: Session) -> int:
    """The newest change-log sequence number (0 when empty): cheap, indexed."""
    return session.scalar(select(func.max(ChangeLog.seq))) or 0


def changes_since(session: Session, seq: int, limit: int = 1000) -> list[ChangeLog]:
    return list(
        session.scalars(
            select(ChangeLog).where(ChangeLog.seq > seq).order_by(ChangeLog.seq).limit(limit)
        )
    )


def review_diff(session: Session, initiative: Initiative) -> list[tuple[str, Any, Any]]:
    """(field, last published value, proposed value) for every field that differs."""
    published = session.scalar(
        select(Revision)
        .where(Revision.initiative_id == initiative.id, Revision.action == "publish")
        .order_by(Revision.number.desc())
        .limit(1)
    )
    before = published.snapshot if published is not None else {}
    after = proposed_fields(initiative)
    return [(k, before.get(k), after.get(k)) for k in EDITABLE if before.get(k) != after.get(k)]


def review_queue(session: Session) -> list[Initiative]:
    """Records and edits waiting for a curator, oldest submission first."""
    waiting = or_(
        Initiative.status == "submitted",
        and_(Initiative.status == PUBLIC_STATUS, Initiative.pending_status == "submitted"),
    )
    return list(
        session.scalars(
            select(Initiative).where(waiting).order_by(Initiative.submitted_at, Initiative.id)
        )
    )


def of_organisation(
    session: Session, organisation_id: int | None, user_id: int
) -> list[Initiative]:
    """An organisation's records in every state but deleted (a user's own when it has none)."""
    owner = (
        Initiative.organisation_id == organisation_id
        if organisation_id is not None
        else Initiative.created_by_id == user_id
    )
    return list(
        session.scalars(
            select(Initiative)
            .where(owner, Initiative.status != "deleted")
            .order_by(Initiative.updated_at.desc())
        )
    )


def similar(
    session: Session,
    title: str,
    country: str,
    *,
    organisation_id: int | None,
    exclude: int | None = None,
    limit: int = 5,
) -> list[Initiative]:
    """Published or own records in the same country whose titles look alike (difflib).

    Callers pass validated values only: the comparison runs over every such record.
    """
    visible = Initiative.status == PUBLIC_STATUS
    if organisation_id is not None:
        visible = or_(
            visible,
            and_(Initiative.organisation_id == organisation_id, Initiative.status != "deleted"),
        )
    rows = session.scalars(
        select(Initiative).where(
            visible, Initiative.country == (country or "").upper(), Initiative.id != (exclude or 0)
        )
    )
    wanted = (title or "").casefold().strip()
    scored = [(difflib.SequenceMatcher(None, wanted, i.title.casefold()).ratio(), i) for i in rows]
    return [i for score, i in sorted(scored, key=lambda p: -p[0]) if score >= 0.6][:limit]
