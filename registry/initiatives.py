"""The one write path for initiatives, and the visibility rule for reading them.

Every write runs inside a caller's `db.write_session` transaction and adds, with the row, one
`Revision` (who, when, the full record, what changed) and one `ChangeLog` entry (what the search
index follows). Validation happens before anything is added, so a failed write writes nothing.
Views, API handlers and CLI commands call these functions; they never write rows themselves.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlmodel import Session

from . import schemas
from .messages import msg
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
        self.field, self.message = field, message


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


def full_record(initiative: Initiative) -> dict[str, Any]:
    """The record as its owners and curators see it: with the edit waiting in review."""
    i = initiative
    return {
        **to_record(i),
        "pending": i.pending,
        "pending_status": i.pending_status,
        "rejection_reason": i.rejection_reason or None,
        "submitted_at": schemas.iso(i.submitted_at),
    }


def editable_fields(initiative: Initiative) -> dict[str, Any]:
    """The fields a client may send back, as they are now (the base of a partial update)."""
    record = to_record(initiative)
    return {k: record[k] for k in (*RECORD_FIELDS, "slug", "external_id")}


def public_query():
    """Every public read starts here: published initiatives only."""
    return select(Initiative).where(Initiative.status == PUBLIC_STATUS)


# Ids are 32-bit integers on both engines; larger ones from a URL cannot exist.
_MAX_ID = 2**31 - 1


def lookup(session: Session, initiative_id: int, *, for_update: bool = False) -> Initiative | None:
    """The initiative with this id in any state, or None (also for ids no row can have).

    `for_update` locks the row until the transaction ends (SELECT … FOR UPDATE on PostgreSQL;
    SQLite's write transactions hold the database lock already), so a version check made on
    it cannot be overtaken by a concurrent writer: every write looks its record up this way.
    """
    if not 0 < initiative_id <= _MAX_ID:
        return None
    return session.get(Initiative, initiative_id, with_for_update=for_update)


def get(session: Session, initiative_id: int) -> Initiative:
    initiative = lookup(session, initiative_id)
    if initiative is None or initiative.status == "deleted":
        raise NotFound(initiative_id)
    return initiative


def get_public(session: Session, initiative_id: int) -> Initiative:
    """A published initiative, or NotFound (drafts and the like do not exist for the public)."""
    initiative = lookup(session, initiative_id)
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
        raise ValidationFailed({"_": [msg("expected a JSON object with the fields to change")]})
    unknown = [k for k in patch if k not in (*RECORD_FIELDS, "slug", "external_id")]
    if unknown:
        raise ValidationFailed({k: [msg("unknown field")] for k in unknown})
    current = editable_fields(initiative)
    valid = schemas.validate_initiative({**current, **patch})
    proposed = valid.model_dump()  # plain data, comparable with the stored record
    changed = [k for k in current if proposed[k] != current[k]]
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
        raise Conflict(
            "slug",
            msg("the slug %(slug)s is already used by another initiative", slug=repr(base)),
        )
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _check_external_id(session: Session, external_id: str | None, exclude: int | None) -> None:
    if external_id is None:
        return
    other = find_by_external_id(session, external_id)
    if other is not None and other.id != exclude:
        raise Conflict(
            "external_id",
            msg("the external id %(id)s is already used", id=repr(external_id)),
        )


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
            snapshot=full_record(initiative),
            changes=list(changes),
            note=note,
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHANGE_LOG_LOCK})
    session.add(ChangeLog(initiative_id=initiative.id, action=action))
    session.flush()


# --- Workflow ------------------------------------------------------------------------------
# draft → submitted → published | rejected (reason) → resubmitted; withdraw; delete (curator).
# Owners' edits of a published record wait in `pending` while the live fields stay public;
# each function below is one revision and one change-log entry in the caller's transaction.

EDITABLE = (*RECORD_FIELDS, "slug", "external_id")


def _check_version(initiative: Initiative, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != initiative.version:
        raise StaleVersion(initiative.version)


def _bump(
    session: Session,
    initiative: Initiative,
    action: str,
    user_id: int | None,
    changes: list[str],
    note: str = "",
) -> Initiative:
    initiative.version += 1
    session.add(initiative)
    session.flush()
    _record_change(session, initiative, action, user_id, changes, note=note)
    return initiative


def _pending_in_review(initiative: Initiative) -> bool:
    return initiative.pending is not None and initiative.pending_status == "submitted"


def edit(
    session: Session,
    initiative: Initiative,
    patch: dict[str, Any],
    *,
    expected_version: int | None,
    user_id: int | None = None,
    direct: bool = False,
) -> Initiative:
    """Change a record. On a published record, unless `direct` (curators), the change is kept
    in `pending` and the public keeps seeing the live fields until a curator publishes it.
    While an edit is pending, every editor changes the pending edit (a curator's touch-up of
    an edit in review keeps it in review)."""
    if initiative.status != PUBLIC_STATUS or (direct and initiative.pending is None):
        return update(session, initiative, patch, expected_version=expected_version,
                      user_id=user_id)  # fmt: skip
    _check_version(initiative, expected_version)
    if not isinstance(patch, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the fields to change")]})
    unknown = [k for k in patch if k not in EDITABLE]
    if unknown:
        raise ValidationFailed({k: [msg("unknown field")] for k in unknown})
    base = initiative.pending or editable_fields(initiative)
    valid = schemas.validate_initiative({**base, **patch})
    proposed = _as_fields(valid)
    changed = [k for k in EDITABLE if proposed[k] != base.get(k)]
    if not changed:
        return initiative
    if proposed["slug"] != initiative.slug:
        _unique_slug(session, proposed["slug"], valid.title, explicit=True, exclude=initiative.id)
    _check_external_id(session, proposed["external_id"], initiative.id)
    initiative.pending = proposed
    initiative.pending_status = "submitted" if _pending_in_review(initiative) else "draft"
    return _bump(session, initiative, "edit", user_id, changed, note=msg("pending review"))


def _as_fields(valid: schemas.InitiativeIn) -> dict[str, Any]:
    data = valid.model_dump()
    data["sources"] = [s.model_dump() for s in valid.sources]
    return {k: data[k] for k in EDITABLE}


def submit(
    session: Session, initiative: Initiative, *, user_id: int | None = None,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Ask for review: the record itself, or the edit waiting in `pending`."""
    _check_version(initiative, expected_version)
    if initiative.status == PUBLIC_STATUS and initiative.pending is not None:
        initiative.pending_status = "submitted"
        initiative.submitted_at = utcnow()
        return _bump(session, initiative, "submit", user_id, ["pending_status"])
    return set_status(session, initiative, "submitted", action="submit", user_id=user_id)


def publish(
    session: Session, initiative: Initiative, *, user_id: int | None = None,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Make the record public, or replace the public record with the reviewed edit."""
    _check_version(initiative, expected_version)
    if initiative.status == PUBLIC_STATUS and _pending_in_review(initiative):
        current = editable_fields(initiative)
        valid = schemas.validate_initiative(initiative.pending)
        if valid.slug and valid.slug != initiative.slug:
            _unique_slug(session, valid.slug, valid.title, explicit=True, exclude=initiative.id)
            initiative.slug = valid.slug
        _check_external_id(session, valid.external_id, initiative.id)
        _apply(initiative, valid)
        changed = [k for k in EDITABLE if _as_fields(valid)[k] != current[k]]
        initiative.pending, initiative.pending_status = None, None
        initiative.rejection_reason = ""
        initiative.updated_at = utcnow()
        return _bump(session, initiative, "publish", user_id, changed)
    return set_status(session, initiative, PUBLIC_STATUS, action="publish", user_id=user_id)


def reject(
    session: Session, initiative: Initiative, reason: Any, *, user_id: int | None = None,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Send the record (or the waiting edit) back to its owners with the curator's reason."""
    _check_version(initiative, expected_version)
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed({"reason": [msg("give the submitter a reason")]})
    reason = schemas._clean(reason)[:2000]
    if initiative.status == PUBLIC_STATUS and _pending_in_review(initiative):
        initiative.pending_status = "rejected"
        initiative.rejection_reason = reason
        return _bump(session, initiative, "reject", user_id, ["pending_status"], note=reason)
    return set_status(
        session, initiative, "rejected", action="reject", user_id=user_id, note=reason
    )


def withdraw(
    session: Session, initiative: Initiative, *, user_id: int | None = None,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Take a submission back; on a published record without an edit in review, unpublish it."""
    _check_version(initiative, expected_version)
    if initiative.status == PUBLIC_STATUS and _pending_in_review(initiative):
        initiative.pending_status = "withdrawn"
        return _bump(session, initiative, "withdraw", user_id, ["pending_status"])
    if initiative.pending is not None:  # off the catalogue: the waiting edit becomes the draft
        _apply(initiative, schemas.validate_initiative(initiative.pending))
        initiative.slug = initiative.pending["slug"] or initiative.slug
        initiative.pending, initiative.pending_status = None, None
    return set_status(session, initiative, "withdrawn", action="withdraw", user_id=user_id)


def delete(
    session: Session, initiative: Initiative, *, user_id: int | None = None,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Remove from the catalogue; the row and its revisions stay for the record."""
    _check_version(initiative, expected_version)
    initiative.pending, initiative.pending_status = None, None
    return set_status(session, initiative, "deleted", action="delete", user_id=user_id)


def proposed_fields(initiative: Initiative) -> dict[str, Any]:
    """What a curator is asked to publish: the waiting edit, or the record itself."""
    return initiative.pending if initiative.pending is not None else editable_fields(initiative)


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
    """Published or own records in the same country whose titles look alike (difflib)."""
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
