"""Reading typed links between records (issue 16): what a page shows, both ways, and which
records a search filter keeps. The public sees a link only while both records are published."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from . import vocab
from .initiatives import PUBLIC_STATUS
from .media.reading import ADDED
from .messages import Message
from .models import Initiative, InitiativeLink
from .schemas import iso


@dataclass(frozen=True)
class Related:
    """One link as a page shows it: what the other record is to this one."""

    link: InitiativeLink
    other: Initiative
    outgoing: bool  # made from this record

    @property
    def label(self) -> Message:
        if self.outgoing:
            return vocab.LINK_TYPE.get(self.link.kind).english
        return vocab.LINK_INVERSE[self.link.kind]


def related(
    session: Session,
    initiative: Initiative,
    visible: Callable[[Initiative], bool],
    *,
    waiting: bool = False,
) -> list[Related]:
    """The record's links both ways, to the records `visible` lets the reader see, in
    vocabulary order then by title. `waiting` (owners and curators): with the links whose
    addition waits for review (`link.state`); else the public version's (live or being
    removed)."""
    query = select(InitiativeLink).where(
        or_(InitiativeLink.from_id == initiative.id, InitiativeLink.to_id == initiative.id)
    )
    if not waiting:
        query = query.where(InitiativeLink.state != ADDED)
    rows = session.scalars(query).all()
    others = {
        i.id: i
        for i in session.scalars(
            select(Initiative).where(
                Initiative.id.in_({r.to_id for r in rows} | {r.from_id for r in rows})
            )
        )
    }
    found = []
    for row in rows:
        outgoing = row.from_id == initiative.id
        other = others.get(row.to_id if outgoing else row.from_id)
        if other is not None and other.id != initiative.id and visible(other):
            found.append(Related(row, other, outgoing))
    order = {code: n for n, code in enumerate(vocab.LINK_TYPE.codes)}
    return sorted(found, key=lambda r: (order.get(r.link.kind, 99), not r.outgoing,
                                        r.other.title.casefold()))  # fmt: skip


def linked_query(kind: str):
    """Ids of published records with a link of `kind`, either way, to a published record."""
    one, two = aliased(Initiative), aliased(Initiative)
    both_public = and_(one.status == PUBLIC_STATUS, two.status == PUBLIC_STATUS)
    base = (
        select(InitiativeLink.from_id, InitiativeLink.to_id)
        .join(one, one.id == InitiativeLink.from_id)
        .join(two, two.id == InitiativeLink.to_id)
        .where(InitiativeLink.kind == kind, InitiativeLink.state != ADDED, both_public)
    )
    return base


def linked_ids(session: Session, kind: str) -> set[int]:
    found: set[int] = set()
    for from_id, to_id in session.execute(linked_query(kind)):
        found.update((from_id, to_id))
    return found


def linked_subquery(kind: str):
    """linked_ids as a subquery, for SQL filters (catalogue.apply_filters)."""
    pairs = linked_query(kind).subquery()
    return select(pairs.c.from_id).union(select(pairs.c.to_id))


def to_record(
    found: Related, label: str, other_url: str, *, manager: bool = False
) -> dict[str, Any]:
    """A link as the API gives it (shapes.Link): `label` is what the other record is to this
    one, in the reader's language; `other_url` the other record's page; `manager`: with its
    review state (owners and curators)."""
    extra = {"state": found.link.state} if manager else {}
    return {
        **extra,
        "id": found.link.id,
        "kind": found.link.kind,
        "from_id": found.link.from_id,
        "to_id": found.link.to_id,
        "direction": "outgoing" if found.outgoing else "incoming",
        "label": label,
        "other": {"id": found.other.id, "title": found.other.title, "url": other_url},
        "created_at": iso(found.link.created_at),
    }


# --- Exports and imports (issue 16) -------------------------------------------------------


def public_from(session: Session, ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The links made from each of these records to a published record, both ends published
    (what an export carries: each link once, on the record it was made from), as
    `{"kind", "target"}` by record id, in the vocabulary's order then by target: one query."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    one, two = aliased(Initiative), aliased(Initiative)
    rows = session.execute(
        select(InitiativeLink.from_id, InitiativeLink.kind, InitiativeLink.to_id)
        .join(one, one.id == InitiativeLink.from_id)
        .join(two, two.id == InitiativeLink.to_id)
        .where(InitiativeLink.from_id.in_(wanted), InitiativeLink.state != ADDED,
               one.status == PUBLIC_STATUS, two.status == PUBLIC_STATUS)
    )  # fmt: skip
    order = {code: n for n, code in enumerate(vocab.LINK_TYPE.codes)}
    found: dict[int, list[dict[str, Any]]] = {}
    for from_id, kind, to_id in sorted(rows, key=lambda r: (order.get(r[1], 99), r[2])):
        found.setdefault(from_id, []).append({"kind": kind, "target": to_id})
    return found
