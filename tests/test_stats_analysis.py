"""The comparison an analyst can trust (issue 17): the illustrative switch on every statistic,
intervals, tests, cohorts and time to mainstreaming, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date

import pytest
from openapi_schema_validator import OAS31Validator

from registry import stats
from registry.transfer.importing import Row

from .conftest import run_import, valid_record


def _illustrative(app, *records: dict) -> None:
    """Publish records as the seeds do: the registry's own illustrative examples."""
    rows = [Row(f"example {n}", valid_record(**r)) for n, r in enumerate(records, start=1)]
    run_import(app, rows, publish=True, illustrative=True)


EXAMPLES = [
    dict(title="Invented patrols", country="FR", maturity="pilot", start_year=2019),
    dict(title="Invented wards", country="FR", maturity="integrated", start_year=2005,
         mainstreamed_year=2009),
    dict(title="Invented fjords", country="NO", maturity="pilot", start_year=2020),
]  # fmt: skip


STAT_URLS = ["/", "/countries", "/countries/FR", "/compare"]


def test_illustrative_records_count_while_no_real_record_is_published(any_app):
    _illustrative(any_app, *EXAMPLES)
    client = any_app.test_client()
    assert client.get("/api/v1/compare").get_json()["illustrative"] == {
        "included": True, "counted": 3}  # fmt: skip
    for url in STAT_URLS:
        page = client.get(url).get_data(as_text=True)
        assert "Illustrative examples count while the registry holds no real record" in page, url
        assert "illustrative=exclude" in page, url
    home = client.get("/").get_data(as_text=True)
    assert "3 of the 3 initiatives counted here are illustrative examples" in home
    assert client.get("/api/v1/countries/FR").get_json()["total"] == 2


def test_illustrative_records_are_left_out_once_real_ones_exist(any_app, make_initiative):
    _illustrative(any_app, *EXAMPLES)
    make_initiative(target=any_app, title="Real patrols", country="FR", maturity="pilot")
    client = any_app.test_client()
    api = client.get("/api/v1/compare").get_json()
    assert api["illustrative"] == {"included": False, "counted": 0}
    assert (api["groups"]["pilot"]["n"], api["groups"]["integrated"]["n"]) == (1, 0)
    every = client.get("/api/v1/compare?illustrative=include").get_json()
    assert every["illustrative"] == {"included": True, "counted": 3}
    assert every["groups"]["pilot"]["n"] == 3
    assert [(c["code"], c["total"]) for c in client.get("/api/v1/countries").get_json()] == [
        ("FR", 1)]  # fmt: skip
    listed = client.get("/api/v1/countries?illustrative=include").get_json()
    assert [(c["code"], c["total"], c["illustrative"]) for c in listed] == [
        ("FR", 3, 2), ("NO", 1, 1)]  # fmt: skip
    assert client.get("/api/v1/countries/FR").get_json()["total"] == 1
    assert client.get("/api/v1/countries/FR?illustrative=include").get_json()["illustrative"] == {
        "included": True, "counted": 2}  # fmt: skip
    for url in STAT_URLS:
        page = client.get(url).get_data(as_text=True)
        assert "The illustrative examples are left out" in page, url
        assert "illustrative=include" in page, url
        counted = client.get(url + "?illustrative=include").get_data(as_text=True)
        assert "illustrative examples, invented for the registry" in counted, url
    home = client.get("/?illustrative=include").get_data(as_text=True)
    assert "3 of the 4 initiatives counted here are illustrative examples" in home
    norway = client.get("/countries/NO").get_data(as_text=True)
    assert "No real initiative from Norway has been published yet" in norway
    # The CSVs follow the switch.
    assert client.get("/countries.csv").get_data(as_text=True).count("\r\n") == 2
    assert client.get("/countries.csv?illustrative=include").get_data(as_text=True).count(
        "\r\n") == 3  # fmt: skip
    whole = client.get("/compare.csv?table=stages&illustrative=include").get_data(as_text=True)
    assert "chart-stages,design,Design,pilot,3,3," in whole
    real = client.get("/compare.csv?table=stages").get_data(as_text=True)
    assert "chart-stages,design,Design,pilot,1,1," in real
    france = client.get("/countries/FR.csv?table=maturity&illustrative=include")
    assert "chart-maturity,pilot,Pilot,count,2,3," in france.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    ["/?illustrative=maybe", "/countries?illustrative=1", "/countries/FR?illustrative=no",
     "/compare?illustrative=all", "/compare.csv?illustrative=x", "/countries.csv?illustrative=y",
     "/countries/FR.csv?illustrative=z", "/api/v1/compare?illustrative=yes",
     "/api/v1/countries?illustrative=2", "/api/v1/countries/FR?illustrative=true"],
)  # fmt: skip
def test_a_bad_illustrative_switch_is_a_clear_400(client, url):
    response = client.get(url)
    assert response.status_code == 400, url
    if url.startswith("/api/"):
        body = response.get_json()["error"]
        assert body["code"] == "bad_parameter" and "illustrative" in str(body)
    else:
        assert "expected include or exclude" in response.get_data(as_text=True)


