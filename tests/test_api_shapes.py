"""The shapes every API answer goes out through (registry.shapes): what builds an answer gives
exactly the fields its shape declares, so nothing is dropped on the way out unnoticed; `dump`
lets out only what a shape declares and changes no value; a field a client sends comes back with
the same type; a revision written before a field existed is still answered."""

from __future__ import annotations

import json
import typing

import pytest
from alembic import command
from openapi_schema_validator import OAS31Validator
from pydantic import ValidationError
from sqlalchemy import text

from registry import actions, create_app, initiatives, schema_migrations, shapes, stats, vocab
from registry.api.search import RESULT_FIELDS
from registry.api.stats import SUMMARY_FIELDS
from registry.db import make_engine, read_session, write_session
from registry.filters import SORTS, Filters
from registry.messages import LANGUAGES
from registry.models import Initiative
from registry.openapi import document
from registry.search.facets import FACETS
from registry.transfer import LICENCE, exporting

from .conftest import create_people

OWNERS_ONLY = {"public_version", "pending", "pending_status", "rejection_reason", "submitted_at"}


def fields(shape) -> set[str]:
    return set(shape.model_fields)


def required(shape) -> set[str]:
    return {name for name, info in shape.model_fields.items() if info.is_required()}


def unchanged_through(shape, data) -> bool:
    """Whether `data` goes through `shape` whole: no key dropped, no value changed."""
    return shapes.dump(shape, data) == json.loads(json.dumps(data))


@pytest.fixture
def records(app, users, make_owned, make_initiative):
    """A published record with everything filled in and an edit waiting, and a plain one."""
    full = make_owned(
        users["submitter"], "published", title="Every field", description="D",
        region="Rhône", locality="Lyon", start_year=2001, end_year=2020, participants=["citizens"],
        contributions=["time"], motives=["reduce_costs"], obstacles=["other"],
        success_factors=["other"], evidence_level="monitoring", outcomes="O",
        lead_organisation="L", partners=["P"], tags=["t"], external_id="E-1",
        sources=[{"title": "Report", "url": "https://example.org/r"}],
    )  # fmt: skip
    engine = app.extensions["registry"].engine
    with write_session(engine) as s:
        actions.edit(s, users["submitter"], full, {"title": "Waiting"}, expected_version=None)
    plain = make_initiative(title="Plain record")
    with read_session(engine) as s:
        yield {"full": s.get(Initiative, full), "plain": s.get(Initiative, plain)}


def test_the_record_builders_give_exactly_the_initiative_shape_fields(records):
    assert records["full"].pending["title"] == "Waiting"
    for row in records.values():
        public = {**initiatives.to_record(row), "url": "https://x.example/i"}
        assert set(public) == required(shapes.Initiative), row.title
        full = {**initiatives.full_record(row), "url": "https://x.example/i"}
        assert set(full) == fields(shapes.Initiative)
        assert set(full) - set(public) == OWNERS_ONLY
        assert unchanged_through(shapes.Initiative, public)
        assert unchanged_through(shapes.Initiative, full)


def test_the_public_gets_no_owner_field_and_owners_get_them_all(
    client, users, api_token, make_owned
):
    path = f"/api/v1/initiatives/{make_owned(users['submitter'], 'published')}"
    owner = api_token(users["submitter"].email)
    edited = client.patch(path, json={"title": "Waiting edit"}, headers=owner)
    assert edited.status_code == 200
    assert set(client.get(path).get_json()) == required(shapes.Initiative)
    seen_by_owner = client.get(path, headers=owner).get_json()
    assert set(seen_by_owner) == fields(shapes.Initiative)
    assert seen_by_owner["pending"]["title"] == "Waiting edit"
    other = client.get(path, headers=api_token(users["other"].email)).get_json()
    assert not OWNERS_ONLY & set(other)


def _kind(schema: dict, schemas: dict):
    """The JSON type of a schema, without its limits: what a client's code depends on."""
    if "$ref" in schema:
        return _kind(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas)
    if "anyOf" in schema:
        return frozenset(_kind(s, schemas) for s in schema["anyOf"])
    if "enum" in schema:
        return ("enum", frozenset(schema["enum"]))
    if schema.get("type") == "array":
        return ("array", _kind(schema["items"], schemas))
    if schema.get("type") == "object":
        return ("object", frozenset(schema.get("properties", {})))
    return schema["type"]


