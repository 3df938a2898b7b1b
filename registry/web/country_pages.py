"""/countries: every country with published initiatives (sortable list and tile grid), and
each country's profile with its charts, timeline and initiatives."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import map_svg, regions, stats
from ..extensions import db, figure_cache
from ..filters import BadParameter, parse_filters
from ..messages import Message, msg
from ..schemas import country_code
from ..security import public
from .figures import chart_tables, csv_download, illustrative_switch, profile_charts
from .labels import country_name

bp = Blueprint("countries", __name__)
SORTS = ("total", "name", "pilot", "integrated")
PER_PAGE = 20


def _sorted(summaries: list[stats.CountrySummary], sort: str, descending: bool) -> list:
    if sort == "name":
        return sorted(summaries, key=lambda s: country_name(s.code).casefold(), reverse=descending)
    return sorted(summaries, key=lambda s: (getattr(s, sort), s.code), reverse=descending)


def _sort_args() -> tuple[str, bool]:
    sort = request.args.get("sort", "total")
    order = request.args.get("order", "asc" if sort == "name" else "desc")
    errors: dict[str, list[Message]] = {}
    if sort not in SORTS:
        errors["sort"] = [
            msg("unknown sort %(value)s; expected one of %(expected)s", value=repr(sort[:40]),
                expected=", ".join(SORTS))
        ]  # fmt: skip
    if order not in ("asc", "desc"):
        errors["order"] = [msg("expected asc or desc")]
    if errors:
        raise BadParameter(errors)
    return sort, order == "desc"


@bp.get("/countries")
@public
def country_list():
    sort, descending = _sort_args()
    switch = illustrative_switch()
    summaries = stats.country_summaries(db(), figure_cache(), switch.include)
    counts = {s.code: s.total for s in summaries}
    return render_template(
        "countries/list.html",
        summaries=_sorted(summaries, sort, descending),
        sort=sort,
        descending=descending,
        world=_world_map(counts, switch.carry),
        switch=switch,
        illustrative=sum(s.illustrative for s in summaries),
    )


def _world_map(counts: dict[str, int], carry: dict) -> dict:
    """What templates/countries/_map.html draws: the countries, the Europe inset, the legend
    and the countries too small for the map."""
    found = map_svg.countries(counts)
    return {
        "size": map_svg.size(),
        "countries": found,
        "inset": map_svg.in_view(found, map_svg.EUROPE),
        "inset_view": map_svg.EUROPE,
        "legend": map_svg.legend(counts),
        "not_drawn": map_svg.not_drawn(counts),
        "carry": carry,  # the illustrative switch, kept on the links
    }


@bp.get("/countries.csv")
@public
def country_list_csv():
    lines = [["code", "name", "total", "pilot", "integrated", "sectors", "illustrative"]]
    switch = illustrative_switch()
    for s in stats.country_summaries(db(), figure_cache(), switch.include):
        lines.append([s.code, country_name(s.code), str(s.total), str(s.pilot),
                      str(s.integrated), ";".join(s.sectors), str(s.illustrative)])  # fmt: skip
    return csv_download({"countries": lines}, "countries.csv")


def _country(code: str) -> str:
    """The upper-case code, or 404 for anything that is not an ISO 3166-1 country."""
    try:
        return country_code(code)
    except ValueError:
        abort(404)


@bp.get("/countries/<code>")
@public
def country_page(code: str):
    canonical = _country(code)
    if canonical != code:
        args = request.args.to_dict(flat=False)
        return redirect(url_for(".country_page", code=canonical, **args), 301)
    session = db()
    filters = replace(parse_filters(request.args, max_per_page=100), country=(canonical,))
    switch = illustrative_switch()
    profile = stats.country_profile(session, canonical, figure_cache(), switch.include)
    total, items = stats.initiatives_page(session, filters, filters.page, PER_PAGE)
    return render_template(
        "countries/profile.html",
        code=canonical,
        profile=profile,
        charts=profile_charts(profile) if profile.total else [],
        filters=filters,
        listed_total=total,
        items=items,
        pages=max(1, -(-total // PER_PAGE)),
        link_filters=replace(filters, country=()),
        survey_integrated=stats.survey().get("integrated_countries", []),
        switch=switch,
    )


@bp.get("/countries/<code>.csv")
@public
def country_csv(code: str):
    canonical = _country(code)
    switch = illustrative_switch()
    profile = stats.country_profile(db(), canonical, figure_cache(), switch.include)
    tables = chart_tables(profile_charts(profile))
    return csv_download(tables, f"country-{canonical}.csv", request.args.get("table"))


def region_names() -> dict[str, str]:
    return {
        "northern_europe": _("Northern Europe"),
        "western_europe": _("Western Europe"),
        "southern_europe": _("Southern Europe"),
        "eastern_europe": _("Eastern Europe"),
        "north_america": _("North America"),
        "latin_america": _("Latin America and the Caribbean"),
        "middle_east_north_africa": _("Middle East and North Africa"),
        "sub_saharan_africa": _("Sub-Saharan Africa"),
        "asia": _("Asia"),
        "oceania": _("Oceania"),
        regions.OTHER: _("Other territories"),
    }
