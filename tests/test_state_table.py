"""The workflow, exhaustively, against the real actions on SQLite and PostgreSQL: every state ×
action × role × same or other organisation.

The expectations are written here from the contract (docs/api.md, "Who may do what"), not read
from registry.actions.workflow: an allowed action leads to the documented state with exactly one
revision and one change-log entry; a refused one raises the documented error and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from registry import actions, initiatives
from registry.db import read_session, write_session
from registry.models import ChangeLog, Initiative, Revision

from .conftest import create_people, valid_record

STATES = (
    "draft",
    "submitted",
    "rejected",
    "withdrawn",
    "published",
    "published+edit",
    "published+edit_submitted",
    "published+edit_rejected",
    "deleted",
)
PUBLIC = {"published", "published+edit", "published+edit_submitted", "published+edit_rejected"}
ACTIONS = ("edit", "restore", "submit", "publish", "reject", "withdraw", "delete")

# Who acts, and what they are to a record of "Ville de Lyon": its owners are Lyon's users;
# curators and admins review every organisation's records.
WHO = {
    "anonymous": set(),
    "owner": {"owner"},  # a submitter of Lyon
    "stranger": set(),  # a submitter of Wien
    "curator": {"curator"},  # a curator of another organisation
    "curator_owner": {"owner", "curator"},  # a curator of Lyon
    "admin": {"curator"},  # an admin of another organisation
}

# The contract, state by state: action -> {role: state after}. A principal holding both roles
# gets the curator's outcome (a curator's edit of a published record goes live).
OWN, CUR = "owner", "curator"
OWNERS_AND_CURATORS = (OWN, CUR)
CONTRACT: dict[str, dict[str, dict[str, str]]] = {
    **{
        state: {
            "edit": dict.fromkeys(OWNERS_AND_CURATORS, state),
            "restore": dict.fromkeys(OWNERS_AND_CURATORS, state),
            "submit": {OWN: "submitted"},
            "delete": dict.fromkeys(OWNERS_AND_CURATORS, "deleted"),
        }
        for state in ("draft", "rejected", "withdrawn")
    },
    "submitted": {
        "edit": {CUR: "submitted"},
        "restore": {CUR: "submitted"},
        "publish": {CUR: "published"},
        "reject": {CUR: "rejected"},
        "withdraw": dict.fromkeys(OWNERS_AND_CURATORS, "withdrawn"),
        "delete": {CUR: "deleted"},
    },
    "published": {
        "edit": {CUR: "published", OWN: "published+edit"},
        "restore": {CUR: "published", OWN: "published+edit"},
        "withdraw": dict.fromkeys(OWNERS_AND_CURATORS, "withdrawn"),
        "delete": {CUR: "deleted"},
    },
    "published+edit": {
        "edit": dict.fromkeys(OWNERS_AND_CURATORS, "published+edit"),
        "restore": dict.fromkeys(OWNERS_AND_CURATORS, "published+edit"),
        "submit": {OWN: "published+edit_submitted"},
        "withdraw": dict.fromkeys(OWNERS_AND_CURATORS, "withdrawn"),
        "delete": {CUR: "deleted"},
    },
    "published+edit_submitted": {
        "edit": {CUR: "published+edit_submitted"},
        "restore": {CUR: "published+edit_submitted"},
        "publish": {CUR: "published"},
        "reject": {CUR: "published+edit_rejected"},
        "withdraw": dict.fromkeys(OWNERS_AND_CURATORS, "published+edit"),
        "delete": {CUR: "deleted"},
    },
    "published+edit_rejected": {
        "edit": dict.fromkeys(OWNERS_AND_CURATORS, "published+edit"),
        "restore": dict.fromkeys(OWNERS_AND_CURATORS, "published+edit"),
        "submit": {OWN: "published+edit_submitted"},
        "withdraw": dict.fromkeys(OWNERS_AND_CURATORS, "withdrawn"),
        "delete": {CUR: "deleted"},
    },
    "deleted": {"restore": {CUR: "draft"}},
}
CURATORS_ONLY = {"publish", "reject"}


def expected(state: str, action: str, who: str) -> str:
    """ "→ <state>", or the error: not_found (404), forbidden (403), invalid (409)."""
    roles = WHO[who]
    if state == "deleted":
        visible = CUR in roles and action == "restore"  # curators restore from the history
    else:
        visible = state in PUBLIC or bool(roles)
    if not visible:
        return "not_found"
    if who == "anonymous" or (action in CURATORS_ONLY and CUR not in roles):
        return "forbidden"
    rule = CONTRACT[state].get(action)
    if rule is None:
        return "invalid"
    for role in (CUR, OWN):
        if role in roles and role in rule:
            return "→ " + rule[role]
    return "forbidden"


@dataclass
class People:
    by_name: dict

    def __getitem__(self, who: str):
        return None if who == "anonymous" else self.by_name[who]


@pytest.fixture
def people(engine) -> People:
    return People(
        create_people(
            engine,
            {
                "owner": ("owner@lyon.example", "submitter", "Ville de Lyon"),
                "stranger": ("sub@wien.example", "submitter", "Stadt Wien"),
                "curator": ("cur@registry.example", "curator", "Registry curators"),
                "curator_owner": ("cur@lyon.example", "curator", "Ville de Lyon"),
                "admin": ("admin@registry.example", "admin", "Registry curators"),
            },
        )
    )


def make_record(s, people: People, state: str) -> int:
    """A record of Lyon brought to `state` by its owner and a curator, through the actions;
    its first revision's title differs from its current one (so a restore changes it)."""
    owner, curator = people["owner"], people["curator"]
    i = actions.create(s, owner, valid_record(title="First title")).id
    actions.edit(s, owner, i, {"title": "Second title"}, expected_version=None)
    if state == "deleted":
        actions.delete(s, owner, i)
    elif state != "draft":
        actions.submit(s, owner, i)
        if state == "rejected":
            actions.reject(s, curator, i, "add a source")
        elif state == "withdrawn":
            actions.withdraw(s, owner, i)
        elif state != "submitted":
            actions.publish(s, curator, i)
        if state.startswith("published+edit"):
            actions.edit(s, owner, i, {"title": "Proposed title"}, expected_version=None)
        if state in ("published+edit_submitted", "published+edit_rejected"):
            actions.submit(s, owner, i)
        if state == "published+edit_rejected":
            actions.reject(s, curator, i, "not yet")
    return i


