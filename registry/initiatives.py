"""The one write path for initiatives, and the visibility rule for reading them.

Every write runs inside a caller's `db.write_session` transaction and adds, with the row, one
`Revision` (who, when, the full record, what changed) and one `ChangeLog` entry (what the search
index follows). Validation happens before anything is added, so a failed write writes nothing.
Views, API handlers and CLI commands call these functions; they never write rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session

from . import schemas
from .models import ChangeLog, Initiative, InitiativeTag, InitiativeTerm, Revision, utcnow
from .schemas import MULTI, RECORD_FIELDS, ValidationFailed

PUBLIC_STATUS = "published"
# Serialises change-log inserts on PostgreSQL so sequence order is commit order.
_CHANGE_LOG_LOCK = 7_270_001


class NotFound(LookupError):
    """No such initiative, or not one the caller may see."""


class StaleVersion(Exception):
    """The record changed since the caller read it; nothing was written."""

    def __init__(self, current: int):
        super().__init__(f"the record is at version {current}")
        self.current = current


class Conflict(Exception):
    """A unique value (slug, external id) is already taken."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def to_record(initiative: Initiative) -> dict[str, Any]:
    """The initiative as the contract's JSON object (without `url`, which needs a host)."""
    i = initiative
    record: dict[str, Any] = {"id": i.id, "slug": i.slug}
    for name in RECORD_FIELDS:
        record[name] = i.codes(name) if name in MULTI else getattr(i, name)
    record["tags"] = i.tags
    record.update(
        external_id=i.external_id,
        status=i.status,
        version=i.version,
        illustrative=i.illustrative,
        created_at=schemas.iso(i.created_at),
        updated_at=schemas.iso(i.updated_at),
        published_at=schemas.iso(i.published_at),
    )
    return record


def editable_fields(initiative: Initiative) -> dict[str, Any]:
    """The fields a client may send back, as they are now (the base of a partial update)."""
    record = to_record(initiative)
    return {k: record[k] for k in (*RECORD_FIELDS, "slug", "external_id")}


def public_query():
    """Every public read starts here: published initiatives only."""
    return select(Initiative).where(Initiative.status == PUBLIC_STATUS)


def get(session: Session, initiative_id: int) -> Initiative:
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or initiative.status == "deleted":
        raise NotFound(initiative_id)
    return initiative


def get_public(session: Session, initiative_id: int) -> Initiative:
    """A published initiative, or NotFound (drafts and the like do not exist for the public)."""
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or initiative.status != PUBLIC_STATUS:
        raise NotFound(initiative_id)
    return initiative


def create(
    session: Session,
    data: dict[str, Any],
    *,
    user_id: int | None = None,
    organisation_id: int | None = None,
    status: str = "draft",
    illustrative: bool = False,
) -> Initiative:
    """Validate and add a new initiative with its first revision and change-log entry."""
    valid = schemas.validate_initiative(data)
    slug = _unique_slug(session, valid.slug, valid.title, explicit=valid.slug is not None)
    _check_external_id(session, valid.external_id, None)
    now = utcnow()
    initiative = Initiative(
        slug=slug,
        status=status,
        illustrative=illustrative,
        organisation_id=organisation_id,
        created_by_id=user_id,
        created_at=now,
        updated_at=now,
        published_at=now if status == PUBLIC_STATUS else None,
        submitted_at=now if status == "submitted" else None,
    )
    _apply(initiative, valid)
    session.add(initiative)
    session.flush()
    _record_change(session, initiative, "create", user_id, list(RECORD_FIELDS))
    return initiative


