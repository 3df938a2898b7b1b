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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from .. import initiatives, schemas
from ..accounts import Principal
from ..messages import msg
from ..models import Initiative, Organisation
from ..schemas import ValidationFailed
from ..transfer.importing import ImportFailed, Problem, Row, Summary, check, failure
from . import storage
from .errors import Conflict, Forbidden, InvalidMove
from .guard import action
from .records import authorise, write_content, write_new
from .workflow import PENDING_STATES, state_of


@dataclass(frozen=True)
class ImportOptions:
    publish: bool = False  # publish every row at once (else new rows are drafts, and rows of
    # published records wait for review as edits)
    replace_pending: bool = False  # a row may replace an edit waiting beside a published record
    source: str = ""  # the file's name, recorded in every revision
    illustrative: bool = False  # mark created records illustrative (the seeds)


@action("import")
def import_rows(
    session: Session,
    principal: Principal,
    rows: list[Row],
    options: ImportOptions = ImportOptions(),
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Validate every row, then write every row; ImportFailed listing every problem, and
    nothing written (the caller's transaction rolls back), when any row fails."""
    if principal is None or not principal.is_curator:
        raise Forbidden("import")
    problems = check(rows)
    if problems:
        raise ImportFailed(failure(problems), problems)
    organisations = _organisations(session, rows)
    summary = Summary()
    for row in rows:
        try:
            _import_row(session, principal, row, organisations, options, summary)
        except (ValidationFailed, Conflict, Forbidden, InvalidMove, _Refused) as exc:
            problems += _problems(row, exc)
        if progress:
            progress(1)
    if problems:
        raise ImportFailed(failure(problems), problems)
    return summary


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


def _organisations(session: Session, rows: list[Row]) -> dict[str, int]:
    names = {row.organisation for row in rows if row.organisation}
    if not names:
        return {}
    found = session.execute(
        select(Organisation.name, Organisation.id).where(Organisation.name.in_(names))
    )
    return dict(found.all())


def _import_row(
    session: Session,
    principal: Principal,
    row: Row,
    organisations: dict[str, int],
    options: ImportOptions,
    summary: Summary,
) -> None:
    organisation_id = None
    if row.organisation:
        organisation_id = organisations.get(row.organisation)
        if organisation_id is None:
            raise _Refused(
                "organisation",
                msg("no organisation is named %(name)s", name=repr(row.organisation)),
            )
    scope = initiatives.scope_of(organisation_id, None)
    name = "import_publish" if options.publish else "import"
    found = _match(session, scope, row.record, summary, row)
    if found is None:
        _, after = authorise(principal, None, name)
        initiative = storage.new_row(
            organisation_id=organisation_id,
            created_by_id=None,
            illustrative=row.illustrative or options.illustrative,
        )
        fields = storage.as_fields(schemas.validate_initiative(row.record))
        created = write_new(session, principal, initiative, fields, after, name, options.source)
        summary.created.append(created.id)
        return
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


def _match(
    session: Session, scope: str, record: dict[str, Any], summary: Summary, row: Row
) -> int | None:
    external_id, slug = record.get("external_id"), record.get("slug")
    if external_id:
        found = storage.key_owner(session, scope, "external_id", external_id)
        if found is not None:
            return found
        for other in storage.key_owners_elsewhere(session, scope, "external_id", external_id):
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
        return storage.key_owner(session, scope, "slug", slug)
    return None


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