def test_every_field_a_client_sends_comes_back_with_the_same_type():
    schemas = document("http://x")["components"]["schemas"]
    sent, returned = schemas["InitiativeIn"]["properties"], schemas["Initiative"]["properties"]
    assert set(sent) <= set(returned)
    for name in sent:
        kind = _kind(sent[name], schemas)
        if name in ("slug", "external_id"):  # optional on input, always there on output
            assert _kind(returned[name], schemas) in (kind, next(iter(kind - {"null"}))), name
        else:
            assert _kind(returned[name], schemas) == kind, name


def test_list_shapes_name_the_fields_their_handlers_pick():
    assert fields(shapes.SearchResult) == {*RESULT_FIELDS, "url", "highlights", "all_words"}
    assert fields(shapes.InitiativeSummary) == {*SUMMARY_FIELDS, "stages", "url"}
    assert fields(shapes.Facets) == set(FACETS)


def test_filter_shapes_name_the_parsed_filters():
    parsed = Filters().as_dict()
    assert fields(shapes.Query) == set(parsed)
    assert fields(shapes.Filters) == set(parsed) - {"sort", "page", "per_page"}
    sort = shapes.Query.model_fields["sort"].annotation
    assert typing.get_args(typing.get_args(sort)[0]) == SORTS


def test_comparison_builders_go_through_their_shapes_whole(app, make_initiative):
    make_initiative(title="Pilot one", maturity="pilot", start_year=2010, sector="health")
    for start, main in ((2001, 2005), (2002, 2005)):
        make_initiative(title=f"Integrated {start}", maturity="integrated", start_year=start,
                        mainstreamed_year=main, motives=["involve_citizens"])  # fmt: skip
    with read_session(app.extensions["registry"].engine) as s:
        comparison = stats.compare(s, Filters())
        profile = stats.country_profile(s, "FR")
    built = comparison.as_json()
    assert fields(shapes.CompareResponse) == {
        *built, "filters", "survey_reference", "survey", "small_group"}  # fmt: skip
    assert fields(shapes.CompareGroups) == set(vocab.MATURITY.codes) == set(built["groups"])
    assert fields(shapes.CompareGroup) == {"n", *stats.COMPARED, "median_start_year", "cohorts"}
    for group in built["groups"].values():
        assert unchanged_through(shapes.CompareGroup, group)
    assert built["pathways"]["median_years"] == 3.5 and built["pathways"]["max_years"] == 4
    assert unchanged_through(shapes.Pathways, built["pathways"])
    grouped = shapes.CompareResponse.model_fields["grouped"].annotation
    assert unchanged_through(grouped, built["grouped"])
    assert unchanged_through(shapes.SurveyNotes, stats.survey_notes())
    survey = shapes.CompareResponse.model_fields["survey_reference"].annotation
    assert unchanged_through(survey, stats.survey_shares())
    assert fields(shapes.CountryProfile) == {*profile.as_json(), "name", "page", "per_page",
                                             "initiatives"}  # fmt: skip


def test_reference_and_export_builders_go_through_their_shapes_whole():
    assert fields(shapes.Vocabularies) == set(vocab.VOCABULARIES)
    assert fields(shapes.Label) == set(LANGUAGES)
    assert unchanged_through(shapes.Vocabularies, vocab.as_json())
    meta = exporting.metadata(Filters(country=("FR",), q="x"), "https://x.example/")
    assert fields(shapes.Export) == {*meta, "initiatives"}
    assert unchanged_through(shapes.Export, {**meta, "initiatives": []})
    assert fields(shapes.Licence) == set(LICENCE)


def test_dump_lets_out_only_declared_fields_and_leaves_absent_ones_absent(records):
    record = {**initiatives.to_record(records["full"]), "url": "https://x.example/i"}
    out = shapes.dump(shapes.Initiative, {**record, "password_hash": "secret"})
    assert "password_hash" not in out and not OWNERS_ONLY & set(out)
    assert out["mainstreamed_year"] is None  # null where the record says null
    detail = shapes.dump(shapes.Error, {"error": {"code": "x", "message": "m"}})
    assert detail == {"error": {"code": "x", "message": "m"}}


