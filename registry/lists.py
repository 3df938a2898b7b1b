"""Personal lists: a signed-in person's lists of published initiatives ("for my report"),
private by default, shareable by an unguessable link its owner can revoke.

Only the owner sees a list through its id (anybody else gets 404, whether it exists or not);
anybody holding its share link sees it read-only. Either way only its published records are
shown: a record that stops being published leaves every list, and comes back if published again.
Writes are the actions `create_list` … `unshare_list` (registry.actions).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from . import initiatives
from .messages import msg
from .models import Initiative, UserList, UserListItem
from .schemas import ValidationFailed, text_problem

MAX_NAME = 200
MAX_DESCRIPTION = 5_000
MAX_NOTE = 2_000
MAX_LISTS = 100  # per person
MAX_ITEMS = 500  # per list


class ListNotFound(LookupError):
    """No such list among the principal's (or no list behind a share link)."""


@dataclass
class Item:
    initiative: Initiative
    note: str


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _text(fields: dict, name: str, value: object, limit: int, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        fields[name] = [str(msg("required"))]
    elif len(text) > limit:
        fields[name] = [str(msg("at most %(limit)s characters", limit=f"{limit:,}"))]
    elif (problem := text_problem(text)) is not None:
        fields[name] = [str(problem)]
    return text


def clean(name: object, description: object) -> tuple[str, str]:
    fields: dict[str, list[str]] = {}
    name_ = " ".join(_text(fields, "name", name, MAX_NAME, required=True).split())
    description_ = _text(fields, "description", description, MAX_DESCRIPTION)
    if fields:
        raise ValidationFailed(fields)
    return name_, description_


def clean_note(note: object) -> str:
    fields: dict[str, list[str]] = {}
    text = _text(fields, "note", note, MAX_NOTE)
    if fields:
        raise ValidationFailed(fields)
    return text


def of_user(session: Session, user_id: int) -> list[UserList]:
    return list(
        session.scalars(select(UserList).where(UserList.user_id == user_id).order_by(UserList.id))
    )


def own(session: Session, user_id: int | None, list_id: int) -> UserList:
    """The person's own list; ListNotFound for any other (another's private list is 404)."""
    found = session.get(UserList, list_id) if 0 < list_id <= initiatives.MAX_ID else None
    if found is None or user_id is None or found.user_id != user_id:
        raise ListNotFound(list_id)
    return found


def shared(session: Session, token: str) -> UserList:
    """The list behind a share link that is still valid."""
    if not 20 <= len(token) <= 64:
        raise ListNotFound(token)
    found = session.scalars(select(UserList).where(UserList.share_token == token)).first()
    if found is None:
        raise ListNotFound(token)
    return found


def public_items(session: Session, user_list: UserList) -> list[Item]:
    """Its published records, in the order they were added, with the owner's notes."""
    rows = session.execute(
        initiatives.public_query()
        .add_columns(UserListItem.note)
        .join(UserListItem, UserListItem.initiative_id == Initiative.id)
        .where(UserListItem.list_id == user_list.id)
        .order_by(UserListItem.position, UserListItem.added_at)
    )
    return [Item(i, note) for i, note in rows]


def lists_holding(session: Session, user_id: int, initiative_id: int) -> set[int]:
    """Ids of the person's lists that hold this record."""
    return set(
        session.scalars(
            select(UserListItem.list_id)
            .join(UserList, UserList.id == UserListItem.list_id)
            .where(UserList.user_id == user_id, UserListItem.initiative_id == initiative_id)
        )
    )
