"""Markdown's cost is bounded: pathological descriptions are refused with their field error,
and a description is rendered once per revision, not on every page view or search hit."""

from __future__ import annotations

import random
import re

import pytest

from registry import markdown
from registry.schemas import ValidationFailed, validate_initiative
from registry.search import highlights, parsing
from tests.conftest import run_import, valid_record

PATHOLOGICAL = {
    "repeated image openers": "![" * 25_000,
    "repeated link openers": "[" * 50_000,
    "repeated emphasis": "*a" * 25_000,
    "deep lists": "\n".join("  " * i + "- item" for i in range(12)),
    "deep quotes": "> " * 40 + "quoted",
    "quotes of lists": "\n".join("> " * i + "- item" for i in range(12)),
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_markdown_is_refused_with_the_description_field_error(name):
    with pytest.raises(ValidationFailed) as failed:
        validate_initiative(valid_record(description=PATHOLOGICAL[name]))
    assert list(failed.value.fields) == ["description"]
    assert "at most" in failed.value.fields["description"][0]


def test_ordinary_markdown_passes_the_limits():
    text = (
        "# Context\n\nA **pilot** with [the city](https://example.org) and _residents_.\n\n"
        "- one\n  - two\n    > a quote in a list\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert markdown.problem(text) is None
    assert validate_initiative(valid_record(description=text)).description == text.strip()


def _nested_texts(seed: int, count: int):
    """Texts whose lines start with quotes, bullets, numbers, spaces and tabs in any order."""
    rng = random.Random(seed)
    starts = [">", ">", ">", "- ", "1) ", "2. ", " ", "  ", "\t", "-\t", "*", "+ "]
    ends = ["a", "", "b c", "```", "- x", "> y", "---"]
    for _ in range(count):
        lines = ["".join(rng.choice(starts) for _ in range(rng.randint(0, 9))) + rng.choice(ends)
                 for _ in range(rng.randint(1, 12))]  # fmt: skip
        yield "\n".join(lines)


def test_the_depth_shortcut_never_passes_a_text_the_parse_refuses():
    """`_shallow` skips the parse only where a line's start bounds the nesting: it agrees with
    the parse on thousands of awkward texts, and at the limit itself."""
    seen = set()
    for text in _nested_texts(seed=15, count=4_000):
        if markdown._shallow(text):
            depth = int(markdown._deepest(text))
            assert depth <= markdown.MAX_DEPTH, repr(text)
            seen.add(depth)
    assert max(seen) >= 6  # the texts reach near the limit without a line start saying so
    at_limit = ">" * markdown.MAX_DEPTH + "a"
    assert markdown._shallow(at_limit) and int(markdown._deepest(at_limit)) == markdown.MAX_DEPTH
    assert not markdown._shallow(">" + at_limit)
    assert markdown.problem(">" + at_limit) is not None
    for text in PATHOLOGICAL.values():
        assert not markdown._shallow(text) or markdown.problem(text) is not None


def test_markdown_at_the_limits_is_accepted_and_rendered_whole():
    """What rendering at the limits costs is measured by `python -m bench.markdown` (about
    25-30 ms against 1.3 s for the 25,000 "![" the limits refuse)."""
    words = ("lorem ipsum dolor sit amet consectetur " * 2000)[:45_000]
    step = len(words) // markdown.MAX_LINKS
    text = "".join(words[i * step : (i + 1) * step] + "![" for i in range(markdown.MAX_LINKS))
    assert markdown.problem(text) is None
    assert markdown.problem(text + "[") is not None
    assert markdown.plain(text + " at the limits").endswith("at the limits")


def test_api_refuses_a_pathological_description_with_a_field_error(client, users, api_token):
    owner = api_token(users["submitter"].email)
    answer = client.post(
        "/api/v1/initiatives", json=valid_record(description="![" * 25_000), headers=owner
    )
    assert answer.status_code in (400, 422)
    assert "description" in answer.get_data(as_text=True)


def test_import_reports_the_pathological_row_and_writes_nothing(app):
    from registry.transfer.importing import ImportFailed, Row

    rows = [Row("row 2", valid_record()), Row("row 3", valid_record(description="![" * 9_000))]
    with pytest.raises(ImportFailed) as failed:
        run_import(app, rows)
    assert [(p.row, p.field) for p in failed.value.problems] == [("row 3", "description")]


def test_page_views_and_search_hits_render_a_description_once(app, client, make_initiative):
    description = "Tenants **co-design** the repairs of their homes (render count check)."
    initiative_id = make_initiative(description=description, title="Tenants repair homes")
    rendered = markdown.CACHE.computed
    for _ in range(3):
        assert client.get(f"/initiatives/{initiative_id}", follow_redirects=True).status_code == 200
        assert client.get("/initiatives?q=repairs").status_code == 200
    # One HTML rendering (the page), one plain text (snippets; made from that HTML).
    assert markdown.CACHE.computed - rendered <= 2
    again = markdown.CACHE.computed
    client.get(f"/initiatives/{initiative_id}", follow_redirects=True)
    client.get("/initiatives?q=repairs")
    assert markdown.CACHE.computed == again


def test_an_edit_is_rendered_afresh():
    assert "<strong>old</strong>" in markdown.render("**old** text")
    assert "<em>new</em>" in markdown.render("*new* text")


def test_snippet_work_stops_early_and_is_bounded_for_long_texts():
    parsed = parsing.parse("community health", ("en",))
    wanted = highlights.wanted(parsed, "en")
    filler = " ".join(f"word{i}" for i in range(9_000))  # about 80,000 characters
    early = highlights.mark("community health " + filler, "en", wanted, whole=False)
    assert early and early.startswith("<mark>community</mark> <mark>health</mark>")

    def analysed() -> int:  # words analysed so far (each call of the memoised analysis)
        info = highlights._analysed.cache_info()
        return info.hits + info.misses

    # Beyond SCAN_CHARS a fragment is not looked for: one C search, no word analysed.
    before = analysed()
    assert highlights.mark(filler + " community", "en", wanted, whole=False) is None
    assert analysed() == before
    # Every word a candidate: at most the words of SCAN_CHARS are analysed, not 20,000.
    before = analysed()
    highlights.mark("common " * 20_000 + "community", "en", wanted, whole=False)
    assert analysed() - before <= highlights.SCAN_CHARS // len("common ") + 1


def test_a_word_in_every_sentence_gives_short_fragments_with_every_shown_match_marked():
    wanted = highlights.wanted(parsing.parse("police", ("en",)), "en")
    text = "The police volunteers met the residents on the street. " * 200
    marked = highlights.mark(text, "en", wanted, whole=False)
    plain = re.sub("</?mark>", "", marked)
    assert len(plain) <= highlights.FRAGMENTS * (highlights.FRAGMENT_CHARS + 2)
    assert marked.count("<mark>police</mark>") == plain.count("police") > 2
    assert plain.endswith(" …") and "… …" not in plain


def test_phrases_are_marked_in_fragments():
    parsed = parsing.parse('"community health"', ("en",))
    wanted = highlights.wanted(parsed, "en")
    text = "health first. " + "word " * 50 + "a community health centre"
    marked = highlights.mark(text, "en", wanted, whole=False)
    assert "<mark>community</mark> <mark>health</mark> centre" in marked


@pytest.mark.parametrize(
    ("query", "language", "text", "marked"),
    [
        ("école", "fr", "Une ÉCOLE ouverte le soir.", "<mark>ÉCOLE</mark>"),
        ("codesign", "en", "Tenants co-design repairs.", "<mark>co-design</mark>"),
        ("cities", "en", "Two city halls.", "<mark>city</mark>"),
        ("naive", "en", "A naïve plan.", "<mark>naïve</mark>"),
    ],
)
def test_the_candidate_search_finds_folded_and_joined_forms(query, language, text, marked):
    wanted = highlights.wanted(parsing.parse(query, (language,)), language)
    assert marked in highlights.mark(("filler " * 200) + text, language, wanted, whole=False)
    assert highlights.mark("nothing to see here " * 50, language, wanted, whole=False) is None
