"""Media pages: the files themselves, and the media section of a record's edit page (add,
change the texts of, remove an image or a document). Every change is one action of
registry.actions; which file anyone may fetch is `media.reading`'s rule."""

from __future__ import annotations

import io

from babel.units import format_unit
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.exceptions import RequestEntityTooLarge

from .. import actions, initiatives, vocab
from ..actions import Forbidden, StaleVersion
from ..auth import current_principal
from ..db import write_session
from ..extensions import accepts_uploads, db, registry_of
from ..i18n import current_locale
from ..media import reading, uploads
from ..messages import msg
from ..models import Initiative, Media
from ..schemas import ValidationFailed
from ..security import private, public, serves_files
from . import contribute

bp = Blueprint("media", __name__)
# What a multipart form adds to its file: the texts, the token, the boundaries.
FORM_OVERHEAD = 256 * 1024
# How long a shared cache may keep a published record's file: also how long it may keep
# serving it after the record is withdrawn.
PUBLIC_MAX_AGE = 300
NOT_ADDED = msg("The file was not added: see “Images and documents” below.")
NOT_CHANGED = msg("Nothing was changed: see “Images and documents” below.")
STALE = msg("The record changed meanwhile; nothing was done. Check it and try again.")


# --- the files ------------------------------------------------------------------------------


def _serve(initiative_id: int, media_id: int, variant: str) -> Response:
    session = db()
    initiative = initiatives.lookup(session, initiative_id)
    media = reading.find(session, initiative_id, media_id) if initiative else None
    if initiative is None or media is None:
        abort(404)
    shared = reading.is_public(initiative, media)
    if not shared and not (
        actions.can_view(current_principal(), initiative)
        and actions.is_manager(current_principal(), initiative)
    ):
        abort(404)
    stored = reading.file_of(session, media, variant)
    if stored is None:
        abort(404)
    name = media.filename if variant == reading.FILE else f"thumbnail-{media.filename}"
    response = send_file(
        io.BytesIO(stored.data),
        mimetype=stored.content_type,
        as_attachment=media.kind == "document",
        download_name=name,
        etag=stored.sha256,
        conditional=True,
        max_age=None,
    )
    response.headers["Cache-Control"] = (
        f"public, max-age={PUBLIC_MAX_AGE}" if shared else "private, no-store"
    )
    return response


@bp.get("/initiatives/<int:initiative_id>/media/<int:media_id>")
@public
@serves_files
def file(initiative_id: int, media_id: int):
    """An image (inline) or a document (a download): published records' published media for
    everyone, the rest for the record's owners and curators only; 404 otherwise."""
    return _serve(initiative_id, media_id, reading.FILE)


@bp.get("/initiatives/<int:initiative_id>/media/<int:media_id>/thumbnail")
@public
@serves_files
def thumbnail(initiative_id: int, media_id: int):
    return _serve(initiative_id, media_id, reading.THUMBNAIL)


# --- the edit page's media section ----------------------------------------------------------


def _editable(initiative_id: int) -> Initiative:
    """The record if the principal may see it (else 404) and edit it (else 403)."""
    user = current_principal()
    initiative = initiatives.lookup(db(), initiative_id)
    if initiative is None or not actions.can_view(user, initiative):
        abort(404)
    if not actions.allowed(user, initiative, "edit"):
        abort(403)
    return initiative


def _version() -> int:
    raw = request.form.get("version") or ""
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) <= 10 else 0


def _refused(initiative: Initiative, form: str, values: dict, errors: dict, status: int,
             summary=NOT_ADDED):  # fmt: skip
    """The edit page again, the failing media form showing what was typed and every error."""
    return contribute.edit_page(
        initiative,
        status,
        errors={"_": [summary]},
        media_form={"form": form, "values": values, "errors": errors},
    )


def _back(initiative_id: int):
    return redirect(url_for("contribute.edit", initiative_id=initiative_id, _anchor="media"))


def _run(initiative: Initiative, form: str, values: dict, run, summary):
    """One media action in one transaction: (the edit page with the errors when refused, else
    None; whether the change waits for review, the record now having an edit beside it)."""
    try:
        with write_session(registry_of().engine) as session:
            run(session, current_principal())
            changed = initiatives.lookup(session, initiative.id)
            waits = changed is not None and changed.pending is not None
    except initiatives.NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except StaleVersion:
        return _refused(initiative, form, values, {"_": [STALE]}, 409, summary), False
    except ValidationFailed as exc:
        return _refused(initiative, form, values, exc.fields, 422, summary), False
    return None, waits


@bp.post("/my/initiatives/<int:initiative_id>/media")
@accepts_uploads(uploads.MAX_UPLOAD_BYTES + FORM_OVERHEAD)
@private("owners and curators, as the state table allows")
@login_required
def add(initiative_id: int):
    initiative = _editable(initiative_id)
    kind = request.args.get("kind", "")  # in the address: known even when the body is refused
    if kind not in uploads.KINDS:
        abort(404)
    values = {name: request.form.get(name, "") for name in uploads.TEXTS[kind]}
    upload = request.files.get("file")
    data = upload.stream.read(uploads.MAX_UPLOAD_BYTES + 1) if upload else None
    version = _version()
    refused, waits = _run(
        initiative,
        kind,
        values,
        lambda s, u: actions.add_media(
            s, u, initiative_id, kind, data, values, expected_version=version
        ),
        NOT_ADDED,
    )
    if refused:
        return refused
    if kind == "image":
        flash(_("Image added; the public sees it once a curator publishes your edit.") if waits
              else _("Image added."), "info")  # fmt: skip
    else:
        flash(_("Document added; the public sees it once a curator publishes your edit.") if waits
              else _("Document added."), "info")  # fmt: skip
    return _back(initiative_id)


