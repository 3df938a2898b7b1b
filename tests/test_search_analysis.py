"""Indexing's shortcuts give the index Whoosh's own path would: the table-driven analysis of
LanguageText against the token pipeline of a plain TEXT field, word for word and position for
position, on the seed records' texts in every language and on awkward input; and numbers
kept as columns only, against the indexed NUMERIC fields of earlier generations."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import NUMERIC, TEXT

from registry import initiatives
from registry.db import read_session
from registry.paths import SEEDS
from registry.search import columns
from registry.search.analysis import LanguageAnalyzer, LanguageText, analysing, tagged
from registry.search.schema import document, make_schema
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


def test_numbers_kept_as_columns_read_as_the_numeric_fields_of_older_indexes_did(
    app, make_initiative, tmp_path
):
    """Generations made before numbers became column-only fields (NUMERIC, indexed as
    terms) still give the arrays that filters, facets, sorting and BM25F read."""
    make_initiative(title="Short", start_year=1999, stages=["plan", "evaluate"])
    make_initiative(title="A longer title of several words", summary="Two words " * 40)
    make_initiative(title="No year", stages=["deliver"])
    with read_session(app.extensions["registry"].engine) as session:
        docs = [document(row) for row in session.scalars(initiatives.public_query())]
    new = make_schema()
    old = make_schema()
    for name in columns.NUMBERS:
        old.remove(name)
        old.add(name, NUMERIC(int, bits=64 if name == "published" else 32, sortable=True))
    arrays = []
    for label, schema in (("old", old), ("new", new)):
        folder = tmp_path / label
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), schema)
        with ix.writer() as writer:
            for doc in docs:
                writer.add_document(**doc)
        with ix.searcher() as searcher:
            arrays.append(columns.build(searcher.reader(), str(folder)).numbers)
    assert set(arrays[0]) == set(arrays[1]) == set(columns.NUMBERS)
    for name in columns.NUMBERS:
        assert arrays[0][name].tolist() == arrays[1][name].tolist(), name
    assert sorted(arrays[1]["start_year"].tolist()) == [0, 0, 1999]
