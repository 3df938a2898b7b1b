"""The OpenAPI 3.1 description of the JSON API (contract: `api.md`).

Request and record schemas are generated from the pydantic models that validate input
(`schemas.InitiativeIn`, `schemas.Source`) and codes from `vocab`, so the document cannot drift
from what the code accepts. Knows nothing of Flask: the caller passes the server's address.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from . import vocab
from .filters import MAX_QUERY_LENGTH, SORTS
from .schemas import InitiativeIn, Status, latest_year
from .transfer import LICENCE

REF = "#/components/schemas/{model}"
MAX_ID = 2**31 - 1
STATUSES = list(vocab.STATUSES)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _response_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _with_codes(schema: dict[str, Any]) -> dict[str, Any]:
    """The pydantic schema with the vocabularies' codes as enums (validators check them)."""
    props = schema["properties"]
    for name, vocabulary in vocab.SINGLE_FIELDS.items():
        enum = {"type": "string", "enum": list(vocabulary.codes)}
        if "anyOf" in props[name]:
            props[name]["anyOf"] = [enum, {"type": "null"}]
        else:
            props[name].update(enum)
    for name, vocabulary in vocab.MULTI_FIELDS.items():
        props[name]["items"] = {"type": "string", "enum": list(vocabulary.codes)}
        props[name]["uniqueItems"] = True
    props["stages"]["minItems"] = 1
    props["country"].update(pattern="^[A-Za-z]{2}$", maxLength=2,
                            description="ISO 3166-1 alpha-2 code, any case")  # fmt: skip
    props["language"].update(pattern="^[A-Za-z]{2}$", maxLength=2,
                             description="ISO 639-1 code")  # fmt: skip
    return schema


def _initiative_schemas() -> dict[str, dict[str, Any]]:
    source_and_input = InitiativeIn.model_json_schema(ref_template=REF)
    defs = source_and_input.pop("$defs")
    create_in = _with_codes(source_and_input)
    create_in["title"] = "InitiativeIn"

    create = copy.deepcopy(create_in)
    create["title"] = "InitiativeCreate"
    create["properties"]["status"] = {
        "type": "string",
        "enum": list(Status.__args__),
        "default": "draft",
        "description": "send `submitted` to submit for review at once",
    }

    patch = copy.deepcopy(create_in)
    patch["title"] = "InitiativePatch"
    patch.pop("required", None)
    patch["properties"]["version"] = {
        "type": "integer",
        "minimum": 1,
        "description": "the version last read (or send `If-Match`)",
    }
    patch["minProperties"] = 1

    record = copy.deepcopy(create_in)
    record["title"] = "Initiative"
    record["description"] = "An initiative as the API returns it."
    props = record["properties"]
    for schema in props.values():
        schema.pop("default", None)
    props.update(
        id={"type": "integer"},
        slug={"type": "string"},
        url={"type": "string", "format": "uri"},
        external_id={"type": ["string", "null"]},
        organisation={
            "type": ["string", "null"],
            "description": "the organisation the record belongs to (its submitters)",
        },
        status={"type": "string", "enum": STATUSES},
        version={
            "type": "integer",
            "minimum": 0,
            "description": "the public: how many times the record was published; owners and "
            "curators: the number every change moves, to send back in `If-Match`",
        },
        illustrative={"type": "boolean", "description": "an example written for the registry"},
        created_at={"type": "string", "format": "date-time"},
        updated_at={"type": "string", "format": "date-time"},
        published_at={"type": ["string", "null"], "format": "date-time"},
    )
    props["country"].update(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code")
    record["required"] = sorted(props)
    # Only for the owner organisation and curators (optional: the public never gets them).
    props.update(
        pending={"type": ["object", "null"], "description": "an edit waiting aside for review"},
        pending_status={"type": ["string", "null"],
                        "enum": ["draft", "submitted", "rejected", None]},
        public_version={"type": "integer", "minimum": 0,
                        "description": "how many times the record was published"},
        rejection_reason={"type": ["string", "null"], "description": "the curator's reason"},
        submitted_at={"type": ["string", "null"], "format": "date-time"},
    )  # fmt: skip
    return {**defs, "InitiativeIn": create_in, "InitiativeCreate": create,
            "InitiativePatch": patch, "Initiative": record}  # fmt: skip


def _distribution() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {"count": {"type": "integer"}, "share": {"type": "number"}},
            "required": ["count", "share"],
        },
    }