@bp.post("/my/initiatives/<int:initiative_id>/media/<int:media_id>")
@private("owners and curators, as the state table allows")
@login_required
def update(initiative_id: int, media_id: int):
    initiative = _editable(initiative_id)
    media = reading.find(db(), initiative_id, media_id)
    if media is None:
        abort(404)
    values = {name: request.form.get(name, "") for name in uploads.TEXTS[media.kind]}
    version = _version()
    refused, waits = _run(
        initiative,
        str(media_id),
        values,
        lambda s, u: actions.update_media(
            s, u, initiative_id, media_id, values, expected_version=version
        ),
        NOT_CHANGED,
    )
    if refused:
        return refused
    flash(_("Texts saved; the public sees them once a curator publishes your edit.")
          if waits else _("Texts saved."), "info")  # fmt: skip
    return _back(initiative_id)


@bp.post("/my/initiatives/<int:initiative_id>/media/<int:media_id>/remove")
@private("owners and curators, as the state table allows")
@login_required
def remove(initiative_id: int, media_id: int):
    initiative = _editable(initiative_id)
    if reading.find(db(), initiative_id, media_id) is None:
        abort(404)
    version = _version()
    refused, waits = _run(
        initiative,
        str(media_id),
        {},
        lambda s, u: actions.remove_media(s, u, initiative_id, media_id, expected_version=version),
        NOT_CHANGED,
    )
    if refused:
        return refused
    flash(_("Removed; the public sees it until a curator publishes your edit.")
          if waits else _("Removed."), "info")  # fmt: skip
    return _back(initiative_id)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):
    """A body over the upload limit, refused before it was read: said on the edit page."""
    user = current_principal()
    initiative_id = (request.view_args or {}).get("initiative_id")
    initiative = initiatives.lookup(db(), initiative_id) if initiative_id else None
    kind = request.args.get("kind", "")
    if (
        request.endpoint != "media.add"
        or initiative is None
        or not actions.can_view(user, initiative)
        or not actions.allowed(user, initiative, "edit")
    ):
        return render_template("errors/error.html", error=exc), 413
    too_large = msg(
        "the file is larger than %(limit)s MB: nothing was uploaded",
        limit=uploads.MAX_UPLOAD_BYTES // uploads.MEGABYTE,
    )
    return _refused(initiative, kind if kind in uploads.KINDS else "image", {},
                    {"file": [too_large]}, 413)  # fmt: skip


# --- what templates show --------------------------------------------------------------------


def media_url(media: Media, variant: str = reading.FILE) -> str:
    endpoint = "media.file" if variant == reading.FILE else "media.thumbnail"
    return url_for(endpoint, initiative_id=media.initiative_id, media_id=media.id)


def external_urls(media: Media) -> tuple[str, str | None]:
    """The absolute addresses of an item's file and (images) thumbnail, for exports."""
    args = {"initiative_id": media.initiative_id, "media_id": media.id, "_external": True}
    thumbnail = url_for("media.thumbnail", **args) if media.kind == "image" else None
    return url_for("media.file", **args), thumbnail


def record_media(initiative: Initiative) -> tuple[list[Media], list[Media]]:
    """(images, documents) of the version the record's page shows."""
    items = reading.current(db(), initiative)
    return ([m for m in items if m.kind == "image"], [m for m in items if m.kind == "document"])


def media_covers(initiatives_: list[Initiative]) -> dict[int, Media]:
    """The first public image of each record, for result cards (one query)."""
    return reading.covers(db(), [i.id for i in initiatives_])


def file_size(size: int) -> str:
    """A file's size in the reader's language ("1.2 MB", "1,2 Mo")."""
    if size < 1024 * 1024:
        return format_unit(max(1, round(size / 1024)), "digital-kilobyte", "short",
                           locale=current_locale())  # fmt: skip
    return format_unit(round(size / 1024 / 1024, 1), "digital-megabyte", "short",
                       locale=current_locale())  # fmt: skip


HELPERS = {
    "media_url": media_url,
    "record_media": record_media,
    "media_covers": media_covers,
    "editable_media": lambda initiative: reading.every(db(), initiative),
    "waiting_media": lambda initiative: reading.waiting(reading.every(db(), initiative)),
    "proposed_texts": reading.proposed_texts,
    "file_size": file_size,
    "licence_deed": vocab.LICENCE_DEEDS.get,
    "media_limits": {
        "image_mb": uploads.MAX_IMAGE_BYTES // uploads.MEGABYTE,
        "document_mb": uploads.MAX_DOCUMENT_BYTES // uploads.MEGABYTE,
        "megapixels": uploads.MAX_IMAGE_PIXELS // 1_000_000,
    },
}
