"""Bulk import: read a CSV or JSON file, validate every record, then write all or nothing.

This module reads files; `registry.actions.importing` writes what it read, through the same
actions as every other change.

Two ways in: `read_bytes` (the upload page: at most MAX_BYTES, read whole) and `FileRows` (the
command line: a file of any size, streamed). A `FileRows` is read once by the import action,
which validates every row and spools it with its validated fields to a temporary file before
writing any, so memory holds one row at a time, not the file.
JSON is streamed with ijson (its C backend): a standard JSON document, the export's wrapper
object included, so an export of any size imports back unchanged, where a line-delimited
variant would have needed a second export format. CSV is streamed by the csv module.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson

from .. import jsontext, vocab
from ..messages import LANGUAGES, Message, msg
from ..schemas import (
    InitiativeIn,
    ValidationFailed,
    validate_initiative,
    validate_translation,
    whole_number,
)
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
    # Case records (issue 16). The record's id in the file (an export's `id`): a link of
    # another row to it goes to the record this row becomes.
    id: Any = None
    # Its links made from it, [{"kind", "target"}], and its translations, [{"language",
    # "title", …, "translator"}]: None when the file does not say (the record's are kept),
    # else what the record's links to published records and its translations become.
    links: Any = None
    translations: Any = None


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
    return [_csv_row(msg("row %(num)s", num=n), r) for n, r in enumerate(rows, start=2)]


def _csv_row(where: str, r: dict[str, str]) -> Row:
    """A CSV row's cells as a Row: the record's fields, and what scopes and checks them."""
    row = Row(
        where,
        csv_format.record_from_row(r),
        (r.get("illustrative") or "").strip().lower() in ("true", "1", "yes"),
        (r.get("organisation") or "").strip() or None,
        (r.get("version") or "").strip() or None,
        (r.get("id") or "").strip() or None,
    )
    if "links" in r:
        row.links = csv_format.links_from_cell(r["links"] or "")
    if "translations" in r:
        row.translations = csv_format.translations_from_cell(r["translations"] or "")
    return row


def _item_row(where: str, item: Any) -> Row:
    """A JSON record as a Row (an export's read-only keys set apart)."""
    row = Row(where, item)
    if isinstance(item, dict):
        row.illustrative = item.get("illustrative") is True
        row.organisation = item.get("organisation") or None
        row.version = item.get("version")
        row.id = item.get("id")
        row.links = item.get("links")
        row.translations = item.get("translations")
        row.record = {k: v for k, v in item.items() if k not in csv_format.READ_ONLY}
    return row


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
    return [_item_row(msg("record %(num)s", num=n), item) for n, item in enumerate(document, 1)]


def check(
    rows: Iterable[Row],
    progress: Callable[[int], None] | None = None,
    keep: Callable[[Row, InitiativeIn], None] | None = None,
) -> list[Problem]:
    """Every problem of every row: validation, and ids or slugs repeated within the file (for
    the same organisation). `keep` is given each row that validates with what it validated to,
    in the file's order (the import writes that, not validating the row again)."""
    problems: list[Problem] = []
    seen: dict[tuple[str | None, str, str], str] = {}
    for row in rows:
        if progress:
            progress(1)
        problems += _case_problems(row)
        try:
            valid = validate_initiative(row.record)
        except ValidationFailed as exc:
            problems += [Problem(row.where, f, m) for f, msgs in exc.fields.items() for m in msgs]
            continue
        if keep:
            keep(row, valid)
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


def _case_problems(row: Row) -> list[Problem]:
    """What is wrong with the row's links and translations (issue 16), before anything is
    written; whether each target exists, and each language differs from the record's, is the
    actions' to say when they are written."""
    problems: list[Problem] = []
    if row.links is not None:
        if not isinstance(row.links, list):
            problems.append(Problem(row.where, "links", NOT_LINKS))
        for n, link in enumerate(row.links if isinstance(row.links, list) else [], start=1):
            where = f"links[{n}]"
            if not isinstance(link, dict) or set(link) != {"kind", "target"}:
                problems.append(Problem(row.where, where, NOT_LINKS))
                continue
            if link["kind"] not in vocab.LINK_TYPE.codes:
                problems.append(
                    Problem(
                        row.where,
                        f"{where}.kind",
                        msg(
                            "unknown code %(codes)s; expected one of %(expected)s",
                            codes=str(link["kind"])[:40],
                            expected=", ".join(vocab.LINK_TYPE.codes),
                        ),
                    )
                )
            if link_target(link["target"]) is None:
                problems.append(Problem(row.where, f"{where}.target", NOT_A_RECORD))
    if row.translations is not None:
        if not isinstance(row.translations, list):
            problems.append(Problem(row.where, "translations", NOT_TRANSLATIONS))
        seen: set[str] = set()
        for item in row.translations if isinstance(row.translations, list) else []:
            language = item.get("language") if isinstance(item, dict) else None
            if language not in LANGUAGES or language in seen:
                problems.append(Problem(row.where, "translations", NOT_TRANSLATIONS))
                continue
            seen.add(language)
            try:
                validate_translation(translation_texts(item))
            except ValidationFailed as exc:
                problems += [Problem(row.where, f"translations[{language}].{f}", m)
                             for f, msgs in exc.fields.items() for m in msgs]  # fmt: skip
    return problems


NOT_LINKS = msg('expected a list of links, each with its "kind" and "target"')
NOT_A_RECORD = msg("give the other record's number")
NOT_TRANSLATIONS = msg(
    "expected a list of translations, each with its language (once) and its texts"
)


def link_target(raw: Any) -> int | None:
    """A link's target as a record's number, or None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw < 2**31 else None
    try:
        return whole_number(str(raw or "").strip().lstrip("#"), 1, 2**31 - 1)
    except ValueError:
        return None


def translation_texts(item: dict[str, Any]) -> dict[str, Any]:
    """A translation's texts and translator, without its language and date."""
    return {k: v for k, v in item.items() if k not in ("language", "translated_at")}


def failure(problems: list[Problem]) -> Message:
    return msg(
        "nothing imported: %(rows)s row(s) failed (%(problems)s problem(s))",
        rows=len({p.row for p in problems}),
        problems=len(problems),
    )


# --- Streaming a file of any size (the command line) ------------------------------------------

CHUNK = 1 << 20


class FileRows:
    """The rows of a .csv or .json file of any size, read from disk each time it is iterated.

    `position` is how many bytes the current pass has read (for a progress bar); `count` the
    rows the last complete pass yielded. Raises ImportFailed (one clear line) when the file
    cannot be read as a whole: not UTF-8 JSON, no header line, not JSON at all.
    """

    def __init__(self, path: Path):
        self.path = path
        self.kind = kind_of(path.name)
        self.name = path.name
        try:
            self.size = path.stat().st_size
            with path.open("rb") as fh:
                head = fh.read(4096)
        except OSError as exc:
            raise ImportFailed(
                msg("%(name)s: cannot read (%(reason)s)", name=str(path), reason=exc.strerror)
            ) from None
        _check_head(head, self.name, self.size)
        self.encoding = "utf-8-sig" if self.kind == "json" else _csv_encoding(path)
        self.position = 0
        self.count: int | None = None

    def __iter__(self) -> Iterator[Row]:
        self.position = 0
        count = 0
        with self.path.open("rb") as raw:
            source = _Counting(raw, self)
            rows = _json_stream(source, self.name) if self.kind == "json" else self._csv(source)
            for row in rows:
                count += 1
                yield row
        if count == 0:
            empty = (
                msg("the file has a header line but no initiatives")
                if self.kind == "csv"
                else msg("the file holds no initiatives")
            )
            raise ImportFailed(msg("%(name)s: %(reason)s", name=self.name, reason=empty))
        self.count = count

    def _csv(self, source: IO[bytes]) -> Iterator[Row]:
        text = codecs.getreader(self.encoding)(source, errors="replace")
        first = text.readline()
        try:  # the header's rules (known columns, none twice) are csv_format's
            csv_format.read_rows(first.rstrip("\r\n") + "\nx\n", 1)
        except csv_format.CsvError as exc:
            raise ImportFailed(
                msg("%(name)s: %(reason)s", name=self.name, reason=exc.args[0])
            ) from None
        delimiter = max((",", ";", "\t"), key=first.split("\n", 1)[0].count)
        header = next(csv.reader([first], delimiter=delimiter))
        header = [h.strip().lower().replace(" ", "_") for h in header]
        reader = csv.reader(_lines(text), delimiter=delimiter)
        number = 1  # as `read_bytes` numbers them: the header is row 1, blank rows skipped
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                number += 1
                r = dict(zip(header, cells, strict=False))
                yield _csv_row(msg("row %(num)s", num=number), r)
        except csv.Error as exc:
            raise ImportFailed(
                msg("%(name)s: not a readable CSV file (line %(line)s: %(reason)s)",
                    name=self.name, line=reader.line_num + 1, reason=str(exc))
            ) from None  # fmt: skip


def _lines(text) -> Iterator[str]:
    while line := text.readline():
        yield line


class _Counting:
    """A binary file that notes how far it has been read in `rows.position`."""

    def __init__(self, raw: IO[bytes], rows: FileRows):
        self.raw, self.rows = raw, rows

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(CHUNK if size is None or size < 0 else size)
        self.rows.position += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.raw.readline(size)
        self.rows.position += len(data)
        return data


def _check_head(head: bytes, name: str, size: int) -> None:
    if not head.strip(b"\xef\xbb\xbf \t\r\n") and size < 4096:
        raise ImportFailed(msg("%(name)s: the file is empty", name=name))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed(
            msg('%(name)s: UTF-16 text; save the file as UTF-8 ("CSV UTF-8" in Excel)', name=name)
        )
    if head.startswith(b"PK\x03\x04") or b"\x00" in head:
        raise ImportFailed(
            msg("%(name)s: not a text file (save a spreadsheet as CSV first)", name=name)
        )


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else Windows-1252, as
    `csv_format.decode` decides for a file read whole; found in one streamed pass."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _json_stream(source: IO[bytes], name: str) -> Iterator[Row]:
    """The records of a JSON list, or of an export's wrapper object, one at a time."""
    head = b""
    while not head.strip(b"\xef\xbb\xbf \t\r\n"):
        more = source.read(1)
        if not more:
            raise ImportFailed(msg("%(name)s: the file is empty", name=name))
        head += more
    opening = head.strip(b"\xef\xbb\xbf \t\r\n")[:1]
    if opening not in (b"[", b"{"):
        raise ImportFailed(
            msg("%(name)s: expected a list of initiatives (or an export's wrapper)", name=name)
        )
    prefix = "item" if opening == b"[" else "initiatives.item"
    stream = _Prepended(head.lstrip(b"\xef\xbb\xbf"), source)
    n = 0
    try:
        for n, item in enumerate(ijson.items(stream, prefix, use_float=True), start=1):
            yield _json_row(n, item, name)
    except ijson.JSONError as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else "incomplete"
        raise ImportFailed(
            msg("%(name)s: not valid JSON (%(reason)s)", name=name, reason=reason)
        ) from None
    except (ValueError, OverflowError, RecursionError):
        # A number past Python's conversion limits, or nesting past the C stack.
        raise ImportFailed(
            msg("%(name)s: %(reason)s", name=name,
                reason=msg("a number has more than %(count)s characters",
                           count=jsontext.MAX_NUMBER_CHARS))
        ) from None  # fmt: skip


class _Prepended:
    """`head` then the rest of `source`, as one binary file (ijson reads with `read`)."""

    def __init__(self, head: bytes, source: IO[bytes]):
        self.head, self.source = head, source

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson's probe of what the file returns
            return b""
        if self.head:
            data, self.head = self.head, b""
            return data
        return self.source.read(size)


def _json_row(n: int, item: Any, name: str) -> Row:
    if _depth(item) > jsontext.MAX_DEPTH - 2:  # the wrapper's two levels are above it
        raise ImportFailed(
            msg("%(name)s: %(reason)s", name=name,
                reason=msg("JSON nested more than %(count)s levels deep",
                           count=jsontext.MAX_DEPTH))
        )  # fmt: skip
    for value in _numbers(item):
        if len(repr(value)) > jsontext.MAX_NUMBER_CHARS:
            raise ImportFailed(
                msg("%(name)s: %(reason)s", name=name,
                    reason=msg("a number has more than %(count)s characters",
                               count=jsontext.MAX_NUMBER_CHARS))
            )  # fmt: skip
    return _item_row(msg("record %(num)s", num=n), item)


def _depth(item: Any) -> int:
    deepest, stack = 0, [(item, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, dict):
            stack.extend((child, level + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, level + 1) for child in node)
    return deepest


def _numbers(item: Any) -> Iterator[Any]:
    stack = [item]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            yield node
