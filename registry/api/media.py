"""A record's images and documents through the API: list, read, add (multipart), change the
texts of, remove. Changes are the media actions of registry.actions; who sees what is
`media.reading`'s rule (the public: a published record's published media only)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from .. import actions, initiatives, shapes
from ..auth import current_principal
from ..db import write_session
from ..errors import ApiError
from ..extensions import accepts_uploads, db, registry_of
from ..media import reading, uploads
from ..messages import msg
from ..models import Initiative, Media
from ..schemas import ValidationFailed
from ..security import private, public
from .blueprint import bp, json_body
from .initiatives import actor, expected_version

FORM_OVERHEAD = 256 * 1024


def _urls(media: Media) -> tuple[str, str | None]:
    args = {"initiative_id": media.initiative_id, "media_id": media.id, "_external": True}
    thumbnail = url_for("media.thumbnail", **args) if media.kind == "image" else None
    return url_for("media.file", **args), thumbnail


def _shape(media: Media, manager: bool) -> dict[str, Any]:
    record = reading.full_record if manager else reading.to_record
    return shapes.dump(shapes.Media, record(media, *_urls(media)))


def _seen(initiative_id: int) -> tuple[Initiative, bool]:
    """The record and whether the caller manages it; NotFound when the caller may not see it."""
    user = current_principal()
    initiative = initiatives.lookup(db(), initiative_id)
    if initiative is None or not actions.can_view(user, initiative):
        raise initiatives.NotFound(initiative_id)
    return initiative, actions.is_manager(user, initiative)


@bp.get("/initiatives/<int:initiative_id>/media")
@public
def list_media(initiative_id: int):
    """The public: the published version's media; owners and curators: every item, with its
    state and the texts waiting for review."""
    initiative, manager = _seen(initiative_id)
    items = reading.every(db(), initiative) if manager else reading.public(db(), initiative)
    return [_shape(m, manager) for m in items]  # each shaped by shapes.Media


@bp.get("/initiatives/<int:initiative_id>/media/<int:media_id>")
@public
def get_media(initiative_id: int, media_id: int):
    initiative, manager = _seen(initiative_id)
    media = reading.find(db(), initiative_id, media_id)
    if media is None or not (manager or reading.is_public(initiative, media)):
        raise actions.MediaNotFound(media_id)
    return _shape(media, manager)


def _fetched(initiative_id: int, media_id: int) -> dict[str, Any]:
    """The item after a change, as its owners and curators see it."""
    with write_session(registry_of().engine) as session:
        media = reading.find(session, initiative_id, media_id)
        if media is None:
            raise actions.MediaNotFound(media_id)
        return _shape(media, True)


@bp.post("/initiatives/<int:initiative_id>/media")
@accepts_uploads(uploads.MAX_UPLOAD_BYTES + FORM_OVERHEAD)
@private("owners and curators, as the state table allows (edit)")
def add_media(initiative_id: int):
    user = actor()
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "unsupported_media_type", msg("send the file as multipart/form-data"))
    form = request.form.to_dict()
    version = expected_version(form)
    kind = form.pop("kind", None)
    upload = request.files.get("file")
    data = upload.stream.read(uploads.MAX_UPLOAD_BYTES + 1) if upload else None
    with write_session(registry_of().engine) as session:
        media = actions.add_media(
            session, user, initiative_id, kind, data, form, expected_version=version
        )
        created = _shape(media, True)
    location = url_for(
        "api.get_media", initiative_id=initiative_id, media_id=created["id"], _external=True
    )
    return created, 201, {"Location": location}


@bp.patch("/initiatives/<int:initiative_id>/media/<int:media_id>")
@private("owners and curators, as the state table allows (edit)")
def update_media(initiative_id: int, media_id: int):
    user = actor()
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the media item's texts")]})
    version = expected_version(body)
    with write_session(registry_of().engine) as session:
        actions.update_media(session, user, initiative_id, media_id, body,
                             expected_version=version)  # fmt: skip
    return _fetched(initiative_id, media_id)


@bp.delete("/initiatives/<int:initiative_id>/media/<int:media_id>")
@private("owners and curators, as the state table allows (edit)")
def remove_media(initiative_id: int, media_id: int):
    user = actor()
    version = expected_version({})
    with write_session(registry_of().engine) as session:
        actions.remove_media(session, user, initiative_id, media_id, expected_version=version)
    return "", 204
