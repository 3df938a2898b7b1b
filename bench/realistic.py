"""A realistic corpus of initiatives for benchmarks: real words at their real frequencies.

Words come from the `wordfreq` package (a bench-only extra: `pip install -e .[bench]`, locked in
requirements/test.txt): the 40,000 commonest English, French, German and Spanish words, each
drawn with its measured frequency, so texts have real stop words, real word lengths and a real
long tail. Mixed in at catalogue-like rates: domain words (patients, volunteers, bénévoles…),
rare planted words, a planted phrase. Records are shaped as case studies are:

- 65 % English, 30 % French, 5 % German or Spanish (texts in their language);
- descriptions of log-normal length, median 450 words (about 300–700 for half of them, a tail
  past 1,500), in Markdown: `##` headings, paragraphs of sentences, bullet lists, bold words,
  an occasional link;
- title 4–12 words, summary 25–70 words, outcomes 30–150 words;
- controlled fields skewed as real catalogues are (a few countries and sectors hold most
  records), tags from a pool of 400, 0–4 partners.

Same seed, same corpus. `shape(corpus, count)` describes a corpus; every benchmark prints it.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

from registry import vocab

from .corpus import COUNTRIES, DOMAIN_EN, DOMAIN_FR, PHRASE, RARE

LANGUAGES = (("en", 0.65), ("fr", 0.30), ("de", 0.03), ("es", 0.02))
VOCABULARY = 40_000  # commonest words per language
MEDIAN_WORDS = 450
SIGMA = 0.45  # of the log-normal description length: half the descriptions 330–610 words
DOMAIN_SHARE = 0.06  # of a description's words drawn from the domain list
HEADINGS = {
    "en": ("Context", "What was done", "Who took part", "Results", "Lessons"),
    "fr": ("Contexte", "Ce qui a été fait", "Participants", "Résultats", "Enseignements"),
    "de": ("Kontext", "Vorgehen", "Beteiligte", "Ergebnisse", "Lehren"),
    "es": ("Contexto", "Qué se hizo", "Participantes", "Resultados", "Lecciones"),
}
DOMAIN = {"en": DOMAIN_EN, "fr": DOMAIN_FR, "de": DOMAIN_EN, "es": DOMAIN_EN}


@cache
def _words(language: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The language's commonest words (letters only) and their cumulative frequencies."""
    import wordfreq  # bench-only dependency

    words = [w for w in wordfreq.top_n_list(language, VOCABULARY * 2) if w.isalpha()]
    words = words[:VOCABULARY]
    weights = [wordfreq.word_frequency(w, language) for w in words]
    return tuple(words), tuple(itertools.accumulate(weights))


def _zipf(size: int) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** 1.1 for rank in range(size)))


