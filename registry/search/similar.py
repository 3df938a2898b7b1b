""" "Similar initiatives": the published records most alike in text and controlled fields, with
what makes them alike ("same sector · both about police").

The record's key terms (the words that set it apart from the catalogue, by Whoosh's Bo1
model, over its title, tags, summary and description) are searched with BM25F in records of
its language and, through the glossary, in records of the other language; the text score is
scaled to the best candidate's, then the controlled fields add their weights (ranking.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlmodel import Session

from .. import markdown
from ..initiatives import published_in_order
from ..models import Initiative
from . import glossary, ranking
from .analysis import STEMMED, TOKEN, analysing, analysis_language, terms
from .columns import CODEBOOKS, Columns
from .concepts import variants_of
from .evaluate import Evaluator
from .querying import follow
from .store import SearchIndex

# Field: (key terms taken, weight of that field's terms).
_KEY_FIELDS = {"title": (8, 3.0), "tags": (6, 2.0), "summary": (10, 1.5), "description": (16, 1.0)}
KEY_TERMS = 14
SUBJECTS = 2  # shared key terms named in the reason (words of the glossary: the field's own)


@dataclass
class Similar:
    initiative: Initiative
    same_sector: bool = False
    same_country: bool = False
    subjects: list[str] = field(default_factory=list)  # words of the record both are about


def _texts(i: Initiative) -> dict[str, str]:
    return {"title": i.title, "tags": " ; ".join(i.tags), "summary": i.summary,
            "description": markdown.plain(i.description)}  # fmt: skip


def _key_terms(searcher, i: Initiative) -> dict[str, float]:
    """The record's distinctive analysed terms, weighted by the fields they come from. Its
    place names are left out: sharing a town does not make two services alike."""
    language = analysis_language(i.language)
    places = {t for text in (i.locality, i.region) if text for t in terms(text, language)}
    weights: dict[str, float] = {}
    with analysing(i.language):
        for name, text in _texts(i).items():
            count, importance = _KEY_FIELDS[name]
            if not text:
                continue
            found = searcher.key_terms_from_text(name, text, numterms=count)
            top = max((score for _t, score in found), default=0) or 1
            for term, score in found:
                if term not in places:
                    weights[term] = weights.get(term, 0) + importance * score / top
    best = sorted(weights.items(), key=lambda kv: -kv[1])[:KEY_TERMS]
    return dict(best)


def _surface(i: Initiative) -> dict[str, str]:
    """Analysed term -> the word as the record first writes it."""
    language = analysis_language(i.language)
    found: dict[str, str] = {}
    for text in _texts(i).values():
        for m in TOKEN.finditer(text):
            for term in terms(m.group(), language):
                found.setdefault(term, m.group().lower())
    return found


def similar(
    index: SearchIndex, session: Session, initiative: Initiative, limit: int = 5
) -> list[Similar]:
    """Up to `limit` published initiatives like `initiative` (never itself, never a draft)."""
    follow(index, session)
    language = analysis_language(initiative.language)
    with index.reading() as (searcher, cols):
        key_terms = _key_terms(searcher, initiative)
        if not key_terms:
            return []
        ev = Evaluator(searcher, cols)
        text = np.zeros(cols.size, dtype=np.float32)
        shares: dict[str, np.ndarray] = {}
        own = cols.analysed_in(language)
        for term, weight in key_terms.items():
            score, matched = ev.term(term)
            # The idf of the catalogue without this record, which has every one of its terms:
            # else words translated into the other language would look rarer than its own.
            docfreq = int(np.count_nonzero(matched & cols.live))
            if docfreq > 1:
                score = score * (
                    ranking.idf(docfreq - 1, ev.total) / ranking.idf(docfreq, ev.total)
                )
            text += own * weight * score
            shares[term] = own & matched
            if language not in STEMMED:
                continue
            other = "fr" if language == "en" else "en"
            theirs = cols.analysed_in(other)
            for translation in glossary.translations(language, (term,)):
                for v in variants_of(translation, other, ranking.GLOSSARY):
                    score, matched = ev.variant(v)
                    text += theirs * weight * v.weight * score
                    shares[term] = shares[term] | (theirs & matched)
        candidates = cols.live & (cols.ids != initiative.id) & (text > 0)
        if not candidates.any():
            return []
        total = text / float(text[candidates].max())
        same_sector = _same(cols, "sector", initiative.sector)
        same_country = _same(cols, "country", initiative.country.lower())
        total += ranking.SIMILAR_SECTOR * same_sector + ranking.SIMILAR_COUNTRY * same_country
        for name, values in (("stage", initiative.codes("stages")),
                             ("participants", initiative.codes("participants"))):  # fmt: skip
            for value in values:
                docs = ev.postings(name, value)[0]
                total[docs] += ranking.SIMILAR_SHARED_CODE
        total[~candidates] = 0
        top = np.argsort(-total, kind="stable")[: limit + 10]
        top = top[total[top] > 0]
        subjects = [t for t in key_terms if language in STEMMED and glossary.known(language, t)]
        found = {
            int(cols.ids[d]): (bool(same_sector[d]), bool(same_country[d]),
                               [t for t in subjects if shares[t][d]])
            for d in top
        }  # fmt: skip
    words = _surface(initiative)
    out = []
    for row in published_in_order(session, list(found))[:limit]:
        sector, country, shared = found[row.id]
        subjects = list(dict.fromkeys(words[t] for t in shared if t in words))[:SUBJECTS]
        out.append(Similar(row, sector, country, subjects))
    return out


def _same(cols: Columns, name: str, value: str) -> np.ndarray:
    code = CODEBOOKS[name].codes.get(value)
    return cols.coded[name] == code if code is not None else np.zeros(cols.size, dtype=bool)
