"""The curators' upload page for bulk imports.

It reads and writes through `transfer.importing`, exactly as `registry import` does: every row
is validated before anything is written, and a failure shows every failing row, field and
reason while the database stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import login_required
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from .. import actions, initiatives
from ..auth import current_principal
from ..db import read_session, write_session
from ..extensions import registry_of
from ..models import Initiative
from ..security import private
from ..transfer import importing
from .forms import ImportForm

bp = Blueprint("imports", __name__)
SHOWN = 100  # records linked per outcome on the summary; the rest are counted


@dataclass
class Outcome:
    """One line of the summary: created, updated or unchanged records, the first few linked."""

    name: str
    total: int
    shown: list[Initiative]


def _render(form: ImportForm, status: int = 200, **context):
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return (
        render_template(
            "opendata/import.html",
            form=form,
            limit_mb=f"{limit / 1_048_576:.3g}" if limit else None,
            **context,
        ),
        status,
    )


def _outcomes(summary: importing.Summary) -> list[Outcome]:
    """The summary's records, read after the import's commit (the request's session may hold
    a snapshot from before it)."""
    groups = {"created": summary.created, "updated": summary.updated,
              "unchanged": summary.unchanged}  # fmt: skip
    wanted = {i for ids in groups.values() for i in ids[:SHOWN]}
    with read_session(registry_of().engine) as session:
        found = initiatives.by_ids(session, wanted)
        session.expunge_all()
    return [
        Outcome(name, len(ids), [found[i] for i in ids[:SHOWN] if i in found])
        for name, ids in groups.items()
    ]


def _read(upload: FileStorage) -> list[importing.Row]:
    name = upload.filename or "file"
    return importing.read_bytes(
        upload.stream.read(importing.MAX_BYTES + 1), importing.kind_of(name), name
    )


@bp.route("/curate/import", methods=["GET", "POST"])
@private("curators only")
@login_required
def import_page():
    user = current_principal()
    if not actions.may_import(user):
        abort(403)
    form = ImportForm()
    if request.method == "GET":
        return _render(form)
    if not form.validate():
        return _render(form, 422)
    try:
        rows = _read(form.file.data)
        options = actions.ImportOptions(
            publish=form.publish.data,
            replace_pending=form.replace_pending.data,
            source=form.file.data.filename or "",
        )
        with write_session(registry_of().engine) as session:
            summary = actions.import_rows(session, user, rows, options)
    except importing.ImportFailed as exc:
        return _render(form, 422, failure=exc)
    return _render(
        ImportForm(formdata=None),
        outcomes=_outcomes(summary),
        notices=summary.notices,
        published=form.publish.data,
        filename=form.file.data.filename,
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):
    """A file over the app's MAX_CONTENT_LENGTH: say so on the form, not as a bare error."""
    if not actions.may_import(current_principal()):
        return render_template("errors/error.html", error=exc), 413
    return _render(ImportForm(formdata=None), 413, too_large=True)
