""" "Did you mean" suggests only words of records published now (issue 20, item 1), and also
words that exist only joined or split."""

from __future__ import annotations

import pytest

from registry import actions, search
from registry.db import read_session, write_session
from registry.search import spelling, suggest
from registry.search.spelling import Spelling

from .conftest import create_people

CANARY = "zorbliquant"  # a word no other record has
NEAR = "zorbliquent"  # one letter changed: the guess an attacker would type


def suggestion(client, q: str) -> str | None:
    response = client.get("/api/v1/initiatives", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["suggestion"]


def curator_headers(app) -> dict[str, str]:
    engine = app.extensions["registry"].engine
    create_people(engine, {"c": ("canary@registry.example", "curator", None)})
    with write_session(engine) as session:
        token = actions.create_token(session, actions.SYSTEM, for_email="canary@registry.example")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("removal", ["withdraw", "delete"])
def test_a_withdrawn_or_deleted_records_words_are_never_suggested(
    any_app, make_initiative, removal
):
    """The reviewer's attack: publish a rare word, take the record off the catalogue, then
    ask for the word with a letter changed next to a misspelt common word."""
    client = any_app.test_client()
    make_initiative(title="Health checks in the market square", target=any_app)
    hidden = make_initiative(
        title="Evening classes", summary=f"The {CANARY} method for adults.", target=any_app
    )
    probe = f"{NEAR} OR helth"
    assert CANARY in (suggestion(client, probe) or "")  # while published, it may be suggested
    headers = curator_headers(any_app)
    if removal == "withdraw":
        response = client.post(f"/api/v1/initiatives/{hidden}/withdraw", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
    else:
        response = client.delete(f"/api/v1/initiatives/{hidden}", headers=headers)
        assert response.status_code == 204, response.get_data(as_text=True)
    for q in (probe, NEAR, f"{NEAR} health", f"{NEAR[:-1]}"):
        assert CANARY not in (suggestion(client, q) or ""), q
    index = any_app.extensions["search"]
    assert CANARY not in index.spelling().words
    search.rebuild(index, any_app.extensions["registry"].engine)  # a new generation too
    assert CANARY not in (suggestion(client, probe) or "")
    assert suggestion(client, "helth") == "health"  # the published record's words remain


def test_a_word_two_records_share_stays_until_both_are_gone(app, client, make_initiative):
    first = make_initiative(title="Quillwork circle", summary="quillwork")
    make_initiative(title="Quillwork guild", summary="quillwork")
    assert suggestion(client, "quilwork") == "quillwork"
    response = client.post(f"/api/v1/initiatives/{first}/withdraw", headers=curator_headers(app))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert suggestion(client, "quilwork") == "quillwork"  # the other record still has it
    words = app.extensions["search"].spelling().words
    assert "quillwork" in words and "circle" not in words and "guild" in words


def test_an_edit_replaces_the_records_old_words(tmp_path):
    """The word list counts each record's words once, whatever the order of changes, and
    applying the same changes twice (a catch-up repeated after a crash) changes nothing."""
    spelling.update(tmp_path, {1: {"allotment", "garden"}, 2: {"garden"}})
    spelling.update(tmp_path, {1: {"orchard", "garden"}})
    assert spelling.read(tmp_path) == {"orchard", "garden"}
    spelling.update(tmp_path, {1: None, 2: {"garden"}})
    spelling.update(tmp_path, {1: None, 2: {"garden"}})
    assert spelling.read(tmp_path) == {"garden"}
    spelling.update(tmp_path, {2: None})
    assert spelling.read(tmp_path) == set()


def test_a_word_known_only_joined_or_split_is_suggested_that_way():
    words = Spelling(frozenset({"water", "quality", "telemonitoring", "codesign", "co", "design"}))
    assert suggest.corrected(words, "waterquality") == "water quality"
    assert suggest.corrected(words, "tele monitoring") == "telemonitoring"
    assert suggest.corrected(words, "co design") is None  # both known: searched as they are
    assert suggest.corrected(words, "watr quality") == "water quality"


def test_words_written_apart_find_the_joined_word_and_a_joined_word_suggests_the_split(
    client, make_initiative
):
    make_initiative(title="Telemonitoring for heart patients", summary="Nurses follow up.")
    body = client.get("/api/v1/initiatives", query_string={"q": "tele monitoring"}).get_json()
    assert body["total"] == 1 and body["suggestion"] is None  # found: nothing to suggest
    assert body["results"][0]["highlights"]["title"].startswith("<mark>Telemonitoring</mark>")
    make_initiative(title="Rivers", summary="Volunteers measure water quality.")
    body = client.get("/api/v1/initiatives", query_string={"q": "waterquality"}).get_json()
    assert body["total"] == 0 and body["suggestion"] == "water quality"


def test_index_check_reports_a_word_list_out_of_step(app, client, make_initiative):
    published = make_initiative(title="Orchards")
    assert client.get("/api/v1/initiatives?q=orchards").get_json()["total"] == 1
    index = app.extensions["search"]
    folder = index.generation_dir(index.current_generation())
    with read_session(app.extensions["registry"].engine) as session:
        assert search.check(index, session).clean
        spelling.update(folder, {published: None, 999: {"secret"}})  # lost one, kept a stranger
        drift = search.check(index, session)
    assert drift.missing == [published] and drift.unpublished == [999]