# --- Uncertainty --------------------------------------------------------------------------------

SMALL = [
    # Two pilots, three integrated: every group below 5, every share flagged.
    dict(title="Pilot evaluated", maturity="pilot", stages=["evaluate"], sector="health",
         start_year=2018),
    dict(title="Pilot designed", maturity="pilot", stages=["design"], sector="health",
         start_year=2019),
    dict(title="Integrated one", maturity="integrated", stages=["design"], sector="health",
         start_year=2008, mainstreamed_year=2012),
    dict(title="Integrated two", maturity="integrated", stages=["design"], sector="education",
         start_year=2000, mainstreamed_year=2010),
    dict(title="Integrated three", maturity="integrated", stages=["deliver"], sector="health",
         start_year=2011, mainstreamed_year=2013),
]  # fmt: skip


@pytest.fixture
def small_app(any_app, make_initiative):
    for record in SMALL:
        make_initiative(target=any_app, **record)
    return any_app


def test_shares_carry_wilson_intervals_and_fisher_tests_everywhere(small_app):
    client = small_app.test_client()
    api = client.get("/api/v1/compare").get_json()
    # 1 of 2 pilots evaluate: Wilson by hand, centre (0.5 + 0.9604) / 2.9207 = 0.5,
    # half 1.96 / 2.9207 · √(0.125 + 0.2401) = 0.4056.
    assert api["groups"]["pilot"]["stages"]["evaluate"] == {
        "count": 1, "share": 0.5, "interval": [0.095, 0.905], "small_group": True}  # fmt: skip
    # Fisher by hand: margins 2 pilots of 5, 1 evaluates; P(1) = C(2,1)C(3,0)/C(5,1) = 0.4,
    # P(0) = 0.6; two-sided p sums the tables no likelier than the observed one: 0.4.
    tests = api["tests"]
    assert tests["results"]["stages"]["evaluate"] == {"p": 0.4, "different": False}
    assert "plan" not in tests["results"]["stages"]  # nobody plans: not tested
    assert "Fisher" in tests["name"] and tests["alpha"] == 0.05 and tests["count"] > 5
    rows = list(csv.DictReader(io.StringIO(
        client.get("/compare.csv?table=stages").get_data(as_text=True))))  # fmt: skip
    evaluate = next(r for r in rows if r["code"] == "evaluate" and r["series"] == "pilot")
    assert (evaluate["ci95_low"], evaluate["ci95_high"], evaluate["small_group"]) == (
        "0.095", "0.905", "true")  # fmt: skip
    assert (evaluate["test_p"], evaluate["different"]) == ("0.4000", "false")
    page = client.get("/compare").get_data(as_text=True)
    assert 'class="chart-interval"' in page
    assert "95% CI 9%–91%" in page  # 1 of 2, in the table
    assert "50% (1/2)†" in page and "fewer than 5 initiatives in the group" in page
    assert "Fisher&#39;s exact test, two-sided" in page and "p = 0.400" in page


def test_pathway_rows_with_few_initiatives_are_flagged(small_app):
    client = small_app.test_client()
    page = client.get("/compare").get_data(as_text=True)
    assert re.search(r'<td class="num">2†<span class="visually-hidden"> \(too few\)', page)
    by_sector = client.get("/compare.csv?table=pathways_by_sector").get_data(as_text=True)
    assert "health,Health,2,3,2,4,true" in by_sector


