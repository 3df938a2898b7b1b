"""Search finds what practitioners mean (issue 14): partial matches ranked after full ones,
explicit syntax as written, BM25F, English and French finding each other, vocabulary labels,
compounds, highlights carried to the record's page, and similar records with a reason."""

from __future__ import annotations

import re

import pytest

from registry.search import ranking


def api(client, q: str, **params) -> dict:
    response = client.get("/api/v1/initiatives", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def titles(client, q: str, **params) -> list[str]:
    return [r["title"] for r in api(client, q, **params)["results"]]


@pytest.fixture
def safety(make_initiative):
    ids = {
        "all": make_initiative(
            title="Neighbourhood safety walks with police and volunteers",
            summary="Residents and officers walk the streets together.",
        ),
        "police": make_initiative(
            title="Police open days", summary="Officers explain their work.", sector="justice"
        ),
        "volunteers": make_initiative(
            title="Library volunteers", summary="Reading help.", sector="culture"
        ),
        "none": make_initiative(
            title="School meals", summary="Pupils plan menus.", sector="education"
        ),
    }
    return ids


def test_some_of_the_words_are_enough_and_all_of_them_come_first(client, safety):
    body = api(client, "neighbourhood safety with police volunteers")
    found = [r["title"] for r in body["results"]]
    assert found[0] == "Neighbourhood safety walks with police and volunteers"
    assert set(found[1:]) == {"Police open days", "Library volunteers"}
    assert body["total"] == 3 and body["all_words_total"] == 1
    assert [r["all_words"] for r in body["results"]] == [True, False, False]


def test_the_page_says_when_results_match_only_some_of_the_words(client, safety):
    html = client.get("/initiatives", query_string={"q": "police volunteers"}).get_data(
        as_text=True
    )
    assert "Results for some of your words: 1 initiative has all of them" in html
    assert html.count('class="badge badge-partial"') == 2
    full = client.get("/initiatives", query_string={"q": "police"}).get_data(as_text=True)
    assert "Results for some of your words" not in full and "badge-partial" not in full
    assert api(client, "police")["all_words_total"] is None  # one word: nothing to say


def test_a_long_query_needs_a_share_of_its_words(client, make_initiative):
    assert ranking.minimum_should_match(6) == 2
    make_initiative(title="Allotment gardens", summary="Tenants grow vegetables.")
    make_initiative(title="Allotment compost", summary="Tenants compost leaves.")
    q = "allotment compost orchard beehive greenhouse seedlings"
    assert titles(client, q) == ["Allotment compost"]  # two of six words; one is not enough


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("police AND volunteers", {"Neighbourhood safety walks with police and volunteers"}),
        (
            "police OR pupils",
            {
                "Neighbourhood safety walks with police and volunteers",
                "Police open days",
                "School meals",
            },
        ),
        ('"safety walks" police', {"Neighbourhood safety walks with police and volunteers"}),
        ("police -volunteers", {"Police open days"}),
        ("sector:justice police volunteers", {"Police open days"}),
        (
            "title:volunteers",
            {"Library volunteers", "Neighbourhood safety walks with police and volunteers"},
        ),
    ],
)
def test_explicit_syntax_keeps_its_meaning(client, safety, query, expected):
    assert set(titles(client, query)) == expected


def test_length_normalisation_favours_the_shorter_text(client, make_initiative):
    make_initiative(
        title="Bus stops", description="Riders mapped the stops. " + "Other words. " * 80
    )
    make_initiative(title="Bus shelters", description="Riders mapped the shelters.")
    assert titles(client, "riders")[0] == "Bus shelters"


def test_a_title_outweighs_a_description(client, make_initiative):
    make_initiative(title="Reading circles", description="Volunteers and dialysis patients.")
    make_initiative(title="Dialysis at home", description="Nurses train patients.")
    assert titles(client, "dialysis")[0] == "Dialysis at home"


@pytest.fixture
def bilingual(make_initiative):
    return {
        "aidants": make_initiative(
            title="Plateforme de répit pour les aidants familiaux",
            summary="Les aidants choisissent des heures de répit.",
            language="fr",
            sector="social_care",
        ),
        "carers": make_initiative(
            title="Carers' cafés",
            summary="Unpaid carers meet social workers.",
            language="en",
            sector="social_care",
        ),
        "canicule": make_initiative(
            title="Veille canicule",
            summary="Des bénévoles appellent les personnes isolées.",
            language="fr",
            sector="social_care",
        ),
        "kidneys": make_initiative(
            title="Dialysis bays",
            summary="Patients learn their own treatment.",
            language="en",
            sector="health",
        ),
    }


