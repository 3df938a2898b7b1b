"""Search never disagrees with the database: for any structured filters, the ids, total and
facet counts served from the index equal those computed from the database's published rows
(hypothesis draws the filters over a varied catalogue with hidden records among it)."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from registry import actions, completeness, initiatives, vocab
from registry.db import read_session, write_session
from registry.models import Initiative
from registry.transfer.importing import Row

from .conftest import bring_to

COUNTRIES = ("FR", "CA", "FI", "NO", "BR")
LANGUAGES = ("en", "fr", "de")
TAGS = ("volunteers", "youth", "digital")
SINGLE = ("maturity", "evidence_level", "language", "completeness")


@pytest.fixture
def catalogue(any_app):
    """60 initiatives with varied fields: 45 published, the rest hidden in every other state."""
    rng = random.Random(7)
    engine = any_app.extensions["registry"].engine
    for n in range(60):
        maturity = rng.choice(vocab.MATURITY.codes)
        start = rng.choice([None, *range(1995, 2026)])
        record = {
            "title": f"Initiative {n}",
            "summary": "Citizens and professionals together.",
            "country": rng.choice(COUNTRIES),
            "sector": rng.choice(vocab.SECTOR.codes[:5]),
            "stages": rng.sample(vocab.STAGE.codes, rng.randint(1, 4)),
            "maturity": maturity,
            "evidence_level": rng.choice([None, *vocab.EVIDENCE_LEVEL.codes]),
            "language": rng.choice(LANGUAGES),
            "tags": rng.sample(TAGS, rng.randint(0, 2)),
            "start_year": start,
        }
        if maturity == "integrated" and start and rng.random() < 0.5:
            record["mainstreamed_year"] = min(2026, start + rng.randint(0, 8))
        if record["evidence_level"] in vocab.EVALUATED_LEVELS:  # names its evaluation
            record["sources"] = [{"type": "evaluation_report", "title": "Report",
                                  "url": "https://example.org/r"}]  # fmt: skip
        if rng.random() < 0.3:  # case records: some records are more complete than others
            record.update(outcomes="Fewer falls.", lessons="Start small.", locality="Lyon",
                          lead_organisation="City", participants=["citizens"])  # fmt: skip
        status = "published" if n < 45 else rng.choice(["draft", "submitted", "rejected"])
        if status != "draft":  # what a first review needs
            record.setdefault("description", "Why and how.")
            record.setdefault("sources", [{"title": "Page", "url": "https://example.org/p"}])
        with write_session(engine) as session:
            if start is None and status == "published":  # published by a curator's import
                rows = [Row(f"row {n}", record)]
                actions.import_rows(
                    session, actions.SYSTEM, rows, actions.ImportOptions(publish=True)
                )
                continue
            if start is None and status != "draft":
                record["start_year"] = 2010
            initiative = actions.create(session, actions.SYSTEM, record)
            bring_to(session, initiative.id, status, actions.SYSTEM)
    assert any_app.test_client().get("/api/v1/initiatives").get_json()["total"] == 45
    with write_session(engine) as session:  # published and indexed, then withdrawn
        actions.withdraw(session, actions.SYSTEM, 1)
    with read_session(engine) as session:
        rows = session.scalars(initiatives.public_query()).all()
        published = [
            {
                "id": r.id, "country": r.country, "sector": r.sector, "maturity": r.maturity,
                "evidence_level": r.evidence_level, "language": r.language,
                "stage": set(r.codes("stages")), "tag": set(r.tags), "start_year": r.start_year,
                "completeness": completeness.bucket(r.completeness),
            }
            for r in rows
        ]  # fmt: skip
        hidden = session.scalars(select(Initiative.id).where(Initiative.status != "published"))
        assert len(hidden.all()) == 16
    assert len(published) == 44
    return published


def _keeps(row: dict, filters: dict, skip: str | None = None) -> bool:
    for name, value in filters.items():
        if name == skip:
            continue
        if name == "country" and row["country"] not in value:
            return False
        if name == "sector" and row["sector"] not in value:
            return False
        if name in SINGLE and row[name] != value:
            return False
        if name in ("stage", "tag") and not set(value) <= row[name]:
            return False
        if name == "year_from" and not (row["start_year"] and row["start_year"] >= value):
            return False
        if name == "year_to" and not (row["start_year"] and row["start_year"] <= value):
            return False
    return True


def _expected_facets(rows: list[dict], filters: dict) -> dict[str, dict[str, int]]:
    facets = {}
    for name in ("country", "sector", "maturity", "evidence_level", "language", "stage",
                 "completeness"):  # fmt: skip
        kept = [r for r in rows if _keeps(r, filters, skip=name)]
        tally = Counter(c for r in kept for c in (r["stage"] if name == "stage" else [r[name]]))
        facets[name] = {k: v for k, v in tally.items() if k}
    return facets


FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "country": st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=2, unique=True),
        "sector": st.lists(st.sampled_from(vocab.SECTOR.codes[:6]), min_size=1, max_size=2,
                           unique=True),
        "stage": st.lists(st.sampled_from(vocab.STAGE.codes), min_size=1, max_size=2, unique=True),
        "maturity": st.sampled_from(vocab.MATURITY.codes),
        "evidence_level": st.sampled_from(vocab.EVIDENCE_LEVEL.codes),
        "language": st.sampled_from(LANGUAGES),
        "tag": st.lists(st.sampled_from(TAGS), min_size=1, max_size=1),
        "year_from": st.integers(1990, 2026),
        "year_to": st.integers(1990, 2026),
        "completeness": st.sampled_from(vocab.COMPLETENESS.codes),
    },
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(filters=FILTERS)
def test_index_results_and_facets_equal_the_databases(any_app, catalogue, filters):
    body = (
        any_app.test_client()
        .get("/api/v1/initiatives", query_string={**filters, "per_page": 100})
        .get_json()
    )
    expected = [r for r in catalogue if _keeps(r, filters)]
    assert {r["id"] for r in body["results"]} == {r["id"] for r in expected}
    assert body["total"] == len(expected)
    assert {k: v for k, v in body["facets"].items() if v} == {
        k: v for k, v in _expected_facets(catalogue, filters).items() if v
    }
