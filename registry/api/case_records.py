"""A record's links to other records and its translations through the API (issue 16): list,
read, add, remove; put and remove a translation. Changes are the actions of registry.actions
(`link_records`, `unlink_records`, `translate_record`, `remove_translation`), with the same
rules as the pages: owners and curators change them; anyone who may see the record reads them,
and the public sees a link only while both records are published."""

from __future__ import annotations

from typing import Any

from flask import url_for

from .. import actions, initiatives, links, shapes, translations
from ..auth import current_principal
from ..db import write_session
from ..extensions import db, registry_of
from ..i18n import localized
from ..messages import msg
from ..models import Initiative, InitiativeTranslation
from ..schemas import ValidationFailed
from ..security import private, public
from .blueprint import bp, json_body
from .initiatives import actor, expected_version


def _seen(initiative_id: int) -> Initiative:
    """The record if the caller may see it; else NotFound, whether or not it exists."""
    initiative = initiatives.lookup(db(), initiative_id)
    if initiative is None or not actions.can_view(current_principal(), initiative):
        raise initiatives.NotFound(initiative_id)
    return initiative


def _object() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object")]})
    return body


# --- Links --------------------------------------------------------------------------------


def _manages(initiative: Initiative) -> bool:
    return actions.is_manager(current_principal(), initiative)


def _related(session, initiative: Initiative) -> list[links.Related]:
    """The links the caller sees: the public version's; its owners and curators also those
    waiting for review."""
    user = current_principal()
    return links.related(session, initiative, lambda other: actions.can_view(user, other),
                         waiting=_manages(initiative))  # fmt: skip


def _link(found: links.Related, manager: bool) -> dict[str, Any]:
    other = url_for("browse.initiative_page", initiative_id=found.other.id,
                    slug=found.other.slug, _external=True)  # fmt: skip
    record = links.to_record(found, localized(found.label), other, manager=manager)
    return shapes.dump(shapes.Link, record)


def _one_link(session, initiative: Initiative, link_id: int) -> dict[str, Any]:
    for found in _related(session, initiative):
        if found.link.id == link_id:
            return _link(found, _manages(initiative))
    raise actions.LinkNotFound(link_id)


@bp.get("/initiatives/<int:initiative_id>/links")
@public
def list_links(initiative_id: int):
    """The record's links both ways, to the records the caller may see (the public: published
    ones), in the vocabulary's order."""
    initiative = _seen(initiative_id)
    manager = _manages(initiative)
    return [_link(found, manager) for found in _related(db(), initiative)]


@bp.get("/initiatives/<int:initiative_id>/links/<int:link_id>")
@public
def get_link(initiative_id: int, link_id: int):
    return _one_link(db(), _seen(initiative_id), link_id)


@bp.post("/initiatives/<int:initiative_id>/links")
@private("owners and curators of the record")
def add_link(initiative_id: int):
    user = actor()
    body = _object()
    version = expected_version(body)
    kind, target = body.pop("kind", None), body.pop("target", None)
    if body:
        raise ValidationFailed({k: [msg("unknown field")] for k in body})
    with write_session(registry_of().engine) as session:
        link = actions.link_records(session, user, initiative_id, target, kind,
                                    expected_version=version)  # fmt: skip
        created = _one_link(session, initiatives.lookup(session, initiative_id), link.id)
    location = url_for("api.get_link", initiative_id=initiative_id, link_id=created["id"],
                       _external=True)  # fmt: skip
    return created, 201, {"Location": location}


@bp.delete("/initiatives/<int:initiative_id>/links/<int:link_id>")
@private("owners and curators of either record")
def remove_link(initiative_id: int, link_id: int):
    user = actor()
    version = expected_version({})
    with write_session(registry_of().engine) as session:
        actions.unlink_records(session, user, initiative_id, link_id, expected_version=version)
    return "", 204


# --- Translations ---------------------------------------------------------------------------


def _translation(row: InitiativeTranslation, manager: bool) -> dict[str, Any]:
    return shapes.dump(shapes.Translation, translations.to_record(row, manager=manager))


@bp.get("/initiatives/<int:initiative_id>/translations")
@public
def list_translations(initiative_id: int):
    """The public version's translations; owners and curators also get those waiting for
    review, with their `state` and `proposed` texts."""
    initiative = _seen(initiative_id)
    manager = _manages(initiative)
    rows = translations.every(db(), initiative, waiting=manager)
    return [_translation(row, manager) for row in rows]


@bp.get("/initiatives/<int:initiative_id>/translations/<language>")
@public
def get_translation(initiative_id: int, language: str):
    initiative = _seen(initiative_id)
    manager = _manages(initiative)
    found = translations.find(db(), initiative, language.strip().lower(), waiting=manager)
    if found is None:
        raise actions.TranslationNotFound(language)
    return _translation(found, manager)


@bp.put("/initiatives/<int:initiative_id>/translations/<language>")
@private("owners and curators of the record")
def put_translation(initiative_id: int, language: str):
    """Add or replace the translation: 201 when it is new, 200 when it replaced one."""
    user = actor()
    body = _object()
    version = expected_version(body)
    with write_session(registry_of().engine) as session:
        code = language.strip().lower()
        existed = session.get(InitiativeTranslation, (initiative_id, code)) is not None
        row = actions.translate_record(session, user, initiative_id, language, body,
                                       expected_version=version)  # fmt: skip
        answer = _translation(row, True)
    location = url_for("api.get_translation", initiative_id=initiative_id,
                       language=answer["language"], _external=True)  # fmt: skip
    return answer, (200 if existed else 201), {"Location": location}


@bp.delete("/initiatives/<int:initiative_id>/translations/<language>")
@private("owners and curators of the record")
def remove_translation(initiative_id: int, language: str):
    user = actor()
    version = expected_version({})
    with write_session(registry_of().engine) as session:
        actions.remove_translation(session, user, initiative_id, language,
                                   expected_version=version)  # fmt: skip
    return "", 204
