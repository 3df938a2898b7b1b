"""Typed links between records (issue 16): a pilot mainstreamed as its successor, a
replication, a part of a larger programme, an inspiration.

Owners and curators of a record link it to any record they can see, and remove its links (of
either end), with one revision of the record the change is made on; the public sees a link only
while both records are published (registry.links). A change by an owner of a published record
waits with the record's edit (starting one, as the `edit` move does) until a curator publishes
it (`parts_storage.settle`); any other change is written at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from .. import initiatives, vocab
from ..accounts import Principal
from ..media.reading import ADDED, LIVE, REMOVING
from ..messages import msg
from ..models import Initiative, InitiativeLink
from ..schemas import ValidationFailed, whole_number
from . import storage
from .authority import can_view, roles
from .errors import Forbidden, StaleVersion
from .guard import action, permit
from .records import authorise, locked
from .workflow import CURATOR, State, state_of


class LinkNotFound(initiatives.NotFound):
    """The record has no such link (404)."""

    message = msg("this record has no such link")


def _manage(
    session: Session, principal: Principal, initiative_id: int, name: str,
    expected_version: int | None,
) -> Initiative:  # fmt: skip
    initiative = locked(session, principal, initiative_id, name)
    if not roles(principal, initiative):
        raise Forbidden(name, msg("only its owners and the curators can change a record's links"))
    if expected_version not in (None, initiative.version):
        raise StaleVersion(initiative.version)
    return initiative


def waits_for_review(principal: Principal | None, initiative: Initiative) -> bool:
    """Whether the principal's change of the record's links or translations waits for a
    curator: an owner (not a curator) changing a published record."""
    return initiative.status == State.PUBLISHED and CURATOR not in roles(principal, initiative)


def review_move(
    principal: Principal, initiative: Initiative, expected_version: int | None
) -> State | None:
    """None when a link or translation change applies at once; else the state the record moves
    to with the change waiting in its edit (`waits_for_review`), allowed as the `edit` move
    allows it (not while the edit is in review)."""
    if not waits_for_review(principal, initiative):
        return None
    _, after = authorise(principal, initiative, "edit", expected_version)
    return after


def save_change(
    session: Session, principal: Principal, initiative: Initiative, waits: State | None,
    name: str, changes: list[str], note: str,
) -> Initiative:  # fmt: skip
    """One revision of the record; a waiting change starts an edit if it had none."""
    if waits is not None and initiative.pending is None:
        initiative.pending = initiatives.editable_fields(initiative)
    return storage.save(
        session, initiative, waits or state_of(initiative), action=name, principal=principal,
        changes=changes, note=note,
    )  # fmt: skip


def _target(session: Session, principal: Principal, initiative: Initiative, raw: Any) -> int:
    try:
        target_id = (
            raw
            if isinstance(raw, int) and not isinstance(raw, bool)
            else whole_number(str(raw or ""), 1, initiatives.MAX_ID)
        )
    except ValueError as exc:
        raise ValidationFailed({"target": [exc.args[0]]}) from None
    if target_id == initiative.id:
        raise ValidationFailed({"target": [msg("a record cannot be linked to itself")]})
    target = initiatives.lookup(session, target_id)
    if target is None or not can_view(principal, target):
        raise ValidationFailed({"target": [msg("there is no record with this number")]})
    return target_id


@action("link_records")
def link_records(
    session: Session, principal: Principal, initiative_id: int, target: Any, kind: Any, *,
    expected_version: int | None = None,
) -> InitiativeLink:  # fmt: skip
    """Link the record to another: `kind` says what the record is to the target."""
    initiative = _manage(session, principal, initiative_id, "link_records", expected_version)
    code = str(kind or "").strip().lower()
    errors = {}
    if code not in vocab.LINK_TYPE.codes:
        expected = ", ".join(vocab.LINK_TYPE.codes)
        errors["kind"] = [
            msg("unknown code %(codes)s; expected one of %(expected)s", codes=code[:40],
                expected=expected)
        ]  # fmt: skip
    try:
        target_id = _target(session, principal, initiative, target)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors)
    taken = session.scalar(
        select(InitiativeLink).where(
            InitiativeLink.from_id == initiative.id, InitiativeLink.to_id == target_id,
            InitiativeLink.kind == code,
        )
    )  # fmt: skip
    if taken is not None and taken.state != REMOVING:
        raise ValidationFailed({"target": [msg("the records are already linked this way")]})
    waits = review_move(principal, initiative, expected_version)
    permit("link_records")
    if taken is not None:  # linked again before its removal was published: it stays
        link = taken
        link.state, link.waits_with = LIVE, None
    else:
        link = InitiativeLink(from_id=initiative.id, to_id=target_id, kind=code,
                              created_by_id=principal.id)  # fmt: skip
        if waits is not None:
            link.state, link.waits_with = ADDED, initiative.id
    session.add(link)
    save_change(session, principal, initiative, waits, "link_records", ["links"],
                f"{code} #{target_id}")  # fmt: skip
    return link


@action("unlink_records")
def unlink_records(
    session: Session, principal: Principal, initiative_id: int, link_id: int, *,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Remove a link of the record (made from it or to it)."""
    initiative = _manage(session, principal, initiative_id, "unlink_records", expected_version)
    link = session.get(InitiativeLink, link_id) if 0 < link_id <= initiatives.MAX_ID else None
    if link is None or initiative.id not in (link.from_id, link.to_id):
        raise LinkNotFound(link_id)
    waits = review_move(principal, initiative, expected_version)
    if waits is not None and link.state == REMOVING:  # gone from the version under review
        raise LinkNotFound(link_id)
    permit("unlink_records")
    note = f"{link.kind} #{link.to_id if link.from_id == initiative.id else link.from_id}"
    if waits is not None and link.state != ADDED:  # public until the edit is published
        link.state, link.waits_with = REMOVING, initiative.id
        session.add(link)
    else:  # a link no one has seen yet, or a change that applies at once
        session.delete(link)
    return save_change(session, principal, initiative, waits, "unlink_records", ["links"], note)
