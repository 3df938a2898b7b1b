"""Snippets with the matched words in <mark>, highlighted from the database's text.

Everything but the <mark> tags is HTML-escaped, so snippets are safe to insert as markup.
Words are analysed as the index analysed them (cached per word), so "cambriolages" is marked
for the query "cambriolage"; Whoosh's own highlighter re-runs the whole analysis pipeline on
every token and was most of a search request's time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

from whoosh.query import AndNot, Not, Phrase, Prefix, Query, Term
from whoosh.support.charset import accent_map

from .. import markdown
from ..models import Initiative
from . import parsing
from .analysis import HYPHENS, PIPELINES, TOKEN, analysis_language, hyphenated
from .parsing import Parsed
from .schema import TEXT_FIELDS

SNIPPET_FIELDS = ("title", "summary", "description", "outcomes")
WHOLE = ("title", "summary")  # short: shown whole; the others as fragments around matches
MAX_CHARS = 20_000
# How far into a long field (description, outcomes) fragments are looked for: about 1,200
# words, more than most descriptions hold; bounds a hit's snippet work (see `mark`).
SCAN_CHARS = 8_000
SURROUND = 90
FRAGMENTS = 2
# A fragment grows over matches close together, but no longer than this: a word repeated every
# sentence would otherwise make one fragment of the whole scanned text.
FRAGMENT_CHARS = 400


@dataclass(frozen=True)
class Wanted:
    """What to mark: analysed words, prefixes of analysed words, and phrases (runs of them)."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes or self.phrases)

    def __or__(self, other: Wanted) -> Wanted:
        return Wanted(
            self.words | other.words,
            tuple(sorted({*self.prefixes, *other.prefixes})),
            tuple(sorted({*self.phrases, *other.phrases})),
        )


def wanted(parsed: Parsed, language: str) -> Wanted:
    """What to mark in a record analysed in `language`: the explicit query's words and
    phrases, and every term a plain word's variants look for (translations, joined forms)."""
    found = query_words(parsed.trees.get(language))
    words = {t for c in parsed.concepts for t in c.words(language)}
    prefixes = {p for c in parsed.concepts for p in c.prefixes(language)}
    return found | Wanted(frozenset(words), tuple(sorted(prefixes)))


def query_words(query: Query | None) -> Wanted:
    """What a query looks for in the text fields, leaving out what it excludes (NOT)."""
    words: set[str] = set()
    prefixes: set[str] = set()
    phrases: set[tuple[str, ...]] = set()

    def walk(q: Query) -> None:
        if isinstance(q, Not):
            return
        if isinstance(q, AndNot):
            walk(q.a)
        elif isinstance(q, Phrase) and q.fieldname in TEXT_FIELDS:
            phrases.add(tuple(q.words))
        elif isinstance(q, Prefix) and q.fieldname in TEXT_FIELDS:
            prefixes.add(q.text)
        elif isinstance(q, Term) and q.fieldname in TEXT_FIELDS:
            words.add(q.text.decode("utf-8") if isinstance(q.text, bytes) else str(q.text))
        else:
            for child in q.children():
                walk(child)

    if query is not None:
        walk(query)
    return Wanted(frozenset(words), tuple(sorted(prefixes)), tuple(sorted(phrases)))


@lru_cache(maxsize=200_000)
def _analysed(language: str, word: str) -> str | None:
    return next((t.text for t in PIPELINES[language](word)), None)


def _grow(windows: list[tuple[int, int]], start: int, end: int, size: int) -> bool:
    """Show the match `start:end` in `windows`: in the last fragment when it is near and the
    fragment stays within FRAGMENT_CHARS, else in a new one while fewer than FRAGMENTS exist.
    False when no fragment can take it (nor any match further on). A full fragment ends where
    the match it cannot hold begins, so no match is shown unmarked at its end."""
    lo, hi = max(0, start - SURROUND), min(size, end + SURROUND)
    if windows:
        last_lo, last_hi = windows[-1]
        if lo <= last_hi:
            if hi - last_lo <= FRAGMENT_CHARS:
                windows[-1] = (last_lo, max(last_hi, hi))
                return True
            windows[-1] = (last_lo, start)
            lo = start
    if len(windows) < FRAGMENTS:
        windows.append((lo, hi))
        return True
    return False


