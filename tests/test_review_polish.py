"""Smaller things a reader meets (issue 19): a page beyond the last leads to the last page,
filter errors name the filter as the page labels it, and no flag is drawn as emoji."""

from __future__ import annotations

import pytest

from registry import seeds


@pytest.fixture
def site(app):
    seeds.seed(app.extensions["registry"].engine)
    return app


def test_a_page_beyond_the_last_leads_to_the_last_page(client, site):
    response = client.get("/initiatives?page=99&per_page=2")
    assert response.status_code == 302
    last_page = response.headers["Location"]
    assert "per_page=2" in last_page and "page=" in last_page.replace("per_page", "")
    last = client.get(last_page).get_data(as_text=True)
    assert "No published initiative matches" not in last and 'rel="next"' not in last
    assert 'rel="prev"' in last


def test_a_filter_error_names_the_filter_not_the_parameter(client, site):
    html = client.get("/initiatives?year_from=1200").get_data(as_text=True)
    assert "Started from (year)" in html and "year_from" not in html.split("<main")[1]


def test_no_country_flag_is_drawn_as_emoji(client, site):
    for path in ("/initiatives", "/initiatives/1", "/countries", "/countries/FR"):
        html = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert not any(0x1F1E6 <= ord(c) <= 0x1F1FF for c in html), path
