"""/compare: pilots versus integrated initiatives for the search filters, with the 2010 survey's
figures beside them; and /compare/initiatives: two to four initiatives side by side.

Everything is a GET with the state in the URL, so both work without JavaScript.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import search, stats
from ..charts import CSV_HEADER
from ..countries import all_countries
from ..extensions import db, figure_cache, search_index
from ..filters import BadParameter, Filters, parse_filters
from ..i18n import current_locale
from ..initiatives import Summary, published_in_order
from ..messages import msg
from ..openapi import MAX_ID
from ..schemas import whole_number
from ..security import public
from ..vocab import VOCABULARIES
from .figures import (
    VOCABULARY_OF,
    Switch,
    chart_tables,
    cohort_chart,
    cohort_label,
    cohort_sentence,
    comparison_charts,
    csv_download,
    differences,
    illustrative_switch,
    median_text,
    pathway_chart,
    pathway_table,
    small_note,
    survey_note,
    survival_chart,
    survival_group_table,
    survival_groups,
    survival_sentence,
    survival_table,
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


def _cohorts() -> stats.Cohorts:
    return stats.parse_cohorts(
        request.args.getlist("pilot_cohort"), request.args.getlist("integrated_cohort")
    )


def _comparison(filters: Filters, switch: Switch) -> stats.Comparison:
    return stats.compare_matching(
        search_index(), db(), filters, figure_cache(), switch.include, _cohorts()
    )


@bp.get("/compare")
@public
def compare_page():
    filters = _filters()
    switch = illustrative_switch()
    comparison = _comparison(filters, switch)
    charts = comparison_charts(comparison)
    # Offered when the groups' ages differ widely and no start-year range is chosen yet.
    same = None if filters.year_from or filters.year_to else comparison.same_years
    same_years_url = None
    same_differences: list = []
    if same is not None:
        narrowed = replace(filters, year_from=same.low, year_to=same.high)
        args = _csv_args(narrowed, switch, comparison.cohorts)
        same_years_url = url_for("compare.compare_page", **args)
        # What the same-years comparison finds, shown beside the offer (cached like the page's).
        within = stats.compare_matching(search_index(), db(), narrowed, figure_cache(),
                                        switch.include, comparison.cohorts)  # fmt: skip
        same_differences = differences(comparison_charts(within))
    return render_template(
        "compare/groups.html",
        filters=filters,
        comparison=comparison,
        charts=charts,
        pathways=comparison.pathways,
        pathway_chart=pathway_chart(comparison.pathways),
        small=stats.SMALL_GROUP,
        countries=all_countries(current_locale()),
        csv_args=_csv_args(filters, switch, comparison.cohorts),
        filter_args=_csv_args(filters, switch),
        switch=switch,
        small_note=small_note(),
        differences=differences(charts),
        largest=differences(charts, called_out=False)[:3],
        test_name=test_name(comparison.test_count),
        cohort_chart=cohort_chart(comparison),
        cohort_label=cohort_label,
        cohort_names={"pilot": stats.PILOT_COHORTS, "integrated": stats.INTEGRATED_COHORTS},
        cohort_sentence=cohort_sentence(comparison),
        same_years=same,
        same_years_url=same_years_url,
        same_differences=same_differences,
        survival=comparison.survival,
        survival_chart=survival_chart(comparison.survival),
        survival_sentence=survival_sentence(comparison.survival),
        survival_groups=survival_groups(comparison.survival, every_country=False),
        median_text=median_text,
        min_curve=stats.MIN_CURVE,
        never=stats.NEVER,
        survey_note=survey_note(),
        survey_codes=stats.survey_codes(),
        vocabulary_of=lambda name: VOCABULARY_OF.get(name, name),
        small_curves=any(c.n < stats.SMALL_GROUP for *_, c in survival_groups(comparison.survival)),
        colon="\u00a0: " if current_locale().startswith("fr") else ": ",
    )


def _csv_args(
    filters: Filters, switch: Switch, cohorts: stats.Cohorts = stats.ALL_COHORTS
) -> dict[str, list[str]]:
    args: dict[str, list[str]] = {}
    for key, value in [*filters.to_args(), *cohorts.to_args()]:
        if key not in NOT_FILTERS:
            args.setdefault(key, []).append(value)
    for key, value in switch.carry.items():
        args[key] = [value]
    return args


@bp.get("/compare.csv")
@public
def compare_csv():
    filters = _filters()
    switch = illustrative_switch()
    comparison = _comparison(filters, switch)
    charts = [*comparison_charts(comparison), cohort_chart(comparison),
              pathway_chart(comparison.pathways)]  # fmt: skip
    tables = {"selection": selection_rows(filters, switch, comparison), **chart_tables(charts)}
    tables["pathways_by_sector"] = pathway_table(comparison.pathways)
    tables["survival"] = survival_table(comparison.survival)
    tables["survival_by_group"] = survival_group_table(comparison.survival)
    return csv_download(tables, "compare.csv", request.args.get("table"))


def selection_rows(
    filters: Filters, switch: Switch, comparison: stats.Comparison
) -> list[list[str]]:
    """What the figures of the export are for and how they are defined, as lines of the
    charts' long format (chart "selection": the key in `code`, the value in `label`)."""
    pairs: list[tuple[str, str]] = [("generated_on", date.today().isoformat())]
    pairs += [(f"filter.{k}", v) for k, v in filters.to_args() if k not in NOT_FILTERS]
    pairs.append(("illustrative", "include" if switch.include else "exclude"))
    pairs.append(("illustrative.default", "include" if switch.default else "exclude"))
    pairs.append(("illustrative.counted", str(comparison.illustrative)))
    pairs += [(f"cohorts.{group}", ";".join(names))
              for group, names in comparison.cohorts.as_dict().items()]  # fmt: skip
    pairs += [(f"cohort.{k}", v) for k, v in stats.COHORT_DEFINITIONS.items()]
    pairs.append(("interval", stats.INTERVAL_METHOD))
    pairs.append(("small_group", f"fewer than {stats.SMALL_GROUP} initiatives"))
    pairs.append(("test", stats.TEST_NAME))
    pairs.append(("test.alpha", str(stats.ALPHA)))
    pairs.append(("test.count", str(comparison.test_count)))
    survival = comparison.survival.as_json()
    pairs.append(("survival.method", survival["method"]))
    pairs.append(("survival.censored_at_year", str(survival["censored_at_year"])))
    pairs.append(("survival.min_group", str(stats.MIN_CURVE)))
    same = comparison.same_years
    if same is not None:
        pairs.append(("same_years.offered", f"{same.low}-{same.high}"))
    pairs.append(("survey.follows_filters", "false"))
    pairs.append(("survey.respondents", stats.SURVEY_RESPONDENTS))
    pairs.append(("survey.denominator", stats.SURVEY_DENOMINATOR))
    width = len(CSV_HEADER)
    return [CSV_HEADER, *[["selection", k, v, *[""] * (width - 3)] for k, v in pairs]]


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
    candidates: list[Summary] = []
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
