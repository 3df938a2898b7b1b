"""The world map (issue 19): Natural Earth shapes shipped with the project, drawn on the server,
each country with published initiatives a link named with its count; small states listed."""

from __future__ import annotations

import re

import pycountry
import pytest

from registry import map_svg, seeds


@pytest.fixture
def site(app):
    seeds.seed(app.extensions["registry"].engine)
    return app


def test_the_shapes_are_iso_countries_drawn_inside_the_map():
    width, height = map_svg.size()
    shapes = map_svg.countries({})
    assert len(shapes) > 170
    for country in shapes:
        assert pycountry.countries.get(alpha_2=country.code) is not None
        x0, y0, x1, y1 = country.box
        assert -1 <= x0 <= x1 <= width + 1 and -1 <= y0 <= y1 <= height + 1, country.code
    assert {"FR", "BR", "US", "FJ", "NZ"} <= map_svg.drawn()


def test_the_legend_covers_every_count_once():
    counts = {"FR": 17, "DE": 3, "BR": 1, "SG": 2}
    legend = map_svg.legend(counts)
    covered = [n for entry in legend for n in range(entry.low, entry.high + 1)]
    assert covered == list(range(1, 18))
    assert map_svg.not_drawn(counts) == [("SG", 2)]  # Singapore is too small at 1:110m


def test_the_countries_page_draws_the_map_with_named_links(client, site):
    html = client.get("/countries").get_data(as_text=True)
    svg = html[html.index('<svg viewBox="0 0 1000') : html.index("</svg>")]
    links = re.findall(r'<a href="/countries/([A-Z]{2})" aria-label="([^"]+)"', svg)
    assert ("FR", links[[c for c, _ in links].index("FR")][1]) in links
    name = dict(links)["FR"]
    assert name.startswith("France: ") and name.endswith(" initiatives")
    assert "<script" not in html.split("<main")[1].split("</main>")[0]
    assert "/countries.csv" in html and '<table class="data-table">' in html


def test_the_map_shows_nothing_unpublished(client, app, users, make_owned):
    make_owned(users["submitter"], "submitted", country="IS")
    html = client.get("/countries").get_data(as_text=True)
    assert 'href="/countries/IS"' not in html
