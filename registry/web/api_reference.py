"""The /api page (issue 19): the OpenAPI document grouped by resource, each operation with a
curl example and a sample answer built from its schemas, and the guide (docs/api.md) rendered
from Markdown with markdown-it, the renderer the records already use."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..paths import resource

# The resources, in the page's order, as a reader names them.
GROUPS: dict[str, Any] = {
    "initiatives": _l("Initiatives"),
    "workflow": _l("Review workflow"),
    "media": _l("Images and documents"),
    "statistics": _l("Countries and comparisons"),
    "open data": _l("Open data files"),
    "reference": _l("Reference"),
}
# What each operation does, in the reader's language (the OpenAPI document stays in English).
SUMMARIES: dict[str, Any] = {
    "searchInitiatives": _l("Search and filter the published initiatives."),
    "createInitiative": _l("Create an initiative of your organisation (a draft, or submitted)."),
    "getInitiative": _l("One initiative."),
    "updateInitiative": _l("Change some fields of an initiative."),
    "deleteInitiative": _l("Delete an initiative (it stays in the history)."),
    "submitInitiative": _l("Submit an initiative for review."),
    "publishInitiative": _l("Publish an initiative (curators)."),
    "rejectInitiative": _l("Send an initiative back with a reason (curators)."),
    "withdrawInitiative": _l("Withdraw an initiative from review or from the catalogue."),
    "restoreInitiative": _l("Bring back the content of an earlier revision."),
    "listMedia": _l("The images and documents of an initiative."),
    "addMedia": _l("Add an image or a PDF document."),
    "getMedia": _l("One image or document."),
    "updateMedia": _l("Change the texts of an image or document."),
    "removeMedia": _l("Remove an image or document."),
    "listRevisions": _l("The history of an initiative."),
    "listCountries": _l("Every country with published initiatives."),
    "getCountry": _l("One country's figures."),
    "compare": _l("Pilots and integrated initiatives compared as groups."),
    "listVocabularies": _l("The controlled vocabularies and their labels."),
    "getOpenApi": _l("This description, as OpenAPI."),
    "exportJson": _l("Every published initiative as JSON."),
    "exportCsv": _l("Every published initiative as CSV."),
    "feed": _l("The newest published initiatives as an Atom feed."),
}
# Bodies a reader could send as they are (a schema-made sample would break the rules).
BODIES: dict[str, Any] = {
    "createInitiative": {
        "title": "Repair cafés run with the libraries of Villeurbanne",
        "summary": "Residents and librarians fix household objects together every month.",
        "country": "FR",
        "sector": "environment",
        "stages": ["deliver"],
        "maturity": "pilot",
        "status": "draft",
    },
    "updateInitiative": {"summary": "Residents, librarians and volunteers repair together."},
    "rejectInitiative": {"reason": "Please add a source for the attendance figures."},
    "restoreInitiative": {"revision": 2},
    "updateMedia": {"alt": "Residents repairing a lamp at the library"},
}
PATH_VALUES = {"id": "1", "media_id": "1", "code": "FR"}
QUERIES = {"searchInitiatives": "?q=health&country=FR", "compare": "?country=FR"}
MAX_FIELDS = 12  # a sample object shows this many fields; the schema lists them all


def groups(spec: dict) -> list[tuple[str, Any, list[dict]]]:
    """(tag, title, operations) in GROUPS order; each operation a dict for the template."""
    found: dict[str, list[dict]] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            tag = (op.get("tags") or ["reference"])[0]
            found.setdefault(tag, []).append(
                {
                    "method": method,
                    "path": path,
                    "op": op,
                    "summary": SUMMARIES.get(op["operationId"]),
                    "curl": curl(spec, method, path, op),
                    "sample": sample_answer(spec, op),
                }
            )
    order = [*GROUPS, *(t for t in found if t not in GROUPS)]
    return [(tag, GROUPS.get(tag, tag), found[tag]) for tag in order if tag in found]


def curl(spec: dict, method: str, path: str, op: dict) -> str:
    base = spec["servers"][0]["url"].rstrip("/") if spec.get("servers") else ""
    url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "1"), path)
    url = base + url + QUERIES.get(op["operationId"], "")
    lines = ["curl"]
    if method != "get":
        lines[0] += f" -X {method.upper()}"
    if op.get("security"):
        lines.append('-H "Authorization: Bearer $REGISTRY_TOKEN"')
    body = (op.get("requestBody") or {}).get("content", {})
    if "multipart/form-data" in body:
        lines += ["-F file=@photo.jpg", '-F "alt=Residents repairing a lamp"']
    elif "application/json" in body:
        example = BODIES.get(op["operationId"])
        if example is None:
            example = sample(spec, body["application/json"].get("schema", {}))
        lines += ['-H "Content-Type: application/json"', f"-d '{json.dumps(example)}'"]
    lines.append(f'"{url}"')
    return " \\\n  ".join(lines)


def sample_answer(spec: dict, op: dict) -> tuple[str, str] | None:
    """(status, JSON text) of the operation's first successful answer, made from its schema."""
    for status, response in op.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        if "$ref" in response:
            response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        content = response.get("content") or {}
        if "application/json" in content:
            value = sample(spec, content["application/json"].get("schema", {}))
            return str(status), json.dumps(value, indent=2, ensure_ascii=False)
        if content:
            return str(status), next(iter(content))
        return str(status), ""
    return None


def sample(spec: dict, schema: Any, depth: int = 0, name: str = "") -> Any:
    """A plausible value of `schema` (first enum value, examples when given)."""
    if not isinstance(schema, dict) or depth > 12:
        return None
    if "$ref" in schema:
        target = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return sample(spec, target, depth + 1, name)
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return sample(spec, options[0], depth + 1, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        names = [*required, *(p for p in properties if p not in required)][:MAX_FIELDS]
        return {p: sample(spec, properties[p], depth + 1, p) for p in names if p in properties}
    if kind == "array":
        return [sample(spec, schema.get("items", {}), depth + 1, name)]
    if kind == "integer":
        return 2019 if "year" in name else 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    if kind == "string":
        return _text(name, schema)
    return None


def _text(name: str, schema: dict) -> str:
    if schema.get("format") == "date-time" or name.endswith("_at"):
        return "2026-03-01T09:30:00Z"
    if schema.get("format") in ("uri", "url") or name.endswith("url"):
        return "https://registry.example/initiatives/1"
    if name == "country" or name == "code":
        return "FR"
    if name == "language":
        return "en"
    return {"title": "Repair cafés run with the libraries of Villeurbanne",
            "summary": "Residents and librarians fix household objects together.",
            "slug": "repair-cafes-run-with-the-libraries-of-villeurbanne",
            "message": "no such initiative"}.get(name, "…")  # fmt: skip


_md = MarkdownIt("commonmark", {"html": False}).enable("table")


@cache
def guide() -> Markup:
    """docs/api.md as HTML, its headings one level down (the page owns h1) with ids."""
    path = resource("docs") / "api.md"
    if not path.is_file():
        return Markup("")
    tokens = _md.parse(path.read_text(encoding="utf-8"))
    for i, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 1)}"
            if token.type == "heading_open":
                words = re.sub(r"[^a-z0-9]+", "-", tokens[i + 1].content.lower()).strip("-")
                token.attrSet("id", f"guide-{words}")
    return Markup(_md.renderer.render(tokens, _md.options, {}))
