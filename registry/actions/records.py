"""The actions on one initiative: create, edit, restore, submit, publish, reject, withdraw, delete.

Each takes the session of a write transaction, the acting principal, the record id, the version
the principal last saw (None: no check) and its payload. Each locks the row, checks that the
principal may see it, looks the move up in the state table for the principal's roles, checks the
version, and only then writes, through `storage`, one revision and one change-log entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from .. import initiatives, schemas
from ..accounts import Principal
from ..messages import msg
from ..models import Initiative, Revision, utcnow
from ..schemas import ValidationFailed
from . import storage
from .authority import can_view, roles
from .errors import Forbidden, InvalidMove, StaleVersion
from .guard import action, permit
from .workflow import CURATOR, CURATOR_ONLY, PENDING_STATES, TABLE, State, move, state_of

MAX_REASON = 2000


def locked(
    session: Session, principal: Principal | None, initiative_id: int, name: str
) -> Initiative:
    """The record, locked until the transaction ends, if the principal may see it; else
    NotFound, whether or not it exists. Curators also reach deleted records, to restore them."""
    initiative = initiatives.lookup(session, initiative_id, for_update=True)
    if initiative is None:
        raise initiatives.NotFound(initiative_id)
    curator = principal is not None and principal.is_curator
    if not (can_view(principal, initiative) or (curator and name == "restore")):
        raise initiatives.NotFound(initiative_id)
    return initiative


def authorise(
    principal: Principal | None,
    initiative: Initiative | None,
    name: str,
    expected_version: int | None = None,
) -> tuple[State, State]:
    """(state now, state after `name`); else Forbidden, InvalidMove or StaleVersion.

    Passing it is what lets the running action write (registry.actions.guard).
    """
    state = state_of(initiative)
    held = roles(principal, initiative)
    if principal is None or (name in CURATOR_ONLY and CURATOR not in held):
        raise Forbidden(name)
    if (state, name) not in TABLE:
        raise InvalidMove(name, state.value)
    after = move(state, name, held)
    if after is None:
        raise Forbidden(name)
    if initiative is not None and expected_version not in (None, initiative.version):
        raise StaleVersion(initiative.version)
    permit(name)
    return state, after


def merged(base: dict[str, Any], patch: Any, *, for_review: bool = False) -> dict[str, Any]:
    """`patch` merged onto `base` and the whole validated, so cross-field rules always hold;
    `for_review`: and what a first review needs (schemas.REVIEW_NEEDS), all at once."""
    if not isinstance(patch, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the fields to change")]})
    unknown = [k for k in patch if k not in initiatives.EDITABLE]
    if unknown:
        raise ValidationFailed({k: [msg("unknown field")] for k in unknown})
    validate = schemas.validate_for_review if for_review else schemas.validate_initiative
    return storage.as_fields(validate({**base, **patch}))


# The states from which `submit` asks for a record's first review (to State.SUBMITTED): it
# must then hold what a curator needs. An edit of a published record is not asked again.
FIRST_REVIEW_FROM = frozenset(
    state
    for (state, name), rule in TABLE.items()
    if name == "submit" and State.SUBMITTED in rule.values()
)


def saved_as_you_type(principal: Principal | None, initiative: Initiative) -> bool:
    """Whether the form's background save (`edit` with draft_only) may run on this record for
    this principal: a draft, a record sent back or a withdrawn one that the principal may edit."""
    state = state_of(initiative)
    return state in FIRST_REVIEW_FROM and move(state, "edit", roles(principal, initiative)) is state


def check_reviewable(initiative: Initiative) -> None:
    """ValidationFailed listing each field a curator needs that the record leaves empty."""
    lacking = schemas.review_problems(initiatives.proposed_fields(initiative))
    if lacking:
        raise ValidationFailed(lacking)


# --- content ------------------------------------------------------------------------------


@action("create")
def create(
    session: Session, principal: Principal, data: Any, *, submit: bool = False
) -> Initiative:
    """A new record of the principal's organisation: a draft, or submitted for review."""
    name = "create_submitted" if submit else "create"
    _, after = authorise(principal, None, name)
    if not isinstance(data, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the initiative's fields")]})
    validate = schemas.validate_for_review if submit else schemas.validate_initiative
    fields = storage.as_fields(validate(data))
    initiative = storage.new_row(
        organisation_id=principal.organisation_id, created_by_id=principal.id, illustrative=False
    )
    return write_new(session, principal, initiative, fields, after, name)


def write_new(
    session: Session,
    principal: Principal,
    initiative: Initiative,
    fields: dict[str, Any],
    state: State,
    name: str,
    note: str = "",
) -> Initiative:
    """Store a new record holding `fields` in `state` (create and import)."""
    storage.set_live(initiative, fields)
    if not fields["slug"]:
        scope = storage.record_scope(initiative)
        initiative.slug = storage.free_slug(session, scope, fields["title"])
    if state is State.SUBMITTED:
        initiative.submitted_at = utcnow()
    return storage.save(
        session, initiative, state, action=name, principal=principal,
        changes=list(initiatives.EDITABLE), note=note, public_change=state is State.PUBLISHED,
    )  # fmt: skip


@action("edit")
def edit(
    session: Session,
    principal: Principal,
    initiative_id: int,
    patch: Any,
    *,
    expected_version: int | None,
    for_review: bool = False,
    draft_only: bool = False,
) -> Initiative:
    """Change a record's fields (a partial update). An owner's change of a published record
    waits beside the live fields until a curator publishes it; a curator's goes live.

    `for_review`: the caller submits the record next (the form's "Submit for review"); when that
    would be its first review, what a curator needs is checked with the rest, so every problem
    is reported at once (`submit` checks it again).

    `draft_only`: a save in the background as the owner types (the form's script); refused
    (InvalidMove) unless the record is and stays a draft, a record sent back or a withdrawn
    one, so it never changes a published record, an edit waiting beside one, or a record in
    review."""
    initiative = locked(session, principal, initiative_id, "edit")
    state, after = authorise(principal, initiative, "edit", expected_version)
    if draft_only and not (state is after and after in FIRST_REVIEW_FROM):
        raise InvalidMove("autosave", state.value)
    first_review = for_review and after in FIRST_REVIEW_FROM
    fields = merged(initiatives.proposed_fields(initiative), patch, for_review=first_review)
    return write_content(session, principal, initiative, state, after, fields, "edit")


@action("restore")
def restore(
    session: Session,
    principal: Principal,
    initiative_id: int,
    revision: int,
    *,
    expected_version: int | None = None,
) -> Initiative:
    """Bring back the content a revision held (what it proposed, when it held an edit), as an
    edit would; a deleted record comes back as a draft. The slug stays as it is."""
    initiative = locked(session, principal, initiative_id, "restore")
    state, after = authorise(principal, initiative, "restore", expected_version)
    found = session.scalar(
        select(Revision).where(Revision.initiative_id == initiative.id, Revision.number == revision)
    )
    if found is None:
        raise ValidationFailed({"revision": [msg("this initiative has no such revision")]})
    content = found.snapshot.get("pending") or found.snapshot
    patch = {k: content[k] for k in initiatives.EDITABLE if k in content and k != "slug"}
    if state is State.DELETED:  # its slug was given up: another record may have taken it
        scope = storage.record_scope(initiative)
        initiative.slug = storage.free_slug(session, scope, initiative.slug, initiative.id)
    fields = merged(initiatives.proposed_fields(initiative), patch)
    return write_content(
        session, principal, initiative, state, after, fields, "restore", note=str(revision)
    )


def write_content(
    session: Session,
    principal: Principal,
    initiative: Initiative,
    state: State,
    after: State,
    fields: dict[str, Any],
    name: str,
    note: str = "",
) -> Initiative:
    """Store `fields` as the record's content in state `after`: as the waiting edit when `after`
    is one of the `published+edit…` states, else as the live fields.

    Writes nothing when neither the content nor the state changes.
    """
    changes = storage.changed_fields(initiatives.proposed_fields(initiative), fields)
    if not changes and state is after:
        return initiative
    was_public = initiative.status == State.PUBLISHED
    if after in PENDING_STATES:
        initiative.pending = fields
    else:
        changes = storage.changed_fields(initiatives.editable_fields(initiative), fields)
        storage.set_live(initiative, fields)
    _stamp(initiative, state, after)
    return storage.save(
        session, initiative, after, action=name, principal=principal, changes=changes, note=note,
        public_change=after is State.PUBLISHED and (not was_public or bool(changes)),
    )  # fmt: skip


def _stamp(initiative: Initiative, state: State, after: State) -> None:
    """The dates and reason that go with arriving in `after`."""
    if after in (State.SUBMITTED, State.EDIT_SUBMITTED) and state is not after:
        initiative.submitted_at = utcnow()
    if after is State.PUBLISHED:
        initiative.rejection_reason = ""


# --- workflow -----------------------------------------------------------------------------


def _transition(
    session: Session,
    principal: Principal,
    initiative_id: int,
    name: str,
    expected_version: int | None,
    note: Callable[[], str] = str,
) -> Initiative:
    """Move the record through the workflow; `note` gives the revision's note once the move is
    allowed (a curator's reason is validated only then)."""
    initiative = locked(session, principal, initiative_id, name)
    state, after = authorise(principal, initiative, name, expected_version)
    return _move(session, principal, initiative, state, after, name, note())


def _move(
    session: Session,
    principal: Principal,
    initiative: Initiative,
    state: State,
    after: State,
    name: str,
    note: str,
) -> Initiative:
    changes = ["status"]
    public_change = False
    if after is State.PUBLISHED and state is State.EDIT_SUBMITTED:  # the reviewed edit goes live
        fields = storage.as_fields(schemas.validate_initiative(initiative.pending))
        changes = storage.changed_fields(initiatives.editable_fields(initiative), fields)
        storage.set_live(initiative, fields)
        public_change = True
    elif after is State.PUBLISHED:
        public_change = True
    elif after is State.WITHDRAWN and initiative.pending is not None:
        # Off the catalogue, the owners' latest work becomes the record (the live fields stay
        # in the revisions).
        fields = storage.as_fields(schemas.validate_initiative(initiative.pending))
        live = initiatives.editable_fields(initiative)
        changes = ["status", *storage.changed_fields(live, fields)]
        storage.set_live(initiative, fields)
        initiative.pending = None
    elif after is State.DELETED:
        initiative.pending = None
    if after in (State.REJECTED, State.EDIT_REJECTED):
        initiative.rejection_reason = note
    _stamp(initiative, state, after)
    return storage.save(
        session, initiative, after, action=name, principal=principal, changes=changes, note=note,
        public_change=public_change,
    )  # fmt: skip


@action("submit")
def submit(
    session: Session, principal: Principal, initiative_id: int, *,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Ask for review: the record itself, or the edit waiting beside the published record. A
    record's first review needs the fields of schemas.REVIEW_NEEDS (ValidationFailed lists the
    empty ones); an edit of a published record is not asked again."""
    initiative = locked(session, principal, initiative_id, "submit")
    state, after = authorise(principal, initiative, "submit", expected_version)
    if state in FIRST_REVIEW_FROM:
        check_reviewable(initiative)
    return _move(session, principal, initiative, state, after, "submit", "")


@action("publish")
def publish(
    session: Session, principal: Principal, initiative_id: int, *,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Make the record public, or replace the public record with the reviewed edit."""
    return _transition(session, principal, initiative_id, "publish", expected_version)


@action("reject")
def reject(
    session: Session, principal: Principal, initiative_id: int, reason: Any, *,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Send the record (or the waiting edit) back to its owners with the curator's reason."""

    def checked() -> str:
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationFailed({"reason": [msg("give the submitter a reason")]})
        if len(reason) > MAX_REASON:
            raise ValidationFailed(
                {"reason": [msg("must have at most %(count)s characters", count=MAX_REASON)]}
            )
        problem = schemas.text_problem(reason)
        if problem is not None:
            raise ValidationFailed({"reason": [problem]})
        return reason.strip()

    return _transition(session, principal, initiative_id, "reject", expected_version, checked)


@action("withdraw")
def withdraw(
    session: Session, principal: Principal, initiative_id: int, *,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Take a submission back from review, or a published record off the catalogue."""
    return _transition(session, principal, initiative_id, "withdraw", expected_version)


@action("delete")
def delete(
    session: Session, principal: Principal, initiative_id: int, *,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Remove from the catalogue; the row and its revisions stay, and a curator can restore it.
    Its slug and external id are released."""
    return _transition(session, principal, initiative_id, "delete", expected_version)
