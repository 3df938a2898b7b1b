"""Text analysis: English and French stemming, a language-neutral fallback, accents folded.

Whoosh gives each field one analyzer, but each record has its own language. The field analyzer
therefore dispatches: on a language tag prefixed to indexed text (`tagged`), and on a context
variable set to each indexed language in turn while a query is parsed (see parsing.py), so a
query matches inflections in every language while each record keeps its own stemming.

Also here: the joined forms of hyphenated words ("co-design" is also "codesign", indexed in
their own field so that positions in the text stay those of the words).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map
from whoosh.system import pack_uint

NEUTRAL = "xx"
STEMMED = ("en", "fr")
_language: ContextVar[str] = ContextVar("analysis_language", default=NEUTRAL)


def analysis_language(code: str | None) -> str:
    """The analysis used for a record language: its own stemming, or the neutral one."""
    return code if code in STEMMED else NEUTRAL


@contextmanager
def analysing(code: str | None) -> Iterator[None]:
    """Analyse text in `code`'s language inside this block."""
    token = _language.set(analysis_language(code))
    try:
        yield
    finally:
        _language.reset(token)


# Letters and digits, dots inside ("e.g", "3.5"): not Whoosh's default, which keeps `*` and
# `_` in tokens, so "**peer**" and "_peer_" were words of their own that "peer" never matched.
TOKEN = re.compile(r"[^\W_]+(?:\.?[^\W_]+)*")
# Words joined by hyphens: "co-design", "e-santé", "porte-à-porte" (also "co‑design").
HYPHENS = re.compile(r"[-\u2010\u2011]")
_HYPHENATED = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)+")


def hyphenated(text: str) -> Iterator[re.Match]:
    """The hyphenated words of `text`. Looked for from each hyphen: a regex scanning the whole
    text retries at every letter of every word, ten times slower than tokenising it."""
    covered = 0
    for hyphen in HYPHENS.finditer(text):
        start = hyphen.start()
        if start < covered:
            continue
        while start > covered and text[start - 1].isalnum():
            start -= 1
        found = _HYPHENATED.match(text, start)
        if found and found.end() > hyphen.start():
            covered = found.end()
            yield found


def joined_compounds(text: str) -> list[str]:
    """The hyphenated words of `text` written as one word ("co-design" -> "codesign")."""
    return [HYPHENS.sub("", m.group()) for m in hyphenated(text)]


# Words the stemmer would merge with unrelated ones, given their own stem instead: French
# Snowball stems "aidants" (carers) to "aid", the stem of "aide" (help).
STEM_OVERRIDES = {
    "fr": {"aidant": "aidant", "aidants": "aidant", "aidante": "aidant", "aidantes": "aidant"},
}


class OverrideFilter(Filter):
    """Replaces listed words by their chosen stem (which the stemmer then leaves alone)."""

    def __init__(self, stems: dict[str, str]):
        self.stems = stems

    def __call__(self, tokens):
        for token in tokens:
            token.text = self.stems.get(token.text, token.text)
            yield token


def _pipeline(lang: str | None):
    chain = RegexTokenizer(expression=TOKEN) | LowercaseFilter()
    if lang:
        chain = chain | StopFilter(stoplist=stopwords_for_language(lang), minsize=1)
    # Fold accents before stemming so "therapeutique" and "thérapeutique" share one stem.
    chain = chain | CharsetFilter(accent_map)
    if lang:
        overrides = STEM_OVERRIDES.get(lang, {})
        if overrides:
            chain = chain | OverrideFilter(overrides)
        chain = chain | StemFilter(lang=lang, ignore=set(overrides.values()), cachesize=100_000)
    return chain


PIPELINES = {"en": _pipeline("en"), "fr": _pipeline("fr"), NEUTRAL: _pipeline(None)}


