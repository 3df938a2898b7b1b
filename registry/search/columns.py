"""Per-index-generation arrays of field values by document number.

Facet counts, filters and non-relevance sorts over large result sets are numpy operations on
these arrays (Whoosh's `groupedby` grows linearly in Python with the matches: too slow).
Segments are immutable, so their arrays are built once per segment and reused after commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .analysis import analysis_language
from .schema import LENGTH_FIELDS

CODED = ("country", "sector", "maturity", "language", "evidence_level", "completeness")
NUMBERS = ("stage_mask", "start_year", "published", *LENGTH_FIELDS)


class Codebook:
    """Stable small integers for a field's values, shared by every segment of a process."""

    def __init__(self) -> None:
        self.values: list[str] = [""]
        self.codes: dict[str, int] = {"": 0}

    def code(self, value: str) -> int:
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
        return found


CODEBOOKS = {name: Codebook() for name in CODED}


@dataclass
class Columns:
    """Arrays indexed by document number over the whole (multi-segment) reader."""

    ids: np.ndarray
    live: np.ndarray
    coded: dict[str, np.ndarray]
    numbers: dict[str, np.ndarray]
    term_cache: dict = field(default_factory=dict, repr=False)  # see evaluate.py
    languages: tuple[str, ...] | None = None  # analysis languages present (querying.py)
    _title_rank: np.ndarray | None = field(default=None, repr=False)
    _titles: list[str] | None = field(default=None, repr=False)
    _analysed_in: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _average_length: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return len(self.ids)

    def analysed_in(self, language: str) -> np.ndarray:
        """Which documents' texts were analysed in analysis language `language`."""
        found = self._analysed_in.get(language)
        if found is None:
            book = CODEBOOKS["language"]
            codes = [c for c, v in enumerate(book.values) if analysis_language(v) == language]
            found = self._analysed_in[language] = np.isin(self.coded["language"], codes)
        return found

    def average_length(self, name: str) -> float:
        """The mean length in words of text field `name` over live documents."""
        found = self._average_length.get(name)
        if found is None:
            lengths = self.numbers[f"length_{name}"][self.live]
            found = self._average_length[name] = float(lengths.mean()) if len(lengths) else 0.0
        return found

    def title_rank(self) -> np.ndarray:
        """Each document's position in title order (built on first use: only `sort=title`)."""
        if self._title_rank is None:
            titles = self._titles or []
            order = sorted(range(len(titles)), key=titles.__getitem__)
            rank = np.empty(len(titles), dtype=np.int64)
            rank[order] = np.arange(len(titles))
            self._title_rank = rank
        return self._title_rank


# Keyed by index folder and segment id: segment ids are only random names, unique within one
# index. (Under hypothesis, which seeds `random`, two indexes of one process do repeat them.)
_segment_cache: dict[tuple[str, str], dict] = {}


def _segment_arrays(reader, scope: str) -> dict:
    key = (scope, reader.segment().segment_id())
    cached = _segment_cache.get(key)
    if cached is not None:
        return cached
    arrays: dict = {"ids": np.fromiter((int(v or 0) for v in reader.column_reader("id")), np.int64)}
    for name in CODED:
        book = CODEBOOKS[name]
        arrays[name] = np.fromiter(
            (book.code(v or "") for v in reader.column_reader(name)), np.int32
        )
    for name in NUMBERS:
        arrays[name] = np.fromiter((v or 0 for v in reader.column_reader(name)), np.int64)
    arrays["titles"] = list(reader.column_reader("title_sort"))
    _segment_cache[key] = arrays
    return arrays


def _live(reader, size: int) -> np.ndarray:
    if not reader.has_deletions():
        return np.ones(size, dtype=bool)
    live = np.zeros(size, dtype=bool)
    live[np.fromiter(reader.all_doc_ids(), np.int64)] = True
    return live


def build(reader, scope: str) -> Columns:
    """Arrays for `reader` (a searcher's reader on the index in folder `scope`), reusing the
    arrays of unchanged segments."""
    leaves = [leaf for leaf, _offset in reader.leaf_readers()] if reader.doc_count_all() else []
    parts = [_segment_arrays(leaf, scope) for leaf in leaves]
    live = [_live(leaf, leaf.doc_count_all()) for leaf in leaves]
    if len(_segment_cache) > 256:
        # Segments merged away or of older generations: free their arrays.
        keep = {(scope, leaf.segment().segment_id()) for leaf in leaves}
        for stale in set(_segment_cache) - keep:
            _segment_cache.pop(stale, None)

    def joined(name: str, dtype) -> np.ndarray:
        if not parts:
            return np.zeros(0, dtype=dtype)
        return np.concatenate([p[name] for p in parts])

    return Columns(
        ids=joined("ids", np.int64),
        live=np.concatenate(live) if live else np.zeros(0, dtype=bool),
        coded={name: joined(name, np.int32) for name in CODED},
        numbers={name: joined(name, np.int64) for name in NUMBERS},
        _titles=[t for p in parts for t in p["titles"]],
    )
