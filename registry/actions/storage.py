"""Rows, keys, revisions and change-log entries: the writes behind every action.

Only registry.actions calls these (tests/test_action_layer.py fails otherwise): they check
nothing about who may act, only that the stored data stays consistent. Every change of a record
is one `save`: the row, one Revision (who, when, the full record, what changed) and one ChangeLog
entry (what the search index follows), in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from .. import completeness, schemas
from ..accounts import Principal
from ..initiatives import EDITABLE, full_record, scope_of
from ..messages import msg
from ..models import (
    ChangeLog,
    Initiative,
    InitiativeKey,
    InitiativeTag,
    InitiativeTerm,
    Revision,
    utcnow,
)
from ..schemas import MULTI, RECORD_FIELDS
from . import media_storage, parts_storage
from .errors import Conflict
from .workflow import State, status_of

# Serialises change-log inserts on PostgreSQL so sequence order is commit order.
_CHANGE_LOG_LOCK = 7_270_001
CHANGE_LOG_LOCK = _CHANGE_LOG_LOCK  # for the import's batched writes (importing.py)
KEY_KINDS = ("slug", "external_id")


def record_scope(initiative: Initiative) -> str:
    return scope_of(initiative.organisation_id, initiative.created_by_id)


def as_fields(valid: schemas.InitiativeIn) -> dict[str, Any]:
    """Validated input as the editable fields (the shape of `pending` and of `editable_fields`)."""
    data = valid.model_dump()
    return {k: data[k] for k in EDITABLE}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k in EDITABLE if before.get(k) != after.get(k)]


# The record's fields that are columns of its row (the others are its terms and tags).
COLUMN_FIELDS = tuple(n for n in RECORD_FIELDS if n not in MULTI and n != "tags")


def live_columns(fields: dict[str, Any]) -> dict[str, Any]:
    """The row's columns that validated `fields` set, but its slug and consent time: what
    `set_live` sets, and what the import's batched inserts write (importing.py)."""
    columns = {name: fields[name] for name in COLUMN_FIELDS}
    columns["external_id"] = fields["external_id"]
    columns["completeness"] = completeness.score(fields)
    return columns


