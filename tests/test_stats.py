"""Statistics: per-country figures and pilots versus integrated initiatives, checked against
figures counted by hand from a small fixture, on SQLite and PostgreSQL; drafts and pending
edits never count."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openapi_schema_validator import OAS31Validator
from sqlalchemy import select

from registry import stats
from registry.db import read_session
from registry.extensions import registry_of
from registry.filters import Filters
from registry.models import Initiative

from .conftest import propose_edit

HIDDEN_WORD = "Sealedword"

# Five published initiatives; the figures in the tests below are counted from this table.
PUBLISHED = [
    dict(title="Dialysis at home with patient experts", country="FR", sector="health",
         maturity="pilot", stages=["design", "deliver"], start_year=2010,
         motives=["involve_citizens", "reduce_costs"], obstacles=["lack_of_resources"],
         evidence_level="monitoring", participants=["citizens"]),
    dict(title="Patients shape the ward", country="FR", sector="health", maturity="integrated",
         stages=["design"], start_year=2008, mainstreamed_year=2012,
         motives=["involve_citizens"], evidence_level="evaluation",
         sources=[{"type": "evaluation_report", "title": "Ward evaluation",
                   "url": "https://example.org/ward.pdf"}]),
    dict(title="Parents plan the school day", country="CA", sector="education",
         maturity="integrated", stages=["plan", "deliver"], start_year=2000,
         mainstreamed_year=2010, motives=["improve_quality"],
         obstacles=["lack_of_resources", "legal_constraints"]),
    dict(title="Peer review of clinics", country="CA", sector="health", maturity="pilot",
         stages=["evaluate"], start_year=2015),
    dict(title="Carers in the care plan", country="GB", sector="health", maturity="integrated",
         stages=["deliver"], start_year=2011, mainstreamed_year=2013,
         motives=["involve_citizens", "improve_quality"]),
]  # fmt: skip


def _hidden(state: str) -> dict:
    return dict(title=f"{HIDDEN_WORD} {state}", summary=HIDDEN_WORD, country="FR",
                sector="education", maturity="pilot", stages=["plan"], start_year=1990,
                motives=["political_priority"], obstacles=["other"])  # fmt: skip


@pytest.fixture
def fixture_app(any_app, make_initiative):
    for record in PUBLISHED:
        make_initiative(target=any_app, **record)
    for state in ("draft", "submitted", "rejected", "withdrawn", "deleted"):
        make_initiative(status=state, target=any_app, **_hidden(state))
    with read_session(registry_of(any_app).engine) as session:
        carers = session.scalar(
            select(Initiative.id).where(Initiative.slug == "carers-in-the-care-plan")
        )
    # An edit waiting for review must not count: the public sees the live fields.
    propose_edit(any_app, carers, maturity="pilot", mainstreamed_year=None, country="JP",
                 title=f"{HIDDEN_WORD} edit")  # fmt: skip
    return any_app


def _compare(app, **filters) -> stats.Comparison:
    with read_session(registry_of(app).engine) as session:
        return stats.compare(session, Filters(**filters))


def test_comparison_matches_the_hand_counts(fixture_app):
    c = _compare(fixture_app)
    pilot, integrated = c.groups["pilot"], c.groups["integrated"]
    assert (pilot.n, integrated.n) == (2, 3)
    assert pilot.counts["stages"] == {"plan": 0, "design": 1, "deliver": 1, "evaluate": 1}
    assert integrated.counts["stages"] == {"plan": 1, "design": 1, "deliver": 2, "evaluate": 0}
    # Multi-valued: pilot stage shares add up to 150 %.
    assert sum(stats.share(k, pilot.n) for k in pilot.counts["stages"].values()) == 1.5
    assert integrated.counts["motives"]["involve_citizens"] == 2
    assert integrated.counts["motives"]["improve_quality"] == 2
    assert pilot.counts["motives"]["reduce_costs"] == 1
    assert pilot.counts["motives"]["political_priority"] == 0  # only drafts have it
    assert integrated.counts["obstacles"]["lack_of_resources"] == 1
    assert pilot.counts["sectors"]["health"] == 2 and pilot.counts["sectors"]["education"] == 0
    assert integrated.counts["sectors"]["education"] == 1
    assert (
        pilot.counts["evidence_level"]["monitoring"] == 1
        and pilot.not_stated("evidence_level") == 1
    )
    assert pilot.median_start_year == 2012.5 and integrated.median_start_year == 2008
    # The survey groups two motives: initiatives with either, counted once.
    assert c.grouped["motives"]["involve_citizens_and_improve_quality"] == {
        "pilot": 1, "integrated": 3}  # fmt: skip
    path = c.pathways
    assert (path.overall.n, path.overall.median, path.overall.min, path.overall.max) == (
        3,
        4,
        2,
        10,
    )
    assert path.by_sector["health"].median == 3 and path.by_sector["education"].n == 1
    assert path.undated == 0


def test_comparison_follows_the_structured_filters(fixture_app):
    france = _compare(fixture_app, country=("FR",))
    assert (france.groups["pilot"].n, france.groups["integrated"].n) == (1, 1)
    planned = _compare(fixture_app, stage=("deliver",), sector=("health",))
    assert (planned.groups["pilot"].n, planned.groups["integrated"].n) == (1, 1)


def test_compare_api_shape_and_text_query(fixture_app):
    client = fixture_app.test_client()
    body = client.get("/api/v1/compare").get_json()
    spec = client.get("/api/v1/openapi.json").get_json()
    OAS31Validator({**spec, "$ref": "#/components/schemas/CompareResponse"}).validate(body)
    integrated = body["groups"]["integrated"]
    assert integrated["n"] == 3
    # Wilson by hand: (p + z²/2n) / (1 + z²/n) ± z / (1 + z²/n) · √(p(1-p)/n + z²/4n²)
    assert integrated["stages"]["deliver"] == {
        "count": 2, "share": 0.667, "interval": [0.208, 0.939], "small_group": True}  # fmt: skip
    assert integrated["median_start_year"] == 2008
    assert body["survey_reference"]["obstacles"]["lack_of_resources"] == 0.42
    assert body["survey_reference"]["motives"]["involve_citizens_and_improve_quality"] == 0.6
    assert body["grouped"]["motives"]["involve_citizens_and_improve_quality"]["integrated"] == {
        "count": 3, "share": 1.0, "interval": [0.439, 1.0], "small_group": True}  # fmt: skip
    assert body["pathways"]["median_years"] == 4
    assert "countries" in body["survey"]["caveats"]["obstacles.lack_of_evidence"]
    found = client.get("/api/v1/compare?q=dialysis").get_json()
    assert (found["groups"]["pilot"]["n"], found["groups"]["integrated"]["n"]) == (1, 0)
    assert found["filters"]["q"] == "dialysis"


def test_country_api_matches_the_hand_counts(fixture_app):
    client = fixture_app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    listed = client.get("/api/v1/countries").get_json()
    assert [(c["code"], c["total"], c["pilot"], c["integrated"]) for c in listed] == [
        ("CA", 2, 1, 1), ("FR", 2, 1, 1), ("GB", 1, 0, 1)]  # fmt: skip
    assert listed[0]["name"] == "Canada" and listed[0]["sectors"] == ["health", "education"]
    for item in listed:
        OAS31Validator({**spec, "$ref": "#/components/schemas/CountrySummary"}).validate(item)
    france = client.get("/api/v1/countries/fr").get_json()
    OAS31Validator({**spec, "$ref": "#/components/schemas/CountryProfile"}).validate(france)
    assert france["code"] == "FR" and france["total"] == 2
    assert france["by_maturity"] == {"pilot": 1, "integrated": 1}
    assert france["by_stage"] == {"plan": 0, "design": 2, "deliver": 1, "evaluate": 0}
    assert france["by_sector"]["health"] == 2 and france["by_sector"]["education"] == 0
    assert france["by_start_year"] == {"2008": 1, "2010": 1}
    assert france["by_mainstreamed_year"] == {"2012": 1}
    assert [i["title"] for i in france["initiatives"]] == [
        "Dialysis at home with patient experts", "Patients shape the ward"]  # fmt: skip
    assert france["initiatives"][0]["url"].startswith("http://localhost/initiatives/")
    assert client.get("/api/v1/countries/JP").get_json()["total"] == 0  # pending edit's country
    second = client.get("/api/v1/countries/FR?per_page=1&page=2").get_json()
    assert [i["title"] for i in second["initiatives"]] == ["Patients shape the ward"]


def test_nothing_hidden_reaches_the_statistics_pages(fixture_app):
    client = fixture_app.test_client()
    for url in ("/countries", "/countries/FR", "/compare", "/compare?country=FR",
                "/compare.csv", "/countries/FR.csv", "/countries.csv", "/api/v1/compare",
                "/api/v1/countries", "/api/v1/countries/FR", "/countries/JP"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert HIDDEN_WORD.lower() not in response.get_data(as_text=True).lower(), url


@pytest.mark.parametrize(
    "url",
    ["/compare?country=xx", "/compare?sector=nope", "/compare?stage=plan,bogus",
     "/compare?q=" + "x" * 600, "/compare.csv?year_from=abc", "/countries?sort=size",
     "/countries?order=up", "/countries/FR?sector=nope", "/countries/FR?page=0",
     "/compare/initiatives?ids=abc", "/compare/initiatives?ids=1,2,3,4,5",
     "/compare/initiatives?ids=99999999999", "/api/v1/compare?maturity=pilot,integrated",
     "/api/v1/countries/FR?per_page=5000"],
)  # fmt: skip
def test_bad_query_strings_get_a_clear_400(client, url):
    response = client.get(url)
    assert response.status_code == 400, url
    if url.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "bad_parameter"
    else:
        assert "Some filters could not be understood" in response.get_data(as_text=True)


def test_unknown_country_is_404_and_empty_country_is_friendly(client):
    assert client.get("/countries/ZZ").status_code == 404
    assert client.get("/countries/FRA").status_code == 404
    assert client.get("/api/v1/countries/zz").get_json()["error"]["code"] == "not_found"
    empty = client.get("/countries/JP")
    assert empty.status_code == 200
    assert "No initiative from Japan has been published yet" in empty.get_data(as_text=True)
    moved = client.get("/countries/jp?sector=health")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(
        "/countries/JP?sector=health"
    )
    assert client.get("/countries/FR.csv?table=nope").status_code == 404


def test_pages_show_figures_with_their_n(client, make_initiative):
    for n in range(6):
        make_initiative(title=f"Pilot {n}", maturity="pilot", motives=["reduce_costs"])
    make_initiative(title="Mainstreamed one", maturity="integrated", start_year=2001,
                    mainstreamed_year=2005)  # fmt: skip
    page = client.get("/compare").get_data(as_text=True)
    assert "100% (6/6)" in page  # pilots citing reduce_costs, with the n
    assert "2010 survey" in page and "23%" in page  # the survey's reduce_costs figure
    assert "Only 1 initiative in the group “Integrated (mainstreamed)”" in page
    assert "Only 6 initiatives" not in page
    assert "median 4 years" in page
    assert 'style="' not in page and "<script>" not in page
    assert page.count('<svg class="chart"') >= 9 and page.count("<table") >= 9
    country = client.get("/countries/FR").get_data(as_text=True)
    assert "Timeline" in country and "/initiatives?country=FR" in country
    assert "/compare?country=FR" in country
    listing = client.get("/countries?sort=name&order=asc").get_data(as_text=True)
    assert 'aria-sort="ascending"' in listing and 'href="/countries/FR"' in listing


def test_csv_downloads_hold_the_charted_figures(fixture_app):
    client = fixture_app.test_client()
    response = client.get("/compare.csv?table=motives")
    assert response.mimetype == "text/csv"
    assert "compare-motives.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    found = {(r["code"], r["series"]): r for r in rows}
    assert found[("involve_citizens", "integrated")]["count"] == "2"
    assert found[("involve_citizens", "integrated")]["n"] == "3"
    assert found[("involve_citizens", "integrated")]["share"] == "0.667"
    assert found[("reduce_costs", "survey")]["share"] == "0.230"
    whole = list(csv.reader(io.StringIO(client.get("/compare.csv").get_data(as_text=True))))
    assert {r[0] for r in whole[1:]} >= {"chart-stages", "chart-motives", "chart-pathways"}
    by_sector = client.get("/compare.csv?table=pathways_by_sector").get_data(as_text=True)
    assert "health,Health,2,3,2,4" in by_sector
    countries = client.get("/countries.csv").get_data(as_text=True).splitlines()
    assert countries[1] == "CA,Canada,2,1,1,health;education,0"
    stages = client.get("/countries/FR.csv?table=stage").get_data(as_text=True)
    assert "chart-stage,design,Design,count,2,2,1.000," in stages


def test_case_comparison_shows_published_initiatives_side_by_side(client, make_initiative):
    a = make_initiative(title="Alpha patrols", motives=["reduce_costs"])
    b = make_initiative(title="Beta gardens", sector="environment", country="CA")
    hidden = make_initiative(status="draft", title=f"{HIDDEN_WORD} draft")
    page = client.get(f"/compare/initiatives?ids={a},{b}&ids={hidden}").get_data(as_text=True)
    assert "Alpha patrols" in page and "Beta gardens" in page and "Reduce costs" in page
    assert HIDDEN_WORD not in page and "1 chosen initiative is not available" in page
    one = client.get(f"/compare/initiatives?ids={a}&q=gardens").get_data(as_text=True)
    assert "Add at least one more" in one
    assert f"/compare/initiatives?ids={a}&amp;ids={b}" in one
    search = client.get("/initiatives").get_data(as_text=True)
    assert f'name="ids" value="{a}"' in search and 'action="/compare/initiatives"' in search
    record = client.get(f"/initiatives/{a}", follow_redirects=True).get_data(as_text=True)
    assert f"/compare/initiatives?ids={a}" in record


def test_median_of_grouped_counts():
    from collections import Counter

    assert stats.median(Counter()) is None
    assert stats.median(Counter({2010: 1})) == 2010
    assert stats.median(Counter({1: 1, 3: 1})) == 2
    assert stats.median(Counter({1: 1, 2: 1})) == 1.5
    assert stats.median(Counter({5: 3, 100: 2})) == 5


def test_cached_figures_follow_a_publication(any_app, make_initiative):
    client = any_app.test_client()
    assert client.get("/api/v1/compare").get_json()["groups"]["pilot"]["n"] == 0
    assert client.get("/api/v1/countries").get_json() == []
    make_initiative(target=any_app, country="NO")
    assert client.get("/api/v1/compare").get_json()["groups"]["pilot"]["n"] == 1
    assert [c["code"] for c in client.get("/api/v1/countries").get_json()] == ["NO"]
    assert client.get("/api/v1/countries/NO").get_json()["total"] == 1


def test_one_cached_comparison_per_selection_whatever_its_order_or_page(any_app):
    from registry.extensions import search_index

    cache = stats.FigureCache()
    computed = []
    with any_app.app_context(), read_session(registry_of(any_app).engine) as session:
        for filters in (
            Filters(country=("FR",)),
            Filters(country=("FR",), sort="title", page=3, per_page=50),
            Filters(country=("CA",)),
        ):
            computed.append(stats.compare_matching(search_index(any_app), session, filters, cache))
    assert computed[0] is computed[1] and computed[2] is not computed[0]


def test_median_start_years_are_written_the_reader_s_way(fixture_app):
    client = fixture_app.test_client()
    english = client.get("/compare", headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get("/compare", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "median start year 2012.5" in english and "median start year 2008<" in english
    assert "année de début médiane\u00a0: 2012,5" in french


def test_chart_tooltips_follow_the_reader_s_typography(fixture_app):
    client = fixture_app.test_client()
    english = client.get("/compare", headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get("/compare", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert re.search(r"<title>[^<]+: \d", english)
    assert re.search(r"<title>[^<]+\u00a0: \d", french) and not re.search(
        r"<title>[^<]+\S: ", french
    )
