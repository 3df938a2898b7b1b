"""Country names from ISO 3166-1 (pycountry), localized with pycountry's own translations."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry


@cache
def _translation(locale: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True
    )


def name(code: str, locale: str = "en") -> str:
    """The country's common name in `locale`; the code itself when unknown."""
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    if locale.startswith("en"):
        return english
    return _translation(locale[:2]).gettext(country.name)


def all_countries(locale: str = "en") -> list[tuple[str, str]]:
    """(code, name) pairs sorted by localized name, for selects."""
    pairs = [(c.alpha_2, name(c.alpha_2, locale)) for c in pycountry.countries]
    return sorted(pairs, key=lambda p: p[1].casefold())


def flag(code: str) -> str:
    """The flag emoji of a country code (regional indicator symbols)."""
    return "".join(chr(0x1F1E6 + ord(ch) - ord("A")) for ch in code.upper() if "A" <= ch <= "Z")
