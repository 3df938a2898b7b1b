"""Cite this initiative: the permanent link, a page per published version ("as of version
N", read-only), and the citation of a version as BibTeX, RIS or CSL-JSON (registry.citations).
Only a record published now is citable: anything else is 404 here, as on its page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request, url_for
from markupsafe import Markup

from .. import citations, initiatives
from ..extensions import db
from ..i18n import current_locale
from ..models import Initiative
from ..schemas import whole_number
from ..security import public
from ..transfer import LICENCE
from .opendata import LICENCE_LINK

bp = Blueprint("citations", __name__)


def _published(initiative_id: int) -> Initiative:
    try:
        return initiatives.get_public(db(), initiative_id)
    except initiatives.NotFound:
        abort(404)


def permanent_url(initiative: Initiative) -> str:
    """The address that always leads to the record (its slug may change)."""
    return url_for("browse.initiative_page", initiative_id=initiative.id, _external=True)


def version_url(initiative: Initiative, number: int) -> str:
    return url_for(
        "citations.version_page", initiative_id=initiative.id, version=number, _external=True
    )


def _cited(initiative: Initiative, number: int | None) -> tuple[citations.Cited, list]:
    found = citations.versions(db(), initiative)
    if not found:
        abort(404)
    chosen = found[-1] if number is None else next((v for v in found if v.number == number), None)
    if chosen is None:
        abort(404)
    accessed = datetime.now(UTC).date()
    return (
        citations.cited(initiative, chosen, permanent_url(initiative),
                        version_url(initiative, chosen.number), accessed),
        found,
    )  # fmt: skip


def citation_of(initiative: Initiative) -> dict | None:
    """For the initiative page: how to cite its current published version (None when it is
    not published)."""
    if initiative.status != initiatives.PUBLIC_STATUS:
        return None
    found = citations.versions(db(), initiative)
    if not found:
        return None
    current = found[-1]
    c = citations.cited(initiative, current, permanent_url(initiative),
                        version_url(initiative, current.number),
                        datetime.now(UTC).date())  # fmt: skip
    args = {"initiative_id": initiative.id, "version": current.number}
    return {
        "cited": c,
        "styled": Markup(citations.styled(c, current_locale())),
        "versions": found,
        "links": {
            "bibtex": url_for("citations.bibtex", **args),
            "ris": url_for("citations.ris", **args),
            "csl": url_for("citations.csl_json", **args),
        },
    }


def current_cited(initiative: Initiative) -> citations.Cited | None:
    """The citation of a published record's current version (lists' exports), else None."""
    found = citations.versions(db(), initiative)
    if not found:
        return None
    return citations.cited(initiative, found[-1], permanent_url(initiative),
                           version_url(initiative, found[-1].number),
                           datetime.now(UTC).date())  # fmt: skip


HELPERS = {"citation_of": citation_of}


def _version_arg() -> int | None:
    raw = request.args.get("version")
    if raw is None:
        return None
    try:
        return whole_number(raw, 1, 2**31 - 1)
    except ValueError:
        abort(400)


def _download(body: str, mimetype: str, c: citations.Cited, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{c.key}.{extension}"'
    response.headers["Link"] = LICENCE_LINK
    return response


@bp.get("/initiatives/<int:initiative_id>/versions/<int:version>")
@public
def version_page(initiative_id: int, version: int):
    """A published version, read-only, with its citation."""
    initiative = _published(initiative_id)
    c, found = _cited(initiative, version)
    fields = next(v for v in found if v.number == version).fields
    return render_template(
        "citations/version.html",
        initiative=initiative,
        fields=fields,
        cited=c,
        styled=Markup(citations.styled(c, current_locale())),
        latest=found[-1].number,
        licence=LICENCE,
    )


@bp.get("/initiatives/<int:initiative_id>/citation.bib")
@public
def bibtex(initiative_id: int):
    c, _ = _cited(_published(initiative_id), _version_arg())
    return _download(citations.bibtex(c), "application/x-bibtex", c, "bib")


@bp.get("/initiatives/<int:initiative_id>/citation.ris")
@public
def ris(initiative_id: int):
    c, _ = _cited(_published(initiative_id), _version_arg())
    return _download(citations.ris(c), "application/x-research-info-systems", c, "ris")


@bp.get("/initiatives/<int:initiative_id>/citation.json")
@public
def csl_json(initiative_id: int):
    """CSL-JSON: an array of one item."""
    c, _ = _cited(_published(initiative_id), _version_arg())
    return _download(citations.csl_json(c), "application/vnd.citationstyles.csl+json", c, "json")
