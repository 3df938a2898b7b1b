"""Bad characters and bad numbers (issue 20, findings 4 and 5): one text sanitiser for every text
field, one integer parser for every query parameter and form field, JSON depth and number-size
limits. Each answers a clear 4xx that names the field, on SQLite and on PostgreSQL, and writes
nothing; never a 500."""

from __future__ import annotations

import json
from datetime import date
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, select, text
from werkzeug.datastructures import MultiDict

from registry import actions, schemas
from registry.db import read_session, write_session
from registry.filters import parse_filters
from registry.models import Initiative
from registry.transfer.importing import ImportFailed, read_bytes

from .conftest import PASSWORD, create_people, csrf_from, valid_record

# NUL and the other C0 controls but tab/newline/CR, DEL, a lone surrogate, U+FFFE, U+FFFF.
FORBIDDEN = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\ud800", "\ufffe",
             "\uffff"]  # fmt: skip
TEXT_FIELDS = ["title", "summary", "description", "region", "locality", "outcomes",
               "lead_organisation", "external_id"]  # fmt: skip


@pytest.fixture
def curator(any_app):
    """Bearer headers of a curator on `any_app` (SQLite, then PostgreSQL)."""
    engine = any_app.extensions["registry"].engine
    create_people(engine, {"curator": ("cur@registry.example", "curator", None)})
    with write_session(engine) as s:
        token = actions.create_token(s, actions.SYSTEM, for_email="cur@registry.example")
    return {"Authorization": f"Bearer {token}"}


def _post_json(client, headers, document) -> object:
    # json.dumps escapes a lone surrogate as \ud800, as a hostile client would send it
    return client.post(
        "/api/v1/initiatives", data=json.dumps(document), content_type="application/json",
        headers=headers,
    )  # fmt: skip


def _count(app) -> int:
    with read_session(app.extensions["registry"].engine) as s:
        return s.scalar(select(func.count()).select_from(Initiative))


def test_every_text_field_refuses_forbidden_characters_with_a_field_error(any_app, curator):
    client = any_app.test_client()
    for char in FORBIDDEN:
        for field in TEXT_FIELDS:
            value = f"Neighbourhood {char}watch"
            response = _post_json(client, curator, valid_record(**{field: value}))
            assert response.status_code == 422, (field, repr(char), response.get_json())
            assert field in response.get_json()["error"]["fields"], (field, repr(char))
        for field, value in (
            ("tags", ["safety", f"a{char}b"]),
            ("partners", [f"Police {char}nationale"]),
            ("sources", [{"title": f"Report{char}", "url": "https://example.org/r"}]),
            ("sources", [{"title": "Report", "url": f"https://example.org/{char}"}]),
        ):
            response = _post_json(client, curator, valid_record(**{field: value}))
            assert response.status_code == 422, (field, repr(char), response.get_json())
            assert field in response.get_json()["error"]["fields"]
    assert _count(any_app) == 0


def test_the_sanitiser_names_the_character_and_keeps_tab_newline_and_carriage_return(
    any_app, curator
):
    client = any_app.test_client()
    refused = _post_json(client, curator, valid_record(title="Patrols\x00 at night"))
    assert "U+0000" in json.dumps(refused.get_json()["error"]["fields"]["title"])
    kept = _post_json(
        client, curator, valid_record(description="Line one\r\nLine two\tand a tab\rend")
    )
    assert kept.status_code == 201, kept.get_json()
    assert kept.get_json()["description"] == "Line one\nLine two\tand a tab\nend"


@pytest.mark.parametrize(
    "path",
    ["/export", "/export/initiatives.csv", "/export/initiatives.json", "/compare",
     "/api/v1/compare", "/feed.atom", "/countries/FR", "/initiatives", "/api/v1/initiatives",
     "/compare/initiatives", "/countries/FR.csv", "/compare.csv"],
)  # fmt: skip
def test_a_nul_or_xml_invalid_query_parameter_answers_400(any_app, make_initiative, path):
    make_initiative(target=any_app, tags=["safety"])
    client = any_app.test_client()
    for value in ("a\x00b", "a\uffffb", "a\x1bb"):
        for name in ("tag", "q", "country"):
            response = client.get(path, query_string={name: value})
            assert response.status_code == 400, (path, name, repr(value), response.status_code)


def test_a_nul_in_a_path_segment_is_not_a_server_error(any_app):
    client = any_app.test_client()
    for path in ("/countries/F%00", "/api/v1/countries/F%00", "/language/f%00"):
        assert client.get(path).status_code in (400, 404), path


@pytest.mark.parametrize("value", ["²", "³", "①", "٣", "1_0", "+1", " 1 2", "1" * 30])
def test_integer_parameters_accept_ascii_digits_only(client, make_initiative, value):
    make_initiative()
    for path, name in (
        ("/compare/initiatives", "ids"),
        ("/initiatives", "page"),
        ("/initiatives", "year_from"),
        ("/api/v1/initiatives", "per_page"),
        ("/api/v1/countries/FR", "page"),
    ):
        response = client.get(path, query_string={name: value})
        assert response.status_code == 400, (path, name, value, response.status_code)


