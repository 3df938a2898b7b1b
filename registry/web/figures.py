"""The charts of the country and comparison pages, built from registry.stats in the current
locale, and the CSV download of the tables behind them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from babel.numbers import format_decimal
from flask import Response, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import stats, vocab
from ..charts import DIFFERENT_MARK, SMALL_MARK, Chart, Row, Series, StepChart, Value
from ..estimates import Curve
from ..extensions import db
from ..i18n import current_locale
from .labels import country_name, label

VOCABULARY_OF = {"stages": "stage", "sectors": "sector", "evidence_level": "evidence_level"}


def _vocabulary_name(field_name: str) -> str:
    return VOCABULARY_OF.get(field_name, field_name)


@dataclass(frozen=True)
class Switch:
    """Whether this request's statistics count the illustrative records (the `illustrative`
    parameter: include or exclude; absent: the registry's default), and links to switch."""

    include: bool
    default: bool
    given: str | None  # the parameter as the request gave it

    @property
    def carry(self) -> dict[str, str]:
        """The parameter for links that keep this choice (empty when the default is used)."""
        return {"illustrative": "include" if self.include else "exclude"} if self.given else {}

    def url(self, include: bool) -> str:
        """This page with the other choice (first page of any paged list)."""
        args = request.args.to_dict(flat=False)
        args.pop("page", None)
        args["illustrative"] = ["include" if include else "exclude"]
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def illustrative_switch() -> Switch:
    """The illustrative switch of the current request; BadParameter for a bad value."""
    given = request.args.get("illustrative")
    session = db()
    default = stats.default_illustrative(session)
    include = stats.illustrative_choice(session, given, default)
    return Switch(include, default, given or None)


def share_options() -> dict:
    """What every share chart shares: the reader's locale and words, the small-group mark."""
    return {"locale": current_locale(), "small": stats.SMALL_GROUP,
            "interval_label": _("95% CI")}  # fmt: skip


def small_note() -> str:
    return _("%(mark)s fewer than %(min)d initiatives in the group: too few for the share to "
             "mean much.", mark=SMALL_MARK, min=stats.SMALL_GROUP)  # fmt: skip


def interval_note() -> str:
    return _("The thin line across each bar is the share's confidence interval (95%, Wilson).")


def test_name(tests: int) -> str:
    return ngettext(
        "Fisher's exact test, two-sided, pilots against integrated initiatives, at the 5 %% "
        "level after Holm's adjustment for the %(num)d comparison made on this page",
        "Fisher's exact test, two-sided, pilots against integrated initiatives, at the 5 %% "
        "level after Holm's adjustment for the %(num)d comparisons made on this page",
        tests,
    )


def _test_rows(comparison: stats.Comparison, charts: list[Chart]) -> int:
    """Each row's test result (registry.stats: Fisher's exact test, Holm-adjusted), beside
    its figures. Returns how many rows were tested."""
    results = comparison.tests()
    for chart in charts:
        found = results.get(chart.id.removeprefix("chart-"), {})
        for row in chart.rows:
            test = found.get(row.key)
            if test is not None:
                row.p_value, row.different = test.p, test.different
    return comparison.test_count


def differences(charts: list[Chart], called_out: bool = True) -> list[tuple[Chart, Row]]:
    """The rows the test calls different (or, with `called_out` false, every tested row),
    smallest p first."""
    found = [(c, r) for c in charts for r in c.rows
             if r.p_value is not None and (r.different or not called_out)]  # fmt: skip
    return sorted(found, key=lambda pair: pair[1].p_value or 0)


def group_series() -> list[Series]:
    return [Series(m, label("maturity", m)) for m in stats.MATURITIES]


def _survey_rows(field_name: str, comparison: stats.Comparison) -> list[Row]:
    """Rows for survey figures that group several codes (e.g. two motives counted as one)."""
    rows = []
    reference = stats.survey()[field_name].get("_grouped", {})
    for key, entry in reference.items():
        values: list[Value | None] = []
        for maturity in stats.MATURITIES:
            count, _share = comparison.grouped_share(field_name, key, maturity)
            values.append(Value(count, comparison.groups[maturity].n))
        values.append(Value(None, None, share=entry["share"]))
        names = " + ".join(label(_vocabulary_name(field_name), c) for c in entry["codes"])
        rows.append(Row(key, _("%(names)s (either, as grouped by the survey)", names=names),
                        values))  # fmt: skip
    return rows


