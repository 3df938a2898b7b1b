"""Snippets with the matched words in <mark>, highlighted from the database's text.

Everything but the <mark> tags is HTML-escaped, so snippets are safe to insert as markup.
Words are analysed as the index analysed them (cached per word), so "cambriolages" is marked
for the query "cambriolage"; Whoosh's own highlighter re-runs the whole analysis pipeline on
every token and was most of a search request's time.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
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


# Analysed forms whose word starts otherwise: Snowball's English exceptions (the only ones
# among the 200,000 commonest words of English, French, German and Spanish).
IRREGULAR_STARTS = {"die": "dy", "lie": "ly", "tie": "ty"}


def _hint(form: str) -> str:
    """Letters every word analysed to `form` holds, lower-cased and folded: a stem keeps its
    word's first three letters, or two when it is shorter than four ("acing" is "ace", "aby"
    is "abi")."""
    return form[:3] if len(form) >= 4 else form[:2]


@lru_cache(maxsize=1024)
def _hints(wanted: Wanted) -> tuple[str, ...]:
    """What a word must hold to match anything `wanted` looks for (see `_hint`)."""
    words = {*wanted.words, *(w for p in wanted.phrases for w in p)}
    found = {_hint(w) for w in words if w} | {
        IRREGULAR_STARTS[w] for w in words & IRREGULAR_STARTS.keys()
    }
    for prefix in wanted.prefixes:
        found.add(_hint(prefix))
        found.update(v for k, v in IRREGULAR_STARTS.items() if k.startswith(prefix))
    return tuple(sorted(h for h in found if h))


def _fold(char: str) -> str:
    lowered = char.lower()
    return accent_map.get(ord(lowered), lowered) if len(lowered) == 1 else char


# Latin-1 text lower-cased and folded as the index folds it, by one byte per character: a
# C table look-up (`str.translate` with Whoosh's accent map costs 60 µs per kilobyte).
_LATIN1_FOLD = bytes(
    ord(_fold(chr(b))) if ord(_fold(chr(b))) < 256 else ord("?") for b in range(256)
)
# A letter or digit beyond Latin-1 ("œ", "ł", Greek): such text is folded character by
# character (punctuation beyond it, such as ’ or …, cannot be part of a hint).
_BEYOND_LATIN1 = re.compile(r"(?=[^\x00-\xff])[^\W_]")
_ONE_FOR_ONE = {0x130: "i"}  # the one character lower-casing to two ("İ")


def _folded(text: str) -> bytes:
    """`text` lower-cased and folded as the index folds it, one byte per character (so
    offsets are the text's); "?" where Latin-1 has no such character."""
    if _BEYOND_LATIN1.search(text) is None:
        return text.encode("latin-1", "replace").translate(_LATIN1_FOLD)
    return text.translate(_ONE_FOR_ONE).lower().translate(accent_map).encode("latin-1", "replace")


@lru_cache(maxsize=1024)
def _hint_bytes(hints: tuple[str, ...]) -> tuple[bytes, ...]:
    """The hints as `_folded` text holds them: each up to its first character beyond Latin-1
    (the index keeps a combining mark, "i̇stanbul"; `_folded` may not), or all "?" when it
    starts with one."""
    out = []
    for hint in hints:
        head = re.match(r"[\x00-\xff]*", hint).group()
        out.append((head or hint).encode("latin-1", "replace"))
    return tuple(out)


def _candidates(text: str, limit: int, hints: tuple[str, ...]) -> Iterator[int]:
    """Where a hint starts in `text[:limit]` folded as the index folds it, in order: words
    without one cannot match, whatever the query, so they are skipped by C string search
    instead of analysed one by one."""
    folded = _folded(text[:limit])
    found = set()
    for hint in _hint_bytes(hints):
        at = folded.find(hint)
        while at >= 0:
            found.add(at)
            at = folded.find(hint, at + 1)
    if not found and HYPHENS.search(text, 0, limit):
        # A joined form ("codesign") spelled with a hyphen: marked by `mark`'s look at the
        # hyphenated words, which needs the scan to go on.
        joined = _folded(HYPHENS.sub("", text[:limit]))
        if any(h in joined for h in _hint_bytes(hints)):
            found.add(0)
    return iter(sorted(found))


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
    candidates = _candidates(text, limit, _hints(wanted))
    hint = next(candidates, None)
    if hint is None:
        return None
    spans: list[tuple[int, int]] = []
    # The last `longest` words, for phrases; a phrase is compared only at its last word.
    recent: deque[tuple[tuple[int, int], str]] = deque(maxlen=longest)
    enders = {p[-1] for p in wanted.phrases}
    shown: list[tuple[int, int]] = []  # the fragments so far, as `_fragments` will make them
    end = limit
    # The loop runs for every candidate word of a hit's fields (words between candidates are
    # skipped unread): names bound once, phrase bookkeeping only when the query has phrases, a
    # word's span made only when it is marked or remembered.
    words, prefixes, phrases = wanted.words, wanted.prefixes, wanted.phrases
    fragments = not whole
    at = 0  # the end of the last word read
    while hint is not None:
        skip_to = hint  # from the start of the hint's word, or the end of the last word read
        while skip_to > at and not text[skip_to - 1].isspace():
            skip_to -= 1
        # A phrase runs over stop words only: any other word skipped ends the phrase so far.
        if recent and any(
            _analysed(analysis, w.group()) is not None for w in TOKEN.finditer(text, at, skip_to)
        ):
            recent.clear()
        m = TOKEN.search(text, skip_to, limit)
        if m is None:
            break
        at = m.end()
        hint = next((c for c in candidates if c >= at), None)
        analysed = _analysed(analysis, m.group())
        if analysed is None:
            continue
        if fragments and len(shown) >= FRAGMENTS and m.start() - SURROUND > shown[-1][1]:
            end = m.start()  # past the last fragment: nothing further would be shown
            break
        hit = analysed in words or (prefixes and analysed.startswith(prefixes))
        found = [m.span()] if hit else []
        if phrases:
            recent.append((m.span(), analysed))
            if analysed in enders:
                words_now = [a for _, a in recent]
                for phrase in phrases:
                    n = len(phrase)
                    if len(recent) >= n and tuple(words_now[-n:]) == phrase:
                        found.extend(s for s, _ in list(recent)[-n:])
        if found:
            refused = next((a for a, b in sorted(found) if not _grow(shown, a, b, limit)), None)
            spans.extend(found)
            if fragments and refused is not None:
                # The fragments are full: this match and those after are not shown.
                end = refused
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
