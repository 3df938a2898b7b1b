"""Server-rendered pages: every seed record renders, filters work, drafts never show,
Markdown is sanitised, errors are friendly."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from registry import seeds
from registry.db import read_session
from registry.initiatives import public_query
from registry.models import InitiativeTranslation
from registry.paths import SEEDS


@pytest.fixture
def seeded(app):
    seeds.seed(app.extensions["registry"].engine)
    return app


def test_home_says_what_the_registry_is_with_counts(client, seeded):
    page = client.get("/").get_data(as_text=True)
    assert "Coproduction Registry" in page and "Published initiatives" in page
    count = len(seeds.load_records(SEEDS / "initiatives.json"))
    assert re.search(rf"<dd>{count}</dd>", page)


def test_every_seed_record_page_renders(client, seeded):
    with read_session(seeded.extensions["registry"].engine) as s:
        records = [(i.id, i.slug, i.title) for i in s.scalars(public_query())]
        # An English reader sees a record's English translation where it has one.
        english = dict(s.execute(select(InitiativeTranslation.initiative_id,
                                        InitiativeTranslation.title)
                                 .where(InitiativeTranslation.language == "en")).all())  # fmt: skip
    assert len(records) >= 24
    for initiative_id, slug, original in records:
        title = english.get(initiative_id, original)
        response = client.get(f"/initiatives/{initiative_id}/{slug}")
        assert response.status_code == 200, slug
        html = response.get_data(as_text=True)
        assert "Key facts" in html and "Illustrative example" in html
        assert f"<h1>{escape(title)}</h1>" in html


def test_initiative_page_shows_labels_and_sources(client, make_initiative):
    new_id = make_initiative(
        motives=["reduce_costs"],
        sources=[{"title": "Evaluation report", "url": "https://example.org/r.pdf"}],
        start_year=2009,
    )
    html = client.get(f"/initiatives/{new_id}", follow_redirects=True).get_data(as_text=True)
    assert "Reduce costs" in html and "Public safety and crime prevention" in html
    assert '<a href="https://example.org/r.pdf" rel="nofollow noopener noreferrer">' in html
    assert "Started 2009" in html


def test_wrong_slug_redirects_to_the_canonical_address(client, make_initiative):
    new_id = make_initiative(title="Parents online with social workers")
    response = client.get(f"/initiatives/{new_id}/old-name")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(
        f"/initiatives/{new_id}/parents-online-with-social-workers"
    )


def test_markdown_scripts_and_javascript_links_are_stripped(client, make_initiative):
    new_id = make_initiative(
        description=(
            "Hello <script>alert('x')</script>\n\n[click](javascript:alert(1)) "
            '<img src=x onerror="alert(2)"> [ok](https://example.org)'
        )
    )
    html = client.get(f"/initiatives/{new_id}", follow_redirects=True).get_data(as_text=True)
    body = html.split('id="h-description"')[1].split("</section>")[0]
    assert "<script" not in body and 'href="javascript:' not in body and "<img" not in body
    assert '<a href="https://example.org"' in body


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "withdrawn"])
def test_unpublished_record_is_on_no_page(client, make_initiative, status):
    hidden = make_initiative(status=status, title="Zanzibarcanary hidden record")
    make_initiative(title="A visible record")
    assert client.get(f"/initiatives/{hidden}").status_code == 404
    for url in ("/", "/initiatives", "/initiatives?country=FR", "/initiatives?q=zanzibarcanary"):
        html = client.get(url).get_data(as_text=True)
        assert "Zanzibarcanary" not in html, url
    assert re.search(r"<dd>1</dd>", client.get("/").get_data(as_text=True))


def test_catalogue_filters_and_paginates(client, make_initiative):
    for n in range(25):
        make_initiative(title=f"Health record {n}", sector="health", country="CA")
    make_initiative(title="Fire safety walk", sector="public_safety", country="FI", stages=["plan"])
    page1 = client.get("/initiatives?sector=health").get_data(as_text=True)
    assert "25 initiatives" in page1 and "Page 1 of 2" in page1 and "Fire safety" not in page1
    page2 = client.get("/initiatives?sector=health&page=2").get_data(as_text=True)
    assert page2.count('class="card"') == 5
    only = client.get("/initiatives?country=fi&stage=plan").get_data(as_text=True)
    assert "1 initiative" in only and "Fire safety walk" in only
    assert "0 initiatives" in client.get("/initiatives?country=FI&stage=deliver").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "query",
    ["page=abc", "per_page=1000", "sector=astrology", "country=ZZ", "year_from=x", "sort=random"],
)
def test_bad_catalogue_parameters_get_a_friendly_400(client, query):
    response = client.get(f"/initiatives?{query}")
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_server_error_is_a_friendly_500(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html and "RuntimeError" not in html


def test_language_switch_is_remembered_and_only_goes_back_locally(client):
    response = client.get("/language/fr?next=//evil.example/")
    assert response.headers["Location"] == "/"
    assert "lang=fr" in response.headers["Set-Cookie"]
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


# Tags that make the browser fetch something as part of the page (not links to follow).
ASSET = re.compile(
    r'<(?:script[^>]*\bsrc|img[^>]*\bsrc|link[^>]*\brel="(?:stylesheet|icon|preload|modulepreload)"'
    r'[^>]*\bhref)="([^"]+)"'
)


def test_pages_declare_a_phone_viewport_and_fetch_only_local_assets(client, users, sign_in):
    """The phone layout itself is checked in chromium at 390 px (tests/browser: no page scrolls
    sideways); here, the viewport that makes phones use it, and every stylesheet, script, icon
    and image the pages fetch, served by the registry itself (no CDN)."""
    member = sign_in("sub@lyon.example")
    pages = {
        "/": client,
        "/initiatives": client,
        "/export": client,
        "/sign-in": client,
        "/my/initiatives/new": member,
    }
    assets: set[str] = set()
    for path, browser in pages.items():
        html = browser.get(path).get_data(as_text=True)
        viewport = re.search(r'<meta name="viewport" content="([^"]+)"', html)
        assert viewport and "width=device-width" in viewport.group(1), path
        assets |= set(ASSET.findall(html))
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in sorted(assets):
        assert asset.startswith("/") and not asset.startswith("//"), asset
        with client.get(asset) as response:
            assert response.status_code == 200, asset
            if asset.endswith(".css"):
                css = response.get_data(as_text=True)
                assert not re.search(r"@import|url\(\s*['\"]?(?:[a-z]+:)?//", css), asset