class RealisticCorpus:
    """Generates records; `record(n)` is the n-th record (deterministic)."""

    name = "realistic (wordfreq)"

    def __init__(self, seed: int = 2026):
        self.seed = seed
        rng = random.Random(seed)
        self.country_weights = _zipf(len(COUNTRIES))
        self.sectors = vocab.SECTOR.codes
        self.sector_weights = _zipf(len(self.sectors))
        en_words, _ = _words("en")
        self.tags = [
            f"{rng.choice(DOMAIN_EN)} {rng.choice(en_words[300:3000])}" for _ in range(400)
        ]
        self.tag_weights = _zipf(len(self.tags))

    # --- text ---------------------------------------------------------------------------

    def _draw(self, rng: random.Random, language: str, k: int) -> list[str]:
        words, cumulative = _words(language)
        drawn = rng.choices(words, cum_weights=cumulative, k=k)
        domain = DOMAIN[language]
        for i in range(k):
            if rng.random() < DOMAIN_SHARE:
                drawn[i] = rng.choice(domain)
        return drawn

    def _sentences(self, rng: random.Random, language: str, k: int) -> str:
        words = self._draw(rng, language, k)
        out, at = [], 0
        while at < len(words):
            n = rng.randint(8, 24)
            sentence = words[at : at + n]
            at += n
            if rng.random() < 0.08:
                i = rng.randrange(len(sentence))
                sentence[i] = f"**{sentence[i]}**"
            out.append(" ".join(sentence).capitalize() + ".")
        return " ".join(out)

    def description(self, rng: random.Random, language: str, length: int) -> str:
        """Markdown of about `length` words: headed sections of paragraphs and lists."""
        headings = HEADINGS[language]
        sections = max(1, min(len(headings), length // 120))
        per = length // sections
        parts = []
        for s in range(sections):
            if sections > 1:
                parts.append(f"## {headings[s]}")
            left = per
            while left > 0:
                if rng.random() < 0.2 and left > 30:
                    items = rng.randint(2, 5)
                    parts.append(
                        "\n".join(
                            "- " + self._sentences(rng, language, rng.randint(5, 14))
                            for _ in range(items)
                        )
                    )
                    left -= items * 9
                else:
                    n = min(left, rng.randint(40, 110))
                    paragraph = self._sentences(rng, language, n)
                    if rng.random() < 0.05:
                        paragraph += " See [the report](https://example.org/reports/1.pdf)."
                    parts.append(paragraph)
                    left -= n
        return "\n\n".join(parts)

    # --- records ------------------------------------------------------------------------

    def record(self, n: int) -> dict[str, Any]:
        rng = random.Random(self.seed * 1_000_003 + n)
        language = rng.choices([lang for lang, _ in LANGUAGES], [w for _, w in LANGUAGES])[0]
        length = round(rng.lognormvariate(math.log(MEDIAN_WORDS), SIGMA))
        length = max(60, min(length, 3_000))
        description = self.description(rng, language, length)
        if rng.random() < 0.002:
            description += f" {rng.choice(RARE).capitalize()} was part of it."
        if language == "en" and rng.random() < 0.05:
            description = f"A {PHRASE} scheme. " + description
        maturity = "integrated" if rng.random() < 0.4 else "pilot"
        start = rng.randint(1995, 2025)
        multi = {
            name: sorted(set(rng.choices(vocab.MULTI_FIELDS[name].codes, k=rng.randint(0, 3))))
            for name in ("participants", "contributions", "motives", "obstacles",
                         "success_factors")
        }  # fmt: skip
        return {
            "title": " ".join(self._draw(rng, language, rng.randint(4, 12))).capitalize()[:200],
            "summary": self._sentences(rng, language, rng.randint(25, 70))[:600],
            "description": description[:49_000],
            "outcomes": self._sentences(rng, language, rng.randint(30, 150))[:49_000],
            "language": language,
            "country": rng.choices(COUNTRIES, cum_weights=self.country_weights)[0],
            "locality": " ".join(self._draw(rng, language, 1)).capitalize(),
            "sector": rng.choices(self.sectors, cum_weights=self.sector_weights)[0],
            "stages": sorted(set(rng.choices(vocab.STAGE.codes, k=rng.randint(1, 3)))),
            "maturity": maturity,
            "start_year": start,
            "mainstreamed_year": min(2025, start + rng.randint(1, 6))
            if maturity == "integrated"
            else None,
            "evidence_level": rng.choice((*vocab.EVIDENCE_LEVEL.codes, None, None)),
            "lead_organisation": " ".join(self._draw(rng, language, 2)).title()[:300],
            "partners": [
                " ".join(self._draw(rng, language, 2)).title() for _ in range(rng.randint(0, 4))
            ],
            "tags": sorted(
                set(rng.choices(self.tags, cum_weights=self.tag_weights, k=rng.randint(0, 4)))
            ),
            **multi,
        }

    def records(self, count: int) -> Iterator[dict[str, Any]]:
        return (self.record(n) for n in range(count))

    # --- what the benchmarks ask --------------------------------------------------------

    def word_at_rank(self, lang: str, rank: int) -> str:
        """The `rank`-th commonest word of the descriptions that is not a stop word."""
        return _content_words(lang)[rank]

    def french_word(self) -> str:
        return "bénévoles"


@cache
def _content_words(lang: str) -> tuple[str, ...]:
    from registry.search.analysis import PIPELINES, analysis_language

    pipeline = PIPELINES[analysis_language(lang)]
    words, _ = _words(lang)
    return tuple(w for w in words if len(w) > 3 and next(iter(pipeline(w)), None) is not None)


def shape(corpus, count: int, sample: int = 2_000) -> dict[str, Any]:
    """What the corpus's records look like (over its first `sample` records)."""
    records = [corpus.record(n) for n in range(min(count, sample))]
    n = len(records)
    lengths = sorted(len(r["description"].split()) for r in records)
    chars = [len(r["description"]) for r in records]
    languages = Counter(r["language"] for r in records)
    countries = Counter(r["country"] for r in records)
    sectors = Counter(r["sector"] for r in records)

    def share(counter: Counter, k: int) -> float:
        return round(sum(n for _, n in counter.most_common(k)) / len(records), 2)

    def pct(q: float) -> int:
        return lengths[min(len(lengths) - 1, int(q * len(lengths)))]

    return {
        "corpus": getattr(corpus, "name", type(corpus).__name__),
        "records": count,
        "sampled": len(records),
        "languages": {k: round(v / len(records), 2) for k, v in languages.most_common()},
        "description_words": {
            "mean": round(statistics.mean(lengths)),
            "median": pct(0.5),
            "p10": pct(0.1),
            "p90": pct(0.9),
            "max": lengths[-1],
        },
        "description_chars_mean": round(statistics.mean(chars)),
        "record_chars_mean": round(
            statistics.mean(
                sum(len(r[f]) for f in ("title", "summary", "description", "outcomes"))
                for r in records
            )
        ),
        "top3_countries_share": share(countries, 3),
        "top3_sectors_share": share(sectors, 3),
        "markdown": {
            "with_headings": round(sum("## " in r["description"] for r in records) / n, 2),
            "with_lists": round(sum("\n- " in r["description"] for r in records) / n, 2),
        },
    }


def print_shape(corpus, count: int) -> dict[str, Any]:
    described = shape(corpus, count)
    words = described["description_words"]
    print(
        f"corpus: {described['corpus']}, {count:,} records (shape over "
        f"{described['sampled']:,}): languages {described['languages']}; description words "
        f"mean {words['mean']}, median {words['median']}, p10 {words['p10']}, p90 "
        f"{words['p90']}, max {words['max']}; description {described['description_chars_mean']}"
        f" chars, whole record {described['record_chars_mean']} chars on average; top 3 "
        f"countries {described['top3_countries_share']:.0%}, top 3 sectors "
        f"{described['top3_sectors_share']:.0%}; Markdown headings "
        f"{described['markdown']['with_headings']:.0%}, lists "
        f"{described['markdown']['with_lists']:.0%}"
    )
    return described
