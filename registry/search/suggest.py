""" "Did you mean": corrections from the words of published records only.

Candidates come from the generation's word list (spelling.py): unstemmed, accents folded, and
only words of records published now. An unknown word is replaced by two known words it splits
into ("waterquality" → "water quality"), or joined with its neighbour when together they make a
known word ("e health" → "ehealth"), or else by the closest known word. querying.py offers the
correction only when it finds more records than the query as typed.
"""

from __future__ import annotations

import re

from .analysis import NEUTRAL_ANALYZER
from .spelling import Spelling

_WORD = re.compile(r"^[^\W\d_]{2,}$")
# Unknown words looked up per query: each costs a scan of the word list (tens of ms on a
# large catalogue), and a long query is not one to correct word by word.
MAX_CORRECTED = 5
MIN_PART = 2  # letters of each part of a split word


def _folded(token: str) -> str | None:
    if not _WORD.match(token) or token.upper() in ("AND", "OR", "NOT"):
        return None
    return next((t.text for t in NEUTRAL_ANALYZER(token)), None)


def split(spelling: Spelling, word: str) -> str | None:
    """`word` as two known words, the most even split first ("codesign" → "co design")."""
    cuts = sorted(range(MIN_PART, len(word) - MIN_PART + 1), key=lambda k: abs(len(word) - 2 * k))
    for k in cuts:
        if word[:k] in spelling.words and word[k:] in spelling.words:
            return f"{word[:k]} {word[k:]}"
    return None


def corrected(spelling: Spelling, q: str) -> str | None:
    """`q` with its unknown plain words corrected, or None when there is nothing to correct."""
    if not spelling.words:  # nothing published yet
        return None
    tokens = q.split()
    folded = [_folded(t) for t in tokens]
    known = [f is None or f in spelling.words for f in folded]
    out: list[str] = []
    changed = False
    budget = MAX_CORRECTED
    n = 0
    while n < len(tokens):
        word, nxt = folded[n], folded[n + 1] if n + 1 < len(tokens) else None
        if word and nxt and not (known[n] and known[n + 1]) and word + nxt in spelling.words:
            out.append(word + nxt)  # written apart, known only joined
            changed, n = True, n + 2
            continue
        if known[n] or word is None or len(word) < 3 or budget == 0:
            out.append(tokens[n])
            n += 1
            continue
        budget -= 1
        found = split(spelling, word)
        if found is None:
            found = spelling.closest(word)
        out.append(found or tokens[n])
        changed |= found is not None
        n += 1
    return " ".join(out) if changed else None