def _fragments(spans: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for start, end in spans:
        if not _grow(windows, start, end, size):
            break
    return windows


@lru_cache(maxsize=1024)
def _hints(wanted: Wanted) -> tuple[str, ...]:
    """Text every word a match can start with holds, lower-cased and accents folded: the first
    three letters of each analysed word, prefix and phrase word (a stem keeps its word's first
    letters)."""
    words = {*wanted.words, *wanted.prefixes, *(w for p in wanted.phrases for w in p)}
    return tuple(sorted({w[:3] for w in words if w}))


def _first_candidate(text: str, limit: int, hints: tuple[str, ...]) -> int | None:
    """Where matching may start in `text[:limit]` (at or before its first match), or None when
    nothing there can match: one pass of C string search instead of analysing every word."""
    lowered = text[:limit].lower()
    if not lowered.isascii():
        if all(h.isascii() for h in hints):  # accents dropped in C: "é" is "e" and U+0301
            lowered = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
        else:
            lowered = lowered.translate(accent_map)
    grown = max(0, len(lowered) - limit)  # folding may lengthen the text ("ﬁ" is "fi")
    # Hyphens dropped, as a joined form ("codesign") is matched on "co-design".
    folded = HYPHENS.sub("", lowered)
    found = [at for h in hints if (at := folded.find(h)) >= 0]
    if not found:
        return None
    start = max(0, min(found) - grown)
    while start > 0 and not text[start - 1].isspace():  # from the start of its word
        start -= 1
    return start


def mark(text: str, language: str, wanted: Wanted, *, whole: bool) -> str | None:
    """`text` (or fragments of it) escaped, with the words `wanted` looks for in <mark>.

    Fragments (`whole=False`) cost a bounded amount per field whatever the text's length: the
    text is read word by word from its start and reading stops once FRAGMENTS fragments are
    complete, or after SCAN_CHARS characters (a match further on shows no fragment; the hit is
    still listed, with its title and summary).
    """
    analysis = analysis_language(language)
    limit = len(text) if whole else min(len(text), SCAN_CHARS)
    longest = max((len(p) for p in wanted.phrases), default=1)
    # Stop words analyse to None: a phrase runs over the words that remain, as in the index.
    begin = _first_candidate(text, limit, _hints(wanted))
    if begin is None:
        return None
    spans: list[tuple[int, int]] = []
    recent: list[tuple[tuple[int, int], str]] = []  # the last `longest` words, for phrases
    shown: list[tuple[int, int]] = []  # the fragments so far, as `_fragments` will make them
    end = limit
    # The loop runs for every word of a hit's fields: names bound once, phrase bookkeeping only
    # when the query has phrases, a word's span made only when it is marked or remembered.
    words, prefixes, phrases = wanted.words, wanted.prefixes, wanted.phrases
    fragments = not whole
    for m in TOKEN.finditer(text, begin, limit):
        analysed = _analysed(analysis, m.group())
        if analysed is None:
            continue
        if fragments and len(shown) >= FRAGMENTS and m.start() - SURROUND > shown[-1][1]:
            end = m.start()  # past the last fragment: nothing further would be shown
            break
        hit = analysed in words or (prefixes and analysed.startswith(prefixes))
        if not phrases:
            if not hit:
                continue
            found = [m.span()]
        else:
            recent.append((m.span(), analysed))
            if len(recent) > longest:
                recent.pop(0)
            found = [m.span()] if hit else []
            for phrase in phrases:
                n = len(phrase)
                if len(recent) >= n and tuple(a for _, a in recent[-n:]) == phrase:
                    found.extend(s for s, _ in recent[-n:])
        refused = next((a for a, b in sorted(found) if not _grow(shown, a, b, limit)), None)
        spans.extend(found)
        if fragments and refused is not None:
            end = refused  # the fragments are full: this match and those after are not shown
            break
    spans = sorted(set(spans))
    # A hyphenated word matched by its joined form ("codesign" marks "co-design") is marked
    # whole.
    for m in hyphenated(text[:end]):
        if _analysed(analysis, HYPHENS.sub("", m.group())) in wanted.words:
            spans = [s for s in spans if not m.start() <= s[0] < m.end()] + [m.span()]
    spans.sort()
    if not spans:
        return None
    if whole:
        windows = [(0, len(text))]
    else:  # no fragment runs on past the first match the scan left unmarked
        windows = [(lo, min(hi, end)) for lo, hi in _fragments(spans, len(text))]
    pieces = []
    for lo, hi in windows:
        out, at = [], lo
        for start, stop in spans:
            if start < lo or stop > hi or start < at:
                continue
            out.append(escape(text[at:start], quote=False))
            out.append(f"<mark>{escape(text[start:stop], quote=False)}</mark>")
            at = stop
        out.append(escape(text[at:hi], quote=False))
        pieces.append("".join(out) if whole else "".join(out).strip())
    # "…" where text is left out: once between two fragments, none between two that touch.
    bounds = [0, *(x for w in windows for x in w), len(text)]
    parts = []
    for n, piece in enumerate(pieces):
        before, lo, hi, next_lo = bounds[2 * n : 2 * n + 4]
        left = "… " if n == 0 and lo > before else ""
        right = " …" if hi < next_lo or (n == len(pieces) - 1 and hi < len(text)) else ""
        parts.append(left + piece + right)
    return " ".join(parts)


def snippets(texts: dict[str, str], language: str, wanted: Wanted) -> dict[str, str]:
    """Highlighted text of each field of `texts` that contains something `wanted`."""
    if not wanted:
        return {}
    out = {}
    for name in SNIPPET_FIELDS:
        text = (texts.get(name) or "")[:MAX_CHARS]
        marked = mark(text, language, wanted, whole=name in WHOLE) if text else None
        if marked:
            out[name] = marked
    return out


class _Marker(HTMLParser):
    """Rebuilds sanitised HTML with the wanted words of its text marked (tags kept as they
    were written, text escaped again)."""

    def __init__(self, language: str, wanted: Wanted):
        super().__init__(convert_charrefs=True)
        self.language, self.wanted, self.out = language, wanted, []

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        marked = mark(data, self.language, self.wanted, whole=True) if data.strip() else None
        self.out.append(marked if marked is not None else escape(data, quote=False))


def record(initiative: Initiative, q: str) -> dict[str, str]:
    """The record's title, summary, outcomes and description (rendered Markdown) as HTML with
    what the search `q` looks for marked: the highlights a search carries to the record's
    page. Only the fields with something marked are returned."""
    language = analysis_language(initiative.language)
    parsed = parsing.parse(q, (language,))
    if parsed is None:
        return {}
    found = wanted(parsed, language)
    if not found:
        return {}
    out = {}
    for name in ("title", "summary", "outcomes"):
        text = getattr(initiative, name)
        marked = mark(text[:MAX_CHARS], initiative.language, found, whole=True) if text else None
        if marked:
            out[name] = marked
    if initiative.description:
        marker = _Marker(initiative.language, found)
        marker.feed(str(markdown.render(initiative.description)))
        marker.close()
        html = "".join(marker.out)
        if "<mark>" in html:
            out["description"] = html
    return out
