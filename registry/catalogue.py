"""Public reads straight from the database: structured filters and home-page figures.

Never returns unpublished records: every query starts from `initiatives.public_query()`.
"""

from __future__ import annotations

from sqlalchemy import Select, distinct, func, select
from sqlmodel import Session

from . import completeness, links
from .filters import Filters
from .initiatives import PUBLIC_STATUS, public_query
from .models import Initiative, InitiativeTag, InitiativeTerm


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
    if filters.completeness:  # case records (issue 16)
        low, high = completeness.bounds(filters.completeness)
        query = query.where(Initiative.completeness.between(low, high))
    if filters.link:
        query = query.where(Initiative.id.in_(links.linked_subquery(filters.link)))
    return query


_NEWEST = (Initiative.published_at.desc(), Initiative.id.desc())


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


def count(session: Session, filters: Filters) -> int:
    """How many published initiatives match the structured filters (not the text query)."""
    query = apply_filters(public_query(), filters)
    return session.scalar(select(func.count()).select_from(query.subquery()))


def latest(session: Session, limit: int = 6) -> list[Initiative]:
    return list(session.scalars(public_query().order_by(*_NEWEST).limit(limit)))