def survey_note() -> str:
    """What the survey's thin bars are, and what they are not."""
    return _(
        "2010 survey (thin bars): fixed figures from the 2010 OECD Survey on Innovation in "
        "Public Services (OECD, Government at a Glance 2011) that do not follow the filters: "
        "the answers of senior central-government officials in 20 OECD countries and 4 others "
        "(Brazil, Egypt, the Russian Federation, Ukraine), given as shares of respondents, not "
        "of initiatives, and about central government where the registry's initiatives are "
        "mostly local. No bar where the survey gives no figure."
    )


def comparison_charts(comparison: stats.Comparison) -> list[Chart]:
    """One chart per controlled field: the share of each group's initiatives with each code,
    with the 2010 survey's shares beside them where the survey gives one."""
    charts = []
    reference = stats.survey_shares()
    for field_name, vocabulary in stats.COMPARED.items():
        surveyed = field_name in stats.SURVEYED
        series = group_series()
        if surveyed:
            series.append(Series("survey", _("2010 survey (fixed figures)"), reference=True))
        rows = _survey_rows(field_name, comparison) if surveyed else []
        caveats = stats.survey().get(field_name, {}) if surveyed else {}
        for code in vocabulary.codes:
            values: list[Value | None] = [
                Value(comparison.groups[m].counts[field_name][code], comparison.groups[m].n)
                for m in stats.MATURITIES
            ]
            if surveyed:
                figure = reference[field_name].get(code)
                note = _("of countries") if "caveat" in caveats.get(code, {}) else ""
                values.append(None if figure is None else Value(None, None, figure, note))
            rows.append(Row(code, vocabulary.label(code, current_locale()), values))
        if field_name == "evidence_level":
            rows.append(
                Row("not_stated", _("Not stated"),
                    [Value(comparison.groups[m].not_stated(field_name), comparison.groups[m].n)
                     for m in stats.MATURITIES])
            )  # fmt: skip
        notes = []
        if field_name in vocab.MULTI_FIELDS:
            notes.append(_("An initiative can have several: the shares do not add up to 100 %."))
        if surveyed:
            notes.append(survey_note())
            codes = [label(_vocabulary_name(field_name), c)
                     for c in stats.survey_codes().get(field_name, [])]  # fmt: skip
            notes.append(_("Codes taken from the survey: %(codes)s.", codes="; ".join(codes)))
            if any("caveat" in entry for entry in caveats.values() if isinstance(entry, dict)):
                notes.append(_("“of countries”: a share of the countries surveyed, not of "
                               "responses."))  # fmt: skip
        notes.append(interval_note())
        if any(comparison.groups[m].small for m in stats.MATURITIES):
            notes.append(small_note())
        charts.append(
            Chart(
                id=f"chart-{field_name}",
                title=vocabulary.title(current_locale()),
                axis=_("Share of each group's initiatives"),
                series=series,
                rows=rows,
                notes=notes,
                test_label=_("Fisher's exact test"),
                **share_options(),
            )
        )
    tests = _test_rows(comparison, charts)
    if tests:
        note = _("%(mark)s a difference between pilots and integrated initiatives: %(test)s.",
                 mark=DIFFERENT_MARK, test=test_name(tests))  # fmt: skip
        for chart in charts:
            chart.notes.append(note)
    return charts


def cohort_label(maturity: str, cohort: str) -> str:
    if maturity == "integrated":
        return (
            _("Integrated from the start")
            if cohort == "from_start"
            else _("Mainstreamed after a pilot")
        )
    if cohort == "not_stated":
        return _("Operating status not stated")
    return label("operating_status", cohort)


def cohort_chart(comparison: stats.Comparison) -> Chart:
    """Each group split into its cohorts: pilots by operating status, integrated initiatives
    by pathway (shares of the group, with intervals)."""
    rows = []
    for index, (maturity, group) in enumerate(comparison.groups.items()):
        for cohort, count in group.cohorts.items():
            values: list[Value | None] = [None] * len(comparison.groups)
            values[index] = Value(count, group.n)
            rows.append(Row(f"{maturity}.{cohort}", cohort_label(maturity, cohort), values))
    chart = Chart(
        id="chart-cohorts",
        title=_("Cohorts"),
        axis=_("Share of each group's initiatives"),
        series=group_series(),
        rows=rows,
        **share_options(),
    )
    chart.notes.append(interval_note())
    if any(g.small for g in comparison.groups.values()):
        chart.notes.append(small_note())
    return chart


