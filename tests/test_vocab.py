"""The controlled vocabularies in code are exactly those of shared/design/vocabulary.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry import vocab

DOC = Path(__file__).resolve().parents[2] / "shared" / "design" / "vocabulary.md"


@pytest.fixture(scope="module")
def doc() -> str:
    if not DOC.exists():
        pytest.skip(f"{DOC} is not beside the project")
    return DOC.read_text(encoding="utf-8")


def section(doc: str, name: str) -> str:
    match = re.search(rf"^## {name}\b.*?(?=^## |\Z)", doc, re.S | re.M)
    assert match, name
    return match.group(0)


@pytest.mark.parametrize("name", ["stage", "maturity", "sector"])
def test_table_vocabularies_match_the_document(doc, name):
    rows = re.findall(r"^\| (\w+) \| ([^|]+) \| ([^|]+) \|", section(doc, name), re.M)
    expected = [(c, en.strip(), fr.strip()) for c, en, fr in rows if c != "code"]
    actual = [(t.code, t.en, t.fr) for t in vocab.VOCABULARIES[name].terms]
    assert actual == expected


@pytest.mark.parametrize(
    "name",
    ["participants", "contributions", "motives", "obstacles", "success_factors", "evidence_level"],
)
def test_listed_vocabularies_match_the_document(doc, name):
    text = section(doc, name).split("\n", 1)[1]
    codes = re.findall(r"(?:^|,\s*|\)\s*,?\s*)([a-z_]+)(?=\s*(?:\(|,|\.|$))", text, re.M)
    assert [c for c in codes if c in vocab.VOCABULARIES[name].codes] == list(
        vocab.VOCABULARIES[name].codes
    )
    for term in vocab.VOCABULARIES[name].terms:
        assert re.search(rf"\b{term.code}\b", text), term.code


def test_every_term_has_both_labels_and_a_description():
    for vocabulary in vocab.VOCABULARIES.values():
        for term in vocabulary.terms:
            assert term.en and term.fr and term.description, (vocabulary.name, term.code)


def test_sectors_carry_cofog_divisions():
    assert vocab.SECTOR.get("health").cofog == "07"
    assert vocab.SECTOR.get("other").cofog is None
