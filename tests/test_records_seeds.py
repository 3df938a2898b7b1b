"""The seed file's rules for case records (issue 16): fictional records are marked illustrative
and point only at reserved example addresses; real records cite sources; the evidence level
agrees with the typed sources; figures carry their years; no invented figures are attached to
real named programmes or places."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from registry import vocab
from registry.paths import SEEDS
from registry.schemas import validate_initiative

DATA = json.loads((SEEDS / "initiatives.json").read_text(encoding="utf-8"))
RECORDS = DATA["initiatives"]
# Reserved for examples (RFC 2606): an invented record can never point at a real body.
EXAMPLE_HOSTS = re.compile(r"(^|\.)example\.(org|com|net)$")
# Real programmes and places that earlier seeds attached invented figures to (issue 16).
REAL_NAMES = ("Shared haemodialysis care", "Sheffield", "Leeds", "Teaching Hospitals")


def _addresses(record: dict) -> list[str]:
    found = [s["url"] for s in record.get("sources", [])]
    found += [k["source_url"] for k in record.get("key_results", []) if k.get("source_url")]
    found += [record.get(f) for f in ("website", "contact_url", "savings_source")]
    return [a for a in found if a]


def _fictional(record: dict) -> bool:
    return DATA.get("illustrative") is True or record.get("illustrative") is True


@pytest.mark.parametrize("record", RECORDS, ids=[r["slug"][:60] for r in RECORDS])
def test_seed_record_follows_the_case_record_rules(record):
    valid = validate_initiative(record)  # the schema's own rules, evidence against sources too
    if _fictional(record):
        for address in _addresses(record):
            assert EXAMPLE_HOSTS.search(urlsplit(address).hostname or ""), address
        email = record.get("contact_email") or ""
        assert not email or email.endswith("@example.org"), email
        named = " ".join(filter(None, (record.get("contact_organisation"),)))
        assert not named or "fictional" in named or "fictif" in named, named
    else:  # a real record cites what it states
        assert record.get("sources"), record["slug"]
    if valid.evidence_level in vocab.EVALUATED_LEVELS:
        assert {s.type for s in valid.sources} & set(vocab.EVALUATION_SOURCES)
    if valid.key_results:  # measured results sit with a level that measures them
        assert valid.evidence_level in ("monitoring", *vocab.EVALUATED_LEVELS), record["slug"]
    text = json.dumps(record, ensure_ascii=False)
    assert not [name for name in REAL_NAMES if name in text]


def test_the_seed_file_is_marked_illustrative_and_says_so():
    assert DATA["illustrative"] is True and "invented" in DATA["note"]


def test_several_seed_records_show_the_case_record_fields():
    """The published seeds demonstrate what a case record holds (scale, money, results,
    lessons, context, a contact point)."""
    with_all = [
        r for r in RECORDS
        if r.get("key_results") and r.get("funding_sources") and r.get("lessons")
        and any(r.get(f) for f in ("participant_count", "volunteer_count", "population_served"))
    ]  # fmt: skip
    assert len(with_all) >= 5
    assert {r["language"] for r in with_all} == {"en", "fr"}
    assert sum(1 for r in RECORDS if r.get("contact_consent")) >= 2
    assert all(r.get("level_of_government") and r.get("delivery_mode") for r in RECORDS)
    assert sum(1 for r in RECORDS if r.get("annual_cost")) >= 3


def test_seeding_adds_links_and_translations_once_and_a_seed_page_shows_the_case(app, client):
    from sqlalchemy import func, select

    from registry import seeds
    from registry.db import read_session
    from registry.models import Initiative, InitiativeLink, InitiativeTranslation

    engine = app.extensions["registry"].engine
    seeds.seed(engine)
    seeds.seed(engine)
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(InitiativeLink)) == len(DATA["links"])
        assert s.scalar(select(func.count()).select_from(InitiativeTranslation)) == len(
            DATA["translations"]
        )
        guardians = s.scalar(select(Initiative).where(Initiative.slug == RECORDS[1]["slug"]))
        page = f"/initiatives/{guardians.id}/{guardians.slug}"
    english = client.get(page).get_data(as_text=True)
    for shown in ("85,000\u00a0GBP", "Key results", "-14%", "Lessons learned", "Whom to ask",
                  "street-guardians@example.org", "Evaluation report"):  # fmt: skip
        assert shown in english, shown
    french = client.get(page, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    french = french.replace("&#39;", "'")
    for shown in ("Street Guardians : les habitants", "Principaux résultats", "Enseignements",
                  "Qui contacter", "Lire l'original"):  # fmt: skip
        assert shown in french, shown
    # The illustrative image and report, through the media actions, once however often seeded.
    assert 'alt="Illustrative bar chart: reported burglaries fell by 14%' in english
    assert "Street Guardians evaluation report (illustrative summary)" in english
    with read_session(engine) as s:
        from registry.models import Media, Revision

        assert s.scalar(select(func.count()).select_from(Media)) == len(DATA["media"])
        added = select(func.count()).select_from(Revision).where(Revision.action == "add_media")
        assert s.scalar(added) == len(DATA["media"])
    with read_session(engine) as s:
        parents = s.scalar(select(Initiative).where(Initiative.slug == RECORDS[23]["slug"]))
        linked = f"/initiatives/{parents.id}/{parents.slug}"
    assert "Inspired" in client.get(linked).get_data(as_text=True)


def test_seed_media_are_illustrations_of_fictional_records_with_their_credits():
    """Media go only with fictional records, say they are illustrations, and carry what an
    upload needs: alt text, credit and licence for an image, a title for a document."""
    slugs = {r["slug"]: r for r in RECORDS}
    assert {m["kind"] for m in DATA["media"]} == {"image", "document"}
    assert len({m["slug"] for m in DATA["media"]}) >= 2
    for item in DATA["media"]:
        record = slugs[item["slug"]]
        assert _fictional(record), item["slug"]
        if item["kind"] == "image":
            assert item["alt"].startswith("Illustrative") and "fictional" in item["alt"]
            assert item["credit"] and item["licence"] in vocab.LICENCE.codes
            assert "not a photograph" in item["caption"]
            assert "fictional" in item["chart"]["band"]
        else:
            assert "(illustrative" in item["title"]
            assert item["lines"][0].startswith("ILLUSTRATIVE DOCUMENT")
        assert not [name for name in REAL_NAMES if name in json.dumps(item)]


def test_seed_media_are_real_files_the_upload_checks_accept():
    import io

    from pypdf import PdfReader

    from registry import seeds
    from registry.media import uploads

    for item in DATA["media"]:
        if item["kind"] == "image":
            data = seeds.chart_png(item["chart"])
            assert data.startswith(b"\x89PNG")
        else:
            data = seeds.report_pdf(item["title"], item["lines"])
            reader = PdfReader(io.BytesIO(data), strict=True)
            assert reader.metadata.title == item["title"]
            assert item["lines"][0] in reader.pages[0].extract_text()
        assert len(data) < uploads.MAX_UPLOAD_BYTES