def test_the_integer_parser_takes_a_plain_number_and_refuses_anything_else():
    assert schemas.whole_number("2024", 1900, 2100) == 2024
    assert schemas.whole_number(" 7 ", 1, 10) == 7
    for raw in ("²²", "٣", "1e3", "-1", "", "0x10", "1" * 5000):
        with pytest.raises(ValueError):
            schemas.whole_number(raw, 0, 10**9)
    with pytest.raises(ValueError):
        schemas.whole_number("11", 1, 10)


def test_a_form_year_in_superscript_digits_is_a_field_error(app, sign_in, users):
    browser = sign_in(users["submitter"].email)
    token = csrf_from(browser.get("/my/initiatives/new").get_data(as_text=True))
    form = {
        "csrf_token": token, "title": "Walking buses to school", "summary": "Parents walk.",
        "country": "FR", "sector": "education", "stages": ["deliver"], "maturity": "pilot",
        "language": "en", "start_year": "²²", "end_year": "٢٠٢٠",
    }  # fmt: skip
    response = browser.post("/my/initiatives/new", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“Start year” must be a year in figures" in page
    assert _count(app) == 0


def test_a_deeply_nested_api_body_is_a_400(client, users, api_token):
    headers = api_token(users["curator"].email)
    for body in ("[" * 100_000, '{"a":' * 50_000, "[" * 200 + "]" * 200):
        response = client.post(
            "/api/v1/initiatives", data=body, content_type="application/json", headers=headers
        )
        assert response.status_code == 400, response.get_data(as_text=True)[:200]
        assert response.get_json()["error"]["code"] == "malformed_json"


def test_an_api_body_with_an_oversized_number_is_a_400(client, users, api_token):
    headers = api_token(users["curator"].email)
    for number in ("1" * 5000, "1" * 40, "1e999", "NaN", "-Infinity"):
        body = json.dumps(valid_record())[:-1] + f', "start_year": {number}}}'
        response = client.post(
            "/api/v1/initiatives", data=body, content_type="application/json", headers=headers
        )
        assert response.status_code == 400, (number, response.status_code)
        assert response.get_json()["error"]["code"] == "malformed_json", number


def test_an_import_of_deep_json_or_a_huge_integer_is_refused_clearly():
    record = json.dumps(valid_record())
    for data in (
        "[" * 100_000,
        "[" + record[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}]",
        "[" + record[:-1] + ', "start_year": ' + "9" * 5000 + "}]",
        "[" + record[:-1] + ', "start_year": 1e999}]',
    ):
        with pytest.raises(ImportFailed) as caught:
            read_bytes(data.encode(), "json", "bad.json")
        assert "bad.json" in str(caught.value)


def test_an_import_row_with_a_nul_is_refused_with_its_row_and_field():
    from registry.transfer.importing import check

    rows = read_bytes(json.dumps([valid_record(external_id="a\u0000b")]).encode(), "json")
    problems = check(rows)
    assert [(p.row, p.field) for p in problems] == [("record 1", "external_id")]


def test_the_feed_stays_well_formed_with_a_bad_character_already_stored(app, make_initiative):
    """A record saved before the sanitiser existed must not break the feed for subscribers."""
    initiative_id = make_initiative(title="Older record")
    with write_session(app.extensions["registry"].engine) as s:
        s.execute(
            text("UPDATE initiative SET title = :t, summary = :s WHERE id = :i"),
            {"t": "Old\uffff record\x0b", "s": "Bad \ufffe summary\x01", "i": initiative_id},
        )
    body = app.test_client().get("/feed.atom").get_data()
    feed = ET.fromstring(body)  # raises on an ill-formed document
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(t and t.startswith("Old") for t in titles)


def test_the_latest_valid_year_is_computed_at_validation_time(monkeypatch):
    """A long-running worker must not keep the year it started in."""

    class Later(date):
        @classmethod
        def today(cls) -> date:
            return date(2990, 6, 1)

    monkeypatch.setattr(schemas, "date", Later)
    schemas.validate_initiative(valid_record(start_year=2991))
    assert parse_filters(MultiDict({"year_to": "2991"})).year_to == 2991


def test_sign_in_and_token_label_refuse_forbidden_characters(any_app):
    create_people(
        any_app.extensions["registry"].engine,
        {"someone": ("someone@lyon.example", "submitter", None)},
    )
    client = any_app.test_client()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in", data={"email": "some\x00one@lyon.example", "password": PASSWORD,
                          "csrf_token": token},
    )  # fmt: skip
    assert response.status_code in (400, 401, 422)
    signed = client.post(
        "/sign-in", data={"email": "someone@lyon.example", "password": PASSWORD,
                          "csrf_token": token},
    )  # fmt: skip
    assert signed.status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    made = client.post("/account/tokens", data={"tk-label": "a\x00b", "csrf_token": token})
    assert made.status_code == 422
