"""Sharing and discovery (issue 18): link previews and canonical addresses, schema.org JSON-LD
checked with a JSON-LD processor (pyld) against schema.org's own vocabulary, sitemap.xml of
published records (with an index past one chunk) and robots.txt keeping private areas out."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree, html
from pyld import jsonld

from registry import actions
from registry.db import write_session

from . import media_files
from .test_collections import make_collection

SCHEMA = "https://schema.org/"
TERMS = json.loads((Path(__file__).parent / "data" / "schemaorg-terms.json").read_text())
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def meta(page: str) -> dict[str, str]:
    tree = html.fromstring(page)
    found = {m.get("property") or m.get("name"): m.get("content") for m in tree.iter("meta")}
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    found["canonical"] = canonical[0] if canonical else None
    return found


def add_image(app, initiative_id):
    with write_session(app.extensions["registry"].engine) as s:
        texts = {"alt": "Neighbours at work", "credit": "R", "licence": "cc0"}
        image = media_files.image(size=(1200, 630))
        return actions.add_media(s, actions.SYSTEM, initiative_id, "image", image, texts).id


def test_an_initiative_page_has_a_link_preview_with_its_first_image(app, client, make_initiative):
    plain = make_initiative(title="Street lights by residents", summary="Residents choose.")
    tags = meta(client.get(f"/initiatives/{plain}", follow_redirects=True).text)
    assert tags["og:title"] == "Street lights by residents"
    assert tags["og:description"] == tags["description"] == "Residents choose."
    assert tags["og:type"] == "article" and tags["twitter:card"] == "summary"
    page_url = f"http://localhost/initiatives/{plain}/street-lights-by-residents"
    assert tags["canonical"] == tags["og:url"] == page_url
    pictured = make_initiative(title="Pictured")
    image = add_image(app, pictured)
    tags = meta(client.get(f"/initiatives/{pictured}", follow_redirects=True).text)
    assert tags["og:image"] == f"http://localhost/initiatives/{pictured}/media/{image}"
    assert tags["og:image:alt"] == "Neighbours at work"
    assert tags["twitter:card"] == "summary_large_image"
    assert client.get(tags["og:image"]).status_code == 200


def test_every_public_page_has_a_card_and_private_ones_are_not_indexed(
    app, client, users, sign_in, make_initiative
):
    made = make_collection(app, [(make_initiative(), "")], introduction_en="About **care**.")
    for url in ("/", "/initiatives", "/countries", "/compare", "/collections"):
        tags = meta(client.get(url).text)
        assert tags["og:title"] and tags["og:description"] and tags["twitter:card"], url
        assert tags["canonical"] == "http://localhost" + url, url
    tags = meta(client.get(f"/collections/{made}", follow_redirects=True).text)
    assert tags["og:description"] == "About care."
    assert tags["canonical"].endswith(f"/collections/{made}/care-at-home")
    account = sign_in(users["submitter"].email).get("/account").text
    assert meta(account)["robots"] == "noindex" and "og:title" not in meta(account)


def expanded_nodes(document: dict) -> list[dict]:
    """The JSON-LD expanded by pyld (schema.org's context served locally), flattened."""

    def loader(url, options=None):
        assert url.rstrip("/") == SCHEMA.rstrip("/"), url
        return {"contextUrl": None, "documentUrl": url,
                "document": {"@context": {"@vocab": SCHEMA}}}  # fmt: skip

    flat = jsonld.flatten(document, None, {"documentLoader": loader})
    return flat


def ancestors(kind: str) -> set[str]:
    found, todo = set(), [kind]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo += TERMS["types"].get(current, [])
    return found


def test_initiative_json_ld_uses_schema_org_types_and_properties_where_they_belong(
    app, client, make_initiative
):
    source = {"title": "Report", "url": "https://example.org/r"}
    made = make_initiative(title="Tenants run the estate", lead_organisation="Tenants' union",
                           start_year=2015, tags=["housing"], sources=[source])  # fmt: skip
    add_image(app, made)
    page = client.get(f"/initiatives/{made}", follow_redirects=True).text
    [script] = html.fromstring(page).xpath('//script[@type="application/ld+json"]/text()')
    document = json.loads(script)
    nodes = expanded_nodes(document)
    types = {t for n in nodes for t in n.get("@type", [])}
    assert {f"{SCHEMA}WebPage", f"{SCHEMA}Project", f"{SCHEMA}Country", f"{SCHEMA}WebSite",
            f"{SCHEMA}ImageObject", f"{SCHEMA}Organization"} <= types  # fmt: skip
    problems = []
    for node in nodes:
        kinds = [t.removeprefix(SCHEMA) for t in node.get("@type", [])]
        for kind in kinds:
            if kind not in TERMS["types"]:
                problems.append(f"unknown type {kind}")
        allowed = set().union(*(ancestors(k) for k in kinds)) if kinds else set()
        for key in node:
            if key.startswith("@"):
                continue
            assert key.startswith(SCHEMA), f"{key} is not a schema.org term"
            name = key.removeprefix(SCHEMA)
            if name not in TERMS["properties"]:
                problems.append(f"unknown property {name}")
            elif not allowed & set(TERMS["properties"][name]):
                problems.append(f"{name} does not belong on {kinds}")
    assert not problems, problems
    project = next(n for n in nodes if f"{SCHEMA}Project" in n.get("@type", []))
    assert project[f"{SCHEMA}name"] == [{"@value": "Tenants run the estate"}]
    assert project[f"{SCHEMA}foundingDate"] == [{"@value": "2015"}]


def test_the_sitemap_lists_published_records_and_collections_only(app, client, make_initiative):
    published = make_initiative(title="Listed")
    draft = make_initiative("draft", title="Not listed")
    collection = make_collection(app, [(published, "")])
    root = etree.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{SITEMAP}urlset"
    locations = [e.text for e in root.iter(f"{SITEMAP}loc")]
    assert f"http://localhost/initiatives/{published}/listed" in locations
    assert not any(re.search(rf"/initiatives/{draft}\b", loc) for loc in locations)
    assert f"http://localhost/collections/{collection}/care-at-home" in locations


def test_past_one_chunk_the_sitemap_is_an_index_of_chunks(app, client, make_initiative):
    app.config["SITEMAP_CHUNK"] = 4
    published = [make_initiative(title=f"Record {n}") for n in range(5)]
    make_initiative("submitted", title="Waiting")
    index = etree.fromstring(client.get("/sitemap.xml").data)
    assert index.tag == f"{SITEMAP}sitemapindex"
    chunks = [e.text for e in index.iter(f"{SITEMAP}loc")]
    assert len(chunks) == 3  # 6 fixed pages and 5 records, 4 to a chunk
    seen = []
    for chunk in chunks:
        root = etree.fromstring(client.get(chunk.removeprefix("http://localhost")).data)
        locations = [e.text for e in root.iter(f"{SITEMAP}loc")]
        assert len(locations) <= 4
        seen += locations
    records = [loc for loc in seen if "/initiatives/" in loc]
    assert sorted(records) == sorted(
        f"http://localhost/initiatives/{n}/record-{i}" for i, n in enumerate(published)
    )
    assert len(seen) == len(set(seen))
    assert client.get("/sitemaps/4.xml").status_code == 404


def test_robots_keep_private_areas_out_and_point_at_the_sitemap(client):
    text = client.get("/robots.txt").text
    lines = set(text.splitlines())
    for private in ("/account", "/curate/import", "/admin/outbox", "/my/initiatives/*/edit",
                    "/curate/collections/new"):  # fmt: skip
        assert f"Disallow: {private}" in lines, private
    assert "Disallow: /initiatives" not in lines and "Disallow: /" not in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines


def test_json_ld_cannot_close_its_script_element(client, make_initiative):
    made = make_initiative(title="</script><script>alert(1)</script>", summary="<b>&'\"")
    page = client.get(f"/initiatives/{made}", follow_redirects=True).text
    block = page.split('type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    assert json.loads(block)["name"] == "</script><script>alert(1)</script>"


def test_pages_carry_the_print_stylesheet_that_hides_navigation_and_writes_links_out(
    client, make_initiative
):
    made = make_initiative()
    for url in (f"/initiatives/{made}", "/compare", "/collections"):
        page = client.get(url, follow_redirects=True).text
        assert 'href="/static/css/print.css" media="print"' in page, url
    with client.get("/static/css/print.css") as response:
        css = response.text
    assert ".site-nav" in css and "attr(href)" in css and "break-inside: avoid" in css
