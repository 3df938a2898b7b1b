"""Template helpers of the search page: facet toggles, removable filter chips, similar items
and why they are similar.

The URL holds the whole state, so every control is a plain link or GET form (no JavaScript).
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from markupsafe import Markup, escape

from .. import search
from ..extensions import db, search_index
from ..filters import Filters
from ..i18n import language_name
from ..models import Initiative
from .labels import country_name, label
from .urls import url_with

SINGLE = ("maturity", "evidence_level", "language", "completeness")
FACET_VOCABULARY = {"sector": "sector", "stage": "stage", "maturity": "maturity",
                    "evidence_level": "evidence_level", "completeness": "completeness",
                    "link": "link_type"}  # fmt: skip


def is_active(filters: Filters, name: str, value: str) -> bool:
    current = getattr(filters, name)
    return value in current if isinstance(current, tuple) else current == value


def facet_url(filters: Filters, name: str, value: str) -> str:
    """The URL with `value` of facet `name` switched on or off."""
    current = getattr(filters, name)
    if name in SINGLE:
        return url_with(filters, **{name: None if current == value else value}, page=1)
    values = tuple(v for v in current if v != value)
    if value not in current:
        values = (*current, value)
    return url_with(filters, **{name: values}, page=1)


def facet_label(name: str, value: str) -> str:
    if name == "country":
        return country_name(value)
    if name == "language":
        return language_name(value, standalone=True)
    return label(FACET_VOCABULARY[name], value)


def active_chips(filters: Filters) -> list[tuple[str, str]]:
    """(text, URL without it) for every active filter, so each can be removed."""
    chips = []
    if filters.q:
        chips.append((f"“{filters.q}”", url_with(filters, q="", page=1)))
    for name in ("country", "sector", "stage", "maturity", "evidence_level", "language",
                 "completeness", "link"):  # fmt: skip
        current = getattr(filters, name)
        for value in current if isinstance(current, tuple) else [current] if current else []:
            chips.append((facet_label(name, value), _without(filters, name, value)))
    for tag in filters.tag:
        chips.append((f"#{tag}", _without(filters, "tag", tag)))
    for name in ("year_from", "year_to"):
        if getattr(filters, name):
            sign = "≥" if name == "year_from" else "≤"
            chips.append((f"{sign} {getattr(filters, name)}", url_with(filters, **{name: None})))
    return chips


def _without(filters: Filters, name: str, value: str) -> str:
    return url_with(filters.without(name, value))


def hidden_state(filters: Filters, *skip: str) -> Markup:
    """Hidden inputs carrying the current filters through a GET form."""
    pairs = [(k, v) for k, v in replace(filters, page=1).to_args() if k not in skip]
    return Markup("").join(
        Markup('<input type="hidden" name="{}" value="{}">').format(escape(k), escape(v))
        for k, v in pairs
    )


def snippet(hit: search.Hit) -> Markup | None:
    """The best highlighted fragment (escaped by the search package, <mark> kept)."""
    for name in ("summary", "description", "outcomes"):
        if name in hit.highlights:
            return Markup(hit.highlights[name])
    return None


def similar_initiatives(initiative: Initiative) -> list[search.Similar]:
    """Alike published initiatives; none while search is unavailable (the page still works)."""
    try:
        return search.similar(search_index(), db(), initiative)
    except search.SearchUnavailable:
        return []


def similar_reasons(alike: search.Similar) -> str:
    """Why a record is listed as similar: "same sector · both about police, burglary"."""
    reasons = []
    if alike.same_sector:
        reasons.append(_("same sector"))
    if alike.subjects:
        reasons.append(_("both about %(subjects)s", subjects=", ".join(alike.subjects)))
    if alike.same_country:
        reasons.append(_("same country"))
    return " · ".join(reasons)


HELPERS = {
    "facet_url": facet_url,
    "facet_label": facet_label,
    "facet_active": is_active,
    "active_chips": active_chips,
    "hidden_state": hidden_state,
    "hit_snippet": snippet,
    "similar_initiatives": similar_initiatives,
    "similar_reasons": similar_reasons,
}
