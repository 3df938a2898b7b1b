"""The media actions: add, change the texts of, and remove an image or a document of a record.

Each needs edit rights on the record: it is checked as the state table's `edit` move, and moves
the record as an edit would. Where that move leads to a `published+edit…` state (an owner's
change of a published record, or any change beside an edit in review), the change waits with
the record's edit: an added item is `added`, a removed one `removing`, new texts are `proposed`;
the public keeps seeing the published version until a curator publishes the edit
(`media_storage.settle`, run by `storage.save`). Elsewhere the change applies at once. Every
change is one revision of the record naming the item, and one change-log entry.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from .. import initiatives
from ..accounts import Principal
from ..media import reading, uploads
from ..media.reading import ADDED, LIVE, REMOVING
from ..messages import msg
from ..models import Initiative, Media
from ..schemas import ValidationFailed
from . import media_storage, storage
from .guard import action
from .records import authorise, locked
from .workflow import PENDING_STATES, State


class MediaNotFound(initiatives.NotFound):
    """No such media item on this record (404)."""


def _note(media: Media) -> str:
    """The revision's note: which item, by its number and its alt text or title."""
    label = media.title if media.kind == "document" else media.alt
    short = label if len(label) <= 80 else label[:79] + "…"
    return f"#{media.id} “{short}”"


def _begin(
    session: Session,
    principal: Principal,
    initiative_id: int,
    name: str,
    expected_version: int | None,
) -> tuple[Initiative, State, bool]:
    """The locked record, the state the edit move leads to, and whether the change waits."""
    initiative = locked(session, principal, initiative_id, name)
    _, after = authorise(principal, initiative, "edit", expected_version)
    return initiative, after, after in PENDING_STATES


def _save(
    session: Session, principal: Principal, initiative: Initiative, after: State, name: str,
    media: Media, waits: bool,
) -> None:  # fmt: skip
    if waits and initiative.pending is None:  # the change starts an edit of the published record
        initiative.pending = initiatives.editable_fields(initiative)
    storage.save(
        session, initiative, after, action=name, principal=principal, changes=["media"],
        note=_note(media), public_change=after is State.PUBLISHED,
    )  # fmt: skip


def _item(session: Session, initiative_id: int, media_id: int) -> Media:
    media = reading.find(session, initiative_id, media_id)
    if media is None:
        raise MediaNotFound(media_id)
    return media


@action("add_media")
def add_media(
    session: Session,
    principal: Principal,
    initiative_id: int,
    kind: Any,
    data: bytes | None,
    texts: Any,
    *,
    expected_version: int | None = None,
) -> Media:
    """Attach an image (`alt`, `caption`, `credit`, `licence`) or a PDF document (`title`).

    The file and the texts are checked together and every problem is reported at once; the
    image is re-encoded without its metadata and its thumbnail made here, once."""
    initiative, after, waits = _begin(session, principal, initiative_id, "add_media",
                                      expected_version)  # fmt: skip
    if kind not in uploads.KINDS:
        raise ValidationFailed({"kind": [msg('must be "image" or "document"')]})
    errors: dict[str, list[str]] = {}
    found: dict[str, Any] = {}
    try:
        found = uploads.texts(kind, texts)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    accepted = None
    if not data:
        errors["file"] = [msg("choose a file to upload")]
    else:
        try:
            accepted = uploads.accept(kind, data)
        except uploads.Refused as exc:
            errors["file"] = [exc.message]
    if errors or accepted is None:
        raise ValidationFailed(errors)
    media = media_storage.add(
        session, initiative, principal, accepted, found, ADDED if waits else LIVE
    )
    _save(session, principal, initiative, after, "add_media", media, waits)
    return media


@action("update_media")
def update_media(
    session: Session,
    principal: Principal,
    initiative_id: int,
    media_id: int,
    patch: Any,
    *,
    expected_version: int | None = None,
) -> Media:
    """Change an item's texts (a partial update, validated as a whole). Writes nothing when
    nothing changes."""
    initiative, after, waits = _begin(session, principal, initiative_id, "update_media",
                                      expected_version)  # fmt: skip
    media = _item(session, initiative_id, media_id)
    if media.state == REMOVING:
        raise ValidationFailed(
            {"_": [msg("this item is to be removed with the edit waiting for review")]}
        )
    if not isinstance(patch, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the media item's texts")]})
    before = reading.proposed_texts(media)
    found = uploads.texts(media.kind, {**before, **patch})
    if found == before:
        return media
    if waits and media.state == LIVE:
        live = reading.texts_of(media)
        media.proposed = {k: v for k, v in found.items() if v != live[k]} or None
    else:
        media_storage.set_texts(media, found)
    _save(session, principal, initiative, after, "update_media", media, waits)
    return media


@action("remove_media")
def remove_media(
    session: Session,
    principal: Principal,
    initiative_id: int,
    media_id: int,
    *,
    expected_version: int | None = None,
) -> Initiative:
    """Remove an item: at once, or, beside a published record's waiting edit, once the edit is
    published (the public keeps seeing it until then). Removing it twice changes nothing."""
    initiative, after, waits = _begin(session, principal, initiative_id, "remove_media",
                                      expected_version)  # fmt: skip
    media = _item(session, initiative_id, media_id)
    if media.state == REMOVING:
        return initiative
    if waits and media.state == LIVE:
        media.state, media.proposed = REMOVING, None
    else:
        media_storage.remove(session, media)
    _save(session, principal, initiative, after, "remove_media", media, waits)
    return initiative
