"""Personal lists: their owner makes, fills, shares and deletes them; nobody else can (another
person's list does not exist for them: ListNotFound, a 404)."""

from __future__ import annotations

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from sqlmodel import Session

from .. import initiatives, lists
from ..accounts import Principal
from ..messages import msg
from ..models import User, UserList, UserListItem, utcnow
from ..schemas import ValidationFailed
from .errors import Forbidden
from .guard import action, permit


def _signed_in(session: Session, principal: Principal | None, name: str) -> User:
    if principal is None or principal.id is None:
        raise Forbidden(name, msg("sign in to keep lists"))
    user = session.get(User, principal.id)
    if user is None or not user.active:
        raise Forbidden(name, msg("sign in to keep lists"))
    return user


def _own(session: Session, principal: Principal | None, list_id: int, name: str) -> UserList:
    user = _signed_in(session, principal, name)
    found = lists.own(session, user.id, list_id)
    session.refresh(found, with_for_update=True)
    permit(name)
    return found


@action("create_list")
def create_list(
    session: Session, principal: Principal, name: str, description: str = ""
) -> UserList:
    """A new list, private."""
    user = _signed_in(session, principal, "create_list")
    permit("create_list")
    name, description = lists.clean(name, description)
    count = session.scalar(select(func.count()).where(UserList.user_id == user.id)) or 0
    if count >= lists.MAX_LISTS:
        raise ValidationFailed(
            {"name": [str(msg("at most %(limit)s lists", limit=lists.MAX_LISTS))]}
        )
    user_list = UserList(user_id=user.id, name=name, description=description)
    session.add(user_list)
    return user_list


@action("update_list")
def update_list(
    session: Session, principal: Principal, list_id: int, name: str, description: str
) -> UserList:
    user_list = _own(session, principal, list_id, "update_list")
    user_list.name, user_list.description = lists.clean(name, description)
    user_list.updated_at = utcnow()
    return user_list


@action("delete_list")
def delete_list(session: Session, principal: Principal, list_id: int) -> None:
    user_list = _own(session, principal, list_id, "delete_list")
    session.execute(sql_delete(UserListItem).where(UserListItem.list_id == user_list.id))
    session.delete(user_list)


@action("add_to_list")
def add_to_list(
    session: Session, principal: Principal, list_id: int, initiative_id: int, note: str = ""
) -> bool:
    """Add a published record (at the end); False when it is there already."""
    user_list = _own(session, principal, list_id, "add_to_list")
    note = lists.clean_note(note)
    try:
        initiatives.get_public(session, initiative_id)
    except initiatives.NotFound:
        raise ValidationFailed(
            {"initiative": [str(msg("only published initiatives can be listed"))]}
        ) from None
    if session.get(UserListItem, (user_list.id, initiative_id)) is not None:
        return False
    count = session.scalar(
        select(func.count()).where(UserListItem.list_id == user_list.id)
    ) or 0  # fmt: skip
    if count >= lists.MAX_ITEMS:
        raise ValidationFailed(
            {"initiative": [str(msg("a list holds at most %(limit)s initiatives",
                                    limit=lists.MAX_ITEMS))]}
        )  # fmt: skip
    session.add(UserListItem(list_id=user_list.id, initiative_id=initiative_id,
                             position=count, note=note))  # fmt: skip
    user_list.updated_at = utcnow()
    return True


@action("remove_from_list")
def remove_from_list(
    session: Session, principal: Principal, list_id: int, initiative_id: int
) -> None:
    user_list = _own(session, principal, list_id, "remove_from_list")
    session.execute(
        sql_delete(UserListItem).where(
            UserListItem.list_id == user_list.id, UserListItem.initiative_id == initiative_id
        )
    )
    user_list.updated_at = utcnow()


@action("share_list")
def share_list(session: Session, principal: Principal, list_id: int) -> str:
    """A new share link (any earlier one stops working)."""
    user_list = _own(session, principal, list_id, "share_list")
    user_list.share_token = lists.new_token()
    return user_list.share_token


@action("unshare_list")
def unshare_list(session: Session, principal: Principal, list_id: int) -> None:
    """The share link stops working: the list is private again."""
    _own(session, principal, list_id, "unshare_list").share_token = None