def run(engine, people: People, action: str, who: str, record: int) -> None:
    principal = people[who]
    with write_session(engine) as s:
        if action == "edit":
            actions.edit(s, principal, record, {"summary": "Changed."}, expected_version=None)
        elif action == "restore":
            actions.restore(s, principal, record, 1)
        elif action == "reject":
            actions.reject(s, principal, record, "a reason")
        else:
            getattr(actions, action)(s, principal, record)


def footprint(engine, record: int) -> tuple:
    with read_session(engine) as s:
        row = s.get(Initiative, record)
        return (
            s.scalar(select(func.count()).select_from(Revision)),
            s.scalar(select(func.count()).select_from(ChangeLog)),
            row.version,
            row.status,
            row.pending_status,
            row.title,
        )


def outcome(engine, people: People, action: str, who: str, record: int) -> str:
    """What happened, in the words of `expected`; with what was written when that is wrong."""
    before = footprint(engine, record)
    try:
        run(engine, people, action, who, record)
    except (initiatives.NotFound, actions.Forbidden, actions.InvalidMove) as exc:
        got = next(k for k, v in ERRORS.items() if isinstance(exc, v))
        return got if footprint(engine, record) == before else got + " but wrote"
    after = footprint(engine, record)
    with read_session(engine) as s:
        got = "→ " + actions.state_of(s.get(Initiative, record)).value
    written = tuple(a - b for a, b in zip(after[:3], before[:3], strict=True))
    return got if written == (1, 1, 1) else f"{got} with {written} revisions, changes, versions"


ERRORS = {
    "not_found": initiatives.NotFound,
    "forbidden": actions.Forbidden,
    "invalid": actions.InvalidMove,
}


@pytest.mark.parametrize("state", STATES)
def test_every_action_of_every_role_follows_the_contract(engine, people, state):
    cases = [(action, who) for action in ACTIONS for who in WHO]
    with write_session(engine) as s:  # one record per case, made at once
        records = [make_record(s, people, state) for _ in cases]
    outcomes = [
        (action, who, expected(state, action, who), outcome(engine, people, action, who, record))
        for (action, who), record in zip(cases, records, strict=True)
    ]
    wrong = [o for o in outcomes if o[2] != o[3]]
    assert not wrong, "\n".join(f"{a} by {w}: expected {e}, got {g}" for a, w, e, g in wrong)


def test_the_contract_covers_every_action_of_the_layer():
    """A new workflow action must be added to the contract above before it can pass."""
    named = {a for _, a in actions.TABLE} - {"create", "create_submitted"}
    assert named - {"import", "import_publish"} == set(ACTIONS)
