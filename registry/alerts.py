"""Saved searches and their alerts: which searches are due a digest, which published records
are new to one, and the digest's text in its owner's language.

A saved search keeps its filters as a query string (what the search page's address says, less
the page, page size and order). Its digest lists the published records matching it that were
published or updated since the period its last digest covered; a search gets at most one digest
per period (`PERIODS`), and none when nothing is new. Sending is `registry mail digests`
(queueing, through the action `send_digest`) and `registry mail send` (delivery): never a web
request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import or_, select
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from . import citations, initiatives
from .catalogue import apply_filters
from .filters import Filters, parse_filters
from .messages import msg, translate
from .models import Initiative, SavedSearch, User
from .schemas import ValidationFailed, text_problem

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
DIGESTS = ("none", *PERIODS)
MAX_NAME = 200
MAX_QUERY = 2000
MAX_SEARCHES = 100  # per person
MAX_LISTED = 50  # records named in one digest; the rest are counted
LEFT_OUT = ("page", "per_page", "sort")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def canonical_query(filters: Filters) -> str:
    """The filters as the query string a saved search keeps."""
    return urlencode([(k, v) for k, v in filters.to_args() if k not in LEFT_OUT])


def filters_of(saved: SavedSearch) -> Filters:
    return parse_filters(MultiDict(parse_qsl(saved.query)))


def clean(name: object, query: object, digest: object) -> tuple[str, str, str]:
    """A saved search's name, query and digest, checked; ValidationFailed lists every problem."""
    fields: dict[str, list[str]] = {}
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not name:
        fields["name"] = [str(msg("give the search a name"))]
    elif len(name) > MAX_NAME:
        fields["name"] = [str(msg("at most %(limit)s characters", limit=MAX_NAME))]
    elif (problem := text_problem(name)) is not None:
        fields["name"] = [str(problem)]
    canonical = ""
    if not isinstance(query, str) or len(query) > MAX_QUERY:
        fields["query"] = [str(msg("at most %(limit)s characters", limit=MAX_QUERY))]
    else:
        try:
            canonical = canonical_query(parse_filters(MultiDict(parse_qsl(query))))
        except ValueError as exc:
            fields["query"] = [str(exc)]
    if digest not in DIGESTS:
        fields["digest"] = [str(msg("choose never, daily or weekly"))]
    if fields:
        raise ValidationFailed(fields)
    return name, canonical, str(digest)


def of_user(session: Session, user_id: int) -> list[SavedSearch]:
    return list(
        session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user_id).order_by(SavedSearch.id)
        )
    )


def by_token(session: Session, token: str) -> SavedSearch | None:
    if not 20 <= len(token) <= 64:
        return None
    return session.scalars(select(SavedSearch).where(SavedSearch.feed_token == token)).first()


def is_due(saved: SavedSearch, now: datetime) -> bool:
    period = PERIODS.get(saved.digest)
    if period is None:
        return False
    return saved.last_digest_at is None or now - _aware(saved.last_digest_at) >= period


def due(session: Session, now: datetime) -> list[SavedSearch]:
    """Searches whose owners want a digest and whose period has passed (active accounts)."""
    rows = session.scalars(
        select(SavedSearch)
        .join(User, User.id == SavedSearch.user_id)
        .where(SavedSearch.digest.in_(tuple(PERIODS)), User.active.is_(True))
        .order_by(SavedSearch.id)
    )
    return [s for s in rows if is_due(s, now)]


def since(saved: SavedSearch) -> datetime:
    """The start of what the next digest covers."""
    return _aware(saved.last_digest_at or saved.created_at)


def new_matches(
    session: Session, saved: SavedSearch, start: datetime, end: datetime, ids: list[int] | None
) -> list[Initiative]:
    """Published records matching the search whose latest published version (a publication, or
    a published change) is from [start, end), newest first. `ids`: the records a text query
    matched (the search index answers `q`)."""
    query = apply_filters(initiatives.public_query(), filters_of(saved)).where(
        or_(
            (Initiative.published_at >= start) & (Initiative.published_at < end),
            (Initiative.updated_at >= start) & (Initiative.updated_at < end),
        )
    )
    if ids is not None:
        query = query.where(Initiative.id.in_(ids))
    query = query.order_by(Initiative.updated_at.desc(), Initiative.id.desc())
    # `updated_at` also moves with changes the public does not see (an owner's edit waiting
    # for review): keep the records whose latest published version is from the period.
    found = []
    for initiative in session.scalars(query):
        published = citations.versions(session, initiative)
        if published and start <= published[-1].published < end:
            found.append(initiative)
    return found


@dataclass
class Digest:
    subject: str
    body: str
    headers: dict[str, str]


def compose(
    saved: SavedSearch,
    records: list[tuple[str, str]],
    start: datetime,
    locale: str,
    *,
    search_url: str,
    feed_url: str,
    unsubscribe_url: str,
) -> Digest:
    """The digest e-mail: each new record's title and address, the search, its feed and the
    link that stops these e-mails (also in the List-Unsubscribe header)."""

    def t(text) -> str:
        return translate(text, locale)

    subject = t(msg("New in your saved search “%(name)s”", name=saved.name))
    lines = [
        t(msg("Published or updated since %(date)s and matching your saved search “%(name)s”:",
              date=start.strftime("%Y-%m-%d"), name=saved.name)),
        "",
    ]  # fmt: skip
    for title, url in records[:MAX_LISTED]:
        lines += [f"- {title}", f"  {url}"]
    if len(records) > MAX_LISTED:
        lines.append(t(msg("… and %(count)s more.", count=len(records) - MAX_LISTED)))
    lines += [
        "",
        t(msg("The search: %(url)s", url=search_url)),
        t(msg("Its feed: %(url)s", url=feed_url)),
        "",
        t(msg("Stop these e-mails (one click): %(url)s", url=unsubscribe_url)),
    ]
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        "Auto-Submitted": "auto-generated",
    }
    return Digest(subject, "\n".join(lines) + "\n", headers)
