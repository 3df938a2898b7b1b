"""The CSV shape of initiatives: one row per initiative, multi-valued cells joined by `;`.

Written so spreadsheet programs open it correctly (optional BOM, formula-injection guard) and
read back leniently: codes or labels in any language of the interface, country codes or names,
`;` or `,` delimiters, UTF-8 or Excel's cp1252.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import pycountry

from .. import vocab
from ..countries import name as country_name
from ..messages import LANGUAGES, msg
from ..schemas import MULTI, whole_number

COLUMNS = (
    "id", "slug", "external_id", "organisation", "url", "title", "summary", "description",
    "language", "country", "region", "locality", "sector", "stages", "maturity", "start_year",
    "mainstreamed_year", "end_year", "operating_status", "integrated_from_start", "participants",
    "contributions", "motives", "obstacles", "success_factors", "evidence_level", "outcomes",
    "lead_organisation", "partners", "tags", "sources", "status", "version", "illustrative",
    "created_at", "updated_at", "published_at", "media", "links", "translations",
)  # fmt: skip
# Case records (issue 16): scale, money, context, lessons, where to learn more.
CASE_COLUMNS = (
    "participant_count", "participant_count_year", "population_served", "population_served_year",
    "volunteer_count", "volunteer_count_year", "staff_count", "staff_count_year", "annual_cost",
    "annual_cost_currency", "annual_cost_year", "funding_sources", "savings_amount",
    "savings_currency", "savings_text", "savings_source", "level_of_government", "delivery_mode",
    "initiated_by", "lessons", "challenges", "website", "contact_name", "contact_organisation",
    "contact_email", "contact_url", "contact_consent", "contact_consent_at", "key_results",
    "last_verified_at", "completeness",
)  # fmt: skip
COLUMNS = (*COLUMNS[: COLUMNS.index("status")], *CASE_COLUMNS, *COLUMNS[COLUMNS.index("status") :])
LIST_COLUMNS = (*MULTI, "partners", "tags")
YEAR_COLUMNS = (
    "start_year", "mainstreamed_year", "end_year",
    # case records: whole numbers read like years
    "participant_count", "participant_count_year", "population_served", "population_served_year",
    "volunteer_count", "volunteer_count_year", "staff_count", "staff_count_year", "annual_cost",
    "annual_cost_year", "savings_amount",
)  # fmt: skip
OPTIONAL_COLUMNS = (
    "evidence_level", "operating_status", "slug", "external_id",
    "level_of_government", "delivery_mode", "initiated_by", "annual_cost_currency",
    "savings_currency",
)  # fmt: skip
BOOLEAN_COLUMNS = ("integrated_from_start", "contact_consent")
# How a yes/no cell may be written (anything else is left for the validator to refuse).
BOOLEANS = {
    **dict.fromkeys(("true", "1", "yes", "oui", "vrai"), True),
    **dict.fromkeys(("false", "0", "no", "non", "faux", ""), False),
}
# Cells a spreadsheet may run as a formula, written with a leading apostrophe: those whose first
# visible character is = + - @ in any width (Excel reads fullwidth and small forms as ASCII
# when typing in East Asian input modes), or which start with a control character or white
# space (some programs skip it and then see the formula).
FORMULA_CHARS = "=+-@＝＋－＠﹦﹢﹣"
INVISIBLE = r"\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff"
FORMULA_START = re.compile(rf"[{INVISIBLE}]*[{re.escape(FORMULA_CHARS)}]|[\s\x00-\x1f]")
SEPARATOR = ";"
SOURCE = re.compile(r"^(?P<title>.*?)\s*<(?P<url>[^<>]*)>$", re.S)


class CsvError(ValueError):
    """The file cannot be read as the registry's CSV; the message says why."""


# --- writing --------------------------------------------------------------------------------


def _escape(item: str) -> str:
    return item.replace("\\", "\\\\").replace(SEPARATOR, "\\" + SEPARATOR)


def _safe(cell: str) -> str:
    return "'" + cell if FORMULA_START.match(cell) else cell


