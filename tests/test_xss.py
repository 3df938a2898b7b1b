"""Stored and reflected cross-site scripting: hostile text in every field of a record (created
through the API, as an attacker with an account would) and in every query parameter comes out
as text — on the initiative page, in search results and their <mark> snippets, in the review
queue and history, in the Atom feed and on the export pages — never as markup.

The check parses each page and looks for what would run: a <script> that is not one of ours,
an on* attribute, a javascript: address, an <svg>, <iframe> or <object>. Pages also must show
the payload escaped (as text), which proves the record was rendered at all.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from lxml import etree, html

from registry.openapi import document

from .url_map import COMMON_SAMPLES, method_of, routes, urls

WORD = "zebrafinch"  # makes the record findable, and the snippets highlight it
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "</textarea><iframe src=javascript:alert(4)>",
    "{{ 7*7 }}<object data=x>",
]
MARKDOWN = (
    f"{WORD} [click me](javascript:alert(5)) [data](data:text/html,<script>alert(6)</script>) "
    f'<a href="javascript:alert(7)">raw</a> ![img](x" onerror="alert(8))\n\n'
    + "\n\n".join(PAYLOADS)
)
DANGEROUS_TAGS = {"svg", "iframe", "object", "embed", "base"}


def hostile_record() -> dict:
    p = " ".join(PAYLOADS)
    return {
        "title": f"{WORD} {PAYLOADS[0]} title",
        "summary": f"{WORD} {p}",
        "description": MARKDOWN,
        "country": "FR",
        "region": f"{WORD} {PAYLOADS[1]}",
        "locality": f"{WORD} {PAYLOADS[2]}",
        "sector": "health",
        "stages": ["design"],
        "maturity": "pilot",
        "start_year": 2015,
        "outcomes": f"{WORD} {p}",
        "lead_organisation": f"{WORD} {PAYLOADS[1]}",
        "partners": [f"{WORD} {x}" for x in PAYLOADS],
        "tags": [f"{WORD}{x}"[:80] for x in PAYLOADS],
        "sources": [{"title": f"{WORD} {x}", "url": "https://e.org/?q=<b>x</b>"} for x in PAYLOADS],
    }


def runnable(markup: str, where: str) -> list[str]:
    """What in an HTML document would run in a browser."""
    problems = []
    tree = html.fromstring(markup)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        data_block = element.get("type") == "application/ld+json"  # issue 18: never run
        if (
            tag == "script"
            and not data_block
            and not (element.get("src") or "").startswith("/static/")
        ):
            problems.append(f"{where}: inline or foreign <script>")
        ours = tag == "svg" and (element.get("class") or "").startswith("map-")  # the world map
        if tag in DANGEROUS_TAGS and not ours:
            problems.append(f"{where}: <{tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"{where}: <{tag} {name}=…>")
            if name.lower() in (
                "href",
                "src",
                "action",
                "data",
                "formaction",
            ) and value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                problems.append(f"{where}: <{tag} {name}={value[:30]}>")
    return problems


@pytest.mark.parametrize(
    "markup",
    [
        "<p><script>alert(1)</script></p>",
        '<img src="x" onerror="alert(2)">',
        '<a href=" JavaScript:alert(3)">x</a>',
        "<svg></svg>",
        '<form><button formaction="javascript:alert(4)">x</button></form>',
    ],
)
def test_the_check_finds_what_would_run(markup):
    assert runnable(f"<html><body>{markup}</body></html>", "probe")


def test_the_check_accepts_escaped_text_and_our_scripts():
    page = '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><script src="/static/js/x.js"></script>'
    assert not runnable(f"<html><body>{page}</body></html>", "probe")


@pytest.fixture
def hostile(app, client, users, api_token):
    """The record, created by a submitter and published by a curator through the API, with an
    edit of the submitter waiting for review (so the review diff shows payloads too)."""
    submitter = api_token("sub@lyon.example")
    curator = api_token("cur@registry.example")
    record = hostile_record() | {"status": "submitted"}
    created = client.post("/api/v1/initiatives", json=record, headers=submitter)
    assert created.status_code == 201, created.get_data(as_text=True)
    record_id = created.get_json()["id"]
    published = client.post(f"/api/v1/initiatives/{record_id}/publish", headers=curator)
    assert published.status_code == 200, published.get_data(as_text=True)
    edited = client.patch(
        f"/api/v1/initiatives/{record_id}",
        json={"summary": f"{WORD} edited {PAYLOADS[1]}"},
        headers=submitter | {"If-Match": str(published.get_json()["version"])},
    )
    assert edited.status_code == 200, edited.get_data(as_text=True)
    submitted = client.post(f"/api/v1/initiatives/{record_id}/submit", headers=submitter)
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    return record_id


def test_javascript_addresses_are_refused_as_sources(client, users, api_token):
    record = hostile_record() | {"sources": [{"title": "x", "url": "javascript:alert(1)"}]}
    response = client.post(
        "/api/v1/initiatives", json=record, headers=api_token("cur@registry.example")
    )
    assert response.status_code == 422
    assert "sources" in str(response.get_json()["error"]["fields"])


@pytest.mark.parametrize(
    "path",
    [
        "/initiatives/{id}",
        f"/initiatives?q={WORD}",
        f"/initiatives?q={WORD}&sort=title",
        f"/initiatives?tag={quote(WORD + PAYLOADS[0])}",
        "/",
        f"/export?q={WORD}",
        "/export",
    ],
)
def test_stored_payloads_are_escaped_on_public_pages(client, hostile, path):
    response = client.get(path.format(id=hostile), follow_redirects=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert not runnable(body, path), runnable(body, path)
    if "initiatives" in path:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # shown, as text


def test_search_snippets_highlight_without_letting_markup_through(client, hostile):
    body = client.get(f"/initiatives?q={WORD}").get_data(as_text=True)
    tree = html.fromstring(body)
    marks = tree.xpath("//mark")
    assert marks and all(m.text_content().lower().startswith(WORD) for m in marks)
    assert all(len(m) == 0 for m in marks)  # a <mark> holds text only
    assert not runnable(body, "search")


def test_stored_payloads_are_escaped_on_signed_in_pages(sign_in, hostile):
    for who, paths in {
        "cur@registry.example": ["/review", f"/my/initiatives/{hostile}/history",
                                 f"/my/initiatives/{hostile}/edit", f"/initiatives/{hostile}"],
        "sub@lyon.example": ["/my/initiatives"],
    }.items():  # fmt: skip
        client = sign_in(who)
        for path in paths:
            response = client.get(path, follow_redirects=True)
            assert response.status_code == 200, path
            body = response.get_data(as_text=True)
            assert not runnable(body, path), runnable(body, path)
    edit = sign_in("cur@registry.example").get(f"/my/initiatives/{hostile}/edit")
    # In the form the payloads are values, escaped inside the attribute or the textarea.
    assert "&lt;/textarea&gt;&lt;iframe" in edit.get_data(as_text=True)


def test_stored_payloads_are_text_in_the_atom_feed(client, hostile):
    response = client.get(f"/feed.atom?q={WORD}")
    assert response.mimetype == "application/atom+xml"
    feed = etree.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    (entry,) = feed.findall("a:entry", ns)
    assert entry.findtext("a:title", namespaces=ns) == hostile_record()["title"]
    for element in entry.iter():
        kind = element.get("type")
        if element.tag.endswith(("title", "summary", "content")):
            assert kind in (None, "text"), f"{element.tag} is {kind}: readers would render it"
    assert b"<script>" not in response.data  # escaped in the XML itself


def test_stored_payloads_stay_data_in_the_exports(client, hostile):
    as_json = client.get(f"/export/initiatives.json?q={WORD}")
    assert as_json.mimetype == "application/json"
    assert as_json.headers["X-Content-Type-Options"] == "nosniff"
    (record,) = as_json.get_json()["initiatives"]
    assert record["title"] == hostile_record()["title"]  # data, unchanged: escaping is the reader's
    as_csv = client.get(f"/export/initiatives.csv?q={WORD}")
    assert as_csv.mimetype == "text/csv" and as_csv.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in as_csv.headers["Content-Disposition"]


def parameter_names() -> set[str]:
    spec = document("http://localhost")
    names = {p["name"] for p in spec["components"]["parameters"].values() if p["in"] == "query"}
    return names | {"next", "back", "ids", "bom", "lang"}


@pytest.mark.parametrize("payload", [*PAYLOADS[:3], "javascript:alert(9)"])
def test_reflected_payloads_in_every_parameter_of_every_page_are_escaped(
    client, make_initiative, payload
):
    """Every GET route, every query parameter the site knows, set at once to the payload (and
    the payload as a path segment where a route takes a string)."""
    record = make_initiative(title=f"{WORD} visible record")
    samples = {
        ("int", "initiative_id"): [str(record)],
        ("string", "slug"): ["x", payload],
        ("string", "code"): ["fr", payload],
        **COMMON_SAMPLES,
        ("int", "media_id"): ["1"],
        ("string", "filename"): ["css/registry.css"],
    }
    query = {name: payload for name in parameter_names()}
    problems, pages = [], 0
    for rule in routes(client.application):
        if method_of(rule) != "GET":
            continue
        for path in urls(rule, samples):
            for params in (query, {"q": payload}):
                response = client.get(path, query_string=params)
                where = f"GET {path} {sorted(params)} -> {response.status_code}"
                location = response.headers.get("Location", "")
                if location.lower().startswith(("javascript:", "//")) or "://" in location.split(
                    "?"
                )[0].replace("http://localhost", ""):
                    problems.append(f"{where}: redirects to {location}")
                if response.status_code >= 500:
                    problems.append(f"{where}: server error")
                if response.mimetype == "text/html":
                    pages += 1
                    problems += runnable(response.get_data(as_text=True), where)
    assert not problems, "\n".join(problems)
    assert pages >= 20  # the pages were rendered (with the payload), not only refused