def cohort_sentence(comparison: stats.Comparison) -> str:
    """The groups and their cohorts in one sentence."""
    pilot, integrated = comparison.groups["pilot"], comparison.groups["integrated"]
    pilots = ", ".join(
        f"{count} {cohort_label('pilot', c).lower()}" for c, count in pilot.cohorts.items() if count
    )
    mainstreamed = ", ".join(
        f"{count} {cohort_label('integrated', c).lower()}"
        for c, count in integrated.cohorts.items()
        if count
    )
    return _(
        "Pilots: %(pilots)s. Integrated initiatives: %(integrated)s.",
        pilots=pilots or "0",
        integrated=mainstreamed or "0",
    )


def survival_chart(survival: stats.Survival) -> StepChart:
    """The overall Kaplan–Meier curve: the share of pilots not yet mainstreamed, by years
    since their start."""
    curve = survival.overall
    finite = [s for s in curve.steps if s.time != stats.NEVER]
    points = [(s.time, s.survival, s.low, s.high) for s in finite if s.events]
    end = max((s.time for s in finite), default=1)
    return StepChart(
        id="chart-survival",
        title=_("Time to mainstreaming (Kaplan–Meier)"),
        x_axis=_("Years since the start"),
        y_axis=_("Share not yet mainstreamed, shaded: its confidence interval (95%)"),
        points=points,
        end=end,
        locale=current_locale(),
    )


def years_text(value: float | None) -> str:
    """A number of years in the reader's format; "not reached" for None."""
    if value is None:
        return _("not reached")
    return format_decimal(value, format="0.#", locale=current_locale())


def median_text(curve: Curve) -> str:
    """ "4 years (95% CI 3–6)" in the reader's format."""
    if curve.median is None:
        return _("not reached: fewer than half were mainstreamed")
    return _(
        "%(median)s years (95%% CI %(low)s–%(high)s)",
        median=years_text(curve.median),
        low=years_text(curve.median_low),
        high=years_text(curve.median_high),
    )


def survival_sentence(survival: stats.Survival) -> str:
    curve = survival.overall
    if not curve.n:
        return _("No pilot or mainstreamed initiative among these gives its start year.")
    if curve.median is None:
        return _(
            "Time to mainstreaming (Kaplan–Meier, %(num)d initiatives): fewer than half were "
            "mainstreamed within the years observed, so the median is not reached.",
            num=curve.n,
        )
    return _(
        "Time to mainstreaming (Kaplan–Meier, %(num)d initiatives): half were mainstreamed "
        "within %(median)s.",
        num=curve.n,
        median=median_text(curve),
    )


def survival_table(survival: stats.Survival) -> list[list[str]]:
    """CSV of the overall curve, step by step."""
    lines = [["years", "at_risk", "mainstreamed", "censored", "not_yet_mainstreamed",
              "ci95_low", "ci95_high"]]  # fmt: skip
    for s in survival.overall.steps:
        if s.time == stats.NEVER:
            continue
        lines.append([str(int(s.time)), str(s.at_risk), str(s.events), str(s.censored),
                      f"{s.survival:.4f}", f"{s.low:.4f}", f"{s.high:.4f}"])  # fmt: skip
    return lines


def survival_groups(
    survival: stats.Survival, every_country: bool = True
) -> list[tuple[str, str, str, Curve]]:
    """(kind, key, label, curve) for the whole selection, each sector and each country (or
    only the countries with enough initiatives for a curve)."""
    rows = [("all", "", _("All"), survival.overall)]
    rows += [("sector", k, label("sector", k), c) for k, c in survival.by_sector.items()]
    rows += [
        ("country", k, country_name(k), c)
        for k, c in survival.by_country.items()
        if every_country or c.n >= stats.MIN_CURVE
    ]
    return rows


def survival_group_table(survival: stats.Survival) -> list[list[str]]:
    """CSV of the median years to mainstreaming, overall and by sector and country."""
    lines = [["group", "code", "label", "n", "mainstreamed", "median_years", "ci95_low",
              "ci95_high", "too_few", "small_group"]]  # fmt: skip
    for kind, key, name, curve in survival_groups(survival):
        enough = kind == "all" or curve.n >= stats.MIN_CURVE
        lines.append([
            kind, key, name, str(curve.n), str(curve.events),
            *(("" if v is None else str(v)) if enough else ""
              for v in (curve.median, curve.median_low, curve.median_high)),
            "false" if enough else "true",
            "true" if curve.n < stats.SMALL_GROUP else "false",
        ])  # fmt: skip
    return lines


