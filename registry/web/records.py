"""Case records on pages (issue 16): figures and amounts in the reader's language, and which of
a record's case sections have anything to show."""

from __future__ import annotations

from babel.numbers import format_decimal

from ..i18n import current_locale


def number(value: int | None) -> str:
    """A whole number as the reader writes it (12,500 or 12 500)."""
    return "" if value is None else format_decimal(value, locale=current_locale())


def money(amount: int | None, currency: str | None) -> str:
    """An amount with its ISO 4217 code (1,250,000 EUR; 1 250 000 EUR in French)."""
    if amount is None:
        return ""
    return f"{number(amount)}\u00a0{currency or ''}".strip()


HELPERS = {"case_number": number, "case_money": money}
