"""Sharing and discovery: OpenGraph and Twitter card tags and the canonical address of every
page, schema.org JSON-LD on initiative pages, `sitemap.xml` of published records (an index of
chunks past SITEMAP_CHUNK addresses) and `robots.txt` keeping private areas out.

Everything here reads through the public rules: a record that is not published has no card,
no JSON-LD and no sitemap entry.
"""

from __future__ import annotations

import html
import re
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_babel import gettext as _
from jinja2 import pass_context
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from .. import collections as curated
from .. import initiatives
from ..extensions import db
from ..i18n import current_locale
from ..markdown import render as render_markdown
from ..media import reading
from ..models import Collection, Initiative
from ..schemas import iso
from ..security import PRIVATE, public, visibility_of
from ..transfer import LICENCE
from .labels import country_name, label
from .media import external_urls

bp = Blueprint("discovery", __name__)
SITEMAP_CHUNK = 50_000  # the sitemaps.org limit of addresses per file
SITE_DESCRIPTION_LENGTH = 300
# Public pages whose address is a secret of their owner (shared lists, personal feeds,
# unsubscribe links): kept out of robots' way like the private ones. Slices add to it.
UNLISTED_ENDPOINTS: set[str] = set()
_BLOCKS = re.compile(r"</?(?:p|li|ul|ol|h\d|br|div|blockquote|pre)\b[^>]*>")
_TAGS = re.compile(r"<[^>]+>")