def pathway_chart(pathways: stats.Pathways) -> Chart:
    """How many initiatives took each number of years from start to mainstreaming."""
    years = pathways.overall.years
    rows = [
        Row(str(y), ngettext("%(num)d year", "%(num)d years", y),
            [Value(years.get(y, 0), pathways.overall.n)])
        for y in range(min(years, default=0), max(years, default=-1) + 1)
    ]  # fmt: skip
    return Chart(
        id="chart-pathways",
        title=_("Years from start to mainstreaming"),
        axis=_("Number of integrated initiatives"),
        series=[Series("integrated", label("maturity", "integrated"))],
        rows=rows,
        scale="count",
        locale=current_locale(),
    )


def pathway_table(pathways: stats.Pathways) -> list[list[str]]:
    """CSV of the years to mainstreaming by sector."""
    lines = [["sector", "label", "n", "median_years", "min_years", "max_years", "small_group"]]
    for sector, spread in pathways.by_sector.items():
        lines.append([sector, label("sector", sector), str(spread.n), str(spread.median),
                      str(spread.min), str(spread.max),
                      "true" if spread.n < stats.SMALL_GROUP else "false"])  # fmt: skip
    overall = pathways.overall
    lines.append(["", _("All sectors"), str(overall.n), str(overall.median or ""),
                  str(overall.min or ""), str(overall.max or ""),
                  "true" if overall.n < stats.SMALL_GROUP else "false"])  # fmt: skip
    return lines


def profile_charts(profile: stats.CountryProfile) -> list[Chart]:
    """A country's initiatives by maturity, stage and sector (shares of its total), and by
    year of start and of mainstreaming (counts)."""
    total = profile.total
    share_axis = _("Share of the country's initiatives")
    count = Series("count", _("Initiatives"))

    def share_chart(chart_id: str, title: str, vocabulary: str, counts: dict[str, int],
                    skip_zero: bool = False) -> Chart:  # fmt: skip
        rows = [
            Row(code, label(vocabulary, code), [Value(n, total)])
            for code, n in counts.items()
            if n or not skip_zero
        ]
        chart = Chart(chart_id, title, share_axis, [count], rows, **share_options())
        chart.notes.append(interval_note())
        if total < stats.SMALL_GROUP:
            chart.notes.append(small_note())
        return chart

    charts = [
        share_chart("chart-maturity", vocab.MATURITY.title(current_locale()), "maturity",
                    profile.by_maturity),
        share_chart("chart-stage", vocab.STAGE.title(current_locale()), "stage",
                    profile.by_stage),
        share_chart("chart-sector", vocab.SECTOR.title(current_locale()), "sector",
                    profile.by_sector, skip_zero=True),
    ]  # fmt: skip
    charts[1].notes.insert(
        0, _("An initiative can have several: the shares do not add up to 100 %.")
    )
    years = sorted(set(profile.start_years) | set(profile.mainstreamed_years))
    timeline = Chart(
        id="chart-timeline",
        title=_("Timeline: starts and mainstreamings by year"),
        axis=_("Number of initiatives"),
        series=[Series("started", _("Started")), Series("mainstreamed", _("Mainstreamed"))],
        rows=[
            Row(
                str(y),
                str(y),
                [
                    Value(profile.start_years.get(y, 0), None),
                    Value(profile.mainstreamed_years.get(y, 0), None),
                ],
            )
            for y in years
        ],
        scale="count",
        locale=current_locale(),
    )
    return [*charts, timeline]


def csv_download(
    tables: dict[str, list[list[str]]], filename: str, wanted: str | None = None
) -> Response:
    """One table by name, or every table sharing the first one's header (the charts' long
    format: one line per row and series) in one file. An unknown name is a 404."""
    if wanted is not None:
        if wanted not in tables:
            abort(404, _("No such table: choose one of %(names)s.", names=", ".join(tables)))
        lines = tables[wanted]
        filename = f"{filename.removesuffix('.csv')}-{wanted}.csv"
    else:
        first = next(iter(tables.values()))
        lines = [first[0]] + [
            line for table in tables.values() if table[0] == first[0] for line in table[1:]
        ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    response = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def chart_tables(charts: list[Chart]) -> dict[str, list[list[str]]]:
    return {c.id.removeprefix("chart-"): c.csv_rows() for c in charts}
