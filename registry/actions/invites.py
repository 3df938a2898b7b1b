"""Accounts on the web (issue 19): admins invite people and change their role or deactivate
them; anyone holding a valid password link sets a password; anyone may ask for a reset link.

A password link carries the account's id and a fingerprint of its current password hash and
session version, signed and dated by the web layer (registry/web/admin.py): it expires with its
date, and it is single-use because setting a password changes the fingerprint. Asking for a
reset answers the same whether the address has an account or not, and is throttled per asking
address and per account address.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy import func, select
from sqlmodel import Session

from .. import accounts, mail
from ..accounts import AccountError, Principal
from ..messages import msg, translate
from ..models import LoginFailure, Organisation, User, utcnow
from .authority import may_manage_accounts
from .errors import Forbidden
from .guard import action, permit

MAX_RESETS_PER_ADDRESS = 5  # asking address, per accounts.THROTTLE_WINDOW
MAX_RESETS_PER_ACCOUNT = 3  # mails to one account address, per window


def fingerprint(user: User) -> str:
    """What a password link must match: changes when the password or sessions change."""
    seed = f"{user.id}\n{user.password_hash}\n{user.session_version}\n{user.active}"
    return hashlib.sha256(seed.encode()).hexdigest()[:24]


def _admin(principal: Principal | None, name: str) -> None:
    if not may_manage_accounts(principal):
        raise Forbidden(name, msg("only administrators manage accounts"))
    permit(name)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise AccountError(msg("no such account"))
    return user


@action("invite_user")
def invite_user(
    session: Session,
    principal: Principal,
    email: str,
    *,
    role: str,
    organisation: str | None,
    link_for: Callable[[User], str],
    locale: str = "en",
) -> User:
    """A new account without a password, and an e-mail inviting its owner to set one."""
    _admin(principal, "invite_user")
    user = accounts.create_user(session, email, role=role, organisation=organisation)
    link = link_for(user)
    body = msg(
        "You are invited to the Coproduction Registry as %(role)s%(organisation)s.\n\n"
        "Choose your password here (the link works once, for 7 days):\n%(link)s\n",
        role=translate(ROLE_NAMES[role], locale),
        organisation=f" ({organisation})" if organisation else "",
        link=link,
    )
    mail.queue(
        session,
        kind="invitation",
        to=user.email,
        subject=translate(msg("Your invitation to the Coproduction Registry"), locale),
        body=translate(body, locale),
    )
    return user


ROLE_NAMES = {
    "submitter": msg("a submitter"),
    "curator": msg("a curator"),
    "admin": msg("an administrator"),
}


@action("change_role")
def change_role(session: Session, principal: Principal, user_id: int, role: str) -> User:
    _admin(principal, "change_role")
    if role not in accounts.ROLES:
        raise AccountError(msg("unknown role %(role)s", role=repr(role)))
    user = _user(session, user_id)
    if user.id == principal.id and role != "admin":
        raise AccountError(msg("you cannot take away your own administrator role"))
    user.role = role
    accounts.end_sessions(session, user)  # the new role applies from the next sign-in
    return user


@action("set_active")
def set_active(session: Session, principal: Principal, user_id: int, active: bool) -> User:
    """Deactivate an account (its sessions end, its tokens are revoked) or reactivate it."""
    _admin(principal, "set_active")
    user = _user(session, user_id)
    if user.id == principal.id:
        raise AccountError(msg("you cannot deactivate your own account"))
    user.active = active
    accounts.sign_out_everywhere(session, user)
    return user


@action("add_organisation")
def add_organisation(
    session: Session, principal: Principal, name: str, country: str | None = None
) -> Organisation:
    _admin(principal, "add_organisation")
    return accounts.organisation_named(session, name, country)


@action("set_password")
def set_password(session: Session, principal: Principal, email: str, password: str) -> User:
    """An administrator (or the command line) sets another account's password; its sessions
    end and its tokens are revoked."""
    _admin(principal, "set_password")
    user = accounts.find_user(session, email)
    if user is None:
        raise AccountError(msg("no account for %(email)s", email=accounts.normalise_email(email)))
    user.password_hash = accounts.hash_password(password)
    accounts.sign_out_everywhere(session, user)
    return user


@action("use_password_link")
def use_password_link(session: Session, user_id: int, seen: str, password: str) -> User:
    """Set a password through a link whose signature and date the web layer checked: the link
    must still match the account (so it works once). Anyone holding it may act."""
    user = session.get(User, user_id, with_for_update=True)
    if user is None or not user.active or fingerprint(user) != seen:
        raise AccountError(msg("this link has expired or has been used already"))
    permit("use_password_link")
    user.password_hash = accounts.hash_password(password)
    accounts.sign_out_everywhere(session, user)
    return user


def reset_throttled(session: Session, address_key: str, email_key: str) -> bool:
    since = utcnow() - accounts.THROTTLE_WINDOW
    count = session.scalar(
        select(func.count()).where(
            LoginFailure.key == address_key, LoginFailure.created_at >= since
        )
    )
    mails = session.scalar(
        select(func.count()).where(LoginFailure.key == email_key, LoginFailure.created_at >= since)
    )
    return count >= MAX_RESETS_PER_ADDRESS or mails >= MAX_RESETS_PER_ACCOUNT


@action("request_password_reset")
def request_password_reset(
    session: Session,
    email: str,
    address: str,
    *,
    link_for: Callable[[User], str],
    locale: str = "en",
) -> None:
    """Queue a reset link for an active account with this address; nothing else happens for
    an unknown one, and the caller answers the same (raises accounts.Throttled when asked too
    often from this address or for this account)."""
    permit("request_password_reset")
    email = accounts.normalise_email(email)[:254]
    address_key = "reset-address:" + hashlib.sha256(address.encode()).hexdigest()
    email_key = "reset-account:" + hashlib.sha256(email.encode()).hexdigest()
    if reset_throttled(session, address_key, email_key):
        raise accounts.Throttled(int(accounts.THROTTLE_WINDOW.total_seconds() // 60))
    session.add_all([LoginFailure(key=address_key), LoginFailure(key=email_key)])
    user = accounts.find_user(session, email) if "@" in email else None
    if user is None or not user.active:
        return
    body = msg(
        "Someone asked to reset the password of your Coproduction Registry account.\n\n"
        "Choose a new password here (the link works once, for one hour):\n%(link)s\n\n"
        "If you did not ask, ignore this message: your password stays as it is.\n",
        link=link_for(user),
    )
    mail.queue(
        session,
        kind="password_reset",
        to=user.email,
        subject=translate(msg("Reset your Coproduction Registry password"), locale),
        body=translate(body, locale),
    )
