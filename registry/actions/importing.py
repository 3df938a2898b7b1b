"""Importing rows of a file: each row is an edit (or a new record) by the importing curator,
moved through the same state table as every other change, and the whole file is all or nothing.

A row belongs to the organisation it names (an export's `organisation` column), else to the
registry's own records, and is matched among that owner's records only: on `external_id`, else
on `slug`. A row whose external id another organisation's record uses is created beside it and
reported, never merged. A matched row is refused, with the reason, when:
- its record has an edit waiting beside the published fields, unless the curator chose to
  replace waiting edits (the revision says which edit it replaced);
- its record is another organisation's draft, record sent back or withdrawn record (only its
  owners can submit it);
- its record was published again since the file was exported (the row's `version`).
A deleted record has given up its slug and external id: a row naming them makes a new record
(a curator can restore the deleted one from its history instead).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import insert, select, text
from sqlmodel import Session

from .. import initiatives, schemas, translations
from ..accounts import Principal
from ..initiatives import PUBLIC_STATUS
from ..messages import msg
from ..models import (
    ChangeLog,
    Initiative,
    InitiativeKey,
    InitiativeLink,
    InitiativeTag,
    InitiativeTerm,
    InitiativeTranslation,
    Organisation,
    Revision,
    utcnow,
)
from ..schemas import ValidationFailed
from ..transfer.importing import (
    ImportFailed,
    Problem,
    Row,
    Summary,
    check,
    failure,
    link_target,
    translation_texts,
)
from . import storage
from .errors import Conflict, Forbidden, InvalidMove
from .guard import action
from .links import link_records, unlink_records
from .records import authorise, write_content
from .translations import remove_translation, translate_record
from .workflow import PENDING_STATES, State, state_of, status_of


@dataclass(frozen=True)
class ImportOptions:
    publish: bool = False  # publish every row at once (else new rows are drafts, and rows of
    # published records wait for review as edits)
    replace_pending: bool = False  # a row may replace an edit waiting beside a published record
    source: str = ""  # the file's name, recorded in every revision
    illustrative: bool = False  # mark created records illustrative (the seeds)


# Rows written together: new records in one batch of inserts (executemany), matched records
# one by one through the same path as an edit.
BATCH = 500


@action("import")
def import_rows(
    session: Session,
    principal: Principal,
    rows: Iterable[Row],
    options: ImportOptions = ImportOptions(),
    progress: Callable[[int], None] | None = None,
    checking: Callable[[int], None] | None = None,
) -> Summary:
    """Validate every row, then write every row; ImportFailed listing every problem, and
    nothing written (the caller's transaction rolls back), when any row fails.

    `rows` is read once: a list, or a `transfer.importing.FileRows` streaming a file of any
    size. Each row is validated once: the validation pass spools every row with its validated
    fields to a temporary file (`_Spool`), which the writing pass reads back. Rows are written
    BATCH at a time: their external ids and slugs looked up in one query per batch, new records
    inserted together (`_create_many`: an executemany per table of rows built from the
    validated fields, inside this action, so the write guard holds), matched records one by
    one as edits. `checking` and `progress` are told of rows validated and rows written.
    """
    if principal is None or not principal.is_curator:
        raise Forbidden("import")
    with _Spool() as spool:
        problems = check(rows, checking, spool.add)
        if problems:
            raise ImportFailed(failure(problems), problems)
        organisations = _Organisations(session)
        slugs = _Slugs(session)
        summary = Summary()
        parts = _Parts()
        for batch in _batches(spool, BATCH):
            problems += _import_batch(session, principal, batch, organisations, slugs, options,
                                      summary, parts)  # fmt: skip
            if progress:
                progress(len(batch))
    if not problems:
        problems += parts.write(session, principal)
    if problems:
        raise ImportFailed(failure(problems), problems)
    return summary


def _no_room(exc: OSError) -> ImportFailed:
    """The temporary folder could not take `_Spool`'s file (full, or not writable)."""
    return ImportFailed(
        msg(
            "the import's working copy of the rows could not be written in the temporary "
            "folder %(folder)s (%(reason)s): free space there, or set TMPDIR to a folder with "
            "room for about 6 KB a record",
            folder=tempfile.gettempdir(),
            reason=exc.strerror or str(exc),
        )
    )


class _Spool:
    """Every row with its validated fields (`storage.as_fields`), in the file's order: kept by
    the validation pass for the writing pass, so no row is validated twice and the file is
    read once. Pickled to an unnamed temporary file (removed when closed), not held in memory:
    a realistic record's row and fields take about 16 KB as Python objects (1.6 GB for 100,000
    records) and 6 KB pickled (bench/RESULTS.md, 2026-12-02 "validated once")."""

    def __init__(self) -> None:
        try:  # closed by __exit__
            self.file = tempfile.TemporaryFile(prefix="registry-import-")  # noqa: SIM115
        except OSError as exc:
            raise _no_room(exc) from exc
        self.count = 0

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *_exc: object) -> None:
        with suppress(OSError):  # a full disk fails the last flush again; the file goes anyway
            self.file.close()

    def add(self, row: Row, valid: schemas.InitiativeIn) -> None:
        try:
            pickle.dump((row, storage.as_fields(valid)), self.file, pickle.HIGHEST_PROTOCOL)
        except OSError as exc:
            raise _no_room(exc) from exc
        self.count += 1

    def __iter__(self) -> Iterator[tuple[Row, dict[str, Any]]]:
        try:
            self.file.seek(0)  # writes what is buffered
        except OSError as exc:
            raise _no_room(exc) from exc
        for _ in range(self.count):
            yield pickle.load(self.file)  # this import's own file, just written


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Organisations:
    """Organisation ids by name, looked up once per name."""

    def __init__(self, session: Session):
        self.session = session
        self.known: dict[str, int | None] = {}

    def get(self, name: str) -> int | None:
        if name not in self.known:
            self.known[name] = self.session.scalar(
                select(Organisation.id).where(Organisation.name == name)
            )
        return self.known[name]


