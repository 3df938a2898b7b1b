"""Confirming that a published record is still accurate (issue 16, "last verified").

An owner or a curator states that the record, as published, still holds: the record notes when
and who, in one revision and one change-log entry like every change. Its content, its public
version and any edit waiting beside it stay as they are.
"""

from __future__ import annotations

from sqlmodel import Session

from ..accounts import Principal
from ..messages import msg
from ..models import Initiative, utcnow
from . import storage
from .authority import roles
from .errors import Forbidden, InvalidMove, StaleVersion
from .guard import action, permit
from .records import locked
from .workflow import State, state_of

NAME = "confirm_accurate"


class NotPublished(InvalidMove):
    """Only a published record can be confirmed (409)."""

    def __init__(self, state: str):
        Exception.__init__(self, f"{NAME} from {state}")
        self.action, self.state = NAME, state
        self.message = msg("only a published record can be confirmed as still accurate")


@action(NAME)
def confirm_accurate(
    session: Session, principal: Principal, initiative_id: int, *,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    """Record that the published record is still accurate, now, by the principal."""
    initiative = locked(session, principal, initiative_id, NAME)
    if not roles(principal, initiative):
        raise Forbidden(NAME, msg("only its owners and the curators can confirm a record"))
    if initiative.status != State.PUBLISHED:
        raise NotPublished(initiative.status)
    if expected_version not in (None, initiative.version):
        raise StaleVersion(initiative.version)
    permit(NAME)
    initiative.last_verified_at = utcnow()
    initiative.last_verified_by_id = principal.id
    return storage.save(
        session, initiative, state_of(initiative), action=NAME, principal=principal,
        changes=["last_verified_at"],
    )  # fmt: skip
