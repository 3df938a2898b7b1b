"""The Atom feed, the vocabularies, the OpenAPI document and the pages describing them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from lxml import etree
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from registry import shapes, vocab
from registry.openapi import document
from registry.schemas import InitiativeIn, KeyResult, Source, TranslationIn

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

# Every endpoint of api.md (normative), with its methods.
CONTRACT = {
    "/api/v1/initiatives": {"get", "post"},
    "/api/v1/initiatives/{id}": {"get", "patch", "delete"},
    "/api/v1/initiatives/{id}/submit": {"post"},
    "/api/v1/initiatives/{id}/publish": {"post"},
    "/api/v1/initiatives/{id}/reject": {"post"},
    "/api/v1/initiatives/{id}/withdraw": {"post"},
    "/api/v1/initiatives/{id}/restore": {"post"},  # an addition to api.md (docs/api.md)
    "/api/v1/initiatives/{id}/revisions": {"get"},
    "/api/v1/initiatives/{id}/media": {"get", "post"},  # issue 16 (docs/api.md)
    "/api/v1/initiatives/{id}/media/{media_id}": {"get", "patch", "delete"},
    "/api/v1/countries": {"get"},
    "/api/v1/countries/{code}": {"get"},
    "/api/v1/compare": {"get"},
    "/api/v1/vocabularies": {"get"},
    "/api/v1/openapi.json": {"get"},
    "/export/initiatives.csv": {"get"},
    "/export/initiatives.json": {"get"},
    "/feed.atom": {"get"},
    "/api/v1/collections": {"get", "post"},  # issue 18 (docs/api.md)
    "/api/v1/collections/{collection_id}": {"get", "put", "delete"},
    # issue 16: a record's links and translations (docs/api.md)
    "/api/v1/initiatives/{id}/links": {"get", "post"},
    "/api/v1/initiatives/{id}/links/{link_id}": {"get", "delete"},
    "/api/v1/initiatives/{id}/translations": {"get"},
    "/api/v1/initiatives/{id}/translations/{language}": {"get", "put", "delete"},
}
SEARCH_PARAMETERS = {"q", "country", "sector", "stage", "maturity", "language", "tag",
                     "year_from", "year_to", "sort", "page", "per_page"}  # fmt: skip


def parse_feed(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False))


def test_feed_is_atom_with_the_newest_published_initiatives(client, make_initiative):
    make_initiative(title="Older initiative", country="FR")
    make_initiative(title="Newer initiative", country="FR", lead_organisation="City of Lyon")
    make_initiative(status="draft", title="Draft initiative", country="FR")
    response = client.get("/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = parse_feed(response.data)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    assert RFC3339.match(feed.findtext(f"{ATOM}updated"))
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://localhost/feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Newer initiative",
                                                             "Older initiative"]  # fmt: skip
    ids = set()
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert entry.findtext(f"{ATOM}{tag}"), tag
        assert RFC3339.match(entry.findtext(f"{ATOM}updated"))
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link.get("href").startswith("http://localhost/initiatives/")
        ids.add(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(entries)
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == "City of Lyon"


def test_feed_follows_the_filters_and_says_so_in_its_title(client, make_initiative):
    make_initiative(title="Health in Canada", country="CA", sector="health")
    make_initiative(title="Safety in France", country="FR")
    feed = parse_feed(client.get("/feed.atom?country=CA&sector=health").data)
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [
        "Health in Canada"
    ]
    title = feed.findtext(f"{ATOM}title")
    assert "Canada" in title and "Health" in title
    assert "country=CA" in feed.find(f"{ATOM}link[@rel='self']").get("href")
    empty = parse_feed(client.get("/feed.atom?country=JP").data)
    assert empty.findall(f"{ATOM}entry") == [] and empty.findtext(f"{ATOM}updated")


def test_catalogue_page_announces_its_feed(client):
    page = client.get("/initiatives?country=FR").data.decode()
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" href="/feed.atom\?country=FR"', page
    )
    assert "application/atom+xml" not in client.get("/").data.decode()


def test_vocabularies_endpoint(client):
    response = client.get("/api/v1/vocabularies")
    assert response.status_code == 200
    body = response.get_json()
    assert body == vocab.as_json()
    assert body["stage"]["terms"][1]["label"] == {"en": "Design", "fr": "Concevoir"}


def test_openapi_document_is_valid_and_covers_the_contract(client):
    response = client.get("/api/v1/openapi.json")
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert {p: set(ops) for p, ops in spec["paths"].items()} == CONTRACT
    search = spec["paths"]["/api/v1/initiatives"]["get"]
    names = {spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
             for p in search["parameters"]}  # fmt: skip
    assert names >= SEARCH_PARAMETERS
    statuses = {s for item in spec["paths"].values() for op in item.values()
                for s in op["responses"]}  # fmt: skip
    assert {"400", "401", "403", "404", "409", "413", "415", "422"} <= statuses
    assert spec["servers"] == [{"url": "http://localhost"}]


def test_openapi_schemas_come_from_the_validating_models():
    schemas = document("http://x/")["components"]["schemas"]
    assert set(schemas["InitiativeIn"]["properties"]) == set(InitiativeIn.model_fields)
    assert set(schemas["InitiativeIn"]["required"]) == {
        n for n, f in InitiativeIn.model_fields.items() if f.is_required()
    }
    assert schemas["InitiativeIn"]["properties"]["title"]["maxLength"] == 200
    assert schemas["InitiativeIn"]["properties"]["sector"]["enum"] == list(vocab.SECTOR.codes)
    assert "Source" in schemas
    # issue 16: a translation's texts, and the version last read
    assert set(schemas["TranslationIn"]["properties"]) == {*TranslationIn.model_fields, "version"}


# What clients send: derived from InitiativeIn, and the media bodies (registry.media.uploads).
REQUESTS = {"InitiativeIn", "InitiativeCreate", "InitiativePatch", "MediaUpload", "MediaPatch",
            "CollectionIn", "LinkIn", "TranslationIn"}  # fmt: skip


def test_every_schema_is_a_model_and_every_answer_a_shape():
    """No schema is written by hand: each is a request model's or one of registry.shapes, with
    that model's fields; every JSON answer of every operation refers to a shape."""
    spec = document("http://x/")
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        # Source and KeyResult (case records) are both what clients send and what they get.
        model = {"Source": Source, "KeyResult": KeyResult}.get(name) or getattr(shapes, name, None)
        if name in REQUESTS:
            continue
        assert model is not None and issubclass(model, (shapes.Shape, Source, KeyResult)), name
        assert set(schema["properties"]) == set(model.model_fields), name
        required = {n for n, f in model.model_fields.items() if f.is_required()}
        assert set(schema.get("required", ())) == required, name
    answers = [
        (path, method, status, response["content"]["application/json"]["schema"])
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if "content" in response and "application/json" in response["content"]
    ]
    assert len(answers) >= 14
    for path, method, status, schema in answers:
        if path == "/api/v1/openapi.json":
            continue  # the document itself: an OpenAPI object
        ref = schema.get("items", schema)["$ref"]
        assert ref.rsplit("/", 1)[1] in schemas and ref.rsplit("/", 1)[1] not in REQUESTS, (
            path, method, status)  # fmt: skip
    for error in spec["components"]["responses"].values():
        assert error["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}  # fmt: skip


def test_the_initiative_schema_keeps_the_owners_fields_optional_and_described():
    initiative = document("http://x/")["components"]["schemas"]["Initiative"]
    owners = {"pending", "pending_status", "public_version", "rejection_reason", "submitted_at"}
    assert owners <= set(initiative["properties"])
    assert not owners & set(initiative["required"])
    assert set(initiative["required"]) == set(initiative["properties"]) - owners
    for name in (*owners, "organisation", "version", "illustrative"):
        assert initiative["properties"][name]["description"], name
    assert "If-Match" in initiative["properties"]["version"]["description"]


GENERATE = (
    "import json, sys; from registry.openapi import document; "
    "sys.stdout.write(json.dumps(document('http://localhost'), ensure_ascii=False))"
)


def test_openapi_document_is_the_same_bytes_in_every_process(client):
    """Generated twice in fresh processes with different hash seeds, and served twice: the
    same bytes, key order included (nothing depends on set order or on the process)."""
    runs = {
        subprocess.run(
            [sys.executable, "-c", GENERATE], capture_output=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }  # fmt: skip
    assert len(runs) == 1
    (generated,) = runs
    assert generated == json.dumps(document("http://localhost"), ensure_ascii=False).encode()
    served = client.get("/api/v1/openapi.json").data
    assert served == client.get("/api/v1/openapi.json").data
    assert json.loads(served) == json.loads(generated)


def test_a_served_record_matches_the_documented_initiative(client, make_initiative):
    made = make_initiative(
        title="Documented record", sources=[{"title": "Report", "url": "https://e.org/r"}],
        evidence_level="monitoring", start_year=2001, partners=["A"], tags=["b"],
    )  # fmt: skip
    spec = client.get("/api/v1/openapi.json").get_json()
    record = client.get(f"/api/v1/initiatives/{made}").get_json()
    OAS31Validator({**spec, "$ref": "#/components/schemas/Initiative"}).validate(record)
    assert set(record) == set(spec["components"]["schemas"]["Initiative"]["required"])
    export = client.get("/export/initiatives.json").get_json()
    OAS31Validator({**spec, "$ref": "#/components/schemas/Export"}).validate(export)
    error = client.get("/api/v1/initiatives/999999").get_json()
    OAS31Validator({**spec, "$ref": "#/components/schemas/Error"}).validate(error)


def test_api_page_describes_every_operation(client):
    page = client.get("/api").data.decode()
    for path, methods in CONTRACT.items():
        for method in methods:
            assert f"{method.upper()} {path}" in page, (method, path)
    assert 'id="schema-Initiative"' in page and "<script" not in page


def test_nav_links_to_open_data(client):
    assert 'href="/export"' in client.get("/").data.decode()


@pytest.mark.parametrize(
    "path", ["/export/initiatives.csv", "/export/initiatives.json", "/feed.atom"]
)
def test_downloads_answer_a_bad_parameter_with_the_documented_json_error(client, path):
    """Programs read these files: a bad parameter gets the JSON error the OpenAPI document
    promises (found by the schemathesis run), while the export page stays an HTML page."""
    response = client.get(f"{path}?sector=astrology")
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert "sector" in response.get_json()["error"]["fields"]
    page = client.get("/export?sector=astrology")
    assert page.status_code == 400 and page.mimetype == "text/html"


def test_the_documented_year_bound_is_built_per_year_not_once_per_process():
    from registry import openapi
    from registry.schemas import latest_year

    def bound(doc):
        return doc["components"]["parameters"]["year_from"]["schema"]["maximum"]

    assert bound(openapi.document("/")) == latest_year()
    assert bound(openapi._document(latest_year() + 1)) == latest_year() + 1
    assert bound(openapi.document("/")) == latest_year()
