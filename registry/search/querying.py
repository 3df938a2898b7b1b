"""Searching: text query and filters to ordered published ids, facets, snippets, suggestion.

Every hit is re-checked against the database before it is shown: the index only ever holds
published records, but a record unpublished a moment ago may not have left it yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlmodel import Session
from whoosh.searching import Searcher

from .. import initiatives, links, markdown
from ..filters import Filters
from ..initiatives import Summary, published_summaries
from ..models import Initiative
from . import facets, highlights, parsing, ranking, suggest
from .analysis import NEUTRAL, analysis_language
from .columns import CODEBOOKS, Columns
from .evaluate import Evaluator
from .indexing import catch_up
from .store import INDEX_ERRORS, SearchIndex, SearchUnavailable

PUBLIC = initiatives.PUBLIC_STATUS
# Below this many results a "did you mean" correction is looked for.
SUGGEST_BELOW = 3
# Seconds of indexing a search request may spend on a backlog (a bulk import, a lost index):
# the rest is left to the next requests, well inside a worker's timeout.
CATCH_UP_BUDGET = 2.0

log = logging.getLogger(__name__)


@dataclass
class Hit:
    initiative: Summary
    highlights: dict[str, str] = field(default_factory=dict)
    all_words: bool = True  # matches every word of the query (False: only some of them)


@dataclass
class SearchResult:
    filters: Filters
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    stale: bool = False  # the index could not take the latest changes (see `follow`)
    # Of `total`, how many match every word; None when the query has fewer than two words.
    all_words_total: int | None = None

    @property
    def partial(self) -> bool:
        """Some results match only some of the query's words."""
        return self.all_words_total is not None and self.all_words_total < self.total

    @property
    def page(self) -> int:
        return self.filters.page

    @property
    def per_page(self) -> int:
        return self.filters.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def items(self) -> list[Summary]:
        return [h.initiative for h in self.hits]


def follow(index: SearchIndex, session: Session) -> bool:
    """Whether the index holds every change of the database; in a process without a follower,
    bring it up to the database first (a no-op when it is current).

    With a follower (`registry serve`, registry.wsgi) a search never writes: it reads the last
    committed index and returns False while the follower has changes to apply.

    When another process holds the write lock, it is applying the same changes: search the
    last committed index now; a later request catches up. When the folder cannot be written
    (read-only, full disk), or the backlog is longer than CATCH_UP_BUDGET allows, searches go
    on from the last committed index: returns False then. Raises SearchUnavailable when there
    is no usable index: missing, or still replaying the change log into an empty one.
    """
    latest = initiatives.latest_change(session)
    name = index.current_generation()
    applied = index.applied_seq(name) if name else 0
    current = True
    if index.follower is not None:
        # The process's follower (follower.py) applies the change log: only read the last
        # committed index, and say when it is behind.
        current = applied >= latest
    elif name is None or applied < latest:
        done = None
        try:
            done = catch_up(index, session, timeout=0.3, budget=CATCH_UP_BUDGET)
        except INDEX_ERRORS as exc:
            log.warning(
                "the search index in %s cannot take new changes (%s); if this lasts, run "
                "`registry index rebuild`", index.folder, exc,
            )  # fmt: skip
            current = False
        name = index.current_generation()
        applied = index.applied_seq(name) if name else 0
        if done is not None and applied < latest:
            current = False  # a backlog longer than the budget: the next requests go on with it
    if name is None:
        raise SearchUnavailable(f"no search index in {index.folder}")
    if index.filling(name) or (applied == 0 and latest > 0):
        raise SearchUnavailable("the search index is being rebuilt")
    return current


def _languages(cols: Columns, live: np.ndarray) -> tuple[str, ...]:
    """The analysis languages present in the index: a query is parsed once for each."""
    if cols.languages is None:
        book = CODEBOOKS["language"]
        present = np.unique(cols.coded["language"][live])
        found = {analysis_language(book.values[c]) for c in present if book.values[c]}
        cols.languages = tuple(sorted(found)) or (NEUTRAL,)
    return cols.languages


@dataclass
class _Matches:
    order: np.ndarray  # document numbers in result order (all, or the first `needed`)
    total: int
    parsed: parsing.Parsed | None
    base: np.ndarray  # live documents matching the text query
    masks: dict[str, np.ndarray]  # one per structured filter
    matched: np.ndarray | None = None  # concepts each document matches (plain words only)
    all_words_total: int | None = None