def cells(record: dict[str, Any]) -> list[str]:
    """One record (the contract's JSON object, with `url`) as the row's cells."""
    row = []
    for column in COLUMNS:
        value = record.get(column)
        if column == "sources":
            text = f"{SEPARATOR} ".join(_escape(_source_text(s)) for s in value or [])
        elif column == "key_results":  # case records: a JSON list in the cell
            text = json.dumps(value, ensure_ascii=False) if value else ""
        elif column == "media":  # the files' addresses; an import ignores them
            text = f"{SEPARATOR} ".join(_escape(m["url"]) for m in value or [])
        elif column == "links":  # issue 16: kind:target, the target by its id
            text = f"{SEPARATOR} ".join(f"{link['kind']}:{link['target']}" for link in value or [])
        elif column == "translations":  # issue 16: a JSON list in the cell
            text = json.dumps(value, ensure_ascii=False) if value else ""
        elif column in LIST_COLUMNS:
            text = f"{SEPARATOR} ".join(_escape(v) for v in value or [])
        elif value is None:
            text = ""
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        row.append(_safe(text))
    return row


def write_rows(records: Iterable[dict[str, Any]], *, bom: bool = False) -> Iterator[str]:
    """The CSV text, a header line then one chunk per record (for streaming)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield ("\ufeff" if bom else "") + flush()
    for record in records:
        writer.writerow(cells(record))
        yield flush()


# --- reading --------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Excel's Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(text: str, max_rows: int) -> list[dict[str, str]]:
    """Rows as {column: cell}, columns named by the header line (any case, any spacing)."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
    except StopIteration:
        raise CsvError(msg("the file is empty")) from None
    except csv.Error as exc:
        raise CsvError(msg("not a readable CSV file (%(reason)s)", reason=str(exc))) from None
    unknown = [h for h in header if h and h not in COLUMNS]
    if "title" not in header:
        raise CsvError(
            msg(
                "the first line must name the columns (title, summary, country, sector, stages, "
                "maturity, …)"
            )
        )
    if unknown:
        raise CsvError(
            msg("unknown column(s): %(names)s; expected %(columns)s", names=", ".join(unknown),
                columns=", ".join(COLUMNS))
        )  # fmt: skip
    if len(set(header)) != len(header):
        raise CsvError(msg("a column appears twice in the first line"))
    rows = []
    try:
        for cells_ in reader:
            if not any(c.strip() for c in cells_):
                continue
            if len(rows) >= max_rows:
                raise CsvError(
                    msg("too many rows: at most %(count)s initiatives per file", count=max_rows)
                )
            rows.append(dict(zip(header, cells_, strict=False)))
    except csv.Error as exc:
        raise CsvError(
            msg("not a readable CSV file (line %(line)s: %(reason)s)", line=reader.line_num,
                reason=str(exc))
        ) from None  # fmt: skip
    if not rows:
        raise CsvError(msg("the file has a header line but no initiatives"))
    return rows


def _unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and FORMULA_START.match(cell[1:]) else cell


def _split(cell: str) -> list[str]:
    """Items of a multi-valued cell; `\\;` is a literal semicolon."""
    items, current, chars = [], [], iter(cell)
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, "\\"))
        elif ch == SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [i.strip() for i in items if i.strip()]


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a label."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().split())


@cache
def _vocabulary_lookup(name: str) -> dict[str, str]:
    vocabulary = vocab.VOCABULARIES[name]
    table: dict[str, str] = {}
    for term in vocabulary.terms:
        labels = [term.label(language) for language in LANGUAGES]
        for text in (*labels, term.code, term.code.replace("_", " ")):
            table[fold(text)] = term.code
    return table


def vocabulary_code(vocabulary: str, text: str) -> str:
    """The code for a code or label (unknown text passes through for the validator to name)."""
    return _vocabulary_lookup(vocabulary).get(fold(text), text)


@cache
def _country_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        names = [c.alpha_2, c.alpha_3, c.name]
        names += [country_name(c.alpha_2, language) for language in LANGUAGES]
        names += [getattr(c, a) for a in ("common_name", "official_name") if hasattr(c, a)]
        for text in names:
            table.setdefault(fold(text), c.alpha_2)
    return table


def country(text: str) -> str:
    """ISO code for a code or an English or French country name."""
    return _country_lookup().get(fold(text), text)


def language(text: str) -> str:
    if len(text.strip()) == 2:
        return text
    try:
        return pycountry.languages.lookup(text.strip()).alpha_2
    except (LookupError, AttributeError):
        return text