def test_dump_keeps_whole_numbers_whole_and_refuses_a_wrong_type():
    assert json.dumps(shapes.dump(shapes.Share, {"count": 3, "share": 1})) == (
        '{"count": 3, "share": 1}'
    )
    assert shapes.dump(shapes.Spread, {"n": 2, "median_years": 2.5, "min_years": 2,
                                       "max_years": 3})["median_years"] == 2.5  # fmt: skip
    with pytest.raises(ValidationError):
        shapes.dump(
            shapes.CountrySummary,
            {"code": "FR", "name": "France", "total": "many", "pilot": 0, "integrated": 0,
             "sectors": []},
        )  # fmt: skip
    with pytest.raises(ValidationError):
        shapes.dump(shapes.SearchResult, {"sector": "astrology"})


def test_history_written_before_organisations_is_still_answered(tmp_path):
    """A revision keeps the record as it was: one written by the code before the action layer
    has no `organisation` and no `public_version`. Its history is answered, as documented."""
    database = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    config = schema_migrations.alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    old_record = {
        "id": 1, "slug": "old", "title": "Old record", "summary": "S.", "description": "",
        "language": "en", "country": "FR", "region": "", "locality": "", "sector": "health",
        "stages": ["design"], "maturity": "pilot", "start_year": None,
        "mainstreamed_year": None, "end_year": None, "participants": [], "contributions": [],
        "motives": [], "obstacles": [], "success_factors": [], "evidence_level": None,
        "outcomes": "", "lead_organisation": "", "partners": [], "tags": [], "sources": [],
        "external_id": None, "status": "draft", "version": 1, "illustrative": False,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        "published_at": None, "pending": None, "pending_status": None,
        "rejection_reason": None, "submitted_at": None,
    }  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO initiative (id, slug, title, summary, description, language, country, "
            "region, locality, sector, maturity, outcomes, lead_organisation, partners, "
            "sources, illustrative, rejection_reason, version, status, created_at, updated_at) "
            "VALUES (1, 'old', 'Old record', 'S.', '', 'en', 'FR', '', '', 'health', 'pilot', "
            "'', '', '[]', '[]', false, '', 1, 'draft', '2026-01-01 00:00:00+00', "
            "'2026-01-01 00:00:00+00')"))  # fmt: skip
        conn.execute(text(
            "INSERT INTO initiative_term (initiative_id, field, code) "
            "VALUES (1, 'stages', 'design')"))  # fmt: skip
        conn.execute(
            text("INSERT INTO revision (initiative_id, number, action, created_at, snapshot, "
                 "changes, note) VALUES (1, 1, 'create', '2026-01-01 00:00:00+00', :snap, "
                 "'[]', '')"),
            {"snap": json.dumps(old_record)},
        )  # fmt: skip
    schema_migrations.upgrade(engine)
    create_people(engine, {"c": ("cur@registry.example", "curator", "Curators")})
    with write_session(engine) as s:
        token = actions.create_token(s, actions.SYSTEM, for_email="cur@registry.example")
    engine.dispose()
    app = create_app(
        {
            "instance_dir": tmp_path,
            "database_url": f"sqlite:///{database}",
            "index_dir": tmp_path / "index",
            "secret_key": "k",
            "TESTING": True,
        }
    )
    try:
        client = app.test_client()
        response = client.get("/api/v1/initiatives/1/revisions",
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert response.status_code == 200, response.get_data(as_text=True)
        (revision,) = response.get_json()
        snapshot = revision["snapshot"]
        assert snapshot["title"] == "Old record" and snapshot["url"].endswith("/initiatives/1/old")
        assert "organisation" not in snapshot and "public_version" not in snapshot
        spec = document("http://localhost")
        OAS31Validator({**spec, "$ref": "#/components/schemas/Revision"}).validate(revision)
    finally:
        app.extensions["registry"].engine.dispose()
