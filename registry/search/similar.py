""" "Similar initiatives": the published records most alike in text and controlled fields."""

from __future__ import annotations

import numpy as np
from sqlmodel import Session
from whoosh.query import Or, Term

from ..initiatives import published_in_order
from ..models import Initiative
from .analysis import analysing
from .evaluate import Evaluator
from .querying import follow
from .store import SearchIndex

_TEXT = {"title": 12, "tags": 8, "summary": 12, "description": 12}
_CONTROLLED_BOOST = {"sector": 3.0, "stage": 1.0, "country": 1.0, "maturity": 0.5}


def similar(
    index: SearchIndex, session: Session, initiative: Initiative, limit: int = 5
) -> list[Initiative]:
    """Up to `limit` published initiatives like `initiative` (never itself, never a draft)."""
    follow(index, session)
    with index.reading() as (searcher, cols):
        clauses = []
        with analysing(initiative.language):
            for name, count in _TEXT.items():
                text = " ".join(initiative.tags) if name == "tags" else getattr(initiative, name)
                if not text:
                    continue
                for term, weight in searcher.key_terms_from_text(name, text, numterms=count):
                    clauses.append(Term(name, term, boost=float(weight)))
        if not clauses:
            return []
        values = {
            "sector": [initiative.sector],
            "stage": initiative.codes("stages"),
            "country": [initiative.country.lower()],
            "maturity": [initiative.maturity],
        }
        for name, boost in _CONTROLLED_BOOST.items():
            clauses.extend(Term(name, v, boost=boost) for v in values[name])
        scores = Evaluator(searcher, cols).scores(Or(clauses))
        scores[~cols.live | (cols.ids == initiative.id)] = 0
        top = np.argsort(-scores, kind="stable")[: limit + 10]
        ids = cols.ids[top[scores[top] > 0]].tolist()
    return published_in_order(session, ids)[:limit]
