"""What practitioners type finds what they mean, in English and French."""

from __future__ import annotations

import pytest


@pytest.fixture
def corpus(make_initiative):
    ids = {
        "peer": make_initiative(
            title="Patients coach each other through chronic illness",
            summary="Expert patients support people newly diagnosed.",
            description="Volunteers trained in dialysis care visit wards.",
            language="en",
            country="GB",
            sector="health",
            tags=["peer support"],
        ),
        "fr_health": make_initiative(
            title="Maladies chroniques : des patients experts à l'hôpital",
            summary="Des patients accompagnent d'autres patients.",
            description="Une approche thérapeutique partagée entre soignants et malades.",
            language="fr",
            country="FR",
            sector="health",
        ),
        "burglary": make_initiative(
            title="Voisins vigilants contre les cambriolages",
            summary="Les habitants préviennent les cambriolages du quartier.",
            language="fr",
            country="FR",
            sector="public_safety",
            tags=["prévention"],
        ),
        "mention": make_initiative(
            title="Library opening hours set with residents",
            summary="Residents and librarians agree opening hours.",
            description="A long text. " * 50 + "One patient once asked for later hours.",
            language="en",
            country="CA",
            sector="culture",
        ),
        "deutsch": make_initiative(
            title="Bürgerhaushalt in Köln",
            summary="Bürger entscheiden über Ausgaben.",
            language="de",
            country="DE",
            sector="administration",
        ),
    }
    return ids


def ids_for(client, query: str, **params) -> list[int]:
    response = client.get("/api/v1/initiatives", query_string={"q": query, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["id"] for r in response.get_json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("patient", {"peer", "fr_health", "mention"}),
        ("chroniques", {"fr_health", "peer"}),  # "chronic illness": through the glossary
        ("chronique", {"fr_health", "peer"}),
        ("therapeutique", {"fr_health"}),
        ("thérapeutiques", {"fr_health"}),
        ("cambriolage", {"burglary"}),
        ("CAMBRIOLAGES", {"burglary"}),
        ("coaching", {"peer"}),
        ("koln", {"deutsch"}),
        ('"peer support"', {"peer"}),
        ('"support peer"', set()),
        ('patient -"peer support"', {"fr_health", "mention"}),
        ("patient -(coaching OR chroniques)", {"mention"}),
        ("patients -chroniques", {"peer", "mention"}),
        ("patients NOT chroniques", {"peer", "mention"}),
        ("cambriolage OR dialysis", {"burglary", "peer"}),
        ("title:voisins", {"burglary"}),
        ("tags:prevention", {"burglary"}),
        ("sector:health patients", {"peer", "fr_health"}),
        ("country:FR chroniques", {"fr_health"}),
        ("country:gb OR language:DE", {"peer", "deutsch"}),
        ("sector:Public_Safety", {"burglary"}),
        ("cambrio*", {"burglary"}),
        ("pati*", {"peer", "fr_health", "mention"}),  # "patient" in mention's description only
    ],
)
def test_queries_match_across_inflections_accents_and_languages(client, corpus, query, expected):
    assert set(ids_for(client, query)) == {corpus[k] for k in expected}


def test_a_record_with_every_word_comes_before_those_with_some(client, corpus):
    found = ids_for(client, "patients hôpital")
    assert found[0] == corpus["fr_health"] and set(found) == {
        corpus[k] for k in ("fr_health", "peer", "mention")
    }


def test_title_match_outranks_a_passing_mention(client, corpus):
    found = ids_for(client, "patient")
    assert found.index(corpus["mention"]) == len(found) - 1


def test_prefix_matches_are_highlighted(client, corpus):
    def highlights(q: str) -> dict:
        return client.get("/api/v1/initiatives", query_string={"q": q}).get_json()["results"][0][
            "highlights"
        ]

    assert highlights("cambrio*")["title"] == (
        "Voisins vigilants contre les <mark>cambriolages</mark>"
    )
    assert "<mark>Patients</mark> <mark>coach</mark>" in highlights("coach* pati*")["title"]


def test_a_phrase_is_highlighted_where_it_stands_not_word_by_word(client, make_initiative):
    make_initiative(
        title="Groups for carers",
        summary="Peer support groups meet weekly, with support from the peers of the year.",
    )
    result = client.get("/api/v1/initiatives", query_string={"q": '"peer support"'}).get_json()
    assert result["results"][0]["highlights"]["summary"] == (
        "<mark>Peer</mark> <mark>support</mark> groups meet weekly, with support from the peers"
        " of the year."
    )
    both = client.get("/api/v1/initiatives", query_string={"q": '"peer support" weekly'})
    assert (
        "<mark>weekly</mark>, with support"
        in both.get_json()["results"][0]["highlights"]["summary"]
    )