def _import_batch(
    session: Session,
    principal: Principal,
    batch: list[tuple[Row, dict[str, Any]]],
    organisations: _Organisations,
    slugs: _Slugs,
    options: ImportOptions,
    summary: Summary,
    parts: _Parts,
) -> list[Problem]:
    problems: list[Problem] = []
    scoped: list[tuple[Row, dict[str, Any], str, int | None]] = []
    for row, fields in batch:
        organisation_id = None
        if row.organisation:
            organisation_id = organisations.get(row.organisation)
            if organisation_id is None:
                problems.append(
                    Problem(
                        row.where, "organisation",
                        msg("no organisation is named %(name)s", name=repr(row.organisation)),
                    )
                )  # fmt: skip
                continue
        scoped.append((row, fields, initiatives.scope_of(organisation_id, None), organisation_id))
    owners = _key_owners(session, [row.record for row, _, _, _ in scoped])
    new: list[tuple[Row, dict[str, Any], int | None]] = []
    for row, fields, scope, organisation_id in scoped:
        found = _match(owners, scope, row.record, summary, row)
        if found is None:
            new.append((row, fields, organisation_id))
            continue
        try:
            _update_row(session, principal, row, found, options, summary)
        except (ValidationFailed, Conflict, Forbidden, InvalidMove, _Refused) as exc:
            problems += _problems(row, exc)
        else:
            parts.note(row, found)
    if new:
        problems += _create_many(session, principal, new, slugs, options, summary, parts)
    return problems


def _update_row(
    session: Session,
    principal: Principal,
    row: Row,
    found: int,
    options: ImportOptions,
    summary: Summary,
) -> None:
    """Write a row matched to record `found`: an edit, through the state table."""
    name = "import_publish" if options.publish else "import"
    initiative = initiatives.lookup(session, found, for_update=True)
    state = state_of(initiative)
    replaced = ""
    if state in PENDING_STATES:
        if not options.replace_pending:
            raise _Refused(
                "_",
                msg(
                    "the initiative has an edit waiting beside its published version; nothing "
                    "was imported (choose to replace waiting edits to overwrite it)"
                ),
            )
        replaced = msg(
            "%(file)s, replacing the edit waiting at version %(version)s",
            file=options.source,
            version=initiative.version,
        )
    before = initiative.version
    _, after = authorise(principal, initiative, name)
    _check_exported_version(row, initiative)
    fields = storage.as_fields(
        schemas.validate_initiative({**initiatives.editable_fields(initiative), **row.record})
    )
    write_content(
        session, principal, initiative, state, after, fields, name, replaced or options.source
    )
    (summary.updated if initiative.version != before else summary.unchanged).append(found)


