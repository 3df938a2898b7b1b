"""Snippets skip the words that cannot match: the same marks as reading every word, at the
cost of the candidate words only (registry/search/highlights.py)."""

from __future__ import annotations

import random

import pytest
from wordfreq import top_n_list

from bench.realistic import RealisticCorpus
from registry import markdown
from registry.search import highlights, parsing
from registry.search.analysis import NEUTRAL

LANGUAGES = ("en", "fr", "de", "es")


def _words_analysed() -> int:
    info = highlights._analysed.cache_info()
    return info.hits + info.misses


def _queries(text: str, rng: random.Random) -> list[str]:
    """Fixed queries of every kind, and words, prefixes and phrases taken from `text`."""
    queries = ['"peer support"', "volunt*", "bénévoles", "community", "co-design", "died",
               "participatory budget", "support OR care", "NOT health community", "communau*",
               '"of the"', "santé"]  # fmt: skip
    words = text.split()
    for _ in range(6):
        at = rng.randrange(max(1, len(words) - 3))
        chunk = " ".join(words[at : at + rng.choice((1, 2, 3))]).strip('"')
        queries += [f'"{chunk}"', chunk, words[at][:4] + "*"]
    return queries


def test_skipping_to_candidates_marks_what_reading_every_word_marks(monkeypatch):
    corpus, rng = RealisticCorpus(), random.Random(15)
    cases = []
    for n in range(40):
        record = corpus.record(n)
        texts = [record["title"], record["summary"], record["outcomes"]]
        texts.append(markdown.plain(record["description"]))
        for q in _queries(texts[-1], rng):
            parsed = parsing.parse(q, LANGUAGES)
            language = record["language"] if record["language"] in ("en", "fr") else NEUTRAL
            wanted = highlights.wanted(parsed, language) if parsed else None
            if wanted:
                cases += [(text, record["language"], wanted, whole) for text in texts
                          for whole in (False, True)]  # fmt: skip
    skipping = [highlights.mark(t, lang, w, whole=whole) for t, lang, w, whole in cases]
    # Every position a candidate: the scan reads each word in turn.
    monkeypatch.setattr(highlights, "_candidates", lambda text, limit, hints: iter(range(limit)))
    reading = [highlights.mark(t, lang, w, whole=whole) for t, lang, w, whole in cases]
    assert len(cases) > 5_000
    assert sum(m is not None for m in reading) > 1_000
    assert skipping == reading


@pytest.mark.parametrize("language", ["en", "fr", NEUTRAL])
def test_every_common_word_holds_the_hint_of_its_analysed_form(language):
    """The candidate search's premise, on the 30,000 commonest words of four languages."""
    missed = []
    for vocabulary in LANGUAGES:
        for word in top_n_list(vocabulary, 30_000):
            form = highlights._analysed(language, word)
            if form is None:
                continue
            hints = highlights._hints(highlights.Wanted(frozenset({form})))
            if next(highlights._candidates(word, len(word), hints), None) is None:
                missed.append((word, form))
    assert missed == []


@pytest.mark.parametrize(
    ("query", "language", "text", "marked"),
    [
        ("died", "en", "Nobody was dying there.", "<mark>dying</mark>"),
        ("lie", "en", "The lying in state.", "<mark>lying</mark>"),
        ("die*", "en", "Patients dying at home.", "<mark>dying</mark>"),
        ("ace", "en", "The team was acing it.", "<mark>acing</mark>"),
        ("Bjorn", "en", "Named after Bjørn.", "<mark>Bjørn</mark>"),
        ("foyer", "fr", "Le foyer du quartier.", "<mark>foyer</mark>"),
        ("œuvre", "fr", "Une Œuvre commune.", "<mark>Œuvre</mark>"),
        ("İstanbul", "en", "Bus lines of İstanbul.", "<mark>İstanbul</mark>"),
        ("codesign", "en", "Tenants co\u2011design repairs.", "<mark>co\u2011design</mark>"),
    ],
)
def test_words_whose_stem_or_folding_differs_are_still_marked(query, language, text, marked):
    wanted = highlights.wanted(parsing.parse(query, (language,)), language)
    filler = "filler words here. " * 100
    assert marked in highlights.mark(filler + text + " " + filler, language, wanted, whole=False)


def test_a_phrase_with_one_match_in_a_long_text_reads_only_the_words_near_candidates():
    wanted = highlights.wanted(parsing.parse('"peer support"', ("en",)), "en")
    filler = " ".join(["the residents met the team in the hall."] * 150)  # 6,000 characters
    text = "A peer support scheme. " + filler
    before = _words_analysed()
    marked = highlights.mark(text, "en", wanted, whole=False)
    assert marked.startswith("A <mark>peer</mark> <mark>support</mark> scheme.")
    # Reading every word would analyse about 1,200; the words between candidates are skipped.
    assert _words_analysed() - before < 20


def test_a_phrase_across_a_stop_word_is_marked_when_the_stop_word_is_skipped():
    """Stop words are transparent in a phrase, as in the index: "peer" … "support" with only
    "of" between them matches, skipped or not; any other word between them ends it."""
    wanted = highlights.wanted(parsing.parse('"peer support"', ("en",)), "en")
    assert "<mark>peer</mark> of <mark>support</mark>" in highlights.mark(
        "Some peer of support here.", "en", wanted, whole=True
    )
    assert highlights.mark("Some peer garden support here.", "en", wanted, whole=True) is None
