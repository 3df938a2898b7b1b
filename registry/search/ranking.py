"""How relevance is computed: every weight and formula of the ranking, in one place.

A plain query is a list of *concepts*, one per word the visitor typed (stop words aside).
Each concept has *variants*, the ways a record can contain it: the word itself as the record's
language analyses it, hyphenated and joined spellings (co-design, codesign, co design), its
translations from the bilingual glossary (weighted GLOSSARY), and the controlled-vocabulary
codes whose label it names (sector, stage, participants…, weighted LABEL).

A record's score for a variant is BM25F (Robertson and Zaragoza, "The Probabilistic Relevance
Framework: BM25 and Beyond", 2009): each field's term frequency is normalised by that field's
length against its average, weighted and summed into one pseudo-frequency, saturated once with
K1 and multiplied by the term's idf over the whole catalogue. A concept scores its best variant.

The record's score is the sum over concepts, times a coordination factor: the share of the
query's concepts it matches, each concept counted by its idf (a word nearly every record has
counts for little), raised to COORD, so that records matching every word come first. A record
must match at least `minimum_should_match(n)` of the n concepts. A variant of several terms (a
translated phrase, the parts of a hyphenated word) scores their mean. (A bonus for query words
side by side in the title, summary or tags, indexed as word pairs, was measured and left out:
no gain on the collection for an index 60% larger and a third slower to build.)

Explicit syntax keeps its meaning and is scored with the same per-field BM25 terms: quoted
phrases, field:value, (groups), -exclusions, and whole queries written with AND/OR/NOT.

The values were tuned on `bench/relevance/queries.json` (`python -m bench.relevance`).
"""

from __future__ import annotations

import math

K1 = 1.2
# Field weight and length normalisation (b: 0 ignores the length, 1 divides by it fully).
FIELDS: dict[str, tuple[float, float]] = {
    "title": (3.0, 0.5),
    "tags": (2.0, 0.3),
    "summary": (1.5, 0.6),
    "outcomes": (0.8, 0.75),
    "organisations": (1.0, 0.3),
    "locality": (1.0, 0.3),
    "description": (1.0, 0.75),
    "compounds": (1.0, 0.0),  # joined forms of hyphenated words (schema.py)
}
GLOSSARY = 0.8  # a translation of the word, or of a phrase containing it
LABEL = 0.3  # a controlled code whose label the query names
PREFIX = 0.5  # each word a typed prefix* expands to
PHRASE = 2.0  # an explicit "quoted phrase", per word of it
COORD = 1.0
# Similar initiatives (similar.py): added to the text likeness scaled to 0-1.
SIMILAR_SECTOR = 0.5
SIMILAR_COUNTRY = 0.1
SIMILAR_SHARED_CODE = 0.05  # per stage and per kind of participant both have


def idf(docfreq: int, total: int) -> float:
    """BM25's idf: never negative, highest for the rarest terms."""
    return math.log(1 + (total - docfreq + 0.5) / (docfreq + 0.5))


def saturation(frequency):
    """How much repeating a term adds: 1 for one occurrence, tending to K1 + 1."""
    return frequency * (K1 + 1) / (frequency + K1)


def normalised(frequency, length, average: float, b: float):
    """A field's term frequency against its length relative to the field's average."""
    if not b or average <= 0:
        return frequency
    return frequency / (1 - b + b * length / average)


def minimum_should_match(concepts: int) -> int:
    """How many concepts a record must match: any one of up to four words, then a third of
    them (two of five or six words, three of seven to nine…), so a long question still finds
    records that answer part of it. Translations are never exact: stricter rules lost
    relevant records written in the other language."""
    return 1 if concepts <= 4 else math.ceil(concepts / 3)


def coordination(matched_weight, total_weight: float):
    """The factor applied to a record's score when its matched concepts weigh
    `matched_weight` (the sum of their idf) out of `total_weight`."""
    return (matched_weight / total_weight) ** COORD if total_weight > 0 else 1.0