def _create_many(
    session: Session,
    principal: Principal,
    new: list[tuple[Row, dict[str, Any], int | None]],
    slugs: _Slugs,
    options: ImportOptions,
    summary: Summary,
    parts: _Parts,
) -> list[Problem]:
    """New records for the `new` rows (each with its validated fields), stored together: one
    executemany per table (records, terms, tags, slugs and external ids, first revisions,
    change-log entries), of rows built as plain values from the fields: the same rows as
    `records.write_new` and `storage.save` write for one record through the ORM
    (tests/test_bulk_import.py compares them column for column)."""
    name = "import_publish" if options.publish else "import"
    _, after = authorise(principal, None, name)
    status, pending_status = status_of(after)
    now = utcnow()
    names = {o: row.organisation for row, _, o in new if o is not None}
    slugs.prefetch(
        (initiatives.scope_of(organisation_id, None),
         fields["slug"] or schemas.slugify(fields["title"]))
        for _, fields, organisation_id in new
    )  # fmt: skip
    # Every column a new row has (the model's defaults), then what this import sets.
    blank = _columns(Initiative, storage.new_row(organisation_id=None, created_by_id=None,
                                                 illustrative=False))  # fmt: skip
    blank.update(
        status=status, pending_status=pending_status, version=1, created_at=now, updated_at=now,
        submitted_at=now if after is State.SUBMITTED else None,
        public_version=1 if after is State.PUBLISHED else 0,
        published_at=now if after is State.PUBLISHED else None,
    )  # fmt: skip
    records: list[_NewRecord] = []
    problems: list[Problem] = []
    for row, fields, organisation_id in new:
        scope = initiatives.scope_of(organisation_id, None)
        slug = fields["slug"]
        if slug:
            if not slugs.take(scope, slug):
                problems.append(Problem(row.where, "slug", _taken(slug)))
                continue
        else:
            slug = slugs.free(scope, fields["title"])
        columns = {
            **blank, **storage.live_columns(fields), "slug": slug,
            "organisation_id": organisation_id,
            "illustrative": row.illustrative or options.illustrative,
            "contact_consent_at": now if fields["contact_consent"] else None,
        }  # fmt: skip
        records.append(_NewRecord(columns, storage.term_pairs(fields), fields["tags"]))
    if problems:
        return problems
    # Core inserts on the tables (the write guard checks them as it checks ORM statements): the
    # ORM's bulk path adds per-row bookkeeping, and leaves a row's None columns out, sending one
    # INSERT per set of columns left out (282 statements for 400 realistic records).
    # RETURNING without asking for parameter order (which SQLAlchemy sends one row at a time on
    # SQLite): rows are matched back on their slug, unique per owner within the batch.
    table = Initiative.__table__
    returned = session.execute(
        insert(table).returning(table.c.id, table.c.organisation_id, table.c.slug),
        [r.columns for r in records],
    ).all()
    ids = {(organisation_id, slug): i for i, organisation_id, slug in returned}
    for r in records:
        r.id = ids[(r.organisation_id, r.slug)]
    terms = [{"initiative_id": r.id, "field": f, "code": c} for r in records for f, c in r.pairs]
    tags = [{"initiative_id": r.id, "tag": t} for r in records for t in r.tag_values]
    for model, values in ((InitiativeTerm, terms), (InitiativeTag, tags)):
        if values:
            session.execute(insert(model.__table__), values)
    keys = [
        {"initiative_id": r.id, "scope": initiatives.scope_of(r.organisation_id, None),
         "kind": kind, "value": value}
        for r in records
        for kind, value in (("slug", r.slug), ("external_id", r.external_id))
        if value
    ]  # fmt: skip
    session.execute(insert(InitiativeKey.__table__), keys)
    session.execute(
        insert(Revision.__table__),
        [
            {
                "initiative_id": r.id, "number": 1, "action": name, "user_id": principal.id,
                "created_at": now, "snapshot": {**initiatives.full_record(r),
                                                "organisation": names.get(r.organisation_id)},
                "changes": list(initiatives.EDITABLE), "note": options.source,
            }
            for r in records
        ],
    )  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":  # as storage.save: one writer at a time
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": storage.CHANGE_LOG_LOCK})
    session.execute(
        insert(ChangeLog.__table__),
        [{"initiative_id": r.id, "action": name, "created_at": now} for r in records],
    )
    summary.created += [r.id for r in records]
    for (row, _, _), r in zip(new, records, strict=True):
        parts.note(row, r.id)
    return []


class _Term(NamedTuple):
    field: str
    code: str


class _Tag(NamedTuple):
    tag: str


