"""Markdown to safe HTML: rendered without raw HTML, then sanitised with an allow-list.

Rendering costs in proportion to the markup a text holds (about 50 µs per link or image
opener, 16 µs per emphasis marker, measured): `problem()` is the limit a description is
validated against, so that no stored text costs seconds to render. What is rendered is kept in
a small in-process cache keyed by a digest of the text: each revision's HTML and plain text are
computed once per process, not once per page view or search hit (see `_Cache`).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from hashlib import blake2b
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from .messages import Message, msg

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
# Block structure only (linear time): what `problem()` measures nesting on.
_blocks = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_blocks.disable("inline")

_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip

# Limits of a record's Markdown (its description). Far above what a real case study uses (the
# seeds' longest has 6 links and 2 levels of lists), far below what makes rendering slow: at
# the limits a 50,000-character text renders in about 60 ms (CPU, 2-core machine).
MAX_LINKS = 500  # "[" (links, images, and their labels)
MAX_EMPHASIS = 1_000  # runs of "*", "_" and "`": emphasis and code markers
_EMPHASIS = re.compile(r"[*_`]+")
MAX_DEPTH = 8  # lists and block quotes inside one another
_CONTAINERS = ("blockquote_open", "bullet_list_open", "ordered_list_open")


def problem(text: str) -> Message | None:
    """Why `text` is refused as Markdown (too much markup, nested too deep), or None.

    Counting characters and parsing the block structure are linear: run before any rendering.
    """
    if not text:
        return None
    links = text.count("[")
    if links > MAX_LINKS:
        return msg(
            "has too many links or images (%(count)s brackets; at most %(limit)s)",
            count=links, limit=MAX_LINKS,
        )  # fmt: skip
    emphasis = sum(1 for _ in _EMPHASIS.finditer(text))
    if emphasis > MAX_EMPHASIS:
        return msg(
            "has too much emphasis markup (%(count)s runs of * _ `; at most %(limit)s)",
            count=emphasis, limit=MAX_EMPHASIS,
        )  # fmt: skip
    if _shallow(text):
        return None
    deepest = int(CACHE.get("depth", text, _deepest))
    # markdown-it stops nesting at 20 levels (two per list): deeper input reads as that deep.
    if deepest > MAX_DEPTH:
        return msg(
            "nests lists or quotes too deep (%(depth)s levels; at most %(limit)s)",
            depth=deepest, limit=MAX_DEPTH,
        )  # fmt: skip
    return None


class _Cache:
    """A least-recently-used map from (kind, digest of the text) to what was computed from it,
    bounded in characters held.

    Keyed by the text's digest rather than by (record id, version): a revision's text decides
    its rendering, so the key changes with every edit (nothing to invalidate, never stale),
    templates that render a text need not know whose it is, and a draft previewed twice or a
    text shown on two pages is rendered once. In process rather than stored: no migration, no
    column to keep in step when the renderer changes; a new worker renders each text once.
    """

    def __init__(self, budget: int):
        self.budget = budget
        self.held = 0
        self._items: OrderedDict[tuple[str, bytes], str] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0  # how many times a value was computed (tests count renders)

    def get(self, kind: str, text: str, compute: Callable[[str], str]) -> str:
        key = (kind, blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest())
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        value = compute(text)
        with self._lock:
            self.computed += 1
            if key not in self._items:
                self._items[key] = value
                self.held += len(value)
                while self.held > self.budget and self._items:
                    _, dropped = self._items.popitem(last=False)
                    self.held -= len(dropped)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.held = 0


# 32 million characters: the HTML and plain text of several thousand long records per process.
CACHE = _Cache(32_000_000)


# A line's leading indentation and container markers (quotes, list bullets and numbers).
_PREFIX = re.compile(r"^[ \t>*+\-0-9.)]*", re.MULTILINE)


def _shallow(text: str) -> bool:
    """Whether `text` surely nests no deeper than MAX_DEPTH, without parsing it.

    Every list or quote a line is inside when a list or quote opens on it takes at least one
    column of the line's start: a quote its ">", a list item its marker, or the indentation
    (two columns or more) that continues it; a line continuing a paragraph lazily opens none.
    So no line starting with at most MAX_DEPTH columns of indentation and markers means no
    deeper nesting (checked against the parse in tests/test_markdown_limits.py). Most texts
    pass, so most validations skip `_deepest`'s parse (1 ms for a 500-word description)."""
    return all(len(m.group().expandtabs(4)) <= MAX_DEPTH for m in _PREFIX.finditer(text))


def _deepest(text: str) -> str:
    """How many lists and quotes the deepest part of `text` is inside (as text, to be cached
    beside the renderings: a text validated again, as an edit merged onto its record, costs
    nothing more)."""
    depth = deepest = 0
    for token in _blocks.parse(text):
        if token.type in _CONTAINERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.type.replace("_close", "_open") in _CONTAINERS:
            depth -= 1
    return str(deepest)


def _render(text: str) -> str:
    html = _md.render(text)
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def _plain(text: str) -> str:
    # From the (cached) sanitised HTML: one Markdown parse per text, whichever is asked first.
    html = nh3.clean(CACHE.get("html", text, _render), tags=set())
    return " ".join(unescape(html).split())


def render(text: str) -> Markup:
    """Sanitised HTML for a record's Markdown: no scripts, no `javascript:` links, no headings
    above h3 (the page owns h1 and h2)."""
    return Markup(CACHE.get("html", text, _render) if text else "")


def plain(text: str) -> str:
    """A record's Markdown as plain text, for snippets: its words without `**` and `#`."""
    return CACHE.get("plain", text, _plain) if text else ""
