""" "Did you mean": corrections from the words of published records only.

Candidates come from the `words` field (unstemmed, accents folded). A correction is offered
only when the corrected query finds more published records than the original, so words left
in the index by a record that was since unpublished can never be suggested.
"""

from __future__ import annotations

import re

from whoosh.searching import Searcher

from .analysis import NEUTRAL_ANALYZER

_WORD = re.compile(r"^[^\W\d_]{3,}$")


def corrected(searcher: Searcher, q: str) -> str | None:
    """`q` with each unknown plain word replaced by the closest known one, or None."""
    corrector = searcher.corrector("words")
    changed = False
    out = []
    for token in q.split():
        if not _WORD.match(token) or token.upper() in ("AND", "OR", "NOT"):
            out.append(token)
            continue
        folded = next((t.text for t in NEUTRAL_ANALYZER(token)), "")
        if not folded or searcher.doc_frequency("words", folded):
            out.append(token)
            continue
        choices = corrector.suggest(folded, limit=1, maxdist=2, prefix=1)
        if choices:
            out.append(choices[0])
            changed = True
        else:
            out.append(token)
    return " ".join(out) if changed else None