_VOCAB_OF = {**{f: vocab.MULTI_FIELDS[f].name for f in MULTI}, "sector": "sector",
             "maturity": "maturity", "evidence_level": "evidence_level",
             "operating_status": "operating_status", "level_of_government": "level_of_government",
             "delivery_mode": "delivery_mode", "initiated_by": "initiated_by"}  # fmt: skip
# Columns that describe a record rather than set it: dropped from the fields an import writes
# (`organisation` and `version` scope and check the import row: registry.transfer.importing).
READ_ONLY = ("id", "url", "status", "version", "created_at", "updated_at", "published_at",
             "illustrative", "organisation", "media", "contact_consent_at", "last_verified_at",
             "completeness", "links", "translations")  # fmt: skip
# Links and translations (issue 16) are read apart from the record's fields (links_from_cell,
# translations_from_cell) and written by their own actions after the rows.


def record_from_row(row: dict[str, str]) -> dict[str, Any]:
    """A row's cells as an initiative for `validate_initiative` (read-only columns dropped)."""
    record: dict[str, Any] = {}
    for column, raw in row.items():
        if column in READ_ONLY or not column:
            continue
        cell = _unguard((raw or "").strip())
        if column == "sources":
            record[column] = [_source(item) for item in _split(cell)]
        elif column == "key_results":
            record[column] = _json_list(cell)
        elif column in LIST_COLUMNS:
            items = _split(cell)
            if column in _VOCAB_OF:
                items = [vocabulary_code(_VOCAB_OF[column], i) for i in items]
            record[column] = items
        elif column in YEAR_COLUMNS:
            record[column] = _year(cell)
        elif column in BOOLEAN_COLUMNS:
            record[column] = BOOLEANS.get(cell.casefold(), cell)
        elif column in OPTIONAL_COLUMNS:
            if cell:
                record[column] = (
                    vocabulary_code(_VOCAB_OF[column], cell) if column in _VOCAB_OF else cell
                )
        elif column in _VOCAB_OF:
            record[column] = vocabulary_code(_VOCAB_OF[column], cell)
        elif column == "country":
            record[column] = country(cell)
        elif column == "language":
            if cell:
                record[column] = language(cell)
        else:
            record[column] = cell
    return record


def _year(cell: str) -> int | str | None:
    if not cell:
        return None
    try:  # "2019.0" is how some spreadsheets save a year
        return whole_number(re.sub(r"^([0-9]+)\.0+$", r"\1", cell), 0, 10**18)
    except ValueError:
        return cell  # the validator says it is not a year


def _source(item: str) -> dict[str, str]:
    typed = SOURCE_TYPE.match(item)  # a known type only: "[PDF] Report <…>" is a title
    kind = vocabulary_code("source_type", typed["type"]) if typed else None
    if kind in vocab.SOURCE_TYPE.codes:
        item = item[typed.end() :]
    else:
        kind = None
    match = SOURCE.match(item)
    if match:
        title, url = match["title"].strip(), match["url"].strip()
        found = {"title": title or url, "url": url}
    else:
        found = {"title": item, "url": item}
    return {**found, "type": kind} if kind else found


# --- case records (issue 16): typed sources and key results ---------------------------------
SOURCE_TYPE = re.compile(r"^\[(?P<type>[^\[\]]{1,60})\]\s*")


def _source_text(source: dict[str, Any]) -> str:
    """`[type] title <url>`; no prefix for `other` (how sources were written before types)."""
    kind = source.get("type") or "other"
    text = f"{source['title']} <{source['url']}>"
    return text if kind == "other" else f"[{kind}] {text}"


def links_from_cell(cell: str) -> list[dict[str, Any]]:
    """`kind:target; kind:target` (kinds as codes or labels in any interface language) as
    `[{"kind", "target"}]`, left for the import's check to judge."""
    found = []
    for item in _split(_unguard(cell.strip())):
        kind, _, target = item.rpartition(":")
        if not kind:
            kind, target = target, ""
        found.append({"kind": vocabulary_code("link_type", kind.strip()), "target": target.strip()})
    return found


def translations_from_cell(cell: str) -> Any:
    """A cell holding the translations as a JSON list."""
    return _json_list(_unguard(cell.strip()))


def _json_list(cell: str) -> Any:
    """A cell holding a JSON list (key results); the text itself when it is not JSON, for the
    validator to refuse."""
    if not cell:
        return []
    try:
        return json.loads(cell)
    except ValueError:
        return cell
