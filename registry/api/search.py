"""`GET /api/v1/initiatives`: search and browse published initiatives (api.md, "Search")."""

from __future__ import annotations

from flask import request

from .. import search, shapes
from ..extensions import db, search_index
from ..filters import parse_filters
from ..security import public
from .blueprint import bp
from .initiatives import with_url

RESULT_FIELDS = (
    "id", "slug", "title", "summary", "language", "country", "sector", "stages", "maturity",
    "start_year", "evidence_level", "tags",
)  # fmt: skip


def _result(hit: search.Hit) -> dict:
    i = hit.initiative
    record = {
        name: (i.codes(name) if name == "stages" else getattr(i, name)) for name in RESULT_FIELDS
    }
    return {**with_url(record), "highlights": hit.highlights, "all_words": hit.all_words}


@bp.get("/initiatives")
@public
def search_initiatives():
    filters = parse_filters(request.args)
    result = search.search(search_index(), db(), filters)
    answer = {
        "query": filters.as_dict(),
        "total": result.total,
        "page": filters.page,
        "per_page": filters.per_page,
        "results": [_result(hit) for hit in result.hits],
        "facets": result.facets,
        "suggestion": result.suggestion,
        "all_words_total": result.all_words_total,
        "index_behind": result.stale,
    }
    return shapes.dump(shapes.SearchResponse, answer)
