"""Full-text, faceted search over published initiatives, following the database's change log.

Knows nothing of Flask. A process holds one `SearchIndex` per index folder; `create_app` keeps
it in `app.extensions["search"]`. A view, API handler or CLI command gets it with
`registry.extensions.search_index()` (current app) and passes it with a session:

    from registry import search
    from registry.extensions import db, search_index
    from registry.filters import parse_filters

    filters = parse_filters(request.args)
    page = search.search(search_index(), db(), filters)         # one page, facets, suggestion
    ids = search.matching_ids(search_index(), db(), filters)    # every match, in sort order

Both catch the index up with the database first; neither ever returns an unpublished record.
`similar(index, session, initiative)` gives alike records with why; `highlighted(initiative,
q)` marks what a search looked for in a record's texts (its page, reached from the search).
Both raise `SearchUnavailable` when the index cannot be used (missing, unreadable, being
rebuilt); callers answer 503 (registry.web turns it into a page or the API's JSON error).
Outside a request use `search_index(app)` and a `registry.db.read_session(engine)`.
"""

from .highlights import record as highlighted
from .indexing import Drift, bulk_index, catch_up, check, published_count, rebuild
from .querying import Hit, SearchResult, follow, matching_ids, search
from .similar import Similar, similar
from .store import FORMAT, INDEX_ERRORS, IndexBusy, SearchIndex, SearchUnavailable

__all__ = [
    "FORMAT",
    "INDEX_ERRORS",
    "Drift",
    "Hit",
    "IndexBusy",
    "SearchIndex",
    "SearchResult",
    "SearchUnavailable",
    "Similar",
    "bulk_index",
    "catch_up",
    "check",
    "follow",
    "highlighted",
    "matching_ids",
    "published_count",
    "rebuild",
    "search",
    "similar",
]