def terms(text: str, language: str) -> list[str]:
    """`text` analysed as a query in `language`'s analysis (stop words dropped)."""
    return [t.text for t in PIPELINES[analysis_language(language)](text, mode="query")]


# Indexed text carries its language in a prefix, so analysis does not depend on the process
# or thread that runs it (Whoosh's multiprocess writer analyses in child processes).
_MARK, _END = "\ue000", "\ue001"


def tagged(text: str, code: str | None) -> str:
    """`text` marked for analysis in `code`'s language."""
    return f"{_MARK}{analysis_language(code)}{_END}{text}"


class LanguageAnalyzer(Analyzer):
    """Analyses with the pipeline of the text's language tag, else of the current analysis
    language (set while a query is parsed). Picklable: no state."""

    def __call__(self, value, **kwargs):
        language = _language.get()
        if value.startswith(_MARK):
            language, _, value = value[1:].partition(_END)
        return PIPELINES[language](value, **kwargs)


NEUTRAL_ANALYZER = PIPELINES[NEUTRAL]


# --- Indexing without the token pipeline -------------------------------------------------
# Whoosh analyses a field by passing one Token object through a generator per filter, for
# every word: about a fifth of the CPU of indexing a realistic record (bench/index_cost.py).
# A word's analysis depends on the word alone, so indexing looks each one up in a table
# instead (filled by `_analyse`: the pipeline's steps, in its order) and counts positions
# itself as StopFilter(renumber=True) does. Queries and anything else still go through
# PIPELINES; tests/test_search_analysis.py checks both ways give the same postings.

_STOPS = {lang: frozenset(stopwords_for_language(lang)) for lang in STEMMED}
_STEMMERS = {lang: stemmer_for_language(lang) for lang in STEMMED}
WORDS_KEPT = 500_000  # analysed words remembered per analysis language
_WORDS: dict[str, dict[str, str | None]] = {lang: {} for lang in PIPELINES}


def _analyse(language: str, word: str) -> str | None:
    """The term `word` (one TOKEN match) is indexed as in `language`, None for a stop word."""
    text = word.lower()
    if language == NEUTRAL:
        return text.translate(accent_map)
    if text in _STOPS[language]:
        return None
    text = text.translate(accent_map)
    overrides = STEM_OVERRIDES.get(language, {})
    text = overrides.get(text, text)
    return text if text in overrides.values() else _STEMMERS[language](text)


def positions(value: str) -> dict[str, list[int]]:
    """Each term of `value` (a `tagged` text) and its positions, in first-occurrence order:
    what LanguageAnalyzer's pipeline yields with positions on."""
    language = _language.get()
    if value.startswith(_MARK):
        language, _, value = value[1:].partition(_END)
    known = _WORDS[language]
    if len(known) > WORDS_KEPT:
        known.clear()
    found: dict[str, list[int]] = {}
    pos = -1
    for index, word in enumerate(TOKEN.findall(value)):
        try:
            term = known[word]
        except KeyError:
            term = known[word] = _analyse(language, word)
        if term is None:
            continue
        # StopFilter's renumbering: the first word kept keeps its place, the next follow it.
        pos = index if pos < 0 else pos + 1
        at = found.get(term)
        if at is None:
            found[term] = [pos]
        else:
            at.append(pos)
    return found


class LanguageText(TEXT):
    """A TEXT field whose postings are made by `positions` rather than the token pipeline
    (same terms, frequencies, weights and positions). Index generations name this class in
    their schema: keep it here."""

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str) or not isinstance(self.analyzer, LanguageAnalyzer):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        found = positions(value)
        if isinstance(self.format, Positions):
            encode = self.format.encode
            return [
                (term.encode("utf-8"), len(at), len(at) * boost, encode(at))
                for term, at in found.items()
            ]
        if isinstance(self.format, Frequency):
            return [
                (term.encode("utf-8"), len(at), len(at) * boost, pack_uint(len(at)))
                for term, at in found.items()
            ]
        return super().index(value)
