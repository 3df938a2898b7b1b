"""Arbitrary Unicode, including NUL, other control characters and U+FFFE/U+FFFF, in every
parameter of every route, on PostgreSQL (the stricter engine: it refuses NUL in text): never a
5xx, and the Atom feed and the exports stay well-formed (issue 20, finding 4)."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import actions
from registry.db import write_session

from .conftest import PASSWORD, _app, bring_to, create_people, csrf_from, valid_record
from .url_map import method_of, parameters, routes

pytestmark = pytest.mark.postgres
# Every query-string and form parameter a view reads, and the initiative form's fields.
PARAMETERS = ["q", "country", "sector", "stage", "maturity", "evidence_level", "language", "tag",
              "year_from", "year_to", "sort", "page", "per_page", "ids", "table", "bom", "next",
              "order", "back", "version", "reason", "title", "summary", "start_year", "label",
              "email", "password"]  # fmt: skip
NEVER = {"/sign-out", "/account/sign-out-everywhere"}  # they would end the fuzzing session
SPECIAL = ["\x00", "\x01", "\x0b", "\x1f", "\x7f", "\ufffe", "\uffff", "\u2028", "²", "①", "%",
           "\\", "'", '"', "<", "&", ";", ",", "\r", "\n", "\t", " "]  # fmt: skip
# The outside review's cases, tried on every route before the generated ones.
REVIEWED = [{"tag": "a\x00b"}, {"q": "a\x00b"}, {"country": "F\x00"}, {"q": "\uffff"},
            {"tag": "\ufffe"}, {"ids": "²"}, {"ids": "1,①"}, {"page": "²²"}, {"year_from": "٣"},
            {"start_year": "²²", "title": "Walking\x00 buses"}, {"email": "a\x00@b.example"},
            {"label": "a\x00b"}, {"reason": "a\x00b"}, {"next": "/\x00"}]  # fmt: skip
TEXT = st.text(
    st.one_of(st.sampled_from(SPECIAL), st.characters(blacklist_categories=("Cs",))),
    max_size=12,
)


@pytest.fixture(scope="module")
def fuzzed(postgres_server, tmp_path_factory):
    """An app on a PostgreSQL database with records in several states and a signed-in curator."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from .conftest import POSTGRES_URL

    admin, template = postgres_server
    name = f"registry_f_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    app = _app(tmp_path_factory.mktemp("fuzz"), url)
    engine = app.extensions["registry"].engine
    curator = create_people(engine, {"c": ("cur@registry.example", "curator", "C")})["c"]
    with write_session(engine) as s:
        for n, status in enumerate(("published", "draft", "submitted", "published")):
            record = valid_record(title=f"Fuzzed record {n}", tags=["safety"])
            i = actions.create(s, curator, record)
            bring_to(s, i.id, status, curator)
    client = app.test_client()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    signed = client.post("/sign-in", data={"email": "cur@registry.example", "password": PASSWORD,
                                           "csrf_token": token})  # fmt: skip
    assert signed.status_code == 302
    yield app, client, token
    app.extensions["registry"].engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _check_well_formed(path: str, response) -> None:
    body = response.get_data()  # the whole stream: a cut stream raises here
    if response.status_code != 200:
        return
    if path == "/feed.atom":
        ET.fromstring(body)
    elif path.endswith(".json"):
        json.loads(body)
    elif path.endswith(".csv"):
        text = body.decode("utf-8-sig")
        assert text.endswith("\r\n") or text.endswith("\n")
        list(csv.reader(io.StringIO(text, newline="")))


def _fuzz_route(fuzzed, rule):
    _, client, token = fuzzed
    method = method_of(rule)

    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(
        path_values=st.lists(TEXT, min_size=4, max_size=4),
        values=st.dictionaries(st.sampled_from(PARAMETERS), TEXT, max_size=4),
    )
    def run(path_values, values):
        check(path_values, values)

    def check(path_values, values):
        path = rule.rule
        for (converter, name), value in zip(parameters(rule), path_values, strict=False):
            if converter == "int":  # one of the four records, or one that does not exist
                path = path.replace(f"<int:{name}>", str(1 + len(value) % 5))
            path = path.replace(f"<{name}>", quote(value, safe="") or "x")
        if method == "GET":
            response = client.get(path, query_string=values)
        else:
            response = client.open(path, method=method, data={**values, "csrf_token": token})
        assert response.status_code < 500, (method, path, values, response.status_code)
        _check_well_formed(rule.rule, response)

    check(["\x00", "²", "\uffff", "a"], {})
    for values in REVIEWED:
        check(["FR", "FR", "FR", "FR"], values)
    run()


def test_no_parameter_of_any_route_gives_a_server_error_on_postgresql(fuzzed):
    app, _client, _token = fuzzed
    checked = []
    for rule in routes(app):
        if rule.rule in NEVER or rule.rule.startswith("/api/v1/initiatives/<int:initiative_id>/"):
            continue  # the API's write operations are fuzzed by tests/test_api_fuzz.py
        _fuzz_route(fuzzed, rule)
        checked.append(rule.rule)
    assert "/feed.atom" in checked and "/export/initiatives.csv" in checked
