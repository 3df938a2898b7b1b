"""Indexing's shortcuts give the index Whoosh's own path would: the table-driven analysis of
LanguageText against the token pipeline of a plain TEXT field, word for word and position for
position, on the seed records' texts in every language and on awkward input."""

from __future__ import annotations

import pytest
from whoosh.fields import TEXT

from registry.paths import SEEDS
from registry.search.analysis import LanguageAnalyzer, LanguageText, analysing, tagged
from registry.seeds import SEED_FILE, load_records

AWKWARD = [
    "",
    "   ",
    "The the THE a an",  # stop words only, and first: positions start after them
    "The cat and the hat sat on the mat",
    "Les aidants et l'aide aux aidantes",  # stem overrides
    "İstanbul ǅemal STRASSE ẞ ß",  # lower-casing that changes length
    "3.5 e.g. co-design **peer** _underscored_ x_y",
    "élève Élève ÉLÈVE thérapeutique therapeutique",
    "x\u0301y café\u0301",  # combining accents
    "ﬁnance ﬂow Ⅻ ½ ² ٣",  # ligatures, numerals
    "word " * 300,
]


def texts() -> list[tuple[str, str | None]]:
    found = [(t, language) for t in AWKWARD for language in ("en", "fr", "de", None)]
    for record in load_records(SEEDS / SEED_FILE):
        for name in ("title", "summary", "description", "outcomes", "locality"):
            if record.get(name):
                found.append((record[name], record.get("language")))
    return found


@pytest.mark.parametrize("phrase", [True, False], ids=["positions", "frequencies"])
def test_language_text_indexes_what_the_token_pipeline_indexes(phrase):
    fast = LanguageText(analyzer=LanguageAnalyzer(), phrase=phrase)
    pipeline = TEXT(analyzer=LanguageAnalyzer(), phrase=phrase)
    cases = texts()
    assert len(cases) > 100
    for text, language in cases:
        value = tagged(text, language)
        assert sorted(fast.index(value)) == sorted(pipeline.index(value)), (language, text[:60])


def test_untagged_text_is_analysed_in_the_current_language():
    fast = LanguageText(analyzer=LanguageAnalyzer())
    pipeline = TEXT(analyzer=LanguageAnalyzer())
    for language in ("en", "fr", "xx"):
        with analysing(language):
            value = "Les aidants des élèves running"
            assert sorted(fast.index(value)) == sorted(pipeline.index(value))
