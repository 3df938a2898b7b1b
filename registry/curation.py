"""What the curators' list of case records reads (issue 16): published records not confirmed
accurate for two years, and the least complete published records. Reads only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session

from .initiatives import public_query
from .models import Initiative

# A record not confirmed for this long is marked on its page and listed for curators.
STALE_AFTER = timedelta(days=730)


def verified_on(initiative: Initiative) -> datetime | None:
    """When the record was last known accurate: its last confirmation, else its publication
    (a curator reviewed it then)."""
    moment = initiative.last_verified_at or initiative.published_at
    if moment is not None and moment.tzinfo is None:  # SQLite gives naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment


def is_stale(initiative: Initiative, now: datetime | None = None) -> bool:
    moment = verified_on(initiative)
    now = now or datetime.now(UTC)
    return moment is not None and now - moment > STALE_AFTER


def unverified(session: Session, limit: int = 200, now: datetime | None = None):
    """Published records not confirmed for STALE_AFTER, longest first."""
    cutoff = (now or datetime.now(UTC)) - STALE_AFTER
    known = func.coalesce(Initiative.last_verified_at, Initiative.published_at)
    query = public_query().where(known < cutoff).order_by(known, Initiative.id).limit(limit)
    return list(session.scalars(query))


def least_complete(session: Session, limit: int = 50) -> list[Initiative]:
    """The least complete published records, lowest score first."""
    query = public_query().order_by(Initiative.completeness, Initiative.id).limit(limit)
    return list(session.scalars(query))
