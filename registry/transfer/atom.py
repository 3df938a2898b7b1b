"""Atom 1.0 (RFC 4287) feeds of initiatives, built with the standard library's ElementTree."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree as ET

from ..schemas import iso

NS = "http://www.w3.org/2005/Atom"


@dataclass
class Entry:
    id: str
    title: str
    url: str
    summary: str
    updated: datetime
    published: datetime | None = None
    author: str = ""
    language: str = ""
    categories: list[tuple[str, str]] = field(default_factory=list)  # (term, label)


# What XML 1.0 cannot hold. Validation refuses these in new text; a record stored before it
# did must still not make the feed ill-formed for every subscriber.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", {k: _xml(v) for k, v in attrs.items() if v})
    if text is not None:
        element.text = _xml(text)
    return element


def build(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    updated: datetime,
    author: str,
    rights: str,
    entries: Iterable[Entry],
    language: str = "en",
) -> bytes:
    """The feed document as UTF-8 bytes. Entries without an author inherit the feed's."""
    ET.register_namespace("", NS)
    feed = ET.Element(f"{{{NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    _add(feed, "updated", iso(updated))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=alternate_url)
    _add(_add(feed, "author"), "name", author)
    _add(feed, "rights", rights)
    _add(feed, "generator", "Coproduction Registry")
    for e in entries:
        entry = _add(feed, "entry")
        _add(entry, "id", e.id)
        _add(entry, "title", e.title)
        _add(entry, "updated", iso(e.updated))
        if e.published:
            _add(entry, "published", iso(e.published))
        _add(entry, "link", rel="alternate", type="text/html", href=e.url, hreflang=e.language)
        if e.author:
            _add(_add(entry, "author"), "name", e.author)
        for term, label in e.categories:
            _add(entry, "category", term=term, label=label)
        _add(entry, "summary", e.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