def test_intervals_and_p_values_are_written_the_french_way(small_app):
    client = small_app.test_client()
    page = client.get("/compare", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    # Babel's French percent: a no-break space before %; decimal comma in p-values.
    assert "IC à 95\u00a0% 9\u00a0%–91\u00a0%" in page
    assert "p = 0,400" in page
    assert "test exact de Fisher" in page


# --- Cohorts ------------------------------------------------------------------------------------

COHORTS = [
    dict(title="Young pilot", maturity="pilot", operating_status="ongoing", start_year=2021),
    dict(title="Young pilot two", maturity="pilot", operating_status="ongoing", start_year=2022),
    dict(title="Stopped pilot", maturity="pilot", operating_status="ended", start_year=2012,
         end_year=2015),
    dict(title="Absorbed pilot", maturity="pilot", operating_status="absorbed", start_year=2018,
         end_year=2020),
    dict(title="Silent pilot", maturity="pilot", start_year=2020),
    dict(title="Old mainstream", maturity="integrated", start_year=2005, mainstreamed_year=2008),
    dict(title="Older mainstream", maturity="integrated", start_year=2002,
         mainstreamed_year=2004),
    dict(title="Born mainstream", maturity="integrated", integrated_from_start=True,
         start_year=2013),
]  # fmt: skip


@pytest.fixture
def cohort_app(any_app, make_initiative):
    for record in COHORTS:
        make_initiative(target=any_app, **record)
    return any_app


def test_groups_split_into_cohorts_and_cohorts_can_be_chosen(cohort_app):
    client = cohort_app.test_client()
    api = client.get("/api/v1/compare").get_json()
    pilot, integrated = api["groups"]["pilot"]["cohorts"], api["groups"]["integrated"]["cohorts"]
    assert {c: v["count"] for c, v in pilot.items()} == {
        "ongoing": 2, "ended": 1, "absorbed": 1, "not_stated": 1}  # fmt: skip
    assert {c: v["count"] for c, v in integrated.items()} == {"after_pilot": 2, "from_start": 1}
    assert api["cohorts"] == {"pilot": ["ongoing", "ended", "absorbed", "not_stated"],
                              "integrated": ["after_pilot", "from_start"]}  # fmt: skip
    chosen = client.get(
        "/api/v1/compare?pilot_cohort=ended,absorbed&integrated_cohort=after_pilot"
    ).get_json()
    assert (chosen["groups"]["pilot"]["n"], chosen["groups"]["integrated"]["n"]) == (2, 2)
    assert chosen["cohorts"] == {"pilot": ["ended", "absorbed"], "integrated": ["after_pilot"]}
    silent = client.get("/api/v1/compare?pilot_cohort=not_stated").get_json()
    assert silent["groups"]["pilot"]["n"] == 1 and silent["groups"]["integrated"]["n"] == 3
    page = client.get("/compare?pilot_cohort=ended").get_data(as_text=True)
    assert '<option value="ended" selected>' in page
    assert "pilot_cohort=ended" in page  # the CSV and JSON links keep the choice
    rows = client.get("/compare.csv?table=cohorts").get_data(as_text=True)
    assert "chart-cohorts,integrated.from_start,Integrated from the start,integrated,1,3," in rows
    # A start-year range applies to both groups.
    recent = client.get("/api/v1/compare?year_from=2010").get_json()
    assert (recent["groups"]["pilot"]["n"], recent["groups"]["integrated"]["n"]) == (5, 1)


def test_the_same_years_comparison_is_offered_when_ages_differ_widely(cohort_app):
    client = cohort_app.test_client()
    api = client.get("/api/v1/compare").get_json()
    # Pilots: 2012, 2018, 2020, 2021, 2022 (median 2020); integrated: 2002, 2005, 2013 (2005).
    # The years both have: from the later first year (2012) to the earlier last year (2013).
    assert api["same_years"] == {"year_from": 2012, "year_to": 2013,
                                 "median_start_years": {"pilot": 2020, "integrated": 2005},
                                 "within": {"pilot": 1, "integrated": 1}, "gap": 5}  # fmt: skip
    page = client.get("/compare").get_data(as_text=True)
    assert "The groups started in different years." in page
    assert "Median start year 2020 for pilots, 2005 for integrated initiatives" in page
    assert "/compare?year_from=2012&amp;year_to=2013" in page
    assert "no difference passes the test there." in page  # the same-years result beside it
    chosen = client.get("/compare?year_from=2012&year_to=2013").get_data(as_text=True)
    assert "The groups started in different years." not in chosen  # already chosen


@pytest.mark.parametrize(
    "url",
    ["/compare?pilot_cohort=sleeping", "/compare.csv?integrated_cohort=later",
     "/api/v1/compare?pilot_cohort=ongoing,zzz"],
)  # fmt: skip
def test_an_unknown_cohort_is_a_clear_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "cohort" in text and "expected one of" in text


def test_an_empty_selection_says_so_once(client, make_initiative):
    make_initiative(title="Lonely pilot", maturity="pilot")
    page = client.get("/compare?country=JP").get_data(as_text=True)
    assert page.count("No published initiative matches these filters.") == 1
    assert "Only 0" not in page


# --- Time to mainstreaming ----------------------------------------------------------------------


def _cell(maturity="pilot", start=None, main=None, end=None, status=None, from_start=False,
          sector="health", country="FR", count=1):  # fmt: skip
    return stats._Cell(maturity, sector, country, None, start, main, end, status, from_start,
                       False, count)  # fmt: skip


def test_survival_curve_censors_running_pilots_and_keeps_ended_ones_at_risk():
    cells = [
        _cell("integrated", 2005, 2008),  # 3 years
        _cell("integrated", 2002, 2004),  # 2 years
        _cell("integrated", 2010, 2012),  # 2 years: a tie
        _cell("pilot", 2021, status="ongoing"),  # censored at 2025 - 2021 = 4
        _cell("pilot", 2023),  # no status, no end: running, censored at 2 (tied with events)
        _cell("pilot", 2012, end=2015, status="ended"),  # never mainstreamed
        _cell("pilot", 2016, end=2019, status="absorbed"),  # never mainstreamed
        _cell("pilot", 2014, end=2016),  # an end year without a status: never mainstreamed
        _cell("integrated", 2013, from_start=True),  # never a pilot: left out
        _cell("pilot", None),  # no start year: left out
    ]
    found = stats.survival(cells, now=2025)
    curve = found.overall
    assert (curve.n, curve.events) == (8, 3)
    assert found.left_out == {"no_start_year": 1, "integrated_from_start": 1,
                              "no_mainstreamed_year": 0}  # fmt: skip
    steps = {s.time: s for s in curve.steps}
    # At 2: 8 at risk (the pilot censored at 2 counts), 2 mainstreamed: 1 - 2/8 = 0.75.
    assert (steps[2].at_risk, steps[2].events, steps[2].censored) == (8, 2, 1)
    assert steps[2].survival == pytest.approx(0.75)
    # At 3: 8 - 3 = 5 at risk, 1 mainstreamed: 0.75 · 4/5 = 0.6.
    assert (steps[3].at_risk, steps[3].survival) == (5, pytest.approx(0.6))
    # Greenwood: 2/(8·6) + 1/(5·4) = 0.0917; log band 0.6 · exp(±1.96 · 0.3028).
    assert steps[3].low == pytest.approx(0.6 / math.exp(1.959964 * math.sqrt(2 / 48 + 1 / 20)))
    # The three that ended stay at risk to the end: never mainstreamed, not censored early.
    assert steps[4].at_risk == 4 and steps[math.inf].censored == 3
    assert curve.median is None  # 60 % never fall to one half
    json = stats.curve_json(curve)
    assert json["never_mainstreamed"] == 3 and json["median_years"] is None
    assert [s["years"] for s in json["steps"]] == [2, 3, 4]


def test_median_years_overall_and_by_sector_when_the_group_is_large_enough():
    cells = [_cell("integrated", 2010, 2010 + years, sector="health") for years in range(1, 11)]
    cells += [_cell("integrated", 2010, 2013, sector="education"),
              _cell("pilot", 2021, sector="transport")]  # fmt: skip
    found = stats.survival(cells, now=2025)
    # Health: 1..10 years, all mainstreamed; S(5) = 0.5 exactly, so the median is (5 + 6) / 2.
    assert found.by_sector["health"].median == 5.5
    # All 12: S(1) = 11/12, S(2) = 10/12, S(3) = 8/12, S(4) = 8/12 · 7/8 = 7/12 (8 at risk:
    # the pilot censored at 4 counts), then 6 at risk: S(5) = 7/12 · 5/6 = 35/72 < 1/2.
    assert [round(s.survival * 72) for s in found.overall.steps][:5] == [66, 60, 48, 42, 35]
    assert found.overall.median == 5
    sectors = found.as_json()["by_sector"]
    assert sectors["health"]["median_years"] == 5.5
    assert sectors["education"] == {"n": 1, "small_group": True, "too_few": True}


def test_time_to_mainstreaming_on_the_page_the_api_and_the_csv(cohort_app):
    client = cohort_app.test_client()
    now = date.today().year
    api = client.get("/api/v1/compare").get_json()["survival"]
    assert api["censored_at_year"] == now
    assert api["left_out"] == {"no_start_year": 0, "integrated_from_start": 1,
                               "no_mainstreamed_year": 0}  # fmt: skip
    overall = api["overall"]
    # 2 mainstreamed (2 and 3 years), 2 ended or absorbed, 3 running: 7 initiatives.
    assert (overall["n"], overall["mainstreamed"], overall["never_mainstreamed"]) == (7, 2, 2)
    assert overall["steps"][0] == {"years": 2, "at_risk": 7, "mainstreamed": 1, "censored": 0,
                                   "not_yet_mainstreamed": round(6 / 7, 4),
                                   "interval": overall["steps"][0]["interval"]}  # fmt: skip
    page = client.get("/compare").get_data(as_text=True)
    assert '<svg class="chart chart-survival"' in page and 'role="img"' in page
    assert '<desc id="chart-survival-desc">' in page
    assert f"censored at {now}" in page
    assert "never mainstreamed and stay in the risk set" in page
    steps = client.get("/compare.csv?table=survival").get_data(as_text=True).splitlines()
    assert steps[0] == "years,at_risk,mainstreamed,censored,not_yet_mainstreamed,ci95_low,ci95_high"
    assert steps[1].startswith("2,7,1,0,0.8571,")
    groups = client.get("/compare.csv?table=survival_by_group").get_data(as_text=True)
    # Median not reached; its lower bound is where the lower band first falls to one half:
    # at 3 years, S = 6/7 · 5/6 = 5/7, Greenwood 1/42 + 1/30, 5/7 / exp(1.96 · 0.239) = 0.447.
    assert "all,,All,7,2,,3,,false,false" in groups
    assert "sector,public_safety,Public safety and crime prevention,7,2,,,,true,false" in groups


# --- The survey reference -----------------------------------------------------------------------


def test_the_survey_reference_is_described_truthfully(small_app):
    client = small_app.test_client()
    page = client.get("/compare").get_data(as_text=True)
    assert "fixed figures from the 2010 OECD Survey" in page
    assert "that do not follow the filters" in page
    assert "senior central-government officials in 20 OECD countries and 4 others" in page
    assert "Lack of evidence of benefits: a share of the countries surveyed" in page
    assert (
        "Codes taken from the survey: Increase citizen involvement; Improve service quality; "
        "Reduce costs." in page
    )
    assert "2010 survey (fixed figures)" in page  # the chart's legend and tooltips
    notes = client.get("/api/v1/compare").get_json()["survey"]
    assert notes["follows_filters"] is False
    assert notes["respondents"].startswith("senior central-government officials")
    assert "share of countries" in notes["denominator"]
    assert notes["codes"]["obstacles"] == [
        "lack_of_resources",
        "resistance_to_change",
        "lack_of_financial_incentives",
        "lack_of_evidence",
    ]
    # The same reference figures whatever the filters.
    for url in ("/compare.csv?table=obstacles", "/compare.csv?table=obstacles&sector=education"):
        rows = csv.DictReader(io.StringIO(client.get(url).get_data(as_text=True)))
        found = {(r["code"], r["series"]): r["share"] for r in rows}
        assert found[("lack_of_resources", "survey")] == "0.420"


# --- Readable at a glance -----------------------------------------------------------------------


def test_the_timeline_prints_no_zero_under_empty_bars(client, make_initiative):
    make_initiative(title="Early", country="FR", start_year=2001)
    make_initiative(title="Late", country="FR", maturity="integrated", start_year=2005,
                    mainstreamed_year=2009)  # fmt: skip
    page = client.get("/countries/FR").get_data(as_text=True)
    timeline = page[page.index('id="chart-timeline"') :]
    svg = timeline[: timeline.index("</svg>")]
    values = re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', svg)
    assert values and "0" not in values
    table = timeline[timeline.index("<table>") : timeline.index("</table>")]
    assert "<td>0</td>" in table  # the table still gives every count


def test_the_comparison_opens_with_a_summary_and_folds_its_details(small_app):
    page = small_app.test_client().get("/compare").get_data(as_text=True)
    summary = page.index('id="h-summary"')
    assert summary < page.index('<details class="fold" id="cohorts">')
    assert page.count('<details class="fold"') == 5
    assert "No difference between the groups passes the test" in page
    assert "Time to mainstreaming (Kaplan–Meier, 5 initiatives)" in page


def test_a_difference_the_test_finds_is_called_out_with_its_intervals(any_app, make_initiative):
    for n in range(8):
        make_initiative(target=any_app, title=f"Designing pilot {n}", maturity="pilot",
                        stages=["design"])  # fmt: skip
        make_initiative(target=any_app, title=f"Delivering mainstream {n}",
                        maturity="integrated", stages=["deliver"])  # fmt: skip
    client = any_app.test_client()
    results = client.get("/api/v1/compare").get_json()["tests"]["results"]["stages"]
    # 8 of 8 against 0 of 8: two-sided p = 2 / C(16, 8) = 2 / 12870.
    assert results["design"] == {"p": round(2 / 12870, 4), "different": True}
    page = client.get("/compare").get_data(as_text=True)
    assert "2 differences pass the test:" in page
    assert "Stage — Design: Pilot 100% (8/8) (95% CI 68%–100%), Integrated (mainstreamed) 0% " \
        "(0/8) (95% CI 0%–32%); p = &lt; 0.001" in page  # fmt: skip
    assert "Design ◆" in page  # marked on the chart


# --- The analyst's export -----------------------------------------------------------------------


def test_the_export_carries_the_selection_and_the_definitions(cohort_app):
    client = cohort_app.test_client()
    url = "/compare.csv?country=FR&year_from=2000&pilot_cohort=ongoing,ended&illustrative=exclude"
    rows = list(csv.DictReader(io.StringIO(client.get(url).get_data(as_text=True))))
    selection = {r["code"]: r["label"] for r in rows if r["chart"] == "selection"}
    assert selection["filter.country"] == "FR" and selection["filter.year_from"] == "2000"
    assert selection["illustrative"] == "exclude"
    assert selection["cohorts.pilot"] == "ongoing;ended"
    assert selection["cohort.integrated.from_start"].endswith("integrated_from_start true")
    assert selection["interval"].startswith("Wilson") and selection["test"].startswith("Fisher")
    assert selection["survival.method"].startswith("Kaplan-Meier")
    assert selection["survey.follows_filters"] == "false"
    charted = [r for r in rows if r["chart"] == "chart-stages" and r["series"] == "pilot"]
    assert charted and all(r["n"] == "3" and r["ci95_low"] for r in charted)
    api = client.get("/api/v1/compare?" + url.split("?", 1)[1]).get_json()
    assert api["filters"]["country"] == ["FR"] and api["filters"]["year_from"] == 2000
    assert (
        api["definitions"]["cohorts"]["pilot.not_stated"] == "maturity pilot, no operating_status"
    )
    assert api["definitions"]["interval"].startswith("Wilson")
    assert api["cohorts"]["pilot"] == ["ongoing", "ended"]
    spec = client.get("/api/v1/openapi.json").get_json()
    names = {p["$ref"].rsplit("/", 1)[-1] for p in spec["paths"]["/api/v1/compare"]["get"][
        "parameters"]}  # fmt: skip
    assert {"illustrative", "pilot_cohort", "integrated_cohort", "year_from"} <= names
    OAS31Validator({**spec, "$ref": "#/components/schemas/CompareResponse"}).validate(api)