class _NewRecord:
    """A new record's row as plain values, read by `initiatives.full_record` (for its first
    revision) as it reads an Initiative: the model's own `codes` and `tags` over its terms and
    tags, and its columns as attributes (an Initiative not in a session has no organisation
    loaded either)."""

    codes = Initiative.codes
    tags = Initiative.tags
    organisation = None

    def __init__(self, columns: dict[str, Any], pairs: list[tuple[str, str]], tags: list[str]):
        self.columns, self.pairs, self.tag_values = columns, pairs, tags
        self.id: int | None = None
        self.terms = [_Term(f, c) for f, c in pairs]
        self.tag_rows = [_Tag(t) for t in tags]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["columns"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class _Part:
    where: str
    initiative_id: int
    links: Any
    translations: Any


class _Parts:
    """Links and translations of the file's rows (issue 16), written after every row by their
    own actions (`link_records`, `unlink_records`, `translate_record`, `remove_translation`),
    so each is checked and recorded as on the record's page. A row's links replace the links
    made from its record to published records (an export carries those only; links to
    unpublished records are kept); its translations replace the record's. What is already as
    the file says is left alone: an export imported back writes nothing."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}  # the file's record ids -> the records they became
        self.found: list[_Part] = []

    def note(self, row: Row, initiative_id: int) -> None:
        if row.id not in (None, ""):
            self.ids[str(row.id)] = initiative_id
        if row.links is not None or row.translations is not None:
            self.found.append(_Part(row.where, initiative_id, row.links, row.translations))

    def write(self, session: Session, principal: Principal) -> list[Problem]:
        problems: list[Problem] = []
        for batch in _batches(self.found, BATCH):
            ids = [p.initiative_id for p in batch]
            linked = _outgoing(session, ids)
            translated = translations.by_record(session, ids)
            for part in batch:
                try:
                    if part.links is not None:
                        self._links(session, principal, part, linked.get(part.initiative_id, {}))
                    if part.translations is not None:
                        self._translations(session, principal, part,
                                           translated.get(part.initiative_id, []))  # fmt: skip
                except (ValidationFailed, Forbidden, InvalidMove, initiatives.NotFound) as exc:
                    problems += _part_problems(part, exc)
        return problems

    def _links(self, session: Session, principal: Principal, part: _Part,
               current: dict[tuple[str, int], tuple[int, bool]]) -> None:  # fmt: skip
        wanted = []
        for link in part.links:
            target = link_target(link["target"])
            target = self.ids.get(str(target), target)
            if (link["kind"], target) not in wanted:
                wanted.append((link["kind"], target))
        for key, (link_id, public) in current.items():
            if public and key not in wanted:
                unlink_records(session, principal, part.initiative_id, link_id)
        for kind, target in wanted:
            if (kind, target) not in current:
                with _fields_under("links."):
                    link_records(session, principal, part.initiative_id, target, kind)

    def _translations(self, session: Session, principal: Principal, part: _Part,
                      current: list[InitiativeTranslation]) -> None:  # fmt: skip
        wanted = {t["language"]: translation_texts(t) for t in part.translations}
        held = {row.language: row for row in current}
        for language in held.keys() - wanted.keys():
            remove_translation(session, principal, part.initiative_id, language)
        for language, texts in wanted.items():
            valid = schemas.validate_translation(texts).model_dump()
            row = held.get(language)
            if row is not None and all(getattr(row, k) == v for k, v in valid.items()):
                continue
            with _fields_under(f"translations[{language}]."):
                translate_record(session, principal, part.initiative_id, language, texts)


@contextmanager
def _fields_under(prefix: str) -> Iterator[None]:
    """A refusal's fields named under `prefix` (which link or translation of the row)."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed({prefix + f: ms for f, ms in exc.fields.items()}) from None


def _outgoing(session: Session, ids: list[int]) -> dict[int, dict[tuple[str, int], tuple]]:
    """Every link made from these records: {record: {(kind, target): (link id, whether the
    target is published)}}."""
    found: dict[int, dict[tuple[str, int], tuple]] = {}
    rows = session.execute(
        select(InitiativeLink.from_id, InitiativeLink.kind, InitiativeLink.to_id,
               InitiativeLink.id, Initiative.status)
        .join(Initiative, Initiative.id == InitiativeLink.to_id)
        .where(InitiativeLink.from_id.in_(ids))
    )  # fmt: skip
    for from_id, kind, to_id, link_id, status in rows:
        found.setdefault(from_id, {})[(kind, to_id)] = (link_id, status == PUBLIC_STATUS)
    return found


def _part_problems(part: _Part, exc: Exception) -> list[Problem]:
    if isinstance(exc, ValidationFailed):
        return [Problem(part.where, f, m) for f, ms in exc.fields.items() for m in ms]
    if isinstance(exc, initiatives.NotFound):
        return [Problem(part.where, "links", msg("there is no record with this number"))]
    return [Problem(part.where, "_", exc.message)]


def _columns(model, row) -> dict[str, Any]:
    """The values of `row` (a model instance never added to the session) for a Core insert:
    every column but a primary key the database assigns, and but unset ones it defaults."""
    values = {}
    for column in model.__table__.columns:
        value = getattr(row, column.key, None)
        if (column.primary_key and value is None) or (value is None and column.server_default):
            continue
        values[column.key] = value
    return values


def _taken(value: str) -> str:
    return msg(
        "the slug %(value)s is already used by another initiative of the same owners",
        value=repr(value),
    )


class _Slugs:
    """Slugs claimed in the database or earlier in this import, per scope."""

    def __init__(self, session: Session):
        self.session = session
        self.claimed: set[tuple[str, str]] = set()
        self.stored: dict[tuple[str, str], bool] = {}  # (scope, slug): held in the database

    def prefetch(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Look up many slugs at once (one query per batch rather than one per row)."""
        wanted = {w for w in wanted if w not in self.stored}
        values = sorted({value for _, value in wanted})
        self.stored.update(dict.fromkeys(wanted, False))
        if values:
            found = self.session.execute(
                select(InitiativeKey.scope, InitiativeKey.value).where(
                    InitiativeKey.kind == "slug", InitiativeKey.value.in_(values)
                )
            )
            self.stored.update({(scope, value): True for scope, value in found})

    def _free(self, scope: str, value: str) -> bool:
        if (scope, value) in self.claimed:
            return False
        if (scope, value) not in self.stored:
            owner = storage.key_owner(self.session, scope, "slug", value)
            self.stored[(scope, value)] = owner is not None
        return not self.stored[(scope, value)]

    def take(self, scope: str, value: str) -> bool:
        if not self._free(scope, value):
            return False
        self.claimed.add((scope, value))
        return True

    def free(self, scope: str, title: str) -> str:
        """A slug made from `title`, numbered (-2, -3, …) past those already claimed."""
        base = schemas.slugify(title)
        slug, n = base, 1
        while not self._free(scope, slug):
            n += 1
            slug = f"{base}-{n}"
        self.claimed.add((scope, slug))
        return slug


def _key_owners(
    session: Session, records: list[dict[str, Any]]
) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """For the batch's external ids and slugs, every record claiming each (scope, id)."""
    owners: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for kind in ("external_id", "slug"):
        values = sorted({str(r[kind]) for r in records if r.get(kind)})
        if not values:
            continue
        found = session.execute(
            select(InitiativeKey.scope, InitiativeKey.value, InitiativeKey.initiative_id).where(
                InitiativeKey.kind == kind, InitiativeKey.value.in_(values)
            )
        )
        for scope, value, initiative_id in found:
            owners.setdefault((kind, value), []).append((scope, initiative_id))
    return owners


def _match(
    owners: dict[tuple[str, str], list[tuple[str, int]]],
    scope: str,
    record: dict[str, Any],
    summary: Summary,
    row: Row,
) -> int | None:
    external_id, slug = record.get("external_id"), record.get("slug")
    if external_id:
        claims = owners.get(("external_id", str(external_id)), [])
        found = next((i for s, i in claims if s == scope), None)
        if found is not None:
            return found
        for other in sorted(i for s, i in claims if s != scope):
            summary.notices.append(
                Problem(
                    row.where,
                    "external_id",
                    msg(
                        "%(value)s is also the external id of another owner's initiative "
                        "(#%(id)s); not merged with it",
                        value=repr(external_id),
                        id=other,
                    ),
                )
            )
        return None
    if slug:
        claims = owners.get(("slug", str(slug)), [])
        return next((i for s, i in claims if s == scope), None)
    return None


class _Refused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _problems(row: Row, exc: Exception) -> list[Problem]:
    if isinstance(exc, ValidationFailed):
        return [Problem(row.where, f, m) for f, ms in exc.fields.items() for m in ms]
    if isinstance(exc, Conflict | _Refused):
        return [Problem(row.where, exc.field, exc.message)]
    assert isinstance(exc, Forbidden | InvalidMove)
    return [Problem(row.where, "_", exc.message)]


def _check_exported_version(row: Row, initiative: Initiative) -> None:
    if row.version in (None, ""):
        return
    if isinstance(row.version, bool) or not str(row.version).isdecimal():
        raise _Refused("version", msg("must be a whole number"))
    if int(row.version) != initiative.public_version:
        raise _Refused(
            "version",
            msg(
                "the initiative was published again since this file was exported (the file has "
                "version %(file)s, the registry version %(now)s); export it again",
                file=row.version,
                now=initiative.public_version,
            ),
        )
