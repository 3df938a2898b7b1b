"""Full-text, faceted search over published initiatives, following the database's change log.

Knows nothing of Flask. A process holds one `SearchIndex` per index folder (the web app keeps
it in `app.extensions["search"]`; views get it with `registry.app.search_index()`), and passes
it with a database session to the functions below.
"""

from .indexing import Drift, bulk_index, catch_up, check, is_behind, rebuild
from .querying import Hit, SearchResult, follow, matching_ids, search
from .similar import similar
from .store import IndexBusy, SearchIndex

__all__ = [
    "Drift",
    "Hit",
    "IndexBusy",
    "SearchIndex",
    "SearchResult",
    "bulk_index",
    "catch_up",
    "check",
    "follow",
    "is_behind",
    "matching_ids",
    "rebuild",
    "search",
    "similar",
]
