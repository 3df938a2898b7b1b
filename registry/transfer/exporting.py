"""Exports: which published initiatives, in which order, as CSV or JSON streamed in chunks.

Every selection starts from `initiatives.public_query()`, so drafts never leave the registry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlmodel import Session

from .. import initiatives, links, translations
from ..catalogue import apply_filters
from ..filters import Filters
from ..media import reading
from ..models import Initiative, Media
from ..schemas import iso
from . import CITATION, LICENCE, csv_format

BATCH = 500


def select_public(
    session: Session, filters: Filters, ids: list[int] | None, *, limit: int | None = None
) -> Iterator[Initiative]:
    """Published initiatives matching the structured filters, newest first, loaded in batches.

    `ids`, when given, are those a text query matched (the search index answers `q`); only
    they are kept. Never yields an unpublished record.
    """
    query = apply_filters(initiatives.public_query(), filters)
    if ids is not None:
        query = query.where(Initiative.id.in_(ids))
    query = query.order_by(Initiative.published_at.desc(), Initiative.id.desc()).limit(limit)
    yield from session.scalars(query.execution_options(yield_per=BATCH))


def records(
    selection: Iterable[Initiative],
    url: Callable[[Initiative], str],
    media_urls: Callable[[Media], tuple[str, str | None]] | None = None,
    session: Session | None = None,
) -> Iterator[dict[str, Any]]:
    """The contract's records, each with its page's `url`; with `media_urls` (the addresses of
    an item's file and thumbnail) and the session, also its public `media`, its `links` to
    published records (made from it) and its `translations` (one query each per batch of
    records). Files never travel in an export: only their addresses."""
    chosen = iter(selection)
    while batch := list(islice(chosen, BATCH)):
        found, linked, translated = {}, {}, {}
        if media_urls is not None and session is not None:
            ids = [i.id for i in batch]
            found = reading.public_by_record(session, ids)
            linked = links.public_from(session, ids)
            translated = translations.by_record(session, ids)
        for initiative in batch:
            record = {**initiatives.to_record(initiative), "url": url(initiative)}
            if media_urls is not None:
                items = found.get(initiative.id, [])
                record["media"] = [reading.to_record(m, *media_urls(m)) for m in items]
                record["links"] = linked.get(initiative.id, [])
                record["translations"] = [
                    translations.to_record(t) for t in translated.get(initiative.id, [])
                ]
            yield record


def metadata(filters: Filters, site_url: str, now: datetime | None = None) -> dict[str, Any]:
    """Licence, citation, time and filters: what travels with every export."""
    now = now or datetime.now(UTC)
    chosen = {k: v for k, v in filters.as_dict().items() if v not in (None, "", [])}
    for key in ("page", "per_page", "sort"):
        chosen.pop(key, None)
    return {
        "licence": LICENCE,
        "citation": CITATION.format(date=now.strftime("%Y-%m-%d"), url=site_url),
        "generated_at": iso(now),
        "filters": chosen,
    }


def json_chunks(meta: dict[str, Any], items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The JSON wrapper `{licence, citation, generated_at, filters, initiatives: [...]}`,
    one chunk per record so large exports stream."""
    head = json.dumps(meta, ensure_ascii=False)[:-1]
    yield head + ', "initiatives": ['
    for n, item in enumerate(items):
        yield ("," if n else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]}\n"


def csv_chunks(items: Iterable[dict[str, Any]], *, bom: bool = False) -> Iterator[str]:
    return csv_format.write_rows(items, bom=bom)
