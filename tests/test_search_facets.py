"""Facets, filters, sorting and pagination of search, and drafts kept out of all of it."""

from __future__ import annotations

import json

import pytest
from werkzeug.datastructures import MultiDict

from registry import search
from registry.db import read_session
from registry.extensions import search_index
from registry.filters import parse_filters


@pytest.fixture
def spread(make_initiative):
    def make(title, **fields):
        return make_initiative(title=title, summary="Citizens and services together.", **fields)

    return {
        "a": make("Alpha health FR", country="FR", sector="health", stages=["design"],
                  maturity="pilot", start_year=2005, evidence_level="monitoring"),
        "b": make("Bravo health CA", country="CA", sector="health", stages=["design", "deliver"],
                  maturity="integrated", start_year=2012, language="fr"),
        "c": make("Charlie safety FR", country="FR", sector="public_safety",
                  stages=["design", "deliver", "evaluate"], maturity="pilot", start_year=2018,
                  tags=["volunteers"]),
        "d": make("Delta housing FI", country="FI", sector="housing_urban", stages=["plan"],
                  maturity="integrated", start_year=2010, mainstreamed_year=2015),
    }  # fmt: skip


def api(client, **params) -> dict:
    response = client.get("/api/v1/initiatives", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_browse_without_query_lists_everything_with_facets(client, spread):
    body = api(client)
    assert body["total"] == 4 and len(body["results"]) == 4
    assert body["facets"]["country"] == {"FR": 2, "CA": 1, "FI": 1}
    assert body["facets"]["stage"] == {"plan": 1, "design": 3, "deliver": 2, "evaluate": 1}
    assert body["facets"]["maturity"] == {"pilot": 2, "integrated": 2}
    assert body["facets"]["evidence_level"] == {"monitoring": 1}
    assert body["facets"]["language"] == {"en": 3, "fr": 1}
    assert body["suggestion"] is None
    assert body["results"][0]["url"].startswith("http://localhost/initiatives/")


def test_facet_counts_ignore_their_own_filter_only(client, spread):
    body = api(client, country="FR", sector="health")
    assert body["total"] == 1
    # The country facet ignores the country filter but honours the sector filter.
    assert body["facets"]["country"] == {"CA": 1, "FR": 1}
    # The sector facet ignores the sector filter but honours the country filter.
    assert body["facets"]["sector"] == {"health": 1, "public_safety": 1}
    assert body["facets"]["maturity"] == {"pilot": 1}


def test_filters_combine(client, spread):
    ids = lambda **p: {r["id"] for r in api(client, **p)["results"]}  # noqa: E731
    assert ids(country=["FR", "FI"]) == {spread["a"], spread["c"], spread["d"]}
    assert ids(country="fr,ca") == {spread["a"], spread["b"], spread["c"]}
    assert ids(stage=["design", "deliver"]) == {spread["b"], spread["c"]}
    assert ids(maturity="integrated") == {spread["b"], spread["d"]}
    assert ids(language="fr") == {spread["b"]}
    assert ids(tag="volunteers") == {spread["c"]}
    assert ids(year_from=2010, year_to=2012) == {spread["b"], spread["d"]}
    assert ids(evidence_level="monitoring") == {spread["a"]}
    assert ids(q="citizens", sector="health", stage="deliver") == {spread["b"]}


def test_sorts(client, spread):
    order = lambda sort: [r["id"] for r in api(client, sort=sort)["results"]]  # noqa: E731
    assert order("title") == [spread[k] for k in "abcd"]
    assert order("year") == [spread[k] for k in "cbda"]
    assert order("newest") == [spread[k] for k in "dcba"]


def test_sort_box_leaves_an_unchosen_order_unchosen(client, spread):
    """A query typed on the browse page (shown newest first) is sorted by relevance."""
    browse = client.get("/initiatives").get_data(as_text=True)
    assert '<option value="" selected>Newest</option>' in browse
    assert '<option value="relevance" >Relevance</option>' in browse
    chosen = client.get("/initiatives?sort=newest").get_data(as_text=True)
    assert '<option value="newest" selected>Newest</option>' in chosen
    typed = client.get("/initiatives?q=citizens&sort=").get_data(as_text=True)
    assert '<option value="" selected>Relevance</option>' in typed


def test_pagination_covers_every_result_once(client, make_initiative):
    made = {make_initiative(title=f"Garden number {n}") for n in range(23)}
    pages = [api(client, q="garden", per_page=10, page=p) for p in (1, 2, 3)]
    assert [len(p["results"]) for p in pages] == [10, 10, 3]
    assert {r["id"] for p in pages for r in p["results"]} == made
    assert all(p["total"] == 23 for p in pages)


def test_matching_ids_lists_all_matches_in_order(app, spread):
    with app.app_context(), read_session(app.extensions["registry"].engine) as session:
        filters = parse_filters(MultiDict({"q": "citizens", "sort": "title", "per_page": "1"}))
        assert search.matching_ids(search_index(app), session, filters) == [
            spread[k] for k in "abcd"
        ]


CANARY = "Quetzalcanary"


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "withdrawn"])
def test_unpublished_records_never_appear_in_search(client, make_initiative, status):
    make_initiative(title="Visible garden", summary="A published garden.")
    hidden = make_initiative(
        status=status,
        title=f"{CANARY} garden",
        summary=f"{CANARY} summary",
        description=f"{CANARY} description",
        outcomes=f"{CANARY} outcomes",
        tags=[CANARY.lower()],
        lead_organisation=f"{CANARY} org",
        partners=[f"{CANARY} partner"],
        locality=f"{CANARY}ville",
        country="NZ",
        sector="transport",
    )
    for params in ({"q": CANARY}, {"q": "garden"}, {}, {"q": CANARY[:-1]}, {"country": "NZ"}):
        data = client.get("/api/v1/initiatives", query_string=params).get_json()
        body = json.dumps({k: v for k, v in data.items() if k != "query"})
        html = client.get("/initiatives", query_string=params).get_data(as_text=True)
        html = html.replace(params.get("q", "\0"), "")  # the visitor's own words are echoed
        for text in (body, html):
            assert CANARY.lower() not in text.lower()
        assert "NZ" not in body and '"transport"' not in body
        assert hidden not in [r["id"] for r in client.get(
            "/api/v1/initiatives", query_string=params).get_json()["results"]]  # fmt: skip
    assert client.get(f"/api/v1/initiatives?q={CANARY}").get_json()["total"] == 0


def test_unpublishing_removes_a_record_from_search(app, client, make_initiative):
    from registry import actions
    from registry.db import write_session

    record = make_initiative(title="Soon withdrawn garden")
    assert api(client, q="withdrawn")["total"] == 1
    with write_session(app.extensions["registry"].engine) as session:
        actions.withdraw(session, actions.SYSTEM, record)
    body = api(client, q="withdrawn")
    assert body["total"] == 0 and body["facets"]["country"] == {}
