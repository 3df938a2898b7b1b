"""Typed links between records (issue 16): a pilot mainstreamed as its successor, a
replication, a part of a larger programme, an inspiration.

Owners and curators of a record link it to any record they can see, and remove its links (of
either end). A link is written at once, with one revision of the record it was made or removed
on; the public sees it only while both records are published (registry.links).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from .. import initiatives, vocab
from ..accounts import Principal
from ..messages import msg
from ..models import Initiative, InitiativeLink
from ..schemas import ValidationFailed, whole_number
from . import storage
from .authority import can_view, roles
from .errors import Forbidden, StaleVersion
from .guard import action, permit
from .records import locked
from .workflow import state_of


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
        select(InitiativeLink.id).where(
            InitiativeLink.from_id == initiative.id, InitiativeLink.to_id == target_id,
            InitiativeLink.kind == code,
        )
    )  # fmt: skip
    if taken is not None:
        raise ValidationFailed({"target": [msg("the records are already linked this way")]})
    permit("link_records")
    link = InitiativeLink(from_id=initiative.id, to_id=target_id, kind=code,
                          created_by_id=principal.id)  # fmt: skip
    session.add(link)
    storage.save(
        session, initiative, state_of(initiative), action="link_records", principal=principal,
        changes=["links"], note=f"{code} #{target_id}",
    )  # fmt: skip
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
    permit("unlink_records")
    note = f"{link.kind} #{link.to_id if link.from_id == initiative.id else link.from_id}"
    session.delete(link)
    return storage.save(
        session, initiative, state_of(initiative), action="unlink_records", principal=principal,
        changes=["links"], note=note,
    )  # fmt: skip
