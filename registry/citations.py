"""Citing an initiative: its published versions, and one version as CSL-JSON, BibTeX, RIS and a
styled reference (citeproc-py, the Harvard "Cite them right" style it ships, in the reader's
language).

A record's public versions are numbered as the public sees them (`public_version`, the
record's `version` in the API): version N is the content the first revision with that public
version and a published status holds. Only a record published now has citable versions, so a
withdrawn or deleted record's former content never comes back through a citation link.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import citeproc
import nh3
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from sqlalchemy import select
from sqlmodel import Session

from . import initiatives
from .models import Initiative, Revision
from .transfer import LICENCE

REGISTRY = "Coproduction Registry"
STYLE = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
LOCALES = {"en": "en-GB", "fr": "fr-FR"}


@dataclass(frozen=True)
class Version:
    """One published version of a record, as the public saw it."""

    number: int
    published: datetime
    fields: dict[str, Any]  # the record's live fields then (never the edit waiting beside them)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def versions(session: Session, initiative: Initiative) -> list[Version]:
    """The published versions of a record published now, oldest first (none otherwise)."""
    if initiative.status != initiatives.PUBLIC_STATUS:
        return []
    found: dict[int, Version] = {}
    rows = session.scalars(
        select(Revision).where(Revision.initiative_id == initiative.id).order_by(Revision.number)
    )
    for revision in rows:
        snapshot = revision.snapshot or {}
        number = snapshot.get("public_version")
        if snapshot.get("status") != "published" or not isinstance(number, int):
            continue
        if number not in found and number <= initiative.public_version:
            found[number] = Version(number, _aware(revision.created_at), snapshot)
    return [found[n] for n in sorted(found)]


def version(session: Session, initiative: Initiative, number: int) -> Version | None:
    for v in versions(session, initiative):
        if v.number == number:
            return v
    return None


@dataclass(frozen=True)
class Cited:
    """What a citation says about one version of a record."""

    initiative_id: int
    version: int
    title: str
    summary: str
    language: str
    author: str
    published: datetime
    url: str  # the permanent link of the record
    version_url: str  # this version's page
    accessed: date

    @property
    def key(self) -> str:
        return f"coproduction-registry-{self.initiative_id}-v{self.version}"


def cited(initiative: Initiative, v: Version, url: str, version_url: str, accessed: date) -> Cited:
    fields = v.fields
    organisation = initiative.organisation.name if initiative.organisation is not None else ""
    return Cited(
        initiative_id=initiative.id,
        version=v.number,
        title=str(fields.get("title") or initiative.title),
        summary=str(fields.get("summary") or ""),
        language=str(fields.get("language") or "en"),
        author=str(fields.get("lead_organisation") or organisation or REGISTRY),
        published=v.published,
        url=url,
        version_url=version_url,
        accessed=accessed,
    )


def _note(c: Cited) -> str:
    return (
        f"Version {c.version} of {c.published:%Y-%m-%d}. Licence: {LICENCE['name']} "
        f"({LICENCE['url']}). Permanent link: {c.url}"
    )


def _parts(day: date) -> dict[str, list[list[int]]]:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl(c: Cited) -> dict[str, Any]:
    """The CSL-JSON item (https://citationstyles.org, schema csl-data.json)."""
    return {
        "id": c.key,
        "type": "webpage",
        "title": c.title,
        "author": [{"literal": c.author}],
        "container-title": REGISTRY,
        "publisher": REGISTRY,
        "issued": _parts(c.published.date()),
        "accessed": _parts(c.accessed),
        "URL": c.version_url,
        "version": str(c.version),
        "language": c.language,
        "abstract": c.summary,
        "note": _note(c),
        "custom": {"licence": LICENCE["id"], "permanent-url": c.url},
    }


def csl_json(c: Cited) -> str:
    return json.dumps([csl(c)], ensure_ascii=False, indent=2) + "\n"


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
    "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}",
}  # fmt: skip
_BIBTEX_RE = re.compile("|".join(re.escape(k) for k in _BIBTEX_SPECIAL))


def _tex(text: str) -> str:
    """Text for a BibTeX field: one line, TeX's special characters escaped."""
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], " ".join(text.split()))


def _verbatim(url: str) -> str:
    """A URL for a BibTeX `url` field (verbatim there): braces and spaces cannot appear."""
    return re.sub(r"[{}\s\\]", lambda m: f"%{ord(m.group()):02X}", url)


def bibtex(c: Cited) -> str:
    """A BibTeX (biblatex-compatible) `@misc` entry."""
    fields = [
        ("author", "{" + _tex(c.author) + "}"),  # a corporate author: kept whole
        ("title", "{" + _tex(c.title) + "}"),
        ("howpublished", _tex(REGISTRY)),
        ("organization", _tex(REGISTRY)),
        ("year", str(c.published.year)),
        ("month", str(c.published.month)),
        ("version", str(c.version)),
        ("url", _verbatim(c.version_url)),
        ("urldate", c.accessed.isoformat()),
        ("language", _tex(c.language)),
        ("note", _tex(f"Accessed {c.accessed.isoformat()}. {_note(c)}")),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{c.key},\n{body}\n}}\n"


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def ris(c: Cited) -> str:
    """An RIS record (type ELEC: a web page)."""
    lines = [
        _ris_line("TY", "ELEC"),
        _ris_line("ID", c.key),
        _ris_line("TI", c.title),
        _ris_line("AU", c.author),
        _ris_line("PY", str(c.published.year)),
        _ris_line("DA", c.published.strftime("%Y/%m/%d")),
        _ris_line("Y2", c.accessed.strftime("%Y/%m/%d")),
        _ris_line("T2", REGISTRY),
        _ris_line("PB", REGISTRY),
        _ris_line("ET", f"Version {c.version}"),
        _ris_line("UR", c.version_url),
        _ris_line("LA", c.language),
        _ris_line("AB", c.summary),
        _ris_line("N1", _note(c)),
        "ER  - ",
    ]
    return "\r\n".join(lines) + "\r\n"


@cache
def _style(locale: str) -> CitationStylesStyle:
    return CitationStylesStyle(str(STYLE), locale=locale, validate=False)


def styled(c: Cited, locale: str) -> str:
    """The reference in the Harvard style, as safe HTML (titles in italics), in the reader's
    language. The values are escaped before citeproc-py sees them: it does not escape them."""
    item = csl(c)
    del item["custom"], item["language"]  # citeproc-py warns about what it does not use
    for key in ("title", "container-title", "publisher", "URL"):
        item[key] = html.escape(item[key], quote=False)
    item["author"] = [{"literal": html.escape(c.author, quote=False)}]
    style = _style(LOCALES.get(locale[:2], "en-GB"))
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.html)
    bibliography.register(Citation([CitationItem(c.key)]))
    text = "".join(str(entry) for entry in bibliography.bibliography())
    return nh3.clean(text, tags={"i", "b", "span"}, attributes={})
