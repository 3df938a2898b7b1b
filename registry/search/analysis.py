"""Text analysis: English and French stemming, a language-neutral fallback, accents folded.

Whoosh gives each field one analyzer, but each record has its own language. The field analyzer
therefore dispatches: on a language tag prefixed to indexed text (`tagged`), and on a context
variable set to each indexed language in turn while a query is parsed (see parsing.py), so a
query matches inflections in every language while each record keeps its own stemming.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

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


def _pipeline(lang: str | None):
    chain = RegexTokenizer(expression=TOKEN) | LowercaseFilter()
    if lang:
        chain = chain | StopFilter(stoplist=stopwords_for_language(lang), minsize=1)
    # Fold accents before stemming so "therapeutique" and "thérapeutique" share one stem.
    chain = chain | CharsetFilter(accent_map)
    if lang:
        chain = chain | StemFilter(lang=lang, cachesize=100_000)
    return chain


PIPELINES = {"en": _pipeline("en"), "fr": _pipeline("fr"), NEUTRAL: _pipeline(None)}


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
