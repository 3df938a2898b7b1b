"""`GET /api/v1/countries`, `/countries/{code}` and `/compare` (api.md): statistics over
published initiatives, computed by registry.stats."""

from __future__ import annotations

from flask import request

from .. import countries, shapes, stats
from ..errors import ApiError
from ..extensions import db, figure_cache, search_index
from ..filters import BadParameter, Filters, parse_filters
from ..i18n import current_locale
from ..messages import msg
from ..schemas import country_code, whole_number
from ..security import public
from .blueprint import bp
from .initiatives import with_url

MAX_PER_PAGE = 1000
SUMMARY_FIELDS = ("id", "slug", "title", "summary", "country", "sector", "maturity",
                  "start_year", "mainstreamed_year", "evidence_level")  # fmt: skip


def _illustrative() -> bool:
    """The `illustrative` parameter (include, exclude; absent: the registry's default)."""
    return stats.illustrative_choice(db(), request.args.get("illustrative"))


@bp.get("/countries")
@public
def list_countries():
    locale = current_locale()
    include = _illustrative()
    listed = [
        {
            "code": c.code,
            "name": countries.name(c.code, locale),
            "total": c.total,
            "pilot": c.pilot,
            "integrated": c.integrated,
            "sectors": c.sectors,
            "illustrative": c.illustrative,
        }
        for c in stats.country_summaries(db(), figure_cache(), include)
    ]
    return shapes.dump(list[shapes.CountrySummary], listed)


def _page_args() -> tuple[int, int]:
    errors: dict[str, list[str]] = {}
    values = {}
    for name, default, hi in (("page", 1, 10_000), ("per_page", 100, MAX_PER_PAGE)):
        raw = request.args.get(name, "").strip()
        try:
            values[name] = whole_number(raw, 1, hi) if raw else default
        except ValueError as exc:
            errors[name] = [exc.args[0]]
    if errors:
        raise BadParameter(errors)
    return values["page"], values["per_page"]


@bp.get("/countries/<code>")
@public
def get_country(code: str):
    try:
        code = country_code(code)
    except ValueError:
        message = msg("no such country (expected an ISO 3166-1 alpha-2 code)")
        raise ApiError(404, "not_found", message) from None
    page, per_page = _page_args()
    session = db()
    profile = stats.country_profile(session, code, figure_cache(), _illustrative())
    _total, rows = stats.initiatives_page(session, Filters(country=(code,)), page, per_page)
    summaries = [
        with_url({**{f: getattr(i, f) for f in SUMMARY_FIELDS}, "stages": i.codes("stages")})
        for i in rows
    ]
    answer = {
        **profile.as_json(),
        "name": countries.name(code, current_locale()),
        "page": page,
        "per_page": per_page,
        "initiatives": summaries,
    }
    return shapes.dump(shapes.CountryProfile, answer)


@bp.get("/compare")
@public
def compare():
    filters = parse_filters(request.args)
    cohorts = stats.parse_cohorts(
        request.args.getlist("pilot_cohort"), request.args.getlist("integrated_cohort")
    )
    comparison = stats.compare_matching(
        search_index(), db(), filters, figure_cache(), _illustrative(), cohorts
    )
    skip = ("sort", "page", "per_page")
    answer = {
        "filters": {k: v for k, v in filters.as_dict().items() if k not in skip},
        **comparison.as_json(),
        "survey_reference": stats.survey_shares(),
        "survey": stats.survey_notes(),
        "small_group": stats.SMALL_GROUP,
    }
    return shapes.dump(shapes.CompareResponse, answer)