def test_a_french_query_finds_english_records_and_the_reverse(client, bilingual):
    assert set(titles(client, "aidants")) == {
        "Plateforme de répit pour les aidants familiaux",
        "Carers' cafés",
    }
    assert titles(client, "aidants")[0] == "Plateforme de répit pour les aidants familiaux"
    assert titles(client, "carers")[0] == "Carers' cafés"
    assert titles(client, "heatwave") == ["Veille canicule"]
    assert titles(client, "dialyse") == ["Dialysis bays"]


def test_a_query_naming_a_vocabulary_label_reaches_its_code(client, bilingual):
    # Neither record says "santé", "health" or "volunteers"; their controlled fields do.
    assert titles(client, "santé") == ["Dialysis bays"]
    assert "Veille canicule" in titles(client, "older people")  # sector "Social care (older…)"


def test_translated_words_are_highlighted_in_the_records_language(client, bilingual):
    results = api(client, "family carers")["results"]
    french = next(r for r in results if r["language"] == "fr")
    assert "<mark>aidants</mark> <mark>familiaux</mark>" in french["highlights"]["title"]


@pytest.mark.parametrize("query", ["codesign", "co-design", "co design", "Co‑design"])
def test_compounds_match_joined_hyphenated_or_split(client, make_initiative, query):
    make_initiative(title="Youth hubs co-designed with young people", summary="Walk-in care.")
    make_initiative(title="Codesign workshops for e-services", summary="Residents test forms.")
    make_initiative(title="Design of parks", summary="Gardeners plant trees.")
    found = titles(client, query)
    assert set(found[:2]) == {
        "Youth hubs co-designed with young people",
        "Codesign workshops for e-services",
    }


def test_e_health_and_french_hyphenated_words(client, make_initiative):
    make_initiative(title="E-health pathway", summary="Patients record values online.")
    make_initiative(
        title="Dispositif médico-social", summary="Co-construction avec les usagers.", language="fr"
    )
    assert titles(client, "ehealth") == titles(client, "e-health") == ["E-health pathway"]
    assert titles(client, "medicosocial") == ["Dispositif médico-social"]
    assert titles(client, "coconstruction")[0] == "Dispositif médico-social"
    marked = api(client, "ehealth")["results"][0]["highlights"]["title"]
    assert marked == "<mark>E-health</mark> pathway"


def test_a_search_carries_its_highlights_to_the_records_page(client, bilingual):
    html = client.get("/initiatives", query_string={"q": "carers respite"}).get_data(as_text=True)
    links = re.findall(r'class="card-title"><a href="([^"]+)"', html)
    assert links and all("hl=carers+respite" in link for link in links)
    french = next(link for link in links if "plateforme" in link)
    page = client.get(french).get_data(as_text=True)
    assert "<h1>Plateforme de <mark>répit</mark> pour les <mark>aidants</mark> familiaux</h1>" in (
        page
    )
    assert "The words of your search “carers respite” are highlighted." in page
    plain = client.get(french.split("?")[0]).get_data(as_text=True)
    assert "<mark>" not in plain


def test_highlights_on_the_page_escape_the_text_and_keep_the_markup(client, make_initiative):
    record = make_initiative(
        title="Parks <b>for</b> all",
        description="Volunteers **plant** trees & <script>alert(1)</script> [parks](https://example.org).",
    )
    page = client.get(
        f"/initiatives/{record}", query_string={"hl": "plant parks <script>"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "<h1>Parks &lt;b&gt;for&lt;/b&gt; all</h1>" not in page  # title marked instead:
    assert "<h1><mark>Parks</mark> &lt;b&gt;for&lt;/b&gt; all</h1>" in page
    assert "<strong><mark>plant</mark></strong>" in page
    assert "<script>alert" not in page
    assert (
        '<a href="https://example.org" rel="nofollow noopener noreferrer"><mark>parks</mark></a>'
        in page
    )


def test_similar_initiatives_weigh_the_sector_and_say_why(client, make_initiative):
    source = make_initiative(
        title="Residents patrol with the neighbourhood police",
        summary="Volunteers and police officers walk the streets against burglary.",
        sector="public_safety",
        country="GB",
    )
    make_initiative(
        title="Police and residents against burglary",
        summary="A safety plan with police officers.",
        sector="public_safety",
        country="GB",
    )
    make_initiative(
        title="Youth services panel",
        summary="Young residents choose services.",
        sector="family_children",
    )
    make_initiative(
        title="Voisins référents et police municipale",
        summary="Des habitants bénévoles contre les cambriolages.",
        language="fr",
        sector="public_safety",
    )
    html = client.get(f"/initiatives/{source}", follow_redirects=True).get_data(as_text=True)
    similar = html.split('id="h-similar"')[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", similar, re.S)
    text = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in items]
    assert text[0].startswith("Police and residents against burglary")
    assert re.search(r"same sector · both about [^·]*\bpolice\b[^·]* · same country$", text[0])
    assert any(t.startswith("Voisins référents et police municipale") for t in text[:2])
    assert "Youth services panel" not in " ".join(text[:2])
