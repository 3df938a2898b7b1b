"""The charts of the country and comparison pages, built from registry.stats in the current
locale, and the CSV download of the tables behind them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import Response, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import stats, vocab
from ..charts import DIFFERENT_MARK, SMALL_MARK, Chart, Row, Series, Value
from ..extensions import db
from ..i18n import current_locale
from .labels import label

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
    include = stats.illustrative_choice(session, given)
    return Switch(include, stats.default_illustrative(session), given or None)


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


def differences(charts: list[Chart]) -> list[tuple[Chart, Row]]:
    """The rows the test calls different, smallest p first."""
    found = [(c, r) for c in charts for r in c.rows if r.different]
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


def comparison_charts(comparison: stats.Comparison) -> list[Chart]:
    """One chart per controlled field: the share of each group's initiatives with each code,
    with the 2010 survey's shares beside them where the survey gives one."""
    charts = []
    reference = stats.survey_shares()
    for field_name, vocabulary in stats.COMPARED.items():
        surveyed = field_name in stats.SURVEYED
        series = group_series()
        if surveyed:
            series.append(Series("survey", _("2010 survey"), reference=True))
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
            notes.append(
                _(
                    "2010 survey: shares of all responses to the 2010 OECD Survey on Innovation "
                    "in Public Services (OECD, Government at a Glance 2011), not shares of "
                    "initiatives; no bar where the survey gives no figure."
                )
            )
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
