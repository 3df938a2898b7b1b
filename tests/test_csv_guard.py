"""The CSV formula guard covers every way a spreadsheet starts a formula (issue 20, finding 8),
and reading the file back removes exactly what writing added."""

from __future__ import annotations

import pytest

from registry.transfer import csv_format

FORMULAS = [
    "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "\n=1",
    "＝1+1", "＋1", "－1", "＠SUM(A1)",  # fullwidth forms
    "﹦1", "﹢1", "﹣1",  # small forms
    " =1+1", "\u00a0=1", "\u3000＝1", "\x1f=1", "\x0b+1", "\u200b=1",  # hidden before it
]  # fmt: skip


@pytest.mark.parametrize("cell", FORMULAS)
def test_every_formula_start_is_guarded_and_read_back_unchanged(cell):
    record = {"title": cell, "summary": "s", "tags": [cell]}
    row = dict(zip(csv_format.COLUMNS, csv_format.cells(record), strict=True))
    assert row["title"] == "'" + cell, repr(row["title"])
    assert row["tags"].startswith("'"), repr(row["tags"])
    read = csv_format.record_from_row({"title": row["title"], "tags": row["tags"]})
    assert read["title"].strip() == cell.strip() and read["tags"] == [cell.strip()]


@pytest.mark.parametrize("cell", ["Plain text", "'quoted already", "2024", "a=b", "Ω"])
def test_ordinary_cells_are_written_as_they_are(cell):
    row = dict(zip(csv_format.COLUMNS, csv_format.cells({"title": cell}), strict=True))
    assert row["title"] == cell