def _text(
    evaluator: Evaluator, cols: Columns, parsed: parsing.Parsed, languages: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(documents matching, their scores, concepts matched by each) for a parsed query."""
    matching = cols.live.copy()
    scores = np.zeros(cols.size, dtype=np.float32)
    matched = None
    if parsed.strict:
        strict = np.zeros(cols.size, dtype=bool)
        for language, tree in parsed.trees.items():
            tree = parsing.limit_prefixes(tree, evaluator.reader)
            docs = cols.analysed_in(language)
            strict |= docs & evaluator.mask(tree, language)
            scores += docs * evaluator.scores(tree, language=language)
        matching &= strict
    if parsed.concepts:
        concept_scores, matched = evaluator.concepts(parsed.concepts, languages)
        matching &= matched >= ranking.minimum_should_match(len(parsed.concepts))
        scores += concept_scores
    return matching, scores, matched


def _match(
    searcher: Searcher, cols: Columns, filters: Filters, needed: int | None, q: str | None = None,
    linked: set[int] | None = None,
) -> _Matches:  # fmt: skip
    q = filters.q if q is None else q
    base = cols.live.copy()
    parsed = scores = matched = None
    evaluator = Evaluator(searcher, cols)
    if q:
        languages = _languages(cols, cols.live)
        parsed = parsing.parse(q, languages)
        if parsed is not None:
            matching, scores, matched = _text(evaluator, cols, parsed, languages)
            base &= matching
    masks = facets.filter_masks(evaluator, cols, filters, linked)
    final = facets.combine(base, masks)
    total = int(np.count_nonzero(final))
    all_words_total = None
    if parsed is not None and matched is not None and len(parsed.concepts) >= 2:
        all_words_total = int(np.count_nonzero(final & (matched == len(parsed.concepts))))
    sort = filters.effective_sort
    docs = np.flatnonzero(final)
    ids = cols.ids[docs]
    if needed == 0:
        order = np.zeros(0, dtype=np.int64)
    elif sort == "relevance" and scores is not None:
        order = docs[np.lexsort((-ids, -scores[docs]))]
        if needed is not None:
            order = order[:needed]
    else:
        if sort == "title":
            keys: tuple = (ids, cols.title_rank()[docs])
        elif sort == "year":
            keys = (-ids, -cols.numbers["start_year"][docs])
        else:  # newest, and relevance without a text query
            keys = (-ids, -cols.numbers["published"][docs])
        order = docs[np.lexsort(keys)]
        if needed is not None:
            order = order[:needed]
    return _Matches(order, total, parsed, base, masks, matched, all_words_total)


def _fully(matches: _Matches) -> int:
    """How many records match everything the query asks (every word, when it has several)."""
    return matches.total if matches.all_words_total is None else matches.all_words_total


def search(index: SearchIndex, session: Session, filters: Filters) -> SearchResult:
    """One page of published initiatives matching `filters`, with facets and a suggestion."""
    current = follow(index, session)
    offset = (filters.page - 1) * filters.per_page
    suggestion = None
    linked = links.linked_ids(session, filters.link) if filters.link else None
    with index.reading() as (searcher, cols):
        matches = _match(searcher, cols, filters, offset + filters.per_page, linked=linked)
        counts = facets.counts(cols, matches.base, matches.masks)
        docs = matches.order[offset:]
        ids = cols.ids[docs].tolist()
        concepts = len(matches.parsed.concepts) if matches.parsed else 0
        counted = matches.matched[docs] if matches.matched is not None else ()
        partial = {int(i): bool(n < concepts) for i, n in zip(ids, counted, strict=False)}
        if filters.q and _fully(matches) < SUGGEST_BELOW:
            corrected = suggest.corrected(index.spelling(), parsing.clean(filters.q))
            if corrected and _fully(
                _match(searcher, cols, filters, 0, q=corrected, linked=linked)
            ) > _fully(matches):
                suggestion = corrected
    wanted = (
        {lang: highlights.wanted(matches.parsed, lang) for lang in cols.languages or ()}
        if matches.parsed
        else {}
    )
    hits = []
    for row in published_summaries(session, ids):
        found = wanted.get(analysis_language(row.language))
        all_words = not partial.get(row.id, False)
        if not found:  # browsing, or nothing to mark in this record's language
            hits.append(Hit(row, all_words=all_words))
            continue
        texts = {n: getattr(row, n) for n in highlights.SNIPPET_FIELDS}
        texts["description"] = markdown.plain(row.description)
        hits.append(Hit(row, highlights.snippets(texts, row.language, found), all_words))
    return SearchResult(
        filters, matches.total, hits, counts, suggestion, stale=not current,
        all_words_total=matches.all_words_total,
    )  # fmt: skip


def matching_ids(index: SearchIndex, session: Session, filters: Filters) -> list[int]:
    """Every published id matching `filters` (text query included), in the filters' order.

    For exports, feeds and the comparison view; ignores page and per_page.
    """
    follow(index, session)
    linked = links.linked_ids(session, filters.link) if filters.link else None
    with index.reading() as (searcher, cols):
        order = _match(searcher, cols, filters, None, linked=linked).order
        ids = cols.ids[order].tolist()
    published = set(session.scalars(select(Initiative.id).where(Initiative.status == PUBLIC)))
    return [i for i in ids if i in published]
