"""Open data pages and files: the export page, CSV/JSON exports, the Atom feed, the API page.

Every selection goes through `transfer.exporting.select_public`, which starts from the public
query: drafts never appear in an export or a feed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _

from .. import catalogue, openapi, search
from ..db import read_session
from ..errors import handle_error
from ..extensions import db, registry_of, search_index
from ..filters import BadParameter, Filters, parse_filters
from ..i18n import current_locale, language_name
from ..models import Initiative
from ..security import public
from ..transfer import CITATION, LICENCE, atom, csv_format, exporting
from . import api_reference
from .labels import country_name, label
from .media import external_urls

bp = Blueprint("opendata", __name__)
FEED_SIZE = 50
# Pages whose <head> announces the Atom feed for their filters.
FEED_PAGES = {"browse.catalogue_page"}
LICENCE_LINK = f'<{LICENCE["url"]}>; rel="license"'
# Files read by programs: a bad parameter gets the API's JSON error, as the OpenAPI document says.
FILES = {"opendata.export_csv", "opendata.export_json", "opendata.feed"}


@bp.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    if request.endpoint in FILES:
        return handle_error(exc)
    return render_template("errors/400.html", fields=exc.fields), 400


def text_query_ids(filters: Filters) -> list[int]:
    """Ids of published initiatives matching `filters.q`, from the search index."""
    return search.matching_ids(search_index(), db(), filters)


def _ids(filters: Filters) -> list[int] | None:
    return text_query_ids(filters) if filters.q else None


def page_url(initiative: Initiative) -> str:
    return url_for(
        "browse.initiative_page", initiative_id=initiative.id, slug=initiative.slug, _external=True
    )


def describe(filters: Filters) -> str:
    """The filters in words, for titles ("France, Health, Pilot")."""
    parts = [f"“{filters.q}”"] if filters.q else []
    parts += [country_name(c) for c in filters.country]
    parts += [label("sector", s) for s in filters.sector]
    parts += [label("stage", s) for s in filters.stage]
    if filters.maturity:
        parts.append(label("maturity", filters.maturity))
    if filters.evidence_level:
        parts.append(label("evidence_level", filters.evidence_level))
    if filters.language:
        parts.append(language_name(filters.language, standalone=True))
    parts += [f"#{t}" for t in filters.tag]
    if filters.year_from or filters.year_to:
        parts.append(f"{filters.year_from or '…'}–{filters.year_to or '…'}")
    return ", ".join(parts)


def _query_string(filters: Filters, **extra: str) -> dict:
    args: dict[str, list[str]] = {}
    for key, value in filters.to_args():
        if key not in ("page", "per_page", "sort"):
            args.setdefault(key, []).append(value)
    return {**args, **extra}


def feed_link() -> str | None:
    """The Atom feed for the current page's filters, on pages that announce one."""
    if request.endpoint not in FEED_PAGES:
        return None
    try:
        filters = parse_filters(request.args)
    except ValueError:
        return None
    return url_for("opendata.feed", **_query_string(filters))


def _stream(chunks: Iterator[str], mimetype: str, filename: str | None = None) -> Response:
    response = Response(stream_with_context(chunks), content_type=mimetype)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Link"] = (
        f'{LICENCE_LINK}, <{url_for(".export_readme", _external=True)}>; rel="describedby"'
    )
    return response


def _records(filters: Filters, ids: list[int] | None) -> Iterator[dict]:
    """Records read in a session of their own, which lives as long as the stream."""
    with read_session(registry_of().engine) as session:
        selection = exporting.select_public(session, filters, ids)
        yield from exporting.records(selection, page_url, external_urls, session)


@bp.get("/export/initiatives.csv")
@public
def export_csv():
    filters = parse_filters(request.args)
    ids = _ids(filters)
    bom = request.args.get("bom", "") in ("1", "true", "yes")
    chunks = exporting.csv_chunks(_records(filters, ids), bom=bom)
    return _stream(chunks, "text/csv; charset=utf-8", "initiatives.csv")


@bp.get("/export/initiatives.json")
@public
def export_json():
    filters = parse_filters(request.args)
    ids = _ids(filters)
    meta = exporting.metadata(filters, url_for("browse.home", _external=True))
    chunks = exporting.json_chunks(meta, _records(filters, ids))
    return _stream(chunks, "application/json; charset=utf-8")


@bp.get("/export/README")
@public
def export_readme():
    text = render_template(
        "opendata/README.txt",
        licence=LICENCE,
        citation=_citation(),
        columns=csv_format.COLUMNS,
        separator=csv_format.SEPARATOR,
    )
    response = Response(text, mimetype="text/plain")
    response.headers["Link"] = LICENCE_LINK
    return response


def _citation() -> str:
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return CITATION.format(date=today, url=url_for("browse.home", _external=True))


def _citation_localized() -> str:
    """The citation in the reader's language, for the export page."""
    return _(
        "Coproduction Registry: a catalogue of public-service coproduction initiatives. "
        "Data under CC BY 4.0. Retrieved %(date)s from %(url)s",
        date=format_date(datetime.now(UTC), "long"),
        url=url_for("browse.home", _external=True),
    )


@bp.get("/export")
@public
def export_page():
    filters = parse_filters(request.args)
    total = None if filters.q else catalogue.count(db(), filters)
    args = _query_string(filters)
    return render_template(
        "opendata/export.html",
        filters=filters,
        total=total,
        description=describe(filters),
        links={
            "csv": url_for(".export_csv", **args),
            "csv_bom": url_for(".export_csv", **args, bom="1"),
            "json": url_for(".export_json", **args),
            "feed": url_for(".feed", **args),
        },
        licence=LICENCE,
        citation=_citation_localized(),
    )


@bp.get("/feed.atom")
@public
def feed():
    filters = parse_filters(request.args)
    ids = _ids(filters)
    args = _query_string(filters)
    chosen = describe(filters)
    title = _("Coproduction Registry: newest initiatives")
    if chosen:
        title = f"{title} ({chosen})"
    newest = list(exporting.select_public(db(), filters, ids, limit=FEED_SIZE))
    entries = [
        atom.Entry(
            id=url_for("browse.initiative_page", initiative_id=i.id, _external=True),
            title=i.title,
            url=page_url(i),
            summary=i.summary,
            updated=i.updated_at,
            published=i.published_at,
            author=i.lead_organisation,
            language=i.language,
            categories=[
                (i.sector, label("sector", i.sector)),
                (i.maturity, label("maturity", i.maturity)),
                (i.country, country_name(i.country)),
            ],
        )
        for i in newest
    ]
    updated = max((i.updated_at for i in newest), default=None) or datetime.now(UTC)
    body = atom.build(
        feed_id=url_for(".feed", _external=True, **args),
        title=title,
        self_url=url_for(".feed", _external=True, **args),
        alternate_url=url_for("browse.catalogue_page", _external=True, **args),
        updated=updated,
        author=_("Coproduction Registry"),
        rights=LICENCE["name"],
        entries=entries,
        language=current_locale(),
    )
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Link"] = LICENCE_LINK
    return response


@bp.get("/api")
@public
def api_page():
    spec = openapi.document(url_for("browse.home", _external=True))
    return render_template(
        "opendata/api.html",
        spec=spec,
        groups=api_reference.groups(spec),
        guide=api_reference.guide(),
    )
