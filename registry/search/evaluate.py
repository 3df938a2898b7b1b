"""Matching and scoring with numpy, straight from posting blocks.

Whoosh's matchers walk postings one document at a time in Python: fine for the top hits of a
rare word, far too slow to list every match of a common one or to intersect it with filters.
Here each term's postings are read a block at a time into arrays (cached per index
generation, whoosh_internals.py), and queries become array operations: Whoosh query trees for
explicit syntax (AND/OR/NOT, phrases, field:value), concepts for plain words (concepts.py).
Every weight and formula comes from ranking.py. Phrases need positions: Whoosh finds those.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from . import ranking, whoosh_internals
from .columns import Columns
from .concepts import Concept, Variant

TERM_CACHE_SIZE = 4096


class Evaluator:
    """Arrays over every document of one searcher's index for one request."""

    def __init__(self, searcher: Searcher, cols: Columns):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.cols = cols
        self.size = cols.size
        self.cache = cols.term_cache
        self.total = max(1, int(np.count_nonzero(cols.live)))
        # Positional matches by query and language: matching and scoring share them.
        self._positional: dict[tuple[wq.Query, str | None], np.ndarray] = {}
        self._terms: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # BM25F per analysed term

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
                for ids, weights in whoosh_internals.blocks(leaf, field, text):
                    docs.append(ids + offset)
                    freqs.append(weights)
        result = (
            (np.concatenate(docs), np.concatenate(freqs))
            if docs
            else (np.zeros(0, np.int64), np.zeros(0, np.float32))
        )
        if len(self.cache) >= TERM_CACHE_SIZE:
            self.cache.clear()
        self.cache[key] = result
        return result

    def _expand(self, field: str, prefix: str) -> list:
        return list(self.reader.expand_prefix(field, prefix))

    def _docfreq(self, docs: np.ndarray) -> int:
        return max(1, int(np.count_nonzero(self.cols.live[docs])))

    def _normalised(self, field: str, docs: np.ndarray, freqs: np.ndarray) -> np.ndarray:
        _weight, b = ranking.FIELDS[field]
        lengths = self.cols.numbers[f"length_{field}"][docs]
        return ranking.normalised(freqs, lengths, self.cols.average_length(field), b)

    # --- explicit syntax: Whoosh query trees -----------------------------------------------

    def mask(self, q: wq.Query, language: str | None = None) -> np.ndarray:
        """Documents matching `q` (the caller intersects with the live documents, and with
        those analysed in `language` when one is given: phrases are checked for those only)."""
        out = np.zeros(self.size, dtype=bool)
        if isinstance(q, wq.Term):
            out[self.postings(q.fieldname, q.text)[0]] = True
        elif isinstance(q, wq.Prefix):
            for word in self._expand(q.fieldname, q.text):
                out[self.postings(q.fieldname, word)[0]] = True
        elif isinstance(q, wq.And):
            out[:] = True
            for child in q.subqueries:
                out &= self.mask(child, language)
        elif isinstance(q, wq.Or):
            for child in q.subqueries:
                out |= self.mask(child, language)
        elif isinstance(q, wq.Not):
            out = ~self.mask(q.query, language)
        elif isinstance(q, wq.AndNot):
            out = self.mask(q.a, language) & ~self.mask(q.b, language)
        elif isinstance(q, wq.AndMaybe):
            out = self.mask(q.a, language)
        elif isinstance(q, wq.Every):
            out[:] = True
        elif q is wq.NullQuery:
            pass
        else:  # phrases and the like need positions: found once per query and language
            found = self._positional.get((q, language))
            if found is None:
                if isinstance(q, wq.Phrase) and q.slop == 1:
                    found = self._phrase(q, language)
                else:
                    found = np.fromiter(self.searcher.docs_for_query(q), np.int64)
                self._positional[(q, language)] = found
            out[found] = True
        return out

    def _phrase(self, q: wq.Phrase, language: str | None) -> np.ndarray:
        """Documents holding `q`'s words at consecutive positions (Whoosh's Phrase with slop
        1): the documents holding every word come from the cached postings, and only their
        positions are read (Whoosh's matcher steps through a common word's every posting)."""
        candidates = self.cols.live.copy()
        if language is not None:
            candidates &= self.cols.analysed_in(language)
        for word in q.words:
            holding = np.zeros(self.size, dtype=bool)
            holding[self.postings(q.fieldname, word)[0]] = True
            candidates &= holding
        docs = np.flatnonzero(candidates)
        if len(q.words) < 2 or not len(docs):
            return docs
        found = []
        for leaf, offset in self.reader.leaf_readers():
            local = docs[(docs >= offset) & (docs < offset + leaf.doc_count_all())] - offset
            # Where the phrase may start in each document, narrowed word by word.
            starts: list = [None] * len(local)
            for i, word in enumerate(q.words):
                at = whoosh_internals.positions(leaf, q.fieldname, word, local)
                if i == 0:
                    starts = [set(p or ()) for p in at]
                else:
                    starts = [
                        s.intersection([p - i for p in ps or ()])
                        for s, ps in zip(starts, at, strict=True)
                    ]
                kept = [j for j, s in enumerate(starts) if s]
                local, starts = local[kept], [starts[j] for j in kept]
                if not len(local):
                    break
            found.append(local + offset)
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def _add_field_term(self, scores: np.ndarray, field: str, text, boost: float) -> None:
        """One field's BM25 for one term: a `field:word`, or a word of an explicit query."""
        docs, freqs = self.postings(field, text)
        if not len(docs) or field not in ranking.FIELDS:
            if len(docs):  # a controlled field (sector:health): a match counts once
                scores[docs] += boost * ranking.idf(self._docfreq(docs), self.total)
            return
        weight, _b = ranking.FIELDS[field]
        tf = self._normalised(field, docs, freqs)
        idf = ranking.idf(self._docfreq(docs), self.total)
        scores[docs] += boost * weight * idf * ranking.saturation(tf)

    def scores(
        self, q: wq.Query, out: np.ndarray | None = None, language: str | None = None
    ) -> np.ndarray:
        """Relevance of every document for the positive parts of `q` (for the documents
        analysed in `language` only, when one is given)."""
        if out is None:
            out = np.zeros(self.size, dtype=np.float32)
        boost = float(getattr(q, "boost", 1.0))
        if isinstance(q, wq.Term):
            self._add_field_term(out, q.fieldname, q.text, boost)
        elif isinstance(q, wq.Prefix):
            for word in self._expand(q.fieldname, q.text):
                self._add_field_term(out, q.fieldname, word, boost * ranking.PREFIX)
        elif isinstance(q, (wq.And, wq.Or)):
            for child in q.subqueries:
                self.scores(child, out, language)
        elif isinstance(q, (wq.AndNot, wq.AndMaybe)):
            self.scores(q.a, out, language)
            if isinstance(q, wq.AndMaybe):
                self.scores(q.b, out, language)
        elif isinstance(q, wq.Phrase):
            words = [self.postings(q.fieldname, w)[0] for w in q.words]
            idf = sum(ranking.idf(self._docfreq(d) if len(d) else 0, self.total) for d in words)
            weight = ranking.FIELDS.get(q.fieldname, (1.0, 0))[0]
            out += self.mask(q, language) * (ranking.PHRASE * boost * weight * idf)
        elif isinstance(q, wq.Not) or q is wq.NullQuery:
            pass
        else:
            out += self.mask(q, language)
        return out

    # --- plain words: concepts and their variants -------------------------------------------

    def term(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25F of one analysed term over every weighted text field: (scores, matched)."""
        found = self._terms.get(text)
        if found is not None:
            return found
        pseudo = np.zeros(self.size, dtype=np.float32)
        for field, (weight, _b) in ranking.FIELDS.items():
            docs, freqs = self.postings(field, text)
            if len(docs):
                pseudo[docs] += weight * self._normalised(field, docs, freqs)
        matched = pseudo > 0
        docfreq = int(np.count_nonzero(matched & self.cols.live))
        scores = (
            ranking.idf(docfreq, self.total) * ranking.saturation(pseudo) if docfreq else pseudo
        )
        self._terms[text] = found = (scores, matched)
        return found

    def variant(self, v: Variant) -> tuple[np.ndarray, np.ndarray]:
        """A variant's score (before its weight) and the documents having all its terms."""
        if v.field is not None:  # a controlled code: the record has it or not
            docs = self.postings(v.field, v.terms[0])[0]
            matched = np.zeros(self.size, dtype=bool)
            matched[docs] = True
            idf = ranking.idf(self._docfreq(docs), self.total) if len(docs) else 0.0
            return matched * np.float32(idf), matched
        if v.prefix:  # any word the prefix expands to, in any weighted field
            words = {w for f in ranking.FIELDS for w in self._expand(f, v.terms[0])}
            score = np.zeros(self.size, dtype=np.float32)
            matched = np.zeros(self.size, dtype=bool)
            for word in sorted(words)[:64]:
                s, m = self.term(word)
                score += ranking.PREFIX * s
                matched |= m
            return score, matched
        score = np.zeros(self.size, dtype=np.float32)
        matched = np.ones(self.size, dtype=bool)
        for text in v.terms:
            s, m = self.term(text)
            score += s
            matched &= m
        return score * matched / len(v.terms), matched

    def concept(self, c: Concept, languages: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """A concept's best variant score and whether it matches, per document: each document
        by the variants of its own analysis language, and by the controlled codes."""
        best = np.zeros(self.size, dtype=np.float32)
        matched = np.zeros(self.size, dtype=bool)
        for v in c.controlled:
            s, m = self.variant(v)
            np.maximum(best, v.weight * s, out=best)
            matched |= m
        for language in languages:
            docs = self.cols.analysed_in(language)
            for v in c.variants.get(language, ()):
                s, m = self.variant(v)
                np.maximum(best, v.weight * s * docs, out=best)
                matched |= m & docs
        return best, matched

    def concepts(
        self, concepts: list[Concept], languages: tuple[str, ...]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores (coordination applied) and the number of concepts each document matches."""
        parts = [self.concept(c, languages) for c in concepts]
        # A concept counts in the coordination by the idf of every record it matches.
        weights = [
            ranking.idf(int(np.count_nonzero(matched & self.cols.live)), self.total)
            for _best, matched in parts
        ]
        total = np.zeros(self.size, dtype=np.float32)
        count = np.zeros(self.size, dtype=np.int32)
        weight = np.zeros(self.size, dtype=np.float32)
        for (best, matched), w in zip(parts, weights, strict=True):
            total += best
            count += matched
            weight += w * matched
        total *= ranking.coordination(weight, sum(weights)).astype(np.float32)
        return total, count