def _other_schemas() -> dict[str, dict[str, Any]]:
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    label = {
        "type": "object",
        "properties": {"en": {"type": "string"}, "fr": {"type": "string"}},
        "required": ["en", "fr"],
    }
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {
                            "type": "object",
                            "description": "every failing field with its messages",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                }
            },
        },
        "SearchResult": {
            "type": "object",
            "required": [
                "id",
                "slug",
                "url",
                "title",
                "summary",
                "country",
                "sector",
                "stages",
                "maturity",
            ],
            "properties": {
                "id": {"type": "integer"},
                "slug": {"type": "string"},
                "url": {"type": "string", "format": "uri"},
                "title": {"type": "string"},
                "summary": {"type": "string"},
                "country": {"type": "string"},
                "sector": {"type": "string", "enum": list(vocab.SECTOR.codes)},
                "stages": {"type": "array", "items": {"enum": list(vocab.STAGE.codes)}},
                "maturity": {"type": "string", "enum": list(vocab.MATURITY.codes)},
                "start_year": {"type": ["integer", "null"]},
                "highlights": {
                    "type": "object",
                    "description": "field: HTML excerpt with <mark> around matched words",
                    "additionalProperties": {"type": "string"},
                },
                "all_words": {
                    "type": "boolean",
                    "description": "false when the record matches only some of the query's words",
                },
            },
        },
        "SearchResponse": {
            "type": "object",
            "required": ["query", "total", "page", "per_page", "results", "facets", "suggestion"],
            "properties": {
                "query": {"type": "object", "description": "the parameters as understood"},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "results": {"type": "array", "items": _ref("SearchResult")},
                "facets": {
                    "type": "object",
                    "description": "counts over the whole result set; a facet's own filter "
                    "is ignored for its counts",
                    "properties": {k: counts for k in ("country", "sector", "stage", "maturity")},
                },
                "suggestion": {"type": ["string", "null"], "description": "did you mean"},
                "all_words_total": {
                    "type": ["integer", "null"],
                    "description": "how many of `total` match every word of a query of several "
                    "words (the others match some of them, ranked after); null otherwise",
                },
            },
        },
        "Revision": {
            "type": "object",
            "required": ["number", "action", "created_at"],
            "properties": {
                "number": {"type": "integer", "description": "the record's version"},
                "action": {"type": "string"},
                "user_id": {"type": ["integer", "null"]},
                "created_at": {"type": "string", "format": "date-time"},
                "changes": {"type": "array", "items": {"type": "string"}},
                "note": {"type": "string"},
                "snapshot": _ref("Initiative"),
            },
        },
        "CountrySummary": {
            "type": "object",
            "required": ["code", "name", "total", "pilot", "integrated"],
            "properties": {
                "code": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "name": {"type": "string"},
                "total": {"type": "integer"},
                "pilot": {"type": "integer"},
                "integrated": {"type": "integer"},
                "sectors": {
                    "type": "array",
                    "items": {"type": "string", "enum": list(vocab.SECTOR.codes)},
                    "description": "sectors with at least one published initiative",
                },
            },
        },
        "CountryProfile": {
            "type": "object",
            "required": [
                "code",
                "name",
                "total",
                "by_maturity",
                "by_stage",
                "by_sector",
                "initiatives",
            ],
            "properties": {
                "code": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "name": {"type": "string"},
                "total": {"type": "integer"},
                "by_maturity": counts,
                "by_stage": counts,
                "by_sector": counts,
                "by_start_year": counts,
                "by_mainstreamed_year": counts,
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "initiatives": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": "one page of the country's initiatives (latest start first)",
                },
            },
        },
        "Spread": {
            "type": "object",
            "required": ["n", "median_years", "min_years", "max_years"],
            "properties": {
                "n": {"type": "integer"},
                "median_years": {"type": ["number", "null"]},
                "min_years": {"type": ["integer", "null"]},
                "max_years": {"type": ["integer", "null"]},
            },
        },
        "CompareGroup": {
            "type": "object",
            "required": ["n"],
            "properties": {
                "n": {"type": "integer"},
                **{
                    k: _distribution()
                    for k in (
                        "stages",
                        "sectors",
                        "participants",
                        "contributions",
                        "motives",
                        "obstacles",
                        "success_factors",
                        "evidence_level",
                    )
                },
                "median_start_year": {"type": ["number", "null"]},
            },
        },
        "CompareResponse": {
            "type": "object",
            "required": ["filters", "groups"],
            "properties": {
                "filters": {"type": "object"},
                "groups": {
                    "type": "object",
                    "properties": {m: _ref("CompareGroup") for m in vocab.MATURITY.codes},
                },
                "grouped": {
                    "type": "object",
                    "description": "field → survey key → maturity → initiatives carrying any "
                    "of the codes the survey groups under that key",
                },
                "pathways": {
                    "description": "integrated initiatives with both years: years from start to "
                    "mainstreaming",
                    "allOf": [_ref("Spread")],
                    "properties": {
                        "years": counts,
                        "undated": {"type": "integer"},
                        "by_sector": {"type": "object", "additionalProperties": _ref("Spread")},
                    },
                },
                "survey_reference": {
                    "type": "object",
                    "description": "shares reported by the 2010 OECD survey, for comparison: "
                    "field → code (or grouped key) → share",
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": {"type": "number"},
                    },
                },
                "survey": {
                    "type": "object",
                    "description": "source, coverage and caveats of the survey figures",
                },
                "small_group": {
                    "type": "integer",
                    "description": "groups with fewer initiatives are too small to compare",
                },
            },
        },
        "Vocabularies": {
            "type": "object",
            "required": list(vocab.VOCABULARIES),
            "additionalProperties": _ref("Vocabulary"),
        },
        "Vocabulary": {
            "type": "object",
            "required": ["label", "multiple", "terms"],
            "properties": {
                "label": label,
                "multiple": {"type": "boolean"},
                "terms": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["code", "label", "description"],
                        "properties": {
                            "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                            "label": label,
                            "description": {"type": "string"},
                            "cofog": {"type": ["string", "null"]},
                        },
                    },
                },
            },
        },
        "Export": {
            "type": "object",
            "required": ["licence", "citation", "generated_at", "filters", "initiatives"],
            "properties": {
                "licence": {"type": "object"},
                "citation": {"type": "string"},
                "generated_at": {"type": "string", "format": "date-time"},
                "filters": {"type": "object"},
                "initiatives": {"type": "array", "items": _ref("Initiative")},
            },
        },
    }


