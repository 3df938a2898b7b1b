"""The index schema and the document made from an initiative.

Only published initiatives are ever added. Long texts are not stored: snippets are highlighted
from the database's text, which keeps the index about half the size.
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import IDTokenizer, LowercaseFilter
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, Schema

from .. import completeness, markdown, translations
from ..models import Initiative
from .analysis import TOKEN, LanguageAnalyzer, LanguageText, joined_compounds, tagged
from .ranking import FIELDS

STAGE_BITS = {"plan": 1, "design": 2, "deliver": 4, "evaluate": 8}

# The record's texts a visitor searches (and may name: `title:voisins`); their weights are in
# ranking.py.
TEXT_FIELDS = ("title", "tags", "summary", "outcomes", "organisations", "locality", "description")
# Fields a visitor may name in a query (`sector:health`); never status, id, version…
CONTROLLED_FIELDS = (
    "country", "sector", "stage", "maturity", "language", "evidence_level", "tag", "participants",
)  # fmt: skip
PUBLIC_FIELDS = (*TEXT_FIELDS, *CONTROLLED_FIELDS)
# Each weighted field's length in words, for BM25F's length normalisation (columns.py).
LENGTH_FIELDS = tuple(f"length_{name}" for name in FIELDS)


def code() -> ID:
    """A controlled field: one lower-case code (so `country:FR` finds what is stored as fr)."""
    return ID(sortable=True, analyzer=IDTokenizer() | LowercaseFilter())


def number(typecode: str = "i") -> COLUMN:
    """A number read only as a column (columns.py: filters, facets, sorting, BM25F lengths),
    never looked up as a term: not indexed. As a NUMERIC field, each value was 8 or 16 terms
    (Whoosh's range-query tiers), a fifth of a realistic record's postings."""
    return COLUMN(NumericColumn(typecode, default=0))


def make_schema() -> Schema:
    text = {name: LanguageText(analyzer=LanguageAnalyzer(), stored=False) for name in TEXT_FIELDS}
    lengths = {name: number() for name in LENGTH_FIELDS}
    return Schema(
        id=ID(unique=True, stored=True, sortable=True),
        version=STORED(),
        language_code=STORED(),
        country=code(),
        sector=code(),
        maturity=code(),
        language=code(),
        evidence_level=code(),
        completeness=code(),  # case records (issue 16): its bucket
        stage=KEYWORD(lowercase=True, scorable=False),
        participants=KEYWORD(lowercase=True, scorable=False),
        stage_mask=number(),
        tag=KEYWORD(lowercase=True, commas=True, scorable=False),
        start_year=number(),
        published=number("q"),
        title_sort=ID(sortable=True),
        # Searched, never named in a query: hyphenated words joined ("codesign").
        compounds=LanguageText(analyzer=LanguageAnalyzer(), stored=False, phrase=False),
        **text,
        **lengths,
    )


def spelling_words(i: Initiative) -> set[str]:
    """The initiative's distinct words, lower-cased: its share of the "did you mean" list.

    The list is a file beside each index generation (store.py), not an index field: indexing
    every word of every record as postings made a third of the cost of bulk indexing.
    """
    texts = [i.title, i.summary, " ".join(i.tags), i.outcomes, markdown.plain(i.description),
             markdown.plain(i.lessons), markdown.plain(i.challenges)]  # fmt: skip
    words = {m.group() for t in texts if t for m in TOKEN.finditer(t.lower())}
    return words | {w for t in texts if t for w in joined_compounds(t.lower())}


def document(i: Initiative) -> dict[str, Any]:
    """The index document of a published initiative."""
    stages = i.codes("stages")
    tags = i.tags
    published = i.published_at or i.updated_at
    language = i.language

    def text(value: str) -> str:
        return tagged(value or "", language)

    # Case records (issue 16): translations are searched with the record (analysed as its text),
    # those the public sees only (not one whose addition waits for review), their live texts.
    translated = translations.live(getattr(i, "translation_rows", None) or ())

    def also(name: str, own: str) -> str:
        if not translated:
            return own
        return " ; ".join([own or "", *(getattr(t, name) or "" for t in translated)])

    texts = {
        "title": also("title", i.title),
        "summary": also("summary", i.summary),
        # the words, not the markup; with the case record's lessons and challenges (issue 16)
        "description": "\n\n".join(
            markdown.plain(t)
            for t in (
                i.description,
                i.lessons,
                i.challenges,
                *(
                    getattr(r, n)
                    for r in translated
                    for n in ("description", "lessons", "challenges")
                ),
            )
            if t
        ),
        "outcomes": also("outcomes", i.outcomes),
        "tags": " ; ".join(tags),
        "organisations": " ; ".join([i.lead_organisation or "", *(i.partners or [])]),
        "locality": " ; ".join(p for p in (i.locality, i.region) if p),
    }
    texts["compounds"] = " ".join(w for t in texts.values() for w in joined_compounds(t))
    doc: dict[str, Any] = {
        "id": str(i.id),
        "version": i.version,
        "language_code": i.language,
        **{name: text(value) for name, value in texts.items()},
        **{f"length_{name}": len(TOKEN.findall(texts[name])) for name in FIELDS},
        "country": i.country.lower(),
        "sector": i.sector,
        "maturity": i.maturity,
        "language": i.language,
        "stage": " ".join(stages),
        "participants": " ".join(i.codes("participants")),
        "stage_mask": sum(STAGE_BITS.get(s, 0) for s in stages),
        "start_year": i.start_year or 0,
        "published": int(published.timestamp()) if published else 0,
        "title_sort": i.title.casefold()[:120],
    }
    if i.evidence_level:
        doc["evidence_level"] = i.evidence_level
    doc["completeness"] = completeness.bucket(i.completeness)
    if tags:
        doc["tag"] = ",".join(t.lower() for t in tags)
    return doc
