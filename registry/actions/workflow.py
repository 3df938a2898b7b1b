"""The state table: which action moves a record from which state to which, and for whom.

A record's state is its status, refined for published records by the edit waiting beside the
live fields (`pending_status`). Every action looks its move up here; a move that is not in the
table is refused (409) and one the principal's roles do not allow is forbidden (403), before
anything is written. docs/architecture.md shows the same table.
"""

from __future__ import annotations

from enum import StrEnum

from ..models import Initiative


class State(StrEnum):
    NEW = "new"  # no record yet: create and import start here
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    PUBLISHED = "published"
    EDIT_DRAFT = "published+edit"  # published, with an edit its owners have not submitted
    EDIT_SUBMITTED = "published+edit_submitted"  # published, with an edit waiting for review
    EDIT_REJECTED = "published+edit_rejected"  # published, with an edit sent back
    DELETED = "deleted"


# The roles a principal holds towards one record (registry.actions.authority.roles).
OWNER, CURATOR = "owner", "curator"
# Actions that only curators (and admins) may take at all, whatever the record's state.
CURATOR_ONLY = frozenset({"publish", "reject", "import", "import_publish"})
# Actions that change a record's content; the others only move it through the workflow.
CONTENT_ACTIONS = frozenset({"create", "create_submitted", "edit", "restore", "import",
                             "import_publish"})  # fmt: skip

_S = State


def _for(*roles: str, to: State) -> dict[str, State]:
    return dict.fromkeys(roles, to)


