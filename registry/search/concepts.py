"""What a plain query asks for: one concept per word, each with the ways a record can match it.

A concept's variants, per analysis language of the records:
- the word as that language analyses it (stemmed, accents folded);
- for a hyphenated word, its parts and its joined form ("co-design": co + design, codesign);
  for two adjacent words, their joined form ("co design": codesign, "health care": healthcare);
- translations from the bilingual glossary of every phrase of the query containing the word,
  into the other language (glossary.py), weighted lower;
and, for records of every language, the controlled codes whose label the word or a phrase
around it names in English or French ("santé" → sector health, "volunteers" → participants
volunteers), also after translation ("personnes âgées" → "older people" → sector social care).
Weights are in ranking.py.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cache

from .. import vocab
from . import glossary, ranking
from .analysis import HYPHENS, STEMMED, terms

# Words too common to count as something a visitor asks for, beyond the stemmers' stop lists.
QUERY_STOPWORDS = frozenset((
    "les", "comment", "quels", "quelles", "quel", "quelle", "dont", "cette", "cet", "ceux",
    "celles", "celle", "tout", "tous", "toutes", "aussi", "plus", "très",
))  # fmt: skip
# Vocabularies whose labels a query may name, and the field each is indexed in.
LABELLED = {"sector": "sector", "stage": "stage", "participants": "participants",
            "maturity": "maturity", "evidence_level": "evidence_level"}  # fmt: skip
_SPLIT_LABEL = re.compile(r"\s*(?:[(),/;]|\band\b|\bet\b|\bor\b|\bou\b)\s*")


@dataclass(frozen=True)
class Variant:
    """Terms a record must all contain (in any text field), or one controlled code."""

    terms: tuple[str, ...]
    weight: float = 1.0
    field: str | None = None  # a controlled field: terms is its one code
    prefix: bool = False  # terms is one prefix: any word it begins


@dataclass
class Concept:
    word: str
    variants: dict[str, list[Variant]] = field(default_factory=dict)  # by analysis language
    controlled: list[Variant] = field(default_factory=list)  # for records of every language

    def add(self, language: str, variant: Variant) -> None:
        found = self.variants.setdefault(language, [])
        if variant not in found:
            found.append(variant)

    def words(self, language: str) -> set[str]:
        """Every analysed term this concept looks for in `language`'s records (highlights)."""
        return {t for v in self.variants.get(language, ()) if not v.prefix for t in v.terms}

    def prefixes(self, language: str) -> set[str]:
        return {v.terms[0] for v in self.variants.get(language, ()) if v.prefix}


def variants_of(text: str, language: str, weight: float = 1.0) -> list[Variant]:
    """The ways `text` (a word or phrase) can appear in records analysed in `language`: its
    words' terms, and with each hyphenated word joined instead of split."""
    split = tuple(terms(text, language))
    found = [Variant(split, weight)] if split else []
    if HYPHENS.search(text):
        joined = tuple(terms(HYPHENS.sub("", text), language))
        if joined and joined != split:
            found.append(Variant(joined, weight))
    return found


def is_stopword(word: str) -> bool:
    folded = word.lower()
    if folded in QUERY_STOPWORDS:
        return True
    return any(not terms(folded, language) for language in STEMMED)


def build(words: list[str], prefixes: list[str], languages: tuple[str, ...]) -> list[Concept]:
    """Concepts for the plain `words` (in query order) and typed `prefixes` (without `*`)."""
    kept = [w for w in dict.fromkeys(words) if not is_stopword(w)]
    concepts = [Concept(w) for w in kept]
    for concept in concepts:
        for language in languages:
            for v in variants_of(concept.word, language):
                concept.add(language, v)
    _join_neighbours(concepts, words, languages)
    _translate(concepts, languages)
    for p in dict.fromkeys(prefixes):
        concept = Concept(f"{p}*")
        for language in languages:
            concept.add(language, Variant((p,), prefix=True))
        concepts.append(concept)
    return [c for c in concepts if c.variants or c.controlled]


def _join_neighbours(concepts: list[Concept], words: list[str], languages) -> None:
    """Two words typed side by side may be one word in the records ("co design", "health
    care"): the joined form becomes a variant of both."""
    by_word = {c.word: c for c in concepts}
    for a, b in itertools.pairwise(words):
        if a in by_word and b in by_word and a != b:
            for language in languages:
                joined = tuple(terms(a + b, language))
                if len(joined) == 1:
                    by_word[a].add(language, Variant(joined))
                    by_word[b].add(language, Variant(joined))


def _translate(concepts: list[Concept], languages: tuple[str, ...]) -> None:
    """Glossary translations and controlled codes for every phrase of the query."""
    words = [c.word for c in concepts]
    for source in STEMMED:
        target = "fr" if source == "en" else "en"
        sequence = [(n, t) for n, w in enumerate(words) for t in terms(w, source)]
        stems = tuple(t for _n, t in sequence)
        for start in range(len(stems)):
            for end in range(start + 1, min(len(stems), start + glossary.LONGEST) + 1):
                covered = {sequence[k][0] for k in range(start, end)}
                phrase = stems[start:end]
                for fieldname, code in labels().get((source, phrase), ()):
                    for n in covered:
                        _add_code(concepts[n], fieldname, code)
                for translation in glossary.translations(source, phrase):
                    for n in covered:
                        if target in languages:
                            for v in variants_of(translation, target, ranking.GLOSSARY):
                                concepts[n].add(target, v)
                    for fieldname, code in labels().get((target, _terms(translation, target)), ()):
                        for n in covered:
                            _add_code(concepts[n], fieldname, code)


def _terms(text: str, language: str) -> tuple[str, ...]:
    return tuple(terms(text, language))


def _add_code(concept: Concept, fieldname: str, code: str) -> None:
    variant = Variant((code,), ranking.LABEL, field=fieldname)
    if variant not in concept.controlled:
        concept.controlled.append(variant)


@cache
def labels() -> dict[tuple[str, tuple[str, ...]], tuple[tuple[str, str], ...]]:
    """(language, analysed phrase) -> the (field, code) pairs whose label contains it.

    Labels are split at punctuation and "and"/"et" ("Social care (older people, disability)"
    gives "social care", "older people", "disability"). Read through vocab's label() only."""
    found: dict[tuple[str, tuple[str, ...]], set[tuple[str, str]]] = {}
    for name, fieldname in LABELLED.items():
        vocabulary = vocab.VOCABULARIES[name]
        for code in vocabulary.codes:
            if code == "other":
                continue
            for language in STEMMED:
                label = vocabulary.label(code, language)
                for part in _SPLIT_LABEL.split(label.lower()):
                    phrase = tuple(terms(part, language))
                    if phrase:
                        found.setdefault((language, phrase), set()).add((fieldname, code))
    return {key: tuple(sorted(codes)) for key, codes in found.items()}
