"""Phrases are checked on the documents holding every word only (registry/search/evaluate.py):
the same documents as Whoosh's own phrase matcher, across segments, deletions and languages."""

from __future__ import annotations

import random

import numpy as np
from whoosh import query as wq

from registry import actions
from registry.db import write_session
from registry.extensions import registry_of, search_index
from registry.search import catch_up
from registry.search.analysis import PIPELINES
from registry.search.evaluate import Evaluator

WORDS = [
    "peer",
    "support",
    "group",
    "tenants",
    "repair",
    "homes",
    "health",
    "visits",
    "police",
    "street",
    "night",
]


def _text(rng: random.Random) -> str:
    # A small vocabulary, so that phrases recur, words repeat and some pairs are reversed.
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 60))) + "."


def test_phrase_matches_equal_whooshs_phrase_matcher(app, make_initiative):
    rng = random.Random(15)
    engine = registry_of(app).engine
    index = search_index(app)
    ids = []
    for n in range(60):
        language = "fr" if n % 4 == 0 else "en"
        ids.append(make_initiative(description=_text(rng), summary=_text(rng), language=language))
        if n % 20 == 19:  # a commit each 20 records: several segments
            with write_session(engine) as session:
                catch_up(index, session)
    with write_session(engine) as session:  # deleted documents stay in the postings
        actions.withdraw(session, actions.SYSTEM, ids[3])
        catch_up(index, session)
    phrases = [[a, b] for a in WORDS for b in WORDS]
    phrases += [rng.sample(WORDS, 3) for _ in range(40)] + [["peer", "peer", "peer"]]
    checked = matched = 0
    with index.reading() as (searcher, cols):
        assert len(searcher.reader().leaf_readers()) > 1
        for words in phrases:
            for field in ("description", "summary"):
                for language in ("en", "fr"):
                    terms = [t.text for t in PIPELINES[language](" ".join(words))]
                    q = wq.Phrase(field, terms)
                    ours = Evaluator(searcher, cols).mask(q, language) & cols.analysed_in(language)
                    theirs = np.zeros(cols.size, dtype=bool)
                    theirs[np.fromiter(searcher.docs_for_query(q), np.int64)] = True
                    theirs &= cols.analysed_in(language)
                    assert np.array_equal(ours, theirs), (field, language, terms)
                    checked += 1
                    matched += int(ours.any())
    assert checked > 400 and matched > 100
