"""Boolean evaluation and scoring of a parsed query with numpy, straight from posting blocks.

Whoosh's matchers walk postings one document at a time in Python: fine for the top hits of a
rare word, far too slow to list every match of a common one or to intersect it with filters.
Here each term's postings are read a block at a time into arrays (cached per index
generation), AND/OR/NOT become array operations, and relevance is a BM25-style sum of
saturated term frequencies times idf times the field's weight (no length normalisation: the
field weights already favour short fields). Phrases and anything unusual fall back to Whoosh.
"""

from __future__ import annotations

import math

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from .columns import Columns

K1 = 1.2
TERM_CACHE_SIZE = 4096


class Evaluator:
    def __init__(self, searcher: Searcher, cols: Columns):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.size = cols.size
        self.cache = cols.term_cache
        self.total = max(1, int(np.count_nonzero(cols.live)))
        self._positional: dict[wq.Query, np.ndarray] = {}  # matching and scoring share them

    # --- postings ------------------------------------------------------------------------

    def postings(self, field: str, text) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and term frequencies of one term (deleted documents included)."""
        key = (field, text)
        found = self.cache.get(key)
        if found is not None:
            return found
        docs, freqs = [], []
        if field in self.schema:
            for leaf, offset in self.reader.leaf_readers():
                if (field, text) not in leaf:
                    continue
                matcher = leaf.postings(field, text)
                matcher = getattr(matcher, "child", matcher)  # deletions: the live mask applies
                while matcher.is_active():
                    if matcher._ids is None:
                        matcher._read_ids()
                    if matcher._weights is None:
                        matcher._read_weights()
                    docs.append(np.asarray(matcher._ids, dtype=np.int64) + offset)
                    freqs.append(np.asarray(matcher._weights, dtype=np.float32))
                    matcher._next_block()
        result = (
            (np.concatenate(docs), np.concatenate(freqs))
            if docs
            else (np.zeros(0, np.int64), np.zeros(0, np.float32))
        )
        if len(self.cache) >= TERM_CACHE_SIZE:
            self.cache.clear()
        self.cache[key] = result
        return result

    def _expand(self, q: wq.Prefix) -> list:
        return list(self.reader.expand_prefix(q.fieldname, q.text))

    # --- matching ------------------------------------------------------------------------

    def mask(self, q: wq.Query) -> np.ndarray:
        """Documents matching `q` (the caller intersects with the live documents)."""
        out = np.zeros(self.size, dtype=bool)
        if isinstance(q, wq.Term):
            out[self.postings(q.fieldname, q.text)[0]] = True
        elif isinstance(q, wq.Prefix):
            for word in self._expand(q):
                out[self.postings(q.fieldname, word)[0]] = True
        elif isinstance(q, wq.And):
            out[:] = True
            for child in q.subqueries:
                out &= self.mask(child)
        elif isinstance(q, wq.Or):
            for child in q.subqueries:
                out |= self.mask(child)
        elif isinstance(q, wq.Not):
            out = ~self.mask(q.query)
        elif isinstance(q, wq.AndNot):
            out = self.mask(q.a) & ~self.mask(q.b)
        elif isinstance(q, wq.AndMaybe):
            out = self.mask(q.a)
        elif isinstance(q, wq.Every):
            out[:] = True
        elif q is wq.NullQuery:
            pass
        else:  # phrases and the like need positions: let Whoosh find them, once per query
            found = self._positional.get(q)
            if found is None:
                found = np.fromiter(self.searcher.docs_for_query(q), np.int64)
                self._positional[q] = found
            out[found] = True
        return out

    # --- scoring -------------------------------------------------------------------------

    def _idf(self, docfreq: int) -> float:
        return math.log(1 + (self.total - docfreq + 0.5) / (docfreq + 0.5))

    def _weight(self, field: str) -> float:
        return float(getattr(self.schema[field], "field_boost", 1.0)) if field in self.schema else 1

    def _add_term(self, scores: np.ndarray, field: str, text, boost: float) -> None:
        docs, freqs = self.postings(field, text)
        if not len(docs):
            return
        factor = boost * self._weight(field) * self._idf(len(docs))
        scores[docs] += factor * freqs * (K1 + 1) / (freqs + K1)

    def scores(self, q: wq.Query, out: np.ndarray | None = None) -> np.ndarray:
        """Relevance of every document for the positive parts of `q`."""
        if out is None:
            out = np.zeros(self.size, dtype=np.float32)
        boost = float(getattr(q, "boost", 1.0))
        if isinstance(q, wq.Term):
            self._add_term(out, q.fieldname, q.text, boost)
        elif isinstance(q, wq.Prefix):
            for word in self._expand(q):
                self._add_term(out, q.fieldname, word, boost * 0.5)
        elif isinstance(q, (wq.And, wq.Or)):
            for child in q.subqueries:
                self.scores(child, out)
        elif isinstance(q, (wq.AndNot, wq.AndMaybe)):
            self.scores(q.a, out)
            if isinstance(q, wq.AndMaybe):
                self.scores(q.b, out)
        elif isinstance(q, wq.Phrase):
            words = [self.postings(q.fieldname, w)[0] for w in q.words]
            idf = sum(self._idf(len(d)) for d in words)
            out += self.mask(q) * (2.0 * boost * self._weight(q.fieldname) * idf)
        elif isinstance(q, wq.Not) or q is wq.NullQuery:
            pass
        else:
            out += self.mask(q)
        return out
