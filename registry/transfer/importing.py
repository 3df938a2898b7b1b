"""Bulk import: read a CSV or JSON file, validate every record, then write all or nothing.

Records are matched on `external_id`, else on `slug`, so importing the same file again updates
in place (with a revision only where something changed) instead of duplicating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from .. import initiatives, jsontext
from ..db import write_session
from ..messages import Message, msg
from ..models import Initiative
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


@dataclass
class Summary:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)

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
        illustrative = isinstance(item, dict) and item.get("illustrative") is True
        if isinstance(item, dict):
            item = {k: v for k, v in item.items() if k not in csv_format.READ_ONLY}
        rows.append(Row(msg("record %(num)s", num=n), item, illustrative))
    return rows


def check(rows: list[Row]) -> list[Problem]:
    """Every problem of every row: validation, and ids or slugs repeated within the file."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
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
            if (key, value) in seen:
                repeated = msg("%(value)s repeats %(row)s", value=repr(value), row=seen[key, value])
                problems.append(Problem(row.where, key, repeated))
            seen[key, value] = row.where
            if key == "external_id":
                break  # matched on external_id; the slug may change
    return problems


def import_rows(
    engine: Engine,
    rows: list[Row],
    *,
    publish: bool = False,
    progress: Callable[[int], None] | None = None,
    user_id: int | None = None,
) -> Summary:
    """Validate everything, then write everything in one transaction, or raise ImportFailed.

    New records are drafts unless `publish`; with `publish`, matched unpublished ones are
    published too. `progress(n)` is called as rows are written. `user_id` (the curator who
    uploaded the file) is recorded on each revision; the command line leaves it empty.
    """
    problems = check(rows)
    if problems:
        raise ImportFailed(_failure(problems), problems)
    summary = Summary()
    try:
        with write_session(engine) as session:
            by_external = dict(
                session.execute(
                    select(Initiative.external_id, Initiative.id).where(
                        Initiative.external_id.is_not(None)
                    )
                ).all()
            )
            by_slug = dict(session.execute(select(Initiative.slug, Initiative.id)).all())
            for row in rows:
                _write(session, row, by_external, by_slug, publish, summary, user_id)
                if progress:
                    progress(1)
    except _RowFailed as exc:
        raise ImportFailed(_failure(exc.problems), exc.problems) from None
    return summary


def _write(
    session, row: Row, by_external, by_slug, publish: bool, summary: Summary, user_id: int | None
) -> None:
    record = row.record
    found_id = by_external.get(record.get("external_id")) if record.get("external_id") else None
    if found_id is None and record.get("slug"):
        found_id = by_slug.get(record["slug"])
    try:
        if found_id is None:
            status = initiatives.PUBLIC_STATUS if publish else "draft"
            initiative = initiatives.create(
                session, record, status=status, illustrative=row.illustrative, user_id=user_id
            )
            summary.created.append(initiative.id)
            by_slug[initiative.slug] = initiative.id
            return
        initiative = initiatives.get(session, found_id)
        before = initiative.version
        initiatives.update(session, initiative, record, expected_version=None, user_id=user_id)
        if publish and initiative.status != initiatives.PUBLIC_STATUS:
            initiatives.set_status(
                session, initiative, initiatives.PUBLIC_STATUS, action="publish", user_id=user_id
            )
        (summary.updated if initiative.version != before else summary.unchanged).append(found_id)
    except (ValidationFailed, initiatives.Conflict, initiatives.NotFound) as exc:
        raise _RowFailed(row, exc) from None


class _RowFailed(Exception):
    """A row clashed with a stored record (a slug or external id taken by another one)."""

    def __init__(self, row: Row, exc: Exception):
        if isinstance(exc, ValidationFailed):
            self.problems = [Problem(row.where, f, m) for f, ms in exc.fields.items() for m in ms]
        elif isinstance(exc, initiatives.Conflict):
            self.problems = [Problem(row.where, exc.field, exc.message)]
        else:
            self.problems = [Problem(row.where, "_", msg("matches a deleted initiative"))]
        super().__init__("; ".join(map(str, self.problems)))


def _failure(problems: list[Problem]) -> Message:
    return msg(
        "nothing imported: %(rows)s row(s) failed (%(problems)s problem(s))",
        rows=len({p.row for p in problems}),
        problems=len(problems),
    )
