"""The permission matrix: every action × role × record state × same or other organisation.
The expected table is written out here, independently of registry/permissions.py."""

from __future__ import annotations

import pytest

from registry import permissions
from registry.accounts import Principal
from registry.models import Initiative

OWN_ORG, OTHER_ORG = 1, 2
STATES = (
    "draft",
    "submitted",
    "published",
    "published+edit",
    "published+edit_submitted",
    "published+edit_rejected",
    "rejected",
    "withdrawn",
    "deleted",
)
ALL_BUT_DELETED = set(STATES) - {"deleted"}
PUBLIC = {"published", "published+edit", "published+edit_submitted", "published+edit_rejected"}
IN_REVIEW = {"submitted", "published+edit_submitted"}
OWNER_EDITS = {
    "draft",
    "rejected",
    "withdrawn",
    "published",
    "published+edit",
    "published+edit_rejected",
}
SUBMITTABLE = {"draft", "rejected", "withdrawn", "published+edit", "published+edit_rejected"}
WITHDRAWABLE = {"submitted"} | PUBLIC

# action -> (states allowed to the public/other organisations, to owners, to curators)
ALLOWED: dict[str, tuple[set[str], set[str], set[str]]] = {
    "view": (PUBLIC, ALL_BUT_DELETED, ALL_BUT_DELETED),
    "edit": (set(), OWNER_EDITS, ALL_BUT_DELETED),
    "submit": (set(), SUBMITTABLE, SUBMITTABLE),
    "publish": (set(), set(), IN_REVIEW),
    "reject": (set(), set(), IN_REVIEW),
    "withdraw": (set(), WITHDRAWABLE, WITHDRAWABLE),
    "delete": (set(), set(), ALL_BUT_DELETED),
    "view_revisions": (set(), ALL_BUT_DELETED, set(STATES)),
}
CHECKS = {
    "view": permissions.can_view,
    "edit": permissions.can_edit,
    "submit": permissions.can_submit,
    "publish": permissions.can_publish,
    "reject": permissions.can_reject,
    "withdraw": permissions.can_withdraw,
    "delete": permissions.can_delete,
    "view_revisions": permissions.can_view_revisions,
}


def record(state: str) -> Initiative:
    status, _, pending = state.partition("+")
    initiative = Initiative(
        id=1,
        slug="x",
        title="x",
        summary="x",
        country="FR",
        sector="health",
        maturity="pilot",
        status=status,
        organisation_id=OWN_ORG,
        created_by_id=10,
    )
    if pending:
        initiative.pending = {"title": "changed"}
        initiative.pending_status = {
            "edit": "draft",
            "edit_submitted": "submitted",
            "edit_rejected": "rejected",
        }[pending]
    return initiative


def person(role: str, org: int) -> Principal | None:
    if role == "anonymous":
        return None
    return Principal(
        id=20, email="p@example.org", name="", role=role, organisation_id=org, session_version=1
    )


@pytest.mark.parametrize("action", list(CHECKS))
@pytest.mark.parametrize("role", ["anonymous", "submitter", "curator", "admin"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("org", ["same", "other"])
def test_permission_matrix(action, role, state, org):
    user = person(role, OWN_ORG if org == "same" else OTHER_ORG)
    public, owner, curator = ALLOWED[action]
    if role in ("curator", "admin"):
        expected = state in curator
    elif role == "submitter" and org == "same":
        expected = state in owner
    else:
        expected = state in public
    assert CHECKS[action](user, record(state)) is expected


def test_creator_owns_a_record_without_organisation():
    initiative = record("draft")
    initiative.organisation_id = None
    creator = Principal(10, "c@example.org", "", "submitter", None, 1)
    stranger = Principal(11, "s@example.org", "", "submitter", None, 1)
    assert permissions.can_edit(creator, initiative)
    assert not permissions.can_view(stranger, initiative)


def test_anyone_signed_in_may_create_and_the_anonymous_may_not():
    assert permissions.can_create(person("submitter", OWN_ORG))
    assert not permissions.can_create(None)
