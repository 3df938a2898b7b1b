"""Translations of a record's texts into another interface language (issue 16).

Owners and curators add, replace or remove the translation of a record into an interface
language other than the record's own. It is written at once, as one revision of the record
(it does not wait for review), and readers see it only where they see the record.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from .. import initiatives
from ..accounts import Principal
from ..messages import LANGUAGES, msg
from ..models import Initiative, InitiativeTranslation, utcnow
from ..schemas import ValidationFailed, validate_translation
from . import storage
from .authority import roles
from .errors import Forbidden, StaleVersion
from .guard import action, permit
from .records import locked
from .workflow import state_of


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
    permit("translate_record")
    row = session.get(InitiativeTranslation, (initiative.id, code))
    if row is None:
        row = InitiativeTranslation(initiative_id=initiative.id, language=code, **texts)
    else:
        for name, value in texts.items():
            setattr(row, name, value)
    row.translated_by_id, row.translated_at = principal.id, utcnow()
    session.add(row)
    storage.save(
        session, initiative, state_of(initiative), action="translate_record",
        principal=principal, changes=["translation"], note=code,
    )  # fmt: skip
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
    permit("remove_translation")
    session.delete(row)
    return storage.save(
        session, initiative, state_of(initiative), action="remove_translation",
        principal=principal, changes=["translation"], note=code,
    )  # fmt: skip
