"""The bilingual glossary: English and French terms of coproduction and public services.

`glossary.tsv` beside this module holds one pair per line, English then French, separated by
a tab ("chronic patients<TAB>patients chroniques"); lines starting with # are comments. A term
may appear in several pairs (several translations). Both sides are matched after analysis, so
inflections and accents do not matter, and a hyphenated term matches joined or split.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from .analysis import HYPHENS, terms

PATH = files(__package__) / "glossary.tsv"  # shipped in the wheel with the package
LONGEST = 6  # the most analysed words a glossary phrase may have


@dataclass(frozen=True)
class Pair:
    en: str
    fr: str
    line: int


class GlossaryError(ValueError):
    """A malformed line of the glossary file (the message names the line)."""


def read(path: Traversable = PATH) -> list[Pair]:
    pairs = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in raw.split("\t")]
        if len(parts) != 2 or not all(parts):
            raise GlossaryError(f"{path.name} line {number}: expected 'English<TAB>French'")
        pairs.append(Pair(parts[0], parts[1], number))
    return pairs


def keys(text: str, language: str) -> set[tuple[str, ...]]:
    """The analysed forms under which `text` is looked up: split and joined hyphenation."""
    found = {tuple(terms(text, language))}
    if HYPHENS.search(text):
        found.add(tuple(terms(HYPHENS.sub("", text), language)))
    return {k for k in found if k and len(k) <= LONGEST}


@cache
def _index() -> dict[str, dict[tuple[str, ...], tuple[str, ...]]]:
    index: dict[str, dict[tuple[str, ...], list[str]]] = {"en": {}, "fr": {}}
    for pair in read():
        for source, text, other in (("en", pair.en, pair.fr), ("fr", pair.fr, pair.en)):
            for key in keys(text, source):
                found = index[source].setdefault(key, [])
                if other not in found:
                    found.append(other)
    return {lang: {k: tuple(v) for k, v in table.items()} for lang, table in index.items()}


def translations(language: str, phrase: tuple[str, ...]) -> tuple[str, ...]:
    """Texts in the other language for an analysed `phrase` of `language` (en or fr)."""
    return _index()[language].get(phrase, ())


@cache
def _words() -> dict[str, frozenset[str]]:
    return {lang: frozenset(t for key in table for t in key) for lang, table in _index().items()}


def known(language: str, term: str) -> bool:
    """Whether an analysed `term` of `language` is a word of the glossary's terms (a word of
    the field, as opposed to "taking" or "centre")."""
    return term in _words()[language]
