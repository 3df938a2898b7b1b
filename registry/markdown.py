"""Markdown to safe HTML: rendered without raw HTML, then sanitised with an allow-list."""

from __future__ import annotations

from html import unescape

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render(text: str) -> Markup:
    """Sanitised HTML for a record's Markdown: no scripts, no `javascript:` links, no headings
    above h3 (the page owns h1 and h2)."""
    html = _md.render(text or "")
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)


def plain(text: str) -> str:
    """A record's Markdown as plain text, for snippets: its words without `**` and `#`."""
    html = nh3.clean(_md.render(text or ""), tags=set())
    return " ".join(unescape(html).split())
