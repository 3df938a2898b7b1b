"""The controlled vocabularies are what docs/vocabulary.md publishes (codes in order, labels in
English and French, descriptions, COFOG divisions), and their labels speak any locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry import vocab

DOC = Path(__file__).resolve().parent.parent / "docs" / "vocabulary.md"
FIELDS = {v.name: field for field, v in {**vocab.SINGLE_FIELDS, **vocab.MULTI_FIELDS}.items()}
IMAGE_FIELDS = {v.name: field for field, v in vocab.MEDIA_FIELDS.items()}
FIELDS["source_type"] = "sources"  # each source's type (case records, issue 16)
FIELDS["completeness"] = "completeness"  # the score's bucket (case records)
FIELDS["link_type"] = "links"  # links between records (case records)


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    return {
        m.group(1): m.group(2)
        for m in re.finditer(r"^## (\S+)\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    }


def _rows(section: str) -> list[list[str]]:
    """The cells of a Markdown table's body rows."""
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("|")
    ]
    return rows[2:]  # past the header and its rule


def test_the_document_lists_every_vocabulary_and_no_other():
    documented = {name for name, text in _sections().items() if "| code |" in text}
    assert documented == set(vocab.VOCABULARIES)


@pytest.mark.parametrize("name", list(vocab.VOCABULARIES))
def test_the_documented_vocabulary_is_the_code(name):
    vocabulary = vocab.VOCABULARIES[name]
    section = _sections()[name]
    if name in IMAGE_FIELDS:
        assert f"Image field `{IMAGE_FIELDS[name]}`" in section
    else:
        assert f"Record field `{FIELDS[name]}`" in section
    expected = [
        [t.code, t.label("en"), t.label("fr"), str(t.description)]
        + ([t.cofog or "—"] if vocabulary is vocab.SECTOR else [])
        for t in vocabulary.terms
    ]
    assert _rows(section) == expected


def test_every_vocabulary_and_term_has_labels_and_every_term_a_description():
    for vocabulary in vocab.VOCABULARIES.values():
        assert vocabulary.title("en") and vocabulary.title("fr"), vocabulary.name
        for term in vocabulary.terms:
            assert term.label("en") and term.label("fr") and term.description, term.code


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", "Intégré (généralisé)"),
        ("fr_FR", "Intégré (généralisé)"),
        ("fr-CA", "Intégré (généralisé)"),
        ("en", "Integrated (mainstreamed)"),
        ("de", "Integrated (mainstreamed)"),  # no German catalogue: English
        ("not-a-locale", "Integrated (mainstreamed)"),
    ],
)
def test_labels_speak_any_locale_outside_a_request(locale, expected):
    assert vocab.MATURITY.label("integrated", locale) == expected


def test_an_unknown_code_is_shown_as_itself():
    assert vocab.SECTOR.label("no_such_sector", "fr") == "no_such_sector"
