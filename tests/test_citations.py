"""Cite this initiative (issue 18): the permanent link, a read-only page per published version,
and citations that parse back — BibTeX (bibtexparser), RIS (rispy), CSL-JSON (its JSON Schema)
— naming the registry, the date accessed and the licence."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import bibtexparser
import jsonschema
import rispy

from registry import actions, citations
from registry.db import write_session

from .conftest import propose_edit

CSL_SCHEMA = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text())
TODAY = datetime.now(UTC).date()


def engine_of(app):
    return app.extensions["registry"].engine


def edit_published(app, initiative_id, **changes):
    """A curator's change of a published record: a new public version."""
    with write_session(engine_of(app)) as s:
        actions.edit(s, actions.SYSTEM, initiative_id, changes, expected_version=None)


def test_the_initiative_page_offers_a_citation_and_permanent_links(app, client, make_initiative):
    made = make_initiative(title="Citizen juries on care", lead_organisation="Ville de Lyon")
    page = client.get(f"/initiatives/{made}", follow_redirects=True).get_data(as_text=True)
    assert "Cite this initiative" in page
    assert "Ville de Lyon (20" in page and "<i>Citizen juries on care</i>" in page
    assert f"http://localhost/initiatives/{made}<" in page.replace('"', "<")  # permanent link
    assert f"/initiatives/{made}/versions/1" in page
    assert TODAY.strftime("%-d %B %Y") in page  # accessed today
    client.get("/language/fr")
    page = client.get(f"/initiatives/{made}", follow_redirects=True).get_data(as_text=True)
    assert "Consulté le" in page


def test_bibtex_parses_back_with_the_registry_date_accessed_and_licence(client, make_initiative):
    made = make_initiative(title="Budgets & {braces} 100% _shared_", lead_organisation="A & B")
    response = client.get(f"/initiatives/{made}/citation.bib")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.bib"')
    library = bibtexparser.parse_string(response.get_data(as_text=True))
    assert not library.failed_blocks
    [entry] = library.entries
    assert entry.entry_type == "misc"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["title"] == r"{Budgets \& \{braces\} 100\% \_shared\_}"
    assert fields["author"] == r"{A \& B}"
    assert fields["howpublished"] == "Coproduction Registry"
    assert fields["urldate"] == TODAY.isoformat()
    assert "CC BY 4.0" in fields["note"]
    assert fields["url"] == f"http://localhost/initiatives/{made}/versions/1"


def test_ris_parses_back(client, make_initiative):
    made = make_initiative(title="Parents design school meals", lead_organisation="Rennes")
    text = client.get(f"/initiatives/{made}/citation.ris").get_data(as_text=True)
    [entry] = rispy.loads(text)
    assert entry["type_of_reference"] == "ELEC"
    assert entry["title"] == "Parents design school meals"
    assert entry["authors"] == ["Rennes"]
    assert entry["publisher"] == "Coproduction Registry"
    assert entry["access_date"] == TODAY.strftime("%Y/%m/%d")
    assert entry["urls"] == [f"http://localhost/initiatives/{made}/versions/1"]
    assert "CC BY 4.0" in entry["notes"][0]


def test_csl_json_follows_its_schema(client, make_initiative):
    made = make_initiative(title="Tenants run the estate")
    items = json.loads(client.get(f"/initiatives/{made}/citation.json").get_data(as_text=True))
    jsonschema.validate(items, CSL_SCHEMA)
    [item] = items
    assert item["container-title"] == "Coproduction Registry"
    assert item["accessed"] == {"date-parts": [[TODAY.year, TODAY.month, TODAY.day]]}
    assert item["custom"]["licence"] == "CC-BY-4.0"


def test_a_published_version_stays_readable_as_it_was(app, client, make_initiative):
    made = make_initiative(title="First title", summary="First summary.")
    edit_published(app, made, title="Second title")
    propose_edit(app, made, title="Waiting title")  # an edit in review: never shown
    first = client.get(f"/initiatives/{made}/versions/1")
    assert first.status_code == 200
    text = first.get_data(as_text=True)
    assert "First title" in text and "version 1" in text.lower()
    assert "See the current version" in text
    second = client.get(f"/initiatives/{made}/versions/2").get_data(as_text=True)
    assert "Second title" in second and "Waiting title" not in second
    assert client.get(f"/initiatives/{made}/versions/3").status_code == 404
    bib = client.get(f"/initiatives/{made}/citation.bib?version=1").get_data(as_text=True)
    assert "{First title}" in bib and "versions/1" in bib
    current = client.get(f"/initiatives/{made}/citation.bib").get_data(as_text=True)
    assert "{Second title}" in current
    assert client.get(f"/initiatives/{made}/citation.bib?version=x").status_code == 400


def test_a_record_no_longer_published_cannot_be_cited(app, client, make_initiative):
    made = make_initiative(title="Soon withdrawn")
    draft = make_initiative("draft", title="Never published")
    with write_session(engine_of(app)) as s:
        actions.withdraw(s, actions.SYSTEM, made)
    for n in (made, draft):
        for path in ("versions/1", "citation.bib", "citation.ris", "citation.json"):
            url = f"/initiatives/{n}/{path}"
            assert client.get(url).status_code == 404, url


def test_the_styled_citation_escapes_what_the_record_says():
    version = citations.Version(1, datetime(2026, 1, 2, tzinfo=UTC), {"title": "<script>x"})

    class Record:
        id, title, organisation = 5, "t", None

    c = citations.cited(Record(), version, "http://r/i/5", "http://r/i/5/versions/1", TODAY)
    html = citations.styled(c, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
