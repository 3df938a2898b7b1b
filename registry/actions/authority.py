"""Who a principal is to a record, and what it may see and do: the permission half of every
action, and what pages and the API ask before offering a button or showing a record.

Owners are the users of the record's organisation (or its creator when it has none; the
registry's own records — seeds, command-line imports — are owned by the curators). Curators and
admins review everything.
"""

from __future__ import annotations

from ..accounts import Principal
from ..models import Initiative
from .workflow import CURATOR, CURATOR_ONLY, OWNER, TABLE, State, move, state_of

# The command line acts as this principal: an admin of no organisation.
SYSTEM = Principal(
    id=None, email="", name="command line", role="admin", organisation_id=None, session_version=0
)


def roles(principal: Principal | None, initiative: Initiative | None) -> frozenset[str]:
    """OWNER and/or CURATOR, or nothing; whoever creates a record is its owner."""
    if principal is None:
        return frozenset()
    found = {CURATOR} if principal.is_curator else set()
    if initiative is None:
        found.add(OWNER)
    elif initiative.organisation_id is not None:
        if principal.organisation_id == initiative.organisation_id:
            found.add(OWNER)
    elif initiative.created_by_id is not None:
        if principal.id == initiative.created_by_id:
            found.add(OWNER)
    elif principal.is_curator:
        found.add(OWNER)
    return frozenset(found)


def is_manager(principal: Principal | None, initiative: Initiative) -> bool:
    """An owner or a curator: sees the record in any state but deleted, with its workflow."""
    return bool(roles(principal, initiative))


def can_view(principal: Principal | None, initiative: Initiative) -> bool:
    if initiative.status == State.DELETED:
        return False
    return initiative.status == State.PUBLISHED or is_manager(principal, initiative)


def can_view_history(principal: Principal | None, initiative: Initiative) -> bool:
    """Curators see every record's history (deleted ones too, to restore them); owners theirs."""
    if principal is not None and principal.is_curator:
        return True
    return can_view(principal, initiative) and OWNER in roles(principal, initiative)


def allowed(principal: Principal | None, initiative: Initiative, action: str) -> bool:
    """Whether `action` is in the table for this record's state and this principal's roles."""
    found = roles(principal, initiative)
    if action in CURATOR_ONLY and CURATOR not in found:
        return False
    return move(state_of(initiative), action, found) is not None


def available(principal: Principal | None, initiative: Initiative) -> set[str]:
    """The workflow actions a page may offer this principal on this record now."""
    state = state_of(initiative)
    return {
        action
        for s, action in TABLE
        if s is state and not action.startswith("import") and allowed(principal, initiative, action)
    }


def may_import(principal: Principal | None) -> bool:
    """Bulk import writes many records at once, past the review queue: curators and admins."""
    return principal is not None and principal.is_curator


def may_manage_accounts(principal: Principal | None) -> bool:
    return principal is not None and principal.role == "admin"