def _plain(markdown_text: str, limit: int = SITE_DESCRIPTION_LENGTH) -> str:
    """Markdown as one line of plain text, for a description."""
    rendered = _BLOCKS.sub(" ", str(render_markdown(markdown_text)))
    text = " ".join(html.unescape(_TAGS.sub("", rendered)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _first_image(initiative: Initiative) -> dict[str, Any] | None:
    for item in reading.public(db(), initiative):
        if item.kind == "image":
            file_url, _thumbnail = external_urls(item)
            return {"url": file_url, "alt": item.alt, "width": item.width,
                    "height": item.height, "type": item.content_type}  # fmt: skip
    return None


def canonical_url() -> str | None:
    """This page's address without its query, as search engines should keep it."""
    if request.endpoint is None or request.view_args is None:
        return None
    try:
        return url_for(request.endpoint, **request.view_args, _external=True)
    except BuildError:  # a route that cannot be rebuilt has no canonical form
        return None


@pass_context
def share_meta(context, title: str) -> dict[str, Any]:
    """What the page's <head> says to link previews and search engines."""
    view = current_app.view_functions.get(request.endpoint or "")
    private = (
        view is None or visibility_of(view) == PRIVATE or request.endpoint in (UNLISTED_ENDPOINTS)
    )
    meta: dict[str, Any] = {
        "private": private,
        "title": " ".join(str(title).split()),
        "description": _(
            "The reference catalogue of public-service coproduction: citizens and professionals "
            "planning, designing, delivering and evaluating public services together."
        ),
        "type": "website",
        "url": canonical_url(),
        "image": None,
        "locale": "fr_FR" if current_locale().startswith("fr") else "en_GB",
        "site_name": _("Coproduction Registry"),
        "jsonld": None,
    }
    if private:
        return meta
    initiative = context.get("initiative")
    collection = context.get("collection")
    if isinstance(initiative, Initiative) and initiative.status == initiatives.PUBLIC_STATUS:
        page = url_for("browse.initiative_page", initiative_id=initiative.id,
                       slug=initiative.slug, _external=True)  # fmt: skip
        meta.update(type="article", title=initiative.title, description=initiative.summary,
                    url=page, image=_first_image(initiative))  # fmt: skip
        if request.endpoint == "browse.initiative_page":
            meta["jsonld"] = initiative_jsonld(initiative, page, meta["image"])
    elif isinstance(collection, Collection):
        intro = curated.introduction(collection, current_locale())
        if intro:
            meta["description"] = _plain(intro)
        meta["url"] = url_for("collections.collection_page", collection_id=collection.id,
                              slug=collection.slug, _external=True)  # fmt: skip
    return meta


def initiative_jsonld(
    initiative: Initiative, page: str, image: dict[str, Any] | None
) -> dict[str, Any]:
    """schema.org: the page (a WebPage, CC BY 4.0, part of the registry) about a Project."""
    i = initiative
    project: dict[str, Any] = {
        "@type": "Project",
        "@id": f"{page}#initiative",
        "name": i.title,
        "description": i.summary,
        "url": page,
        "areaServed": {
            "@type": "Country",
            "name": country_name(i.country),
            "identifier": i.country,
        },
        "keywords": [label("sector", i.sector), label("maturity", i.maturity), *i.tags],
    }
    if i.start_year:
        project["foundingDate"] = str(i.start_year)
    if i.end_year and i.operating_status in ("ended", "absorbed"):
        project["dissolutionDate"] = str(i.end_year)
    if i.lead_organisation:
        project["member"] = {"@type": "Organization", "name": i.lead_organisation}
    if i.sources:
        project["sameAs"] = [s["url"] for s in i.sources if s.get("url")]
    page_node: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "@id": page,
        "url": page,
        "name": i.title,
        "description": i.summary,
        "inLanguage": i.language,
        "datePublished": iso(i.published_at),
        "dateModified": iso(i.updated_at),
        "license": LICENCE["url"],
        "isPartOf": {
            "@type": "WebSite",
            "name": _("Coproduction Registry"),
            "url": url_for("browse.home", _external=True),
        },
        "mainEntity": project,
    }
    if image is not None:
        page_node["primaryImageOfPage"] = {
            "@type": "ImageObject", "contentUrl": image["url"], "description": image["alt"],
            "width": image["width"], "height": image["height"],
        }  # fmt: skip
    return page_node


HELPERS = {"share_meta": share_meta}


# --- sitemap.xml --------------------------------------------------------------------------


def _chunk_size() -> int:
    return int(current_app.config.get("SITEMAP_CHUNK", SITEMAP_CHUNK))


def _fixed_pages() -> list[tuple[str, str | None]]:
    """The public pages that are not records: (address, last modification)."""
    pages = [url_for(e, _external=True) for e in (
        "browse.home", "browse.catalogue_page", "countries.country_list",
        "compare.compare_page", "opendata.export_page", "collections.listing",
    )]  # fmt: skip
    found: list[tuple[str, str | None]] = [(p, None) for p in pages]
    for c in db().scalars(select(Collection).order_by(Collection.id)):
        page = url_for("collections.collection_page", collection_id=c.id, slug=c.slug,
                       _external=True)  # fmt: skip
        found.append((page, iso(c.updated_at)))
    return found


def _record_count() -> int:
    query = select(func.count()).select_from(initiatives.public_query().subquery())
    return db().scalar(query) or 0


def _records(offset: int, limit: int) -> list[tuple[str, str | None]]:
    rows = db().execute(
        select(Initiative.id, Initiative.slug, Initiative.updated_at)
        .where(Initiative.status == initiatives.PUBLIC_STATUS)
        .order_by(Initiative.id)
        .offset(offset)
        .limit(limit)
    )
    return [
        (url_for("browse.initiative_page", initiative_id=i, slug=s, _external=True), iso(u))
        for i, s, u in rows
    ]


def _urlset(entries: list[tuple[str, str | None]]) -> Response:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']  # fmt: skip
    for loc, modified in entries:
        lastmod = f"<lastmod>{modified}</lastmod>" if modified else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return Response("\n".join(lines) + "\n", mimetype="application/xml")


def _chunk(number: int) -> list[tuple[str, str | None]]:
    size = _chunk_size()
    fixed = _fixed_pages()
    start, end = (number - 1) * size, number * size
    entries = fixed[start:end]
    if len(entries) < size:
        offset = max(0, start - len(fixed))
        entries += _records(offset, end - max(start, len(fixed)))
    return entries


@bp.get("/sitemap.xml")
@public
def sitemap():
    """Every public page and published record; past one chunk, an index of the chunks."""
    total = len(_fixed_pages()) + _record_count()
    size = _chunk_size()
    if total <= size:
        return _urlset(_chunk(1))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']  # fmt: skip
    for number in range(1, (total + size - 1) // size + 1):
        loc = url_for(".sitemap_chunk", chunk=number, _external=True)
        lines.append(f"<sitemap><loc>{escape(loc)}</loc></sitemap>")
    lines.append("</sitemapindex>")
    return Response("\n".join(lines) + "\n", mimetype="application/xml")


@bp.get("/sitemaps/<int:chunk>.xml")
@public
def sitemap_chunk(chunk: int):
    total = len(_fixed_pages()) + _record_count()
    if not 1 <= chunk <= max(1, (total + _chunk_size() - 1) // _chunk_size()):
        abort(404)
    return _urlset(_chunk(chunk))


# --- robots.txt ---------------------------------------------------------------------------


def _disallowed() -> list[str]:
    """Every private page and every page whose address is a secret, as robots patterns."""
    found: set[str] = set()
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions.get(rule.endpoint)
        if view is None or "GET" not in (rule.methods or ()):
            continue
        if visibility_of(view) == PRIVATE or rule.endpoint in UNLISTED_ENDPOINTS:
            pattern = re.sub(r"<[^>]+>", "*", rule.rule)
            found.add(pattern)
    return sorted(found)


@bp.get("/robots.txt")
@public
def robots():
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in _disallowed()),
             f"Sitemap: {url_for('.sitemap', _external=True)}"]  # fmt: skip
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
