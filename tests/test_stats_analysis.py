"""The comparison an analyst can trust (issue 17): the illustrative switch on every statistic,
intervals, tests, cohorts and time to mainstreaming, on SQLite and PostgreSQL."""

from __future__ import annotations

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