def _param(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description, **extra}  # fmt: skip


def _codes_param(name: str, vocabulary: vocab.Vocabulary, description: str) -> dict:
    return _param(
        name,
        {"type": "array", "items": {"type": "string", "enum": list(vocabulary.codes)}},
        description,
        style="form",
        explode=True,
    )


def _parameters() -> dict[str, dict[str, Any]]:
    year = {"type": "integer", "minimum": 1900, "maximum": latest_year()}
    return {
        "q": _param(
            "q",
            {"type": "string", "maxLength": MAX_QUERY_LENGTH},
            'full-text query: words, "phrases", AND/OR/NOT, field:value',
        ),
        "country": _param(
            "country",
            {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"}},
            "ISO 3166-1 alpha-2 codes, repeatable or comma-separated",
            style="form",
            explode=True,
        ),
        "sector": _codes_param("sector", vocab.SECTOR, "sector codes (any of)"),
        "stage": _codes_param("stage", vocab.STAGE, "stage codes (all of)"),
        "maturity": _param(
            "maturity", {"type": "string", "enum": list(vocab.MATURITY.codes)}, "maturity code"
        ),
        "evidence_level": _param(
            "evidence_level",
            {"type": "string", "enum": list(vocab.EVIDENCE_LEVEL.codes)},
            "evidence level code",
        ),
        "language": _param(
            "language",
            {"type": "string", "pattern": "^[A-Za-z]{2}$"},
            "ISO 639-1 code of the record's language",
        ),
        "tag": _param(
            "tag",
            {"type": "array", "items": {"type": "string", "maxLength": 80}},
            "tags (all of)",
            style="form",
            explode=True,
        ),
        "year_from": _param("year_from", year, "start year at least"),
        "year_to": _param("year_to", year, "start year at most"),
        "sort": _param(
            "sort",
            {"type": "string", "enum": list(SORTS)},
            "`relevance` is the default when `q` is given, else `newest`",
        ),
        "page": _param("page", {"type": "integer", "minimum": 1, "maximum": 10_000}, "from 1"),
        "per_page": _param(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
            "results per page",
        ),
        "country_per_page": _param(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
            "initiatives per page",
        ),
        "id": {
            "name": "id",
            "in": "path",
            "required": True,
            # The database's integer range: larger ids cannot exist (and crash the lookup today).
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "description": "the initiative's id",
        },
        "code": {
            "name": "code",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
            "description": "ISO 3166-1 alpha-2 code",
        },
        "If-Match": {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "the version last read; a stale one gets 409",
        },
        "bom": _param(
            "bom",
            {"type": "string", "enum": ["0", "1"]},
            "1: start the CSV with a UTF-8 byte order mark (for Excel)",
        ),
    }


FILTERS = ("q", "country", "sector", "stage", "maturity", "evidence_level", "language", "tag",
           "year_from", "year_to")  # fmt: skip
ERRORS = {
    "BadRequest": "malformed JSON or a bad parameter",
    "Unauthorized": "no or bad credentials",
    "Forbidden": "not allowed",
    "NotFound": "not found, or not visible to the caller",
    "Conflict": "stale version or duplicate slug; nothing was written",
    "PayloadTooLarge": "the body is too large",
    "UnsupportedMediaType": "the body is not JSON",
    "ValidationFailed": "validation failed: every failing field is listed at once",
}


def _params(*names: str) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/parameters/{n}"} for n in names]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*names: str) -> dict[str, Any]:
    status = {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403", "NotFound": "404",
              "Conflict": "409", "PayloadTooLarge": "413", "UnsupportedMediaType": "415",
              "ValidationFailed": "422"}  # fmt: skip
    return {status[n]: _response_ref(n) for n in names}


WRITE_ERRORS = ("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict",
                "PayloadTooLarge", "UnsupportedMediaType", "ValidationFailed")  # fmt: skip
AUTH = [{"bearer": []}, {"session": []}]


def _transition(name: str, summary: str, body: dict[str, Any] | None = None) -> dict:
    operation: dict[str, Any] = {
        "tags": ["workflow"],
        "operationId": f"{name}Initiative",
        "summary": summary,
        "security": AUTH,
        "parameters": _params("id"),
        "responses": {
            "200": _json(_ref("Initiative"), "the record in its new state"),
            **_errors("Unauthorized", "Forbidden", "NotFound", "Conflict"),
        },
    }
    if body:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": body}}}  # fmt: skip
        operation["responses"].update(
            _errors("BadRequest", "UnsupportedMediaType", "ValidationFailed")
        )
    return {"post": operation}


def _paths() -> dict[str, Any]:
    initiative = _json(_ref("Initiative"), "the initiative")
    return {
        "/api/v1/initiatives": {
            "get": {
                "tags": ["initiatives"],
                "operationId": "searchInitiatives",
                "summary": "Search and browse published initiatives",
                "parameters": _params(*FILTERS, "sort", "page", "per_page"),
                "responses": {
                    "200": _json(_ref("SearchResponse"), "one page of results"),
                    **_errors("BadRequest"),
                },
            },
            "post": {
                "tags": ["initiatives"],
                "operationId": "createInitiative",
                "summary": "Create an initiative (a draft unless `status` is `submitted`)",
                "security": AUTH,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("InitiativeCreate")}},
                },
                "responses": {
                    "201": {
                        **_json(_ref("Initiative"), "created"),
                        "headers": {
                            "Location": {
                                "schema": {"type": "string"},
                                "description": "the new record's address",
                            }
                        },
                    },
                    **_errors(*(e for e in WRITE_ERRORS if e != "NotFound")),
                },
            },
        },
        "/api/v1/initiatives/{id}": {
            "get": {
                "tags": ["initiatives"],
                "operationId": "getInitiative",
                "summary": "One initiative (unpublished ones: owner organisation and curators)",
                "parameters": _params("id"),
                "responses": {"200": initiative, **_errors("NotFound")},
            },
            "patch": {
                "tags": ["initiatives"],
                "operationId": "updateInitiative",
                "summary": "Partial update, checked against the version last read",
                "security": AUTH,
                "parameters": _params("id", "If-Match"),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("InitiativePatch")}},
                },
                "responses": {"200": initiative, **_errors(*WRITE_ERRORS)},
            },
            "delete": {
                "tags": ["initiatives"],
                "operationId": "deleteInitiative",
                "summary": "Remove from the catalogue (kept in revisions); curators",
                "security": AUTH,
                "parameters": _params("id"),
                "responses": {
                    "204": {"description": "removed"},
                    **_errors("Unauthorized", "Forbidden", "NotFound"),
                },
            },
        },
        "/api/v1/initiatives/{id}/submit": _transition("submit", "Submit for review"),
        "/api/v1/initiatives/{id}/publish": _transition("publish", "Publish (curators)"),
        "/api/v1/initiatives/{id}/reject": _transition(
            "reject",
            "Reject with a reason (curators)",
            {
                "type": "object",
                "required": ["reason"],
                "additionalProperties": False,
                "properties": {"reason": {"type": "string", "minLength": 1}},
            },
        ),
        "/api/v1/initiatives/{id}/withdraw": _transition("withdraw", "Withdraw"),
        "/api/v1/initiatives/{id}/restore": _transition(
            "restore",
            "Bring back the content of a revision (a deleted record comes back as a draft)",
            {
                "type": "object",
                "required": ["revision"],
                "additionalProperties": False,
                "properties": {"revision": {"type": "integer", "minimum": 1}},
            },
        ),
        "/api/v1/initiatives/{id}/revisions": {
            "get": {
                "tags": ["initiatives"],
                "operationId": "listRevisions",
                "summary": "History of a record (owner organisation, curators)",
                "security": AUTH,
                "parameters": _params("id"),
                "responses": {
                    "200": _json({"type": "array", "items": _ref("Revision")}, "oldest first"),
                    **_errors("Unauthorized", "Forbidden", "NotFound"),
                },
            }
        },
        "/api/v1/countries": {
            "get": {
                "tags": ["statistics"],
                "operationId": "listCountries",
                "summary": "Countries with published initiatives",
                "responses": {
                    "200": _json(
                        {"type": "array", "items": _ref("CountrySummary")}, "one entry per country"
                    )
                },
            }
        },
        "/api/v1/countries/{code}": {
            "get": {
                "tags": ["statistics"],
                "operationId": "getCountry",
                "summary": "A country's published initiatives and their distribution",
                "parameters": _params("code", "page", "country_per_page"),
                "responses": {
                    "200": _json(_ref("CountryProfile"), "the country's profile"),
                    **_errors("BadRequest"),
                    **_errors("NotFound"),
                },
            }
        },
        "/api/v1/compare": {
            "get": {
                "tags": ["statistics"],
                "operationId": "compare",
                "summary": "Pilot versus integrated initiatives, for the same filters as search",
                "parameters": _params(*FILTERS),
                "responses": {
                    "200": _json(_ref("CompareResponse"), "one group per maturity"),
                    **_errors("BadRequest"),
                },
            }
        },
        "/api/v1/vocabularies": {
            "get": {
                "tags": ["reference"],
                "operationId": "listVocabularies",
                "summary": "Every controlled vocabulary with English and French labels",
                "responses": {"200": _json(_ref("Vocabularies"), "vocabularies by name")},
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "tags": ["reference"],
                "operationId": "getOpenApi",
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
            }
        },
        "/export/initiatives.json": {
            "get": {
                "tags": ["open data"],
                "operationId": "exportJson",
                "summary": "Every published initiative matching the filters, with licence",
                "parameters": _params(*FILTERS),
                "responses": {"200": _json(_ref("Export"), "the export"), **_errors("BadRequest")},
            }
        },
        "/export/initiatives.csv": {
            "get": {
                "tags": ["open data"],
                "operationId": "exportCsv",
                "summary": "The same as CSV (licence in the `Link` header and /export/README)",
                "parameters": _params(*FILTERS, "bom"),
                "responses": {
                    "200": {
                        "description": "one row per initiative; multi-valued cells joined by `;`",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    **_errors("BadRequest"),
                },
            }
        },
        "/feed.atom": {
            "get": {
                "tags": ["open data"],
                "operationId": "feed",
                "summary": "Atom feed of the newest published initiatives matching the filters",
                "parameters": _params(*FILTERS),
                "responses": {
                    "200": {
                        "description": "Atom 1.0",
                        "content": {"application/atom+xml": {"schema": {"type": "string"}}},
                    },
                    **_errors("BadRequest"),
                },
            }
        },
    }


@cache
def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Coproduction Registry API",
            "version": "1",
            "summary": "Public-service coproduction initiatives: search, read, contribute.",
            "description": "All JSON is UTF-8; times are ISO 8601 in UTC. Codes of controlled "
            "vocabularies are those of `/api/v1/vocabularies`; countries are ISO 3166-1 alpha-2 "
            'codes. Every error is `{"error": {"code", "message", "fields"}}`; a request '
            "that fails writes nothing.",
            "license": {"name": LICENCE["name"], "identifier": LICENCE["id"]},
        },
        "tags": [
            {"name": n} for n in ("initiatives", "workflow", "statistics", "reference", "open data")
        ],
        "paths": _paths(),
        "components": {
            "schemas": {**_initiative_schemas(), **_other_schemas()},
            "parameters": _parameters(),
            "responses": {n: _json(_ref("Error"), text) for n, text in ERRORS.items()},
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an API token from your account page or the CLI",
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "the browser session of a signed-in user",
                },
            },
        },
    }


def document(server_url: str) -> dict[str, Any]:
    """The whole OpenAPI document, served from `server_url` (the site's root)."""
    return {**_document(), "servers": [{"url": server_url.rstrip("/") or "/"}]}