def test_description_snippets_show_the_words_not_the_markdown(client, make_initiative):
    make_initiative(
        title="Ward visits",
        description="## How\n\nTrained **peer mentors** visit [the wards](https://example.org)"
        " & talk <em>openly</em>.",
    )
    result = client.get("/api/v1/initiatives?q=peer mentors").get_json()["results"][0]
    snippet = result["highlights"]["description"]
    assert snippet == (
        "How Trained <mark>peer</mark> <mark>mentors</mark> visit the wards &amp; talk "
        "&lt;em&gt;openly&lt;/em&gt;."
    )
    assert ids_for(client, "peer") == ids_for(client, '"peer mentors"') == [result["id"]]


def test_private_fields_cannot_be_queried(client, corpus, make_initiative):
    make_initiative(status="draft", title="Secret draft")
    assert ids_for(client, "status:draft") == []
    assert ids_for(client, "id:*") == []


def test_highlights_mark_matches_and_escape_the_rest(client, make_initiative):
    make_initiative(
        title="Escaping test",
        summary="<b>Bold</b> claims & patients <script>alert(1)</script>",
    )
    result = client.get("/api/v1/initiatives?q=patients").get_json()["results"][0]
    snippet = result["highlights"]["summary"]
    assert "<mark>patients</mark>" in snippet
    assert "<b>" not in snippet and "<script>" not in snippet and "&lt;b&gt;" in snippet


def test_misspelt_query_gets_a_suggestion(client, corpus):
    body = client.get("/api/v1/initiatives?q=dialisys").get_json()
    assert body["total"] == 0 and body["suggestion"] == "dialysis"
    html = client.get("/initiatives?q=dialisys").get_data(as_text=True)
    assert "Did you mean" in html and "q=dialysis" in html


def test_corrections_reach_every_known_word_and_the_first_unknown_words_of_a_query():
    from registry.search import suggest
    from registry.search.spelling import Spelling

    spelling = Spelling(frozenset({"dialysis", "patients"}))  # dialysis: first in the list
    assert suggest.corrected(spelling, "dialisys") == "dialysis"
    query = " ".join(["dialisys"] * suggest.MAX_CORRECTED + ["patiants"])
    assert suggest.corrected(spelling, query) == " ".join(
        ["dialysis"] * suggest.MAX_CORRECTED + ["patiants"]
    )
    assert suggest.corrected(spelling, "patients patiants") == "patients patients"


def test_suggestions_come_only_from_published_records(client, corpus, make_initiative):
    make_initiative(status="submitted", title="Xylophonist orchestra", summary="xylophonist")
    assert client.get("/api/v1/initiatives?q=xylophonistt").get_json()["suggestion"] is None


def test_similar_initiatives_are_published_and_alike(client, app, corpus, make_initiative):
    make_initiative(status="draft", title="Patients chroniques brouillon", sector="health")
    html = client.get(f"/initiatives/{corpus['fr_health']}", follow_redirects=True).get_data(
        as_text=True
    )
    similar = html.split('id="h-similar"')[1].split("</section>")[0]
    assert "Patients coach each other" in similar
    assert "brouillon" not in similar and "Maladies chroniques" not in similar


def test_suggestions_follow_catch_up_and_survive_a_rebuild(app, client, corpus, make_initiative):
    """The word list lives beside each index generation: a newly published record's words
    become suggestions at the next catch-up, and a rebuild writes the whole list again."""
    from registry import search
    from registry.extensions import search_index

    suggestion = lambda q: client.get(f"/api/v1/initiatives?q={q}").get_json()["suggestion"]  # noqa: E731
    assert suggestion("hydroponiks") is None
    make_initiative(title="Hydroponics club", description="Résidents cultivent l'été.")
    assert suggestion("hydroponiks") == "hydroponics"
    assert suggestion("cultivnt") == "cultivent"
    search.rebuild(search_index(app), app.extensions["registry"].engine)
    assert suggestion("hydroponiks") == "hydroponics"
    assert suggestion("dialisys") == "dialysis"  # a word found only in a description
    assert suggestion("ete") is None  # "été" is known, accents folded as in queries


def test_misspelt_query_on_an_empty_registry_gets_no_suggestion(client, make_initiative):
    make_initiative(status="draft", title="Draft only")
    body = client.get("/api/v1/initiatives?q=gardning").get_json()
    assert body["total"] == 0 and body["suggestion"] is None
