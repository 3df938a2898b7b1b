"""Codes as a reader sees them, in the interface's language: vocabulary labels, country names,
and a record field's value (the curators' diffs)."""

from __future__ import annotations

from .. import countries, vocab
from ..i18n import current_locale, language_name


def label(vocabulary: str, code: str | None) -> str:
    if not code:
        return ""
    return vocab.VOCABULARIES[vocabulary].label(code, current_locale())


def country_name(code: str) -> str:
    return countries.name(code, current_locale())


def field_value(field: str, value: object) -> str:
    """A record field's value as a reader sees it: labels for codes, country names, lists
    joined."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "country":
        return country_name(str(value))
    if field == "language":
        return language_name(str(value), standalone=True)
    items = value if isinstance(value, list) else [value]
    vocabulary = vocab.SINGLE_FIELDS.get(field) or vocab.MULTI_FIELDS.get(field)
    if vocabulary is not None:
        items = [vocabulary.label(str(c), current_locale()) for c in items]
    elif field == "sources":
        items = [f"{s.get('title')} <{s.get('url')}>" if isinstance(s, dict) else s for s in items]
    elif field == "key_results":  # case records (issue 16)
        items = [_key_result(r) if isinstance(r, dict) else r for r in items]
    return ", ".join(str(item) for item in items)


def _key_result(result: dict) -> str:
    text = f"{result.get('indicator')}: {result.get('value')}"
    return f"{text} ({result['period']})" if result.get("period") else text
