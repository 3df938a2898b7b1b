"""Snippets with the matched words in <mark>, highlighted from the database's text.

Everything but the <mark> tags is HTML-escaped, so snippets are safe to insert as markup.
Words are analysed as the index analysed them (cached per word), so "cambriolages" is marked
for the query "cambriolage"; Whoosh's own highlighter re-runs the whole analysis pipeline on
every token and was most of a search request's time.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from whoosh.query import Prefix, Query

from .analysis import PIPELINES, TOKEN, analysis_language
from .schema import TEXT_FIELDS

SNIPPET_FIELDS = ("title", "summary", "description", "outcomes")
WHOLE = ("title", "summary")  # short: shown whole; the others as fragments around matches
MAX_CHARS = 20_000
SURROUND = 90
FRAGMENTS = 2


def query_words(query: Query | None) -> frozenset[str]:
    """The analysed words of the text fields a query looks for; a prefix as "word*"."""
    if query is None:
        return frozenset()
    words = set()
    for fieldname, text in query.iter_all_terms():
        if fieldname in TEXT_FIELDS:
            words.add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    for leaf in query.leaves():
        if isinstance(leaf, Prefix) and leaf.fieldname in TEXT_FIELDS:
            words.discard(leaf.text)
            words.add(f"{leaf.text}*")
    return frozenset(words)


@lru_cache(maxsize=200_000)
def _analysed(language: str, word: str) -> str | None:
    return next((t.text for t in PIPELINES[language](word)), None)


def _fragments(spans: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for start, end in spans:
        lo, hi = max(0, start - SURROUND), min(size, end + SURROUND)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        elif len(windows) < FRAGMENTS:
            windows.append((lo, hi))
    return windows


def mark(text: str, language: str, words: frozenset[str], *, whole: bool) -> str | None:
    """`text` (or fragments of it) escaped, with the words analysing to `words` in <mark>."""
    analysis = analysis_language(language)
    prefixes = tuple(w[:-1] for w in words if w.endswith("*"))

    def wanted(token: str) -> bool:
        analysed = _analysed(analysis, token)
        return analysed in words or bool(prefixes and analysed and analysed.startswith(prefixes))

    spans = [m.span() for m in TOKEN.finditer(text) if wanted(m.group())]
    if not spans:
        return None
    windows = [(0, len(text))] if whole else _fragments(spans, len(text))
    parts = []
    for lo, hi in windows:
        out, at = [], lo
        for start, end in spans:
            if start < lo or end > hi:
                continue
            out.append(escape(text[at:start], quote=False))
            out.append(f"<mark>{escape(text[start:end], quote=False)}</mark>")
            at = end
        out.append(escape(text[at:hi], quote=False))
        piece = "".join(out).strip()
        parts.append(("… " if lo > 0 else "") + piece + (" …" if hi < len(text) else ""))
    return " ".join(parts)


def snippets(texts: dict[str, str], language: str, words: frozenset[str]) -> dict[str, str]:
    """Highlighted text of each field of `texts` that contains a query word."""
    if not words:
        return {}
    out = {}
    for name in SNIPPET_FIELDS:
        text = (texts.get(name) or "")[:MAX_CHARS]
        marked = mark(text, language, words, whole=name in WHOLE) if text else None
        if marked:
            out[name] = marked
    return out
