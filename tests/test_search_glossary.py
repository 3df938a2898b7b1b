"""The bilingual glossary (registry/search/glossary.tsv) is large enough, well formed, and every
entry analyses to the terms the index holds for the same words."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest
from whoosh.analysis import Token

from registry.search import glossary
from registry.search.analysis import LanguageAnalyzer, tagged, terms

PAIRS = glossary.read()
ROOT = Path(__file__).parents[1]


def indexed_terms(text: str, language: str) -> list[str]:
    """What indexing `text` in a record of `language` puts in a text field."""
    analyzer = LanguageAnalyzer()
    return [t.text for t in analyzer(tagged(text, language), mode="index") if isinstance(t, Token)]


def test_the_glossary_has_at_least_300_distinct_pairs():
    assert len(PAIRS) >= 300
    repeated = [p for p, n in Counter((p.en.lower(), p.fr.lower()) for p in PAIRS).items() if n > 1]
    assert repeated == []
    assert [p.line for p in PAIRS if p.en.lower() == p.fr.lower()] == []  # no-op pairs


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p.line}:{p.en}" for p in PAIRS])
def test_every_entry_analyses_to_indexed_terms(pair):
    for text, language in ((pair.en, "en"), (pair.fr, "fr")):
        query = terms(text, language)
        assert query, f"line {pair.line}: {text!r} is only stop words in {language}"
        assert query == indexed_terms(text, language), f"line {pair.line}: {text!r}"


def test_a_malformed_line_is_refused_with_its_number(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_text("# comment\ncarers\taidants\nonly one side\n", encoding="utf-8")
    with pytest.raises(glossary.GlossaryError, match="line 3"):
        glossary.read(path)


def test_translations_are_found_whatever_the_inflection_or_hyphenation():
    assert "aidants" in glossary.translations("en", tuple(terms("carer", "en")))
    assert "older people" in glossary.translations("fr", tuple(terms("personne âgée", "fr")))
    for spelling in ("co-design", "codesign"):
        assert "co-conception" in glossary.translations("en", tuple(terms(spelling, "en")))


def test_the_glossary_is_read_from_the_package_the_wheel_ships():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["registry"]
    assert Path(str(glossary.PATH)).parent == ROOT / "registry" / "search"
    assert "tsv" not in (ROOT / ".gitignore").read_text()
