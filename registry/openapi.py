"""The OpenAPI 3.1 description of the JSON API (contract: docs/api.md).

Every schema is generated from a pydantic model: what a client sends from the models that
validate it (`schemas.InitiativeIn` and `schemas.Source`, with the codes of `vocab` as enums),
what it gets back from the shapes every answer is built through (`registry.shapes`), so the
document cannot drift from the code. Written here: the paths, parameters (parsed by
`registry.filters`), status codes and error answers. Knows nothing of Flask: the caller passes
the server's address.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from . import shapes, vocab
from .filters import MAX_QUERY_LENGTH, SORTS
from .media import uploads
from .schemas import InitiativeIn, Status, TranslationIn, latest_year
from .transfer import LICENCE

REF = "#/components/schemas/{model}"
MAX_ID = 2**31 - 1


def _ref(schema: str | type[shapes.Shape]) -> dict[str, str]:
    """A reference to a schema: a request schema's name, or an answer's shape."""
    name = schema if isinstance(schema, str) else schema.__name__
    return {"$ref": REF.format(model=name)}


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


def _request_schemas(create_in: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a client sends: InitiativeIn's schema with the codes as enums, and the bodies of
    create (a status beside the fields) and of a partial update (any fields, and a version)."""
    create_in = _with_codes(create_in)
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
    patch["description"] = "Any fields of InitiativeIn to change, and the version last read."
    patch.pop("required", None)
    patch["properties"]["version"] = {
        "type": "integer",
        "minimum": 1,
        "description": "the version last read (or send `If-Match`)",
    }
    patch["minProperties"] = 1
    return {"InitiativeIn": create_in, "InitiativeCreate": create, "InitiativePatch": patch}


# The answers' shapes (registry.shapes); the shapes they contain come with them.
ANSWERS = (
    shapes.Initiative,
    shapes.Revision,
    shapes.SearchResponse,
    shapes.CountrySummary,
    shapes.CountryProfile,
    shapes.CompareResponse,
    shapes.Vocabularies,
    shapes.Export,
    shapes.Media,
    shapes.Error,
    shapes.CollectionSummary,
    shapes.Collection,
    shapes.Link,
    shapes.Translation,
)  # fmt: skip  (issue 18: collections; issue 16: links, translations)


def _schemas() -> dict[str, dict[str, Any]]:
    """Every schema of the document, by name: generated from the models, in name order."""
    _, generated = models_json_schema(
        [
            (InitiativeIn, "validation"),
            (TranslationIn, "validation"),
            *((shape, "serialization") for shape in ANSWERS),
        ],
        ref_template=REF,
    )
    schemas = generated["$defs"]
    schemas.update(_request_schemas(schemas.pop("InitiativeIn")))
    schemas.update(_media_requests())
    schemas.update(_collection_requests())  # issue 18
    schemas.update(_case_requests(schemas.pop("TranslationIn")))  # issue 16
    return dict(sorted(schemas.items()))