# (state, action) -> {role: new state}. A curator who is also an owner takes the curator's
# entry. Import rows in the three `published+edit…` states also need the importing curator to
# have chosen to replace the waiting edit (registry.actions.importing).
TABLE: dict[tuple[State, str], dict[str, State]] = {
    (_S.NEW, "create"): _for(OWNER, CURATOR, to=_S.DRAFT),
    (_S.NEW, "create_submitted"): _for(OWNER, CURATOR, to=_S.SUBMITTED),
    (_S.NEW, "import"): _for(CURATOR, to=_S.DRAFT),
    (_S.NEW, "import_publish"): _for(CURATOR, to=_S.PUBLISHED),
    # Drafts, records sent back and records taken back belong to their owners: a curator may
    # touch them up, but only owners submit them, and an import changes them only when the
    # importing curator is an owner (the registry's own records, or the curator's organisation).
    **{
        (state, action): rule
        for state in (_S.DRAFT, _S.REJECTED, _S.WITHDRAWN)
        for action, rule in (
            ("edit", _for(OWNER, CURATOR, to=state)),
            ("restore", _for(OWNER, CURATOR, to=state)),
            ("submit", _for(OWNER, to=_S.SUBMITTED)),
            ("delete", _for(OWNER, CURATOR, to=_S.DELETED)),
            ("import", _for(OWNER, to=state)),
            ("import_publish", _for(OWNER, to=_S.PUBLISHED)),
        )
    },
    (_S.SUBMITTED, "edit"): _for(CURATOR, to=_S.SUBMITTED),
    (_S.SUBMITTED, "restore"): _for(CURATOR, to=_S.SUBMITTED),
    (_S.SUBMITTED, "publish"): _for(CURATOR, to=_S.PUBLISHED),
    (_S.SUBMITTED, "reject"): _for(CURATOR, to=_S.REJECTED),
    (_S.SUBMITTED, "withdraw"): _for(OWNER, CURATOR, to=_S.WITHDRAWN),
    (_S.SUBMITTED, "delete"): _for(CURATOR, to=_S.DELETED),
    (_S.SUBMITTED, "import"): _for(CURATOR, to=_S.SUBMITTED),
    (_S.SUBMITTED, "import_publish"): _for(CURATOR, to=_S.PUBLISHED),
    # A published record: its owners' edits wait beside the live fields; curators edit live.
    (_S.PUBLISHED, "edit"): {CURATOR: _S.PUBLISHED, OWNER: _S.EDIT_DRAFT},
    (_S.PUBLISHED, "restore"): {CURATOR: _S.PUBLISHED, OWNER: _S.EDIT_DRAFT},
    (_S.PUBLISHED, "withdraw"): _for(OWNER, CURATOR, to=_S.WITHDRAWN),
    (_S.PUBLISHED, "delete"): _for(CURATOR, to=_S.DELETED),
    (_S.PUBLISHED, "import"): _for(CURATOR, to=_S.EDIT_SUBMITTED),
    (_S.PUBLISHED, "import_publish"): _for(CURATOR, to=_S.PUBLISHED),
    (_S.EDIT_DRAFT, "edit"): _for(OWNER, CURATOR, to=_S.EDIT_DRAFT),
    (_S.EDIT_DRAFT, "restore"): _for(OWNER, CURATOR, to=_S.EDIT_DRAFT),
    (_S.EDIT_DRAFT, "submit"): _for(OWNER, to=_S.EDIT_SUBMITTED),
    (_S.EDIT_SUBMITTED, "edit"): _for(CURATOR, to=_S.EDIT_SUBMITTED),
    (_S.EDIT_SUBMITTED, "restore"): _for(CURATOR, to=_S.EDIT_SUBMITTED),
    (_S.EDIT_SUBMITTED, "publish"): _for(CURATOR, to=_S.PUBLISHED),
    (_S.EDIT_SUBMITTED, "reject"): _for(CURATOR, to=_S.EDIT_REJECTED),
    (_S.EDIT_SUBMITTED, "withdraw"): _for(OWNER, CURATOR, to=_S.EDIT_DRAFT),
    (_S.EDIT_REJECTED, "edit"): _for(OWNER, CURATOR, to=_S.EDIT_DRAFT),
    (_S.EDIT_REJECTED, "restore"): _for(OWNER, CURATOR, to=_S.EDIT_DRAFT),
    (_S.EDIT_REJECTED, "submit"): _for(OWNER, to=_S.EDIT_SUBMITTED),
    # Taking a published record with a waiting edit off the catalogue keeps the owners' latest
    # work: the edit becomes the withdrawn record (the live fields stay in its revisions).
    **{
        (state, action): rule
        for state in (_S.EDIT_DRAFT, _S.EDIT_REJECTED)
        for action, rule in (("withdraw", _for(OWNER, CURATOR, to=_S.WITHDRAWN)),)
    },
    **{
        (state, action): rule
        for state in (_S.EDIT_DRAFT, _S.EDIT_SUBMITTED, _S.EDIT_REJECTED)
        for action, rule in (
            ("delete", _for(CURATOR, to=_S.DELETED)),
            ("import", _for(CURATOR, to=_S.EDIT_SUBMITTED)),
            ("import_publish", _for(CURATOR, to=_S.PUBLISHED)),
        )
    },
    # A deleted record comes back as a draft holding the content of the revision restored.
    (_S.DELETED, "restore"): _for(CURATOR, to=_S.DRAFT),
}

ACTIONS = tuple(dict.fromkeys(action for _, action in TABLE))
PENDING_STATES = frozenset({_S.EDIT_DRAFT, _S.EDIT_SUBMITTED, _S.EDIT_REJECTED})
_PENDING = {"draft": _S.EDIT_DRAFT, "submitted": _S.EDIT_SUBMITTED, "rejected": _S.EDIT_REJECTED}


def state_of(initiative: Initiative | None) -> State:
    if initiative is None:
        return State.NEW
    if initiative.status == State.PUBLISHED and initiative.pending is not None:
        return _PENDING[initiative.pending_status or "draft"]
    return State(initiative.status)


def status_of(state: State) -> tuple[str, str | None]:
    """The stored (status, pending_status) of a state."""
    for pending_status, pending_state in _PENDING.items():
        if state is pending_state:
            return State.PUBLISHED.value, pending_status
    return state.value, None


def move(state: State, action: str, roles: frozenset[str]) -> State | None:
    """The state `action` leads to for a principal with `roles`, or None when not allowed."""
    rule = TABLE.get((state, action), {})
    for role in (CURATOR, OWNER):
        if role in roles and role in rule:
            return rule[role]
    return None
