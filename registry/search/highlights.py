"""Snippets with the matched words in <mark>, highlighted from the database's text.

Everything but the <mark> tags is HTML-escaped, so snippets are safe to insert as markup.
"""

from __future__ import annotations

from html import escape

from whoosh.highlight import (
    ContextFragmenter,
    Formatter,
    WholeFragmenter,
    get_text,
    highlight,
)
from whoosh.query import Query
from whoosh.support.charset import accent_map

from .analysis import pipeline
from .schema import TEXT_FIELDS

SNIPPET_FIELDS = ("title", "summary", "description", "outcomes")
MAX_CHARS = 20_000


class MarkFormatter(Formatter):
    between = " … "

    def _text(self, text: str) -> str:
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(get_text(text, token, replace), quote=False)}</mark>"


def query_words(query: Query | None) -> frozenset[str]:
    """The analysed words of the text fields a query looks for."""
    if query is None:
        return frozenset()
    words = set()
    for fieldname, text in query.iter_all_terms():
        if fieldname in TEXT_FIELDS:
            words.add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    return frozenset(words)


def snippets(texts: dict[str, str], language: str, words: frozenset[str]) -> dict[str, str]:
    """Highlighted fragments of each field of `texts` that contains a query word."""
    if not words:
        return {}
    out = {}
    analyzer = pipeline(language)
    # Stems are nearly always prefixes of the folded word: a cheap test skips fields without.
    probes = {w[:4] for w in words}
    for name in SNIPPET_FIELDS:
        text = (texts.get(name) or "")[:MAX_CHARS]
        if not text or not any(p in text.lower().translate(accent_map) for p in probes):
            continue
        # Short fields are shown whole; long ones as fragments around the matches.
        fragmenter = (
            WholeFragmenter()
            if name in ("title", "summary")
            else ContextFragmenter(maxchars=300, surround=60)
        )
        marked = highlight(text, words, analyzer, fragmenter, MarkFormatter(), top=2)
        if marked and "<mark>" in marked:
            out[name] = marked
    return out
