"""The comparison an analyst can trust (issue 17): the illustrative switch on every statistic,
intervals, tests, cohorts and time to mainstreaming, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re

import pytest

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
