""" "Did you mean": corrections from the words of published records only.

Candidates come from the generation's word list (unstemmed, accents folded; store.py). A
correction is offered only when the corrected query finds more published records than the
original, so words of a record that was since unpublished can never be suggested.
"""

from __future__ import annotations

import re

from .analysis import NEUTRAL_ANALYZER
from .store import Spelling

_WORD = re.compile(r"^[^\W\d_]{3,}$")
# Unknown words looked up per query: each costs a scan of the word list (tens of ms on a
# large catalogue), and a long query is not one to correct word by word.
MAX_CORRECTED = 5


def corrected(spelling: Spelling, q: str) -> str | None:
    """`q` with each unknown plain word replaced by the closest known one, or None."""
    if not spelling.words:  # nothing published yet
        return None
    changed = False
    out = []
    budget = MAX_CORRECTED
    for token in q.split():
        if not _WORD.match(token) or token.upper() in ("AND", "OR", "NOT"):
            out.append(token)
            continue
        folded = next((t.text for t in NEUTRAL_ANALYZER(token)), "")
        if not folded or folded in spelling.words or budget == 0:
            out.append(token)
            continue
        budget -= 1
        choices = spelling.corrector.suggest(folded, limit=1, maxdist=2, prefix=1)
        if choices:
            out.append(choices[0])
            changed = True
        else:
            out.append(token)
    return " ".join(out) if changed else None