def term_pairs(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """The record's `initiative_term` rows, (field, code), from validated `fields`."""
    return [(n, c) for n in MULTI for c in fields[n]]


def set_live(initiative: Initiative, fields: dict[str, Any]) -> None:
    """Replace the live fields with validated `fields` (from `as_fields`)."""
    for name, value in live_columns(fields).items():
        setattr(initiative, name, value)
    initiative.slug = fields["slug"] or initiative.slug
    initiative.terms = [InitiativeTerm(field=n, code=c) for n, c in term_pairs(fields)]
    initiative.tag_rows = [InitiativeTag(tag=t) for t in fields["tags"]]
    # Case records (issue 16): when the consent to show the contact point went live.
    if not initiative.contact_consent:
        initiative.contact_consent_at = None
    elif initiative.contact_consent_at is None:
        initiative.contact_consent_at = utcnow()


def new_row(
    *, organisation_id: int | None, created_by_id: int | None, illustrative: bool
) -> Initiative:
    """An empty record, not yet added: `set_live`, `claim_slug` and `save` complete it."""
    now = utcnow()
    return Initiative(
        slug="",
        status=State.DRAFT.value,
        version=0,
        illustrative=illustrative,
        organisation_id=organisation_id,
        created_by_id=created_by_id,
        created_at=now,
        updated_at=now,
    )


def free_slug(session: Session, scope: str, title: str, exclude: int | None = None) -> str:
    """A slug made from `title`, numbered (-2, -3, …) past those already claimed in `scope`."""
    base = schemas.slugify(title)
    taken = set(
        session.scalars(
            select(InitiativeKey.value).where(
                InitiativeKey.scope == scope,
                InitiativeKey.kind == "slug",
                InitiativeKey.value.like(f"{base}%"),
                InitiativeKey.initiative_id != (exclude or 0),
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _claims(initiative: Initiative) -> set[tuple[str, str]]:
    if initiative.status == State.DELETED:
        return set()
    found = {("slug", initiative.slug), ("external_id", initiative.external_id)}
    if initiative.pending is not None:
        found |= {(k, initiative.pending.get(k)) for k in KEY_KINDS}
    return {(kind, value) for kind, value in found if value}


_TAKEN = {
    "slug": msg("the slug %(value)s is already used by another initiative of the same owners"),
    "external_id": msg(
        "the external id %(value)s is already used by another initiative of the same owners"
    ),
}


def claim_keys(session: Session, initiative: Initiative) -> None:
    """Make `initiative_key` hold exactly the record's live and pending slug and external id.

    Raises Conflict, naming the value, when another record of the same scope claims one: only
    records the principal's own organisation (or the curators) can see share a scope, so the
    answer never reveals anything else. A concurrent claim that slips past the check meets the
    unique constraint, which is reported the same way.
    """
    scope = record_scope(initiative)
    wanted = _claims(initiative)
    held = {
        (k.kind, k.value): k
        for k in session.scalars(
            select(InitiativeKey).where(InitiativeKey.initiative_id == initiative.id)
        )
    }
    for key, row in held.items():
        if key not in wanted or row.scope != scope:
            session.delete(row)
    missing = [key for key in wanted if key not in held or held[key].scope != scope]
    if not missing:
        session.flush()
        return
    other = session.execute(
        select(InitiativeKey.kind, InitiativeKey.value).where(
            InitiativeKey.scope == scope,
            tuple_(InitiativeKey.kind, InitiativeKey.value).in_(missing),
            InitiativeKey.initiative_id != initiative.id,
        )
    ).first()
    if other is not None:
        raise Conflict(other.kind, _TAKEN[other.kind] % {"value": repr(other.value)})
    session.add_all(
        InitiativeKey(initiative_id=initiative.id, scope=scope, kind=k, value=v) for k, v in missing
    )
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        kind, value = missing[0]
        raise Conflict(kind, _TAKEN[kind] % {"value": repr(value)}) from None


def save(
    session: Session,
    initiative: Initiative,
    state: State,
    *,
    action: str,
    principal: Principal,
    changes: list[str],
    note: str = "",
    public_change: bool = False,
) -> Initiative:
    """Store the record in `state` as one revision and one change-log entry.

    `public_change`: the public now sees new content (a first publication, a published edit),
    so the public version moves on.
    """
    now = utcnow()
    had_edit = initiative.pending_status is not None
    # The public reads `updated_at` of a published record: a hidden move (an edit waiting for
    # review, sent back, withdrawn by its author) must not show through it.
    hidden_move = initiative.status == "published" and not public_change
    initiative.status, initiative.pending_status = status_of(state)
    hidden_move = hidden_move and initiative.status == "published"
    if initiative.pending_status is None:
        initiative.pending = None
        # The edit is gone (published, made the withdrawn record, or deleted): so are the
        # media changes that waited with it.
        if had_edit and media_storage.settle(session, initiative.id, keep=state != State.DELETED):
            changes = [*changes, "media"]
        if had_edit:  # and the links and translations (issue 16)
            settled = parts_storage.settle(session, initiative.id, keep=state != State.DELETED)
            changes = [*changes, *(c for c in settled if c not in changes)]
    initiative.version += 1
    if not hidden_move:
        initiative.updated_at = now
    if public_change:
        initiative.public_version += 1
        initiative.published_at = initiative.published_at or now
    session.add(initiative)
    session.flush()
    claim_keys(session, initiative)
    session.add(
        Revision(
            initiative_id=initiative.id,
            number=initiative.version,
            action=action,
            user_id=principal.id,
            snapshot=full_record(initiative),
            changes=changes,
            note=note,
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHANGE_LOG_LOCK})
    session.add(ChangeLog(initiative_id=initiative.id, action=action))
    session.flush()
    return initiative


def key_owner(session: Session, scope: str, kind: str, value: str) -> int | None:
    """The record claiming `value` in `scope`, if any."""
    return session.scalar(
        select(InitiativeKey.initiative_id).where(
            InitiativeKey.scope == scope, InitiativeKey.kind == kind, InitiativeKey.value == value
        )
    )


def key_owners_elsewhere(session: Session, scope: str, kind: str, value: str) -> list[int]:
    """Records of other scopes claiming the same value (an import reports, never merges them)."""
    return list(
        session.scalars(
            select(InitiativeKey.initiative_id).where(
                InitiativeKey.scope != scope,
                InitiativeKey.kind == kind,
                InitiativeKey.value == value,
            )
        )
    )
