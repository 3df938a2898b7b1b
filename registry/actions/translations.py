"""Translations of a record's texts into another interface language (issue 16).

Owners and curators add, replace or remove the translation of a record into an interface
language other than the record's own, as one revision of the record; readers see it only where
they see the record. As for links (actions/links.py), a change by an owner of a published record
waits with the record's edit until a curator publishes it: a new translation is `added`, new
texts for a live one are `proposed`, a removal is `removing`.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from .. import initiatives
from ..accounts import Principal
from ..media.reading import ADDED, LIVE, REMOVING
from ..messages import LANGUAGES, msg
from ..models import Initiative, InitiativeTranslation, utcnow
from ..schemas import ValidationFailed, validate_translation
from .authority import roles
from .errors import Forbidden, StaleVersion
from .guard import action, permit
from .links import review_move, save_change
from .records import locked


class TranslationNotFound(initiatives.NotFound):
    """The record has no translation into this language (404)."""

    message = msg("this record has no translation into it")


def _begin(
    session: Session, principal: Principal, initiative_id: int, name: str, language: Any,
    expected_version: int | None,
) -> tuple[Initiative, str]:  # fmt: skip
    initiative = locked(session, principal, initiative_id, name)
    if not roles(principal, initiative):
        raise Forbidden(name, msg("only its owners and the curators can translate a record"))
    if expected_version not in (None, initiative.version):
        raise StaleVersion(initiative.version)
    code = str(language or "").strip().lower()
    others = [c for c in LANGUAGES if c != initiative.language]
    if code not in others:
        raise ValidationFailed({"language": [msg(
            "a translation is into another language of the interface: %(expected)s",
            expected=", ".join(others))]})  # fmt: skip
    return initiative, code


@action("translate_record")
def translate_record(
    session: Session, principal: Principal, initiative_id: int, language: Any, data: Any, *,
    expected_version: int | None = None,
) -> InitiativeTranslation:  # fmt: skip
    """Add or replace the record's translation into `language`."""
    initiative, code = _begin(
        session, principal, initiative_id, "translate_record", language, expected_version
    )
    texts = validate_translation(data).model_dump()
    waits = review_move(principal, initiative, expected_version)
    permit("translate_record")
    row = session.get(InitiativeTranslation, (initiative.id, code))
    if row is None or row.state == ADDED or waits is None:
        if row is None:
            row = InitiativeTranslation(initiative_id=initiative.id, language=code, **texts)
            row.state = ADDED if waits is not None else LIVE
        for name, value in texts.items():
            setattr(row, name, value)
        row.translated_by_id, row.translated_at = principal.id, utcnow()
        if waits is None:
            row.state, row.proposed = LIVE, None
    else:  # new texts for a public translation: they wait, the public keeps the live ones
        row.state, row.proposed = LIVE, {**texts, "translated_by_id": principal.id}
    session.add(row)
    save_change(session, principal, initiative, waits, "translate_record", ["translation"], code)
    return row


@action("remove_translation")
def remove_translation(
    session: Session, principal: Principal, initiative_id: int, language: Any, *,
    expected_version: int | None = None,
) -> Initiative:  # fmt: skip
    initiative, code = _begin(
        session, principal, initiative_id, "remove_translation", language, expected_version
    )
    row = session.get(InitiativeTranslation, (initiative.id, code))
    if row is None:
        raise TranslationNotFound(code)
    waits = review_move(principal, initiative, expected_version)
    permit("remove_translation")
    if waits is not None and row.state != ADDED:  # public until the edit is published
        row.state, row.proposed = REMOVING, None
        session.add(row)
    else:
        session.delete(row)
    return save_change(session, principal, initiative, waits, "remove_translation",
                       ["translation"], code)  # fmt: skip
