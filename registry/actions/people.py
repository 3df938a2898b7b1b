"""Account and organisation changes: the same guard as record actions — each checks who may act
before `registry.accounts` writes anything. A person changes their own account; admins (and the
command line, acting as `authority.SYSTEM`) create accounts and tokens for others.
"""

from __future__ import annotations

from sqlmodel import Session

from .. import accounts
from ..accounts import AccountError, Principal
from ..messages import msg
from ..models import User
from .authority import may_manage_accounts
from .errors import Forbidden
from .guard import action, permit


def _own_account(session: Session, principal: Principal | None, name: str) -> User:
    """The principal's own, active account, locked for the transaction; Forbidden otherwise."""
    if principal is None or principal.id is None:
        raise Forbidden(name, msg("sign in to change your account"))
    user = session.get(User, principal.id, with_for_update=True)
    if user is None or not user.active:
        raise Forbidden(name, msg("sign in to change your account"))
    permit(name)
    return user


def _admin(principal: Principal | None, name: str) -> None:
    if not may_manage_accounts(principal):
        raise Forbidden(name, msg("only administrators manage accounts"))
    permit(name)


@action("create_user")
def create_user(
    session: Session,
    principal: Principal,
    email: str,
    *,
    role: str,
    password: str | None = None,
    organisation: str | None = None,
) -> User:
    """A new account, and its organisation when that does not exist yet (admins)."""
    _admin(principal, "create_user")
    return accounts.create_user(
        session, email, role=role, password=password, organisation=organisation
    )


@action("create_token")
def create_token(
    session: Session, principal: Principal, *, label: str = "", for_email: str | None = None
) -> str:
    """A new API token, returned once: for the principal, or (admins) for another account."""
    if for_email is None:
        user = _own_account(session, principal, "create_token")
    else:
        _admin(principal, "create_token")
        user = accounts.find_user(session, for_email)
        if user is None:
            raise AccountError(
                msg("no account for %(email)s", email=accounts.normalise_email(for_email))
            )
    return accounts.create_token(session, user, label)


@action("revoke_token")
def revoke_token(session: Session, principal: Principal, token_id: int) -> None:
    user = _own_account(session, principal, "revoke_token")
    accounts.revoke_token(session, user.id, token_id)


@action("change_password")
def change_password(session: Session, principal: Principal, current: str, new: str) -> Principal:
    """A new password; every other session ends and every API token is revoked. Returns the
    principal with its new session version (to keep the current session signed in)."""
    user = _own_account(session, principal, "change_password")
    accounts.change_password(session, user, current, new)
    return Principal.of(user)


@action("end_sessions")
def end_sessions(session: Session, principal: Principal) -> None:
    """Sign out everywhere: every session of the account ends."""
    accounts.end_sessions(session, _own_account(session, principal, "end_sessions"))


@action("sign_out_everywhere")
def sign_out_everywhere(session: Session, principal: Principal) -> None:
    """Every session of the account ends and every API token is revoked."""
    accounts.sign_out_everywhere(session, _own_account(session, principal, "sign_out_everywhere"))


@action("set_locale")
def set_locale(session: Session, principal: Principal, locale: str) -> None:
    """Remember the interface language the person chose."""
    accounts.set_locale(session, _own_account(session, principal, "set_locale"), locale)
