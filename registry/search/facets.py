"""Filters as boolean masks over the per-generation arrays, and facet counts from them.

A facet's counts ignore that facet's own filter (so its other values stay visible and can be
added) but honour every other filter and the text query.
"""

from __future__ import annotations

import numpy as np
from whoosh.query import Term

from ..filters import Filters
from .columns import CODEBOOKS, Columns
from .evaluate import Evaluator
from .schema import STAGE_BITS

FACETS = ("country", "sector", "stage", "maturity", "evidence_level", "language", "completeness")


def _isin(cols: Columns, name: str, values: tuple[str, ...]) -> np.ndarray:
    book = CODEBOOKS[name]
    codes = [book.codes[v] for v in values if v in book.codes]
    return np.isin(cols.coded[name], codes)


def filter_masks(
    evaluator: Evaluator, cols: Columns, filters: Filters, linked: set[int] | None = None
) -> dict[str, np.ndarray]:
    """One mask per structured filter that is set, keyed by the facet it belongs to. `linked`:
    the ids the `link` filter keeps (read from the database: links are not indexed)."""
    masks: dict[str, np.ndarray] = {}
    if filters.link:
        masks["link"] = np.isin(cols.ids, sorted(linked or ()))
    if filters.country:
        masks["country"] = _isin(cols, "country", tuple(c.lower() for c in filters.country))
    if filters.sector:
        masks["sector"] = _isin(cols, "sector", filters.sector)
    if filters.maturity:
        masks["maturity"] = _isin(cols, "maturity", (filters.maturity,))
    if filters.evidence_level:
        masks["evidence_level"] = _isin(cols, "evidence_level", (filters.evidence_level,))
    if filters.language:
        masks["language"] = _isin(cols, "language", (filters.language,))
    if filters.completeness:
        masks["completeness"] = _isin(cols, "completeness", (filters.completeness,))
    if filters.stage:
        bits = sum(STAGE_BITS[s] for s in filters.stage)
        masks["stage"] = (cols.numbers["stage_mask"] & bits) == bits
    for n, tag in enumerate(filters.tag):
        masks[f"tag{n}"] = evaluator.mask(Term("tag", tag.lower()))
    years = cols.numbers["start_year"]
    if filters.year_from:
        masks["year_from"] = years >= filters.year_from
    if filters.year_to:
        masks["year_to"] = (years <= filters.year_to) & (years > 0)
    return masks


def combine(base: np.ndarray, masks: dict[str, np.ndarray], *, skip: str | None = None):
    result = base
    for name, mask in masks.items():
        if name != skip:
            result = result & mask
    return result


def counts(cols: Columns, base: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, dict]:
    """Facet counts over the whole result set, each ignoring its own filter."""
    facets: dict[str, dict] = {}
    for name in FACETS:
        selected = combine(base, masks, skip=name)
        if name == "stage":
            stage_masks = cols.numbers["stage_mask"][selected]
            facets[name] = {
                code: int(np.count_nonzero(stage_masks & bit))
                for code, bit in STAGE_BITS.items()
                if np.count_nonzero(stage_masks & bit)
            }
            continue
        book = CODEBOOKS[name]
        tally = np.bincount(cols.coded[name][selected], minlength=len(book.values))
        found = {book.values[c]: int(n) for c, n in enumerate(tally) if n and book.values[c]}
        if name == "country":
            found = {k.upper(): v for k, v in found.items()}
        facets[name] = dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))
    return facets
