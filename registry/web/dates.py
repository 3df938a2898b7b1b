"""One date format per language (issue 19): every page writes a day as `day` does and a moment
as `moment` does, in the reader's language ("2 December 2026" is "December 2, 2026" in
English as Babel writes it, "2 décembre 2026" in French)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_time


def day(value: date | datetime | None) -> str:
    return "" if value is None else format_date(value, "long")


def moment(value: datetime | None) -> str:
    return "" if value is None else f"{format_date(value, 'long')}, {format_time(value, 'short')}"
