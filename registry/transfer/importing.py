"""Bulk import: read a CSV or JSON file, validate every record, then write all or nothing.

This module reads files; `registry.actions.importing` writes what it read, through the same
actions as every other change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import jsontext
from ..messages import Message, msg
from ..schemas import ValidationFailed, validate_initiative
from . import csv_format

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000


class ImportFailed(Exception):
    """Nothing was imported. `problems` lists (row, field, message) for every failing row;
    the message alone describes a file-level failure (unreadable, empty, too large).
    Messages are `msg()`s: English for the command line, translated by the upload page."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class Problem:
    row: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.row}: {self.field}: {self.message}"


@dataclass
class Row:
    """One record of the file, with where it is (for messages)."""

    where: str
    record: dict[str, Any]
    illustrative: bool = False  # kept when a new record is created from an export
    # The owning organisation's name (an export's `organisation`): matching happens among its
    # records; none means the registry's own records.
    organisation: str | None = None
    # The public version an export was made at: a record published since is not overwritten.
    version: Any = None


@dataclass
class Summary:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    # Rows whose external id another organisation's record also uses: reported, never merged.
    notices: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


def kind_of(name: str) -> str:
    """ "csv" or "json" from a file name's extension; ImportFailed for anything else."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ImportFailed(msg("%(name)s: expected a .csv or .json file", name=Path(name).name))
    return suffix.lstrip(".")


def read_file(path: Path) -> list[Row]:
    """The records of a .csv or .json file; ImportFailed with one clear line otherwise."""
    kind = kind_of(path.name)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportFailed(
                msg("%(name)s: too large (%(size)s MB; at most 50 MB)", name=path.name,
                    size=size // 1_048_576)
            )  # fmt: skip
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(
            msg("%(name)s: cannot read (%(reason)s)", name=str(path), reason=exc.strerror)
        ) from None
    return read_bytes(data, kind, path.name)


def read_bytes(data: bytes, kind: str, name: str = "file") -> list[Row]:
    """The records of a file's content, `kind` being "csv" or "json"."""
    if len(data) > MAX_BYTES:
        raise ImportFailed(msg("%(name)s: too large (at most 50 MB)", name=name))
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise ImportFailed(msg("%(name)s: the file is empty", name=name))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed(
            msg('%(name)s: UTF-16 text; save the file as UTF-8 ("CSV UTF-8" in Excel)', name=name)
        )
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096]:
        raise ImportFailed(
            msg("%(name)s: not a text file (save a spreadsheet as CSV first)", name=name)
        )
    if kind == "json":
        return _json_rows(data, name)
    try:
        rows = csv_format.read_rows(csv_format.decode(data), MAX_ROWS)
    except csv_format.CsvError as exc:
        raise ImportFailed(msg("%(name)s: %(reason)s", name=name, reason=exc.args[0])) from None
    return [
        Row(
            msg("row %(num)s", num=n),
            csv_format.record_from_row(r),
            (r.get("illustrative") or "").strip().lower() in ("true", "1", "yes"),
            (r.get("organisation") or "").strip() or None,
            (r.get("version") or "").strip() or None,
        )
        for n, r in enumerate(rows, start=2)
    ]


def _json_rows(data: bytes, name: str) -> list[Row]:
    try:
        document = jsontext.loads(data)
    except jsontext.JsonRejected as exc:
        raise ImportFailed(msg("%(name)s: %(reason)s", name=name, reason=exc.message)) from None
    if isinstance(document, dict) and isinstance(document.get("initiatives"), list):
        document = document["initiatives"]  # the export's wrapper object
    if not isinstance(document, list):
        raise ImportFailed(
            msg("%(name)s: expected a list of initiatives (or an export's wrapper)", name=name)
        )
    if not document:
        raise ImportFailed(msg("%(name)s: the file holds no initiatives", name=name))
    if len(document) > MAX_ROWS:
        raise ImportFailed(
            msg("%(name)s: too many records: at most %(count)s initiatives per file", name=name,
                count=MAX_ROWS)
        )  # fmt: skip
    rows = []
    for n, item in enumerate(document, start=1):
        row = Row(msg("record %(num)s", num=n), item)
        if isinstance(item, dict):
            row.illustrative = item.get("illustrative") is True
            row.organisation = item.get("organisation") or None
            row.version = item.get("version")
            row.record = {k: v for k, v in item.items() if k not in csv_format.READ_ONLY}
        rows.append(row)
    return rows


def check(rows: list[Row]) -> list[Problem]:
    """Every problem of every row: validation, and ids or slugs repeated within the file (for
    the same organisation)."""
    problems: list[Problem] = []
    seen: dict[tuple[str | None, str, str], str] = {}
    for row in rows:
        try:
            valid = validate_initiative(row.record)
        except ValidationFailed as exc:
            problems += [Problem(row.where, f, m) for f, msgs in exc.fields.items() for m in msgs]
            continue
        for key in ("external_id", "slug"):
            value = getattr(valid, key)
            if value is None:
                continue
            where = (row.organisation, key, value)
            if where in seen:
                repeated = msg("%(value)s repeats %(row)s", value=repr(value), row=seen[where])
                problems.append(Problem(row.where, key, repeated))
            seen[where] = row.where
            if key == "external_id":
                break  # matched on external_id; the slug may change
    return problems


def failure(problems: list[Problem]) -> Message:
    return msg(
        "nothing imported: %(rows)s row(s) failed (%(problems)s problem(s))",
        rows=len({p.row for p in problems}),
        problems=len(problems),
    )