def _media_requests() -> dict[str, dict[str, Any]]:
    """What adding an image or a document sends (a multipart form: registry.media.uploads
    checks the file by its content and the texts), and what changing its texts sends."""
    texts = {
        "alt": {"type": "string", "minLength": 1, "maxLength": uploads.MAX_ALT,
                "description": "images: what it shows, in the record's language (required)"},
        "caption": {"type": "string", "maxLength": uploads.MAX_CAPTION},
        "credit": {"type": "string", "minLength": 1, "maxLength": uploads.MAX_CREDIT,
                   "description": "images: who made it or holds its rights (required)"},
        "licence": {"type": "string", "enum": list(vocab.LICENCE.codes),
                    "description": "images: a code of the `licence` vocabulary"},
        "title": {"type": "string", "minLength": 1, "maxLength": uploads.MAX_TITLE,
                  "description": "documents: the title (required)"},
    }  # fmt: skip
    version = {"type": "integer", "minimum": 1, "description": "the record's version last read"}
    return {
        "MediaUpload": {
            "type": "object",
            "required": ["kind", "file"],
            "properties": {
                "kind": {"type": "string", "enum": list(uploads.KINDS)},
                "file": {
                    "type": "string",
                    "format": "binary",
                    "description": f"JPEG, PNG or WebP (at most {uploads.MAX_IMAGE_BYTES} bytes "
                    f"and {uploads.MAX_IMAGE_PIXELS} pixels), or PDF (at most "
                    f"{uploads.MAX_DOCUMENT_BYTES} bytes); checked by content",
                },
                **texts,
                "version": version,
            },
        },
        "MediaPatch": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {**texts, "version": version},
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


def _parameters(latest: int) -> dict[str, dict[str, Any]]:
    year = {"type": "integer", "minimum": 1900, "maximum": latest}
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
        "completeness": _param(  # case records (issue 16)
            "completeness",
            {"type": "string", "enum": list(vocab.COMPLETENESS.codes)},
            "how complete the records are: low (under 40%), medium (40-69%), high (70% and more)",
        ),
        "link": _param(
            "link",
            {"type": "string", "enum": list(vocab.LINK_TYPE.codes)},
            "records with a link of this type, either way, to another published record",
        ),
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
        "media_id": {
            "name": "media_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "description": "the media item's id",
        },
        "link_id": {  # issue 16
            "name": "link_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "description": "the link's id",
        },
        "translation_language": {
            "name": "language",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
            "description": "the translation's language: an interface language other than the "
            "record's own (ISO 639-1)",
        },
        "collection_id": {  # issue 18
            "name": "collection_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "description": "the collection's id",
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
        "illustrative": _param(
            "illustrative",
            {"type": "string", "enum": ["include", "exclude"]},
            "count the illustrative records or not; by default they count only while the "
            "registry holds no real record",
        ),
        "pilot_cohort": _param(
            "pilot_cohort",
            {
                "type": "array",
                "items": {"type": "string", "enum": ["ongoing", "ended", "absorbed", "not_stated"]},
            },
            "compare only these pilots, by operating status (any of)",
            style="form",
            explode=True,
        ),
        "integrated_cohort": _param(
            "integrated_cohort",
            {"type": "array", "items": {"type": "string", "enum": ["after_pilot", "from_start"]}},
            "compare only these integrated initiatives: mainstreamed after a pilot, or "
            "integrated from the start",
            style="form",
            explode=True,
        ),
        "bom": _param(
            "bom",
            {"type": "string", "enum": ["0", "1"]},
            "1: start the CSV with a UTF-8 byte order mark (for Excel)",
        ),
    }


FILTERS = ("q", "country", "sector", "stage", "maturity", "evidence_level", "language", "tag",
           "year_from", "year_to", "completeness", "link")  # fmt: skip
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
            "200": _json(_ref(shapes.Initiative), "the record in its new state"),
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
    initiative = _json(_ref(shapes.Initiative), "the initiative")
    return {
        "/api/v1/initiatives": {
            "get": {
                "tags": ["initiatives"],
                "operationId": "searchInitiatives",
                "summary": "Search and browse published initiatives",
                "parameters": _params(*FILTERS, "sort", "page", "per_page"),
                "responses": {
                    "200": _json(_ref(shapes.SearchResponse), "one page of results"),
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
                        **_json(_ref(shapes.Initiative), "created"),
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
        **_media_paths(),
        **_collection_paths(),  # issue 18
        **_case_paths(),  # issue 16
        "/api/v1/initiatives/{id}/revisions": {
            "get": {
                "tags": ["initiatives"],
                "operationId": "listRevisions",
                "summary": "History of a record (owner organisation, curators)",
                "security": AUTH,
                "parameters": _params("id"),
                "responses": {
                    "200": _json({"type": "array", "items": _ref(shapes.Revision)}, "oldest first"),
                    **_errors("Unauthorized", "Forbidden", "NotFound"),
                },
            }
        },
        "/api/v1/countries": {
            "get": {
                "tags": ["statistics"],
                "operationId": "listCountries",
                "summary": "Countries with published initiatives",
                "parameters": _params("illustrative"),
                "responses": {
                    "200": _json(
                        {"type": "array", "items": _ref(shapes.CountrySummary)},
                        "one entry per country",
                    ),
                    **_errors("BadRequest"),
                },
            }
        },
        "/api/v1/countries/{code}": {
            "get": {
                "tags": ["statistics"],
                "operationId": "getCountry",
                "summary": "A country's published initiatives and their distribution",
                "parameters": _params("code", "page", "country_per_page", "illustrative"),
                "responses": {
                    "200": _json(_ref(shapes.CountryProfile), "the country's profile"),
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
                "parameters": _params(
                    *FILTERS, "illustrative", "pilot_cohort", "integrated_cohort"
                ),
                "responses": {
                    "200": _json(_ref(shapes.CompareResponse), "one group per maturity"),
                    **_errors("BadRequest"),
                },
            }
        },
        "/api/v1/vocabularies": {
            "get": {
                "tags": ["reference"],
                "operationId": "listVocabularies",
                "summary": "Every controlled vocabulary with English and French labels",
                "responses": {"200": _json(_ref(shapes.Vocabularies), "vocabularies by name")},
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
                "responses": {
                    "200": _json(_ref(shapes.Export), "the export"),
                    **_errors("BadRequest"),
                },
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


def _media_paths() -> dict[str, Any]:
    item = _json(_ref(shapes.Media), "the media item")
    common = {"tags": ["media"]}
    return {
        "/api/v1/initiatives/{id}/media": {
            "get": {
                **common,
                "operationId": "listMedia",
                "summary": "A record's images and documents (the public: a published record's "
                "published ones)",
                "parameters": _params("id"),
                "responses": {
                    "200": _json(
                        {"type": "array", "items": _ref(shapes.Media)}, "in gallery order"
                    ),
                    **_errors("NotFound"),
                },
            },
            "post": {
                **common,
                "operationId": "addMedia",
                "summary": "Attach an image or a PDF document (as an edit would: on a published "
                "record, an owner's addition waits for review)",
                "security": AUTH,
                "parameters": _params("id", "If-Match"),
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": _ref("MediaUpload")}},
                },
                "responses": {
                    "201": {
                        **item,
                        "headers": {
                            "Location": {
                                "schema": {"type": "string"},
                                "description": "the item's address",
                            }
                        },
                    },
                    **_errors(*WRITE_ERRORS),
                },
            },
        },
        "/api/v1/initiatives/{id}/media/{media_id}": {
            "get": {
                **common,
                "operationId": "getMedia",
                "summary": "One image or document",
                "parameters": _params("id", "media_id"),
                "responses": {"200": item, **_errors("NotFound")},
            },
            "patch": {
                **common,
                "operationId": "updateMedia",
                "summary": "Change an image's alt text, caption, credit or licence, or a "
                "document's title",
                "security": AUTH,
                "parameters": _params("id", "media_id", "If-Match"),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("MediaPatch")}},
                },
                "responses": {"200": item, **_errors(*WRITE_ERRORS)},
            },
            "delete": {
                **common,
                "operationId": "removeMedia",
                "summary": "Remove an image or a document (on a published record, an owner's "
                "removal waits for review)",
                "security": AUTH,
                "parameters": _params("id", "media_id", "If-Match"),
                "responses": {
                    "204": {"description": "removed, or set to be removed"},
                    **_errors(
                        "BadRequest",
                        "Unauthorized",
                        "Forbidden",
                        "NotFound",
                        "Conflict",
                        "ValidationFailed",
                    ),
                },
            },
        },
    }


def _collection_requests() -> dict[str, dict[str, Any]]:
    """What a curator sends to create or replace a collection (issue 18)."""
    text = {"type": "string"}
    return {
        "CollectionIn": {
            "type": "object",
            "description": "A whole collection: at least one title; each item a published "
            "initiative, once, in order",
            "properties": {
                "title_en": {**text, "maxLength": 200},
                "title_fr": {**text, "maxLength": 200},
                "introduction_en": {**text, "maxLength": 20000, "description": "Markdown"},
                "introduction_fr": {**text, "maxLength": 20000, "description": "Markdown"},
                "items": {
                    "type": "array",
                    "maxItems": 500,
                    "items": {
                        "type": "object",
                        "properties": {
                            "initiative_id": {"type": "integer", "minimum": 1,
                                              "maximum": MAX_ID},
                            "note": {**text, "maxLength": 2000},
                        },
                        "required": ["initiative_id"],
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        }
    }  # fmt: skip


def _collection_paths() -> dict[str, Any]:
    """Curated collections (issue 18): anyone reads them; curators write them."""
    common = {"tags": ["collections"]}
    body = {"required": True,
            "content": {"application/json": {"schema": _ref("CollectionIn")}}}  # fmt: skip
    one = _json(_ref(shapes.Collection), "the collection")
    return {
        "/api/v1/collections": {
            "get": {
                **common,
                "operationId": "listCollections",
                "summary": "The curators' collections",
                "responses": {
                    "200": _json(
                        {"type": "array", "items": _ref(shapes.CollectionSummary)},
                        "newest change first",
                    )
                },
            },
            "post": {
                **common,
                "operationId": "createCollection",
                "summary": "Create a collection (curators)",
                "security": AUTH,
                "requestBody": body,
                "responses": {
                    "201": {
                        **one,
                        "headers": {
                            "Location": {"schema": {"type": "string"}, "description": "its address"}
                        },
                    },
                    **_errors(
                        "BadRequest",
                        "Unauthorized",
                        "Forbidden",
                        "PayloadTooLarge",
                        "UnsupportedMediaType",
                        "ValidationFailed",
                    ),
                },
            },
        },
        "/api/v1/collections/{collection_id}": {
            "get": {
                **common,
                "operationId": "getCollection",
                "summary": "One collection with its published initiatives, in order, and the "
                "curators' notes",
                "parameters": _params("collection_id"),
                "responses": {
                    "200": _json(_ref(shapes.Collection), "the collection"),
                    **_errors("NotFound"),
                },
            },
            "put": {
                **common,
                "operationId": "replaceCollection",
                "summary": "Replace a collection's texts and items (curators)",
                "security": AUTH,
                "parameters": _params("collection_id"),
                "requestBody": body,
                "responses": {
                    "200": one,
                    **_errors(
                        "BadRequest",
                        "Unauthorized",
                        "Forbidden",
                        "NotFound",
                        "PayloadTooLarge",
                        "UnsupportedMediaType",
                        "ValidationFailed",
                    ),
                },
            },
            "delete": {
                **common,
                "operationId": "deleteCollection",
                "summary": "Delete a collection (curators)",
                "security": AUTH,
                "parameters": _params("collection_id"),
                "responses": {
                    "204": {"description": "deleted"},
                    **_errors("Unauthorized", "Forbidden", "NotFound"),
                },
            },
        },
    }


def _case_requests(translation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What adding a link sends, and what putting a translation sends (issue 16)."""
    version = {"type": "integer", "minimum": 1, "description": "the record's version last read"}
    translation = {**translation, "title": "TranslationIn", "additionalProperties": False}
    translation["properties"] = {**translation["properties"], "version": version}
    return {
        "LinkIn": {
            "type": "object",
            "description": "A link from this record to another the caller may see",
            "required": ["kind", "target"],
            "additionalProperties": False,
            "properties": {
                "kind": {"type": "string", "enum": list(vocab.LINK_TYPE.codes),
                         "description": "what this record is to the target"},
                "target": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                           "description": "the other record's id"},
                "version": version,
            },
        },
        "TranslationIn": translation,
    }  # fmt: skip


def _case_paths() -> dict[str, Any]:
    """A record's links and translations (issue 16): anyone who may see the record reads them;
    its owners and curators change them."""
    link = _json(_ref(shapes.Link), "the link, as seen from this record")
    translation = _json(_ref(shapes.Translation), "the translation")
    located = {"Location": {"schema": {"type": "string"}, "description": "its address"}}
    body = {"required": True, "content": {"application/json": {"schema": _ref("LinkIn")}}}
    texts = {"required": True,
             "content": {"application/json": {"schema": _ref("TranslationIn")}}}  # fmt: skip
    removal = _errors("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict",
                      "ValidationFailed")  # fmt: skip
    return {
        "/api/v1/initiatives/{id}/links": {
            "get": {
                "tags": ["initiatives"],
                "operationId": "listLinks",
                "summary": "A record's links to other records, both ways (the public: links "
                "between published records)",
                "parameters": _params("id"),
                "responses": {
                    "200": _json({"type": "array", "items": _ref(shapes.Link)},
                                 "in the vocabulary's order"),
                    **_errors("NotFound"),
                },
            },
            "post": {
                "tags": ["initiatives"],
                "operationId": "addLink",
                "summary": "Link the record to another (owners and curators)",
                "security": AUTH,
                "parameters": _params("id", "If-Match"),
                "requestBody": body,
                "responses": {"201": {**link, "headers": located}, **_errors(*WRITE_ERRORS)},
            },
        },
        "/api/v1/initiatives/{id}/links/{link_id}": {
            "get": {
                "tags": ["initiatives"],
                "operationId": "getLink",
                "summary": "One link of the record",
                "parameters": _params("id", "link_id"),
                "responses": {"200": link, **_errors("NotFound")},
            },
            "delete": {
                "tags": ["initiatives"],
                "operationId": "removeLink",
                "summary": "Remove a link (owners and curators of either record)",
                "security": AUTH,
                "parameters": _params("id", "link_id", "If-Match"),
                "responses": {"204": {"description": "removed"}, **removal},
            },
        },
        "/api/v1/initiatives/{id}/translations": {
            "get": {
                "tags": ["initiatives"],
                "operationId": "listTranslations",
                "summary": "A record's texts in other interface languages",
                "parameters": _params("id"),
                "responses": {
                    "200": _json({"type": "array", "items": _ref(shapes.Translation)},
                                 "by language"),
                    **_errors("NotFound"),
                },
            }
        },
        "/api/v1/initiatives/{id}/translations/{language}": {
            "get": {
                "tags": ["initiatives"],
                "operationId": "getTranslation",
                "summary": "The record's translation into one language",
                "parameters": _params("id", "translation_language"),
                "responses": {"200": translation, **_errors("NotFound")},
            },
            "put": {
                "tags": ["initiatives"],
                "operationId": "putTranslation",
                "summary": "Add or replace the record's translation (owners and curators)",
                "security": AUTH,
                "parameters": _params("id", "translation_language", "If-Match"),
                "requestBody": texts,
                "responses": {
                    "200": {**translation, "description": "replaced", "headers": located},
                    "201": {**translation, "description": "added", "headers": located},
                    **_errors(*WRITE_ERRORS),
                },
            },
            "delete": {
                "tags": ["initiatives"],
                "operationId": "removeTranslation",
                "summary": "Remove the record's translation (owners and curators)",
                "security": AUTH,
                "parameters": _params("id", "translation_language", "If-Match"),
                "responses": {"204": {"description": "removed"}, **removal},
            },
        },
    }  # fmt: skip


@cache
def _document(latest: int) -> dict[str, Any]:
    """The document for years up to `latest`: built once per year bound, not once per process
    (a server running over New Year would otherwise refuse nothing but document last year's)."""
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
            {"name": n}
            for n in (
                "initiatives",
                "workflow",
                "media",
                "statistics",
                "reference",
                "open data",
                "collections",
            )
        ],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "parameters": _parameters(latest),
            "responses": {n: _json(_ref(shapes.Error), text) for n, text in ERRORS.items()},
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
    return {**_document(latest_year()), "servers": [{"url": server_url.rstrip("/") or "/"}]}