def update(
    session: Session,
    initiative: Initiative,
    patch: dict[str, Any],
    *,
    expected_version: int | None,
    user_id: int | None = None,
) -> Initiative:
    """Apply a partial update, checking the version the caller last saw.

    The patch is merged onto the current record and the whole validated, so cross-field rules
    (years, maturity) hold after every update. Returns the record unchanged (no revision) when
    the patch changes nothing.
    """
    if expected_version is not None and expected_version != initiative.version:
        raise StaleVersion(initiative.version)
    if not isinstance(patch, dict):
        raise ValidationFailed({"_": ["expected a JSON object with the fields to change"]})
    unknown = [k for k in patch if k not in (*RECORD_FIELDS, "slug", "external_id")]
    if unknown:
        raise ValidationFailed({k: ["unknown field"] for k in unknown})
    current = editable_fields(initiative)
    valid = schemas.validate_initiative({**current, **patch})
    changed = [k for k in (*RECORD_FIELDS, "slug", "external_id") if
               getattr(valid, k) != current[k]]  # fmt: skip
    if not changed:
        return initiative
    if "slug" in changed:
        _unique_slug(session, valid.slug, valid.title, explicit=True, exclude=initiative.id)
        initiative.slug = valid.slug
    if "external_id" in changed:
        _check_external_id(session, valid.external_id, initiative.id)
    _apply(initiative, valid)
    initiative.version += 1
    initiative.updated_at = utcnow()
    session.add(initiative)
    session.flush()
    _record_change(session, initiative, "update", user_id, changed)
    return initiative


def set_status(
    session: Session,
    initiative: Initiative,
    status: str,
    *,
    action: str,
    user_id: int | None = None,
    note: str = "",
) -> Initiative:
    """Move an initiative to another workflow state, as one revision and one change."""
    now = utcnow()
    initiative.status = status
    initiative.version += 1
    initiative.updated_at = now
    if status == PUBLIC_STATUS:
        initiative.published_at = initiative.published_at or now
        initiative.rejection_reason = ""
    elif status == "submitted":
        initiative.submitted_at = now
    elif status == "rejected":
        initiative.rejection_reason = note
    session.add(initiative)
    session.flush()
    _record_change(session, initiative, action, user_id, ["status"], note=note)
    return initiative


def revisions(session: Session, initiative: Initiative) -> list[Revision]:
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.initiative_id == initiative.id)
            .order_by(Revision.number)
        )
    )


def latest_change(session: Session) -> int:
    """The newest change-log sequence number (0 when empty): cheap, indexed."""
    return session.scalar(select(func.max(ChangeLog.seq))) or 0


def changes_since(session: Session, seq: int, limit: int = 1000) -> list[ChangeLog]:
    return list(
        session.scalars(
            select(ChangeLog).where(ChangeLog.seq > seq).order_by(ChangeLog.seq).limit(limit)
        )
    )


def find_by_slug(session: Session, slug: str) -> Initiative | None:
    return session.scalar(select(Initiative).where(Initiative.slug == slug))


def find_by_external_id(session: Session, external_id: str) -> Initiative | None:
    return session.scalar(select(Initiative).where(Initiative.external_id == external_id))


def _apply(initiative: Initiative, valid: schemas.InitiativeIn) -> None:
    for name in RECORD_FIELDS:
        if name in MULTI or name == "tags":
            continue
        value = getattr(valid, name)
        if name == "sources":
            value = [s.model_dump() for s in valid.sources]
        setattr(initiative, name, value)
    initiative.external_id = valid.external_id
    initiative.terms = [
        InitiativeTerm(field=name, code=code) for name in MULTI for code in getattr(valid, name)
    ]
    initiative.tag_rows = [InitiativeTag(tag=t) for t in valid.tags]


def _unique_slug(
    session: Session,
    wanted: str | None,
    title: str,
    *,
    explicit: bool,
    exclude: int | None = None,
) -> str:
    base = wanted or schemas.slugify(title)
    taken = set(
        session.scalars(
            select(Initiative.slug).where(
                Initiative.slug.like(f"{base}%"), Initiative.id != (exclude or 0)
            )
        )
    )
    if base not in taken:
        return base
    if explicit:
        raise Conflict("slug", f"the slug {base!r} is already used by another initiative")
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _check_external_id(session: Session, external_id: str | None, exclude: int | None) -> None:
    if external_id is None:
        return
    other = find_by_external_id(session, external_id)
    if other is not None and other.id != exclude:
        raise Conflict("external_id", f"the external id {external_id!r} is already used")


def _record_change(
    session: Session,
    initiative: Initiative,
    action: str,
    user_id: int | None,
    changes: Iterable[str],
    note: str = "",
) -> None:
    session.add(
        Revision(
            initiative_id=initiative.id,
            number=initiative.version,
            action=action,
            user_id=user_id,
            snapshot=to_record(initiative),
            changes=list(changes),
            note=note,
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHANGE_LOG_LOCK})
    session.add(ChangeLog(initiative_id=initiative.id, action=action))
    session.flush()
