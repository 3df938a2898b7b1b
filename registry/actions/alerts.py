"""Saved searches: a person saves, changes and deletes their own; the command line sends a
digest (queued in the outbox in the same transaction as the record of it); anyone holding a
digest's signed unsubscribe link stops it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from .. import alerts, mail
from ..accounts import Principal
from ..messages import msg
from ..models import SavedSearch, User, utcnow
from ..schemas import ValidationFailed
from .authority import may_manage_accounts
from .errors import Forbidden
from .guard import action, permit


class SavedSearchNotFound(LookupError):
    """No such saved search among the principal's."""


def _own(session: Session, principal: Principal | None, search_id: int, name: str) -> SavedSearch:
    """The principal's own saved search, locked; NotFound for anybody else's (no oracle)."""
    if principal is None or principal.id is None:
        raise Forbidden(name, msg("sign in to keep searches"))
    found = session.get(SavedSearch, search_id, with_for_update=True) if search_id < 2**31 else None
    if found is None or found.user_id != principal.id:
        raise SavedSearchNotFound(search_id)
    permit(name)
    return found


@action("save_search")
def save_search(
    session: Session, principal: Principal, name: str, query: str, digest: str = "none"
) -> SavedSearch:
    """Keep the search (its filters) under a name, with its private feed and digest setting."""
    if principal is None or principal.id is None:
        raise Forbidden("save_search", msg("sign in to keep searches"))
    user = session.get(User, principal.id, with_for_update=True)
    if user is None or not user.active:
        raise Forbidden("save_search", msg("sign in to keep searches"))
    permit("save_search")
    name, query, digest = alerts.clean(name, query, digest)
    count = session.scalar(select(func.count()).where(SavedSearch.user_id == user.id)) or 0
    if count >= alerts.MAX_SEARCHES:
        raise ValidationFailed(
            {"name": [str(msg("at most %(limit)s saved searches", limit=alerts.MAX_SEARCHES))]}
        )
    saved = SavedSearch(user_id=user.id, name=name, query=query, digest=digest,
                        feed_token=alerts.new_token(), last_digest_at=utcnow())  # fmt: skip
    session.add(saved)
    return saved


@action("update_saved_search")
def update_saved_search(
    session: Session, principal: Principal, search_id: int, name: str, digest: str
) -> SavedSearch:
    saved = _own(session, principal, search_id, "update_saved_search")
    saved.name, _query, saved.digest = alerts.clean(name, saved.query, digest)
    return saved


@action("delete_saved_search")
def delete_saved_search(session: Session, principal: Principal, search_id: int) -> None:
    session.delete(_own(session, principal, search_id, "delete_saved_search"))


@action("stop_digest")
def stop_digest(session: Session, search_id: int) -> SavedSearch | None:
    """The digest's signed unsubscribe link was followed: no more digests for this search.
    The caller has checked the link's signature, which is the permission here."""
    permit("stop_digest")
    saved = session.get(SavedSearch, search_id, with_for_update=True) if search_id < 2**31 else None
    if saved is not None:
        saved.digest = "none"
    return saved


@action("send_digest")
def send_digest(
    session: Session,
    principal: Principal,
    search_id: int,
    digest: alerts.Digest | None,
    now: datetime,
) -> bool:
    """Queue the digest (None: nothing new) and mark the period as covered; False when the
    search is not due any more (another run sent this period's digest)."""
    if not may_manage_accounts(principal):
        raise Forbidden("send_digest", msg("only the command line sends digests"))
    permit("send_digest")
    saved = session.get(SavedSearch, search_id, with_for_update=True)
    if saved is None or not alerts.is_due(saved, now):
        return False
    owner = session.get(User, saved.user_id)
    if digest is not None and owner is not None and owner.active:
        mail.queue(session, kind="digest", to=owner.email, subject=digest.subject,
                   body=digest.body, headers=digest.headers)  # fmt: skip
    saved.last_digest_at = now
    return True
