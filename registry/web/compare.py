"""/compare: pilots versus integrated initiatives for the search filters, with the 2010 survey's
figures beside them; and /compare/initiatives: two to four initiatives side by side.

Everything is a GET with the state in the URL, so both work without JavaScript.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import search, stats
from ..countries import all_countries
from ..extensions import db, figure_cache, search_index
from ..filters import BadParameter, Filters, parse_filters
from ..i18n import current_locale
from ..initiatives import published_in_order
from ..messages import msg
from ..models import Initiative
from ..openapi import MAX_ID
from ..schemas import whole_number
from ..security import public
from ..vocab import VOCABULARIES
from .figures import (
    Switch,
    chart_tables,
    comparison_charts,
    csv_download,
    differences,
    illustrative_switch,
    pathway_chart,
    pathway_table,
    small_note,
    test_name,
)

bp = Blueprint("compare", __name__)
MAX_CASES = 4
PICKER_SIZE = 10
# Page parameters that mean nothing for aggregates: dropped from links.
NOT_FILTERS = ("sort", "page", "per_page")


def _filters() -> Filters:
    filters = parse_filters(request.args)
    return replace(filters, sort=None, page=1, per_page=20)


def _comparison(filters: Filters, switch: Switch) -> stats.Comparison:
    return stats.compare_matching(search_index(), db(), filters, figure_cache(), switch.include)


@bp.get("/compare")
@public
def compare_page():
    filters = _filters()
    switch = illustrative_switch()
    comparison = _comparison(filters, switch)
    charts = comparison_charts(comparison)
    return render_template(
        "compare/groups.html",
        filters=filters,
        comparison=comparison,
        charts=charts,
        pathways=comparison.pathways,
        pathway_chart=pathway_chart(comparison.pathways),
        small=stats.SMALL_GROUP,
        countries=all_countries(current_locale()),
        csv_args=_csv_args(filters, switch),
        switch=switch,
        small_note=small_note(),
        differences=differences(charts),
        test_name=test_name(comparison.test_count),
    )


def _csv_args(filters: Filters, switch: Switch) -> dict[str, list[str]]:
    args: dict[str, list[str]] = {}
    for key, value in filters.to_args():
        if key not in NOT_FILTERS:
            args.setdefault(key, []).append(value)
    for key, value in switch.carry.items():
        args[key] = [value]
    return args


@bp.get("/compare.csv")
@public
def compare_csv():
    filters = _filters()
    comparison = _comparison(filters, illustrative_switch())
    tables = chart_tables([*comparison_charts(comparison), pathway_chart(comparison.pathways)])
    tables["pathways_by_sector"] = pathway_table(comparison.pathways)
    return csv_download(tables, "compare.csv", request.args.get("table"))


def parse_ids(args: MultiDict) -> list[int]:
    """The `ids` of a case comparison (repeatable or comma-separated), in the order given."""
    ids: list[int] = []
    for raw in args.getlist("ids"):
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                number = whole_number(part, 1, MAX_ID)
            except ValueError:
                raise BadParameter(
                    {"ids": [msg("%(value)s is not an initiative id", value=repr(part[:20]))]}
                ) from None
            if number not in ids:
                ids.append(number)
    if len(ids) > MAX_CASES:
        raise BadParameter({"ids": [msg("choose at most %(count)s initiatives", count=MAX_CASES)]})
    return ids


@bp.get("/compare/initiatives")
@public
def compare_cases():
    """The chosen initiatives side by side, and a search to add more."""
    ids = parse_ids(request.args)
    session = db()
    chosen = published_in_order(session, ids)
    found = {i.id for i in chosen}
    q = " ".join(request.args.get("q", "").split())[:200]
    candidates: list[Initiative] = []
    if q and len(chosen) < MAX_CASES:
        result = search.search(search_index(), session, Filters(q=q, per_page=PICKER_SIZE))
        candidates = [i for i in result.items if i.id not in found]
    return render_template(
        "compare/cases.html",
        chosen=chosen,
        missing=len(ids) - len(chosen),
        q=q,
        candidates=candidates,
        max_cases=MAX_CASES,
        ids_with=lambda extra: [i.id for i in chosen] + [extra],
        ids_without=lambda gone: [i.id for i in chosen if i.id != gone],
        rows=case_rows(),
    )


def case_rows() -> list[tuple[str, str, str]]:
    """(field, kind, heading) of each line of the side-by-side table; controlled fields are
    headed by their vocabulary's title."""
    titled = {name: v.title(current_locale()) for name, v in VOCABULARIES.items()}
    return [
        ("country", "country", _("Country")),
        ("sector", "single", titled["sector"]),
        ("maturity", "single", titled["maturity"]),
        ("stages", "multi", titled["stage"]),
        ("start_year", "year", _("Start year")),
        ("mainstreamed_year", "year", _("Mainstreamed")),
        ("participants", "multi", titled["participants"]),
        ("contributions", "multi", titled["contributions"]),
        ("motives", "multi", titled["motives"]),
        ("obstacles", "multi", titled["obstacles"]),
        ("success_factors", "multi", titled["success_factors"]),
        ("evidence_level", "single", titled["evidence_level"]),
        ("lead_organisation", "text", _("Lead organisation")),
        ("outcomes", "text", _("Outcomes")),
    ]
