"""A deterministic synthetic corpus of initiatives for benchmarks.

Zipf-like vocabularies of a few thousand pseudo-words per language with real domain words mixed
in, English and French records (and a few others), controlled fields spread unevenly as real
catalogues are (a few countries and sectors dominate). Same seed, same corpus.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

from registry import vocab


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


DOMAIN_EN = _words(
    "patients care citizens volunteers police parents school health community service users "
    "carers families housing waste energy transport library youth elderly disability employment "
    "training neighbourhood safety budget participatory design evaluation pilot programme "
    "council hospital nurses doctors children social workers prevention crime recycling"
)
DOMAIN_FR = _words(
    "patients soins citoyens bénévoles police parents école santé quartier usagers aidants "
    "familles logement déchets énergie transports bibliothèque jeunes personnes âgées handicap "
    "emploi formation sécurité budget participatif conception évaluation programme mairie "
    "hôpital infirmières médecins enfants travailleurs sociaux prévention cambriolages "
    "maladies chroniques thérapeutique parentalité"
)
RARE = ("dialysis", "ombudsman", "allotment", "hackathon")  # planted in about 0.2% of records
PHRASE = "peer support"  # planted in about 5% of English records
EVALUATION_SOURCE = {
    "type": "evaluation_report", "title": "Evaluation report", "url": "https://example.org/evaluation.pdf",
}  # fmt: skip
COUNTRIES = ("FR", "GB", "CA", "US", "FI", "NO", "DE", "ES", "IT", "NL", "BE", "SE", "DK", "PT",
             "IE", "AU", "NZ", "BR", "JP", "KR", "CH", "AT", "PL", "CZ", "MX", "CL", "EE", "LT",
             "SI", "IS")  # fmt: skip
SYLLABLES = _words(
    "ka ro mi te sa lu po ne di va ri co ba fe lo ma ti su ge na pe sho tra ble ver gan mon dal pri"
)
ENDINGS = {
    "en": ("", "s", "ing", "ed", "tion", "ness"),
    "fr": ("", "s", "ment", "é", "ées", "tion"),
}


def _vocabulary(rng: random.Random, lang: str, size: int, domain: tuple[str, ...]) -> list[str]:
    words: list[str] = []
    seen = set(domain)
    while len(words) < size:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        word = stem + rng.choice(ENDINGS[lang])
        if word not in seen:
            seen.add(word)
            words.append(word)
    # Domain words are common, but not the commonest: spread them over the top ranks.
    for n, word in enumerate(domain):
        words.insert(5 + n * 7, word)
    return words


def _zipf_weights(size: int) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** 1.05 for rank in range(size)))


class Corpus:
    """Generates records; `record(n)` is the n-th record (deterministic)."""

    def __init__(self, seed: int = 2026, vocabulary_size: int = 6000):
        rng = random.Random(seed)
        self.seed = seed
        self.words = {
            "en": _vocabulary(rng, "en", vocabulary_size, DOMAIN_EN),
            "fr": _vocabulary(rng, "fr", vocabulary_size, DOMAIN_FR),
        }
        self.weights = {lang: _zipf_weights(len(w)) for lang, w in self.words.items()}
        self.tags = [f"{rng.choice(DOMAIN_EN)} {rng.choice(SYLLABLES)}{n}" for n in range(300)]
        self.country_weights = _zipf_weights(len(COUNTRIES))
        self.sectors = vocab.SECTOR.codes
        self.sector_weights = _zipf_weights(len(self.sectors))

    def _text(self, rng: random.Random, lang: str, n: int) -> str:
        return " ".join(rng.choices(self.words[lang], cum_weights=self.weights[lang], k=n))

    def record(self, n: int) -> dict[str, Any]:
        rng = random.Random(self.seed * 1_000_003 + n)
        roll = rng.random()
        language = "en" if roll < 0.62 else "fr" if roll < 0.95 else rng.choice(("de", "es"))
        text_lang = language if language in ("en", "fr") else "en"
        description = self._text(rng, text_lang, rng.randint(120, 240))
        if rng.random() < 0.002:
            description += " " + rng.choice(RARE)
        if text_lang == "en" and rng.random() < 0.05:
            description = f"{PHRASE} " + description
        maturity = "integrated" if rng.random() < 0.4 else "pilot"
        start = rng.randint(1995, 2025)
        record = {
            "title": self._text(rng, text_lang, rng.randint(4, 9)).capitalize()[:200],
            "summary": self._text(rng, text_lang, rng.randint(18, 40))[:600],
            "description": description,
            "outcomes": self._text(rng, text_lang, rng.randint(10, 30)),
            "language": language,
            "country": rng.choices(COUNTRIES, cum_weights=self.country_weights)[0],
            "locality": self._text(rng, text_lang, 1).capitalize(),
            "sector": rng.choices(self.sectors, cum_weights=self.sector_weights)[0],
            "stages": sorted(set(rng.choices(vocab.STAGE.codes, k=rng.randint(1, 3)))),
            "maturity": maturity,
            "start_year": start,
            "mainstreamed_year": min(2025, start + rng.randint(1, 6))
            if maturity == "integrated"
            else None,
            "evidence_level": rng.choice((*vocab.EVIDENCE_LEVEL.codes, None, None)),
            "lead_organisation": f"{self._text(rng, text_lang, 2).title()} council",
            "partners": [self._text(rng, text_lang, 2).title() for _ in range(rng.randint(0, 3))],
            "tags": sorted(set(rng.sample(self.tags, rng.randint(0, 4)))),
            "participants": sorted(set(rng.choices(vocab.PARTICIPANTS.codes, k=2))),
        }
        if record["evidence_level"] in vocab.EVALUATED_LEVELS:  # a claimed evaluation names one
            record["sources"] = [EVALUATION_SOURCE]
        return record

    def records(self, count: int) -> Iterator[dict[str, Any]]:
        return (self.record(n) for n in range(count))

    def word_at_rank(self, lang: str, rank: int) -> str:
        return self.words[lang][rank]
