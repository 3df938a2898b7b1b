"""Public browsing straight from the database: filters without a text query, home-page figures.

Never returns unpublished records: every query starts from `initiatives.public_query()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, distinct, func, select
from sqlmodel import Session

from .filters import Filters
from .initiatives import PUBLIC_STATUS, public_query
from .models import Initiative, InitiativeTag, InitiativeTerm


@dataclass
class Page:
    items: list[Initiative]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def apply_filters(query: Select, filters: Filters) -> Select:
    """Narrow a query over Initiative by every structured filter (not the text query)."""
    if filters.country:
        query = query.where(Initiative.country.in_(filters.country))
    if filters.sector:
        query = query.where(Initiative.sector.in_(filters.sector))
    if filters.maturity:
        query = query.where(Initiative.maturity == filters.maturity)
    if filters.evidence_level:
        query = query.where(Initiative.evidence_level == filters.evidence_level)
    if filters.language:
        query = query.where(Initiative.language == filters.language)
    for stage in filters.stage:
        query = query.where(
            Initiative.id.in_(
                select(InitiativeTerm.initiative_id).where(
                    InitiativeTerm.field == "stages", InitiativeTerm.code == stage
                )
            )
        )
    for tag in filters.tag:
        query = query.where(
            Initiative.id.in_(select(InitiativeTag.initiative_id).where(InitiativeTag.tag == tag))
        )
    if filters.year_from:
        query = query.where(Initiative.start_year >= filters.year_from)
    if filters.year_to:
        query = query.where(Initiative.start_year <= filters.year_to)
    return query


_ORDER = {
    "newest": (Initiative.published_at.desc(), Initiative.id.desc()),
    "year": (Initiative.start_year.desc(), Initiative.id.desc()),
    "title": (Initiative.title, Initiative.id),
}


def browse(session: Session, filters: Filters) -> Page:
    """One page of published initiatives matching the structured filters."""
    query = apply_filters(public_query(), filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = _ORDER.get(filters.effective_sort, _ORDER["newest"])
    items = session.scalars(
        query.order_by(*order).offset((filters.page - 1) * filters.per_page).limit(filters.per_page)
    ).all()
    return Page(list(items), total, filters.page, filters.per_page)


def overview(session: Session) -> dict[str, int]:
    """Headline figures for the home page, over published initiatives only."""
    published = Initiative.status == PUBLIC_STATUS
    row = session.execute(
        select(
            func.count(),
            func.count(distinct(Initiative.country)),
            func.count().filter(Initiative.maturity == "integrated"),
        ).where(published)
    ).one()
    return {"initiatives": row[0], "countries": row[1], "integrated": row[2]}


def latest(session: Session, limit: int = 6) -> list[Initiative]:
    return list(session.scalars(public_query().order_by(*_ORDER["newest"]).limit(limit)))
