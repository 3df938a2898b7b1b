"""Accounts, organisations, API tokens and the sign-in throttle. Knows nothing of Flask.

Passwords are hashed with argon2; tokens are random strings stored only as SHA-256 hashes.
Failed sign-ins are rows of `login_failure`, so every worker and every server sharing the
database counts them together. They are counted per account *and address* pair, and per
address: a stranger's wrong passwords, from however many addresses, never lock the owner out
at the owner's own address (the address is the client's, behind a configured trusted proxy).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from .db import read_session, write_session
from .messages import msg
from .models import ApiToken, LoginFailure, Organisation, User, utcnow
from .schemas import text_problem

ROLES = ("submitter", "curator", "admin")
MIN_PASSWORD = 10
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_PAIR = 5  # one address guessing one account's password
MAX_FAILURES_PER_ADDRESS = 20  # one address trying many accounts
TOKEN_PREFIX = "crt_"

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified when the account does not exist, so timing does not reveal which accounts exist.

    Made on first use, not at import: hashing costs ~0.4 s of CPU, which every CLI command paid.
    """
    return _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    """Bad input for an account operation; the message is meant for the person."""


class Throttled(Exception):
    """Too many failed sign-ins for this account or address; try again later."""

    def __init__(self, minutes: int):
        super().__init__(f"too many failed sign-ins; try again in {minutes} minutes")
        self.minutes = minutes


@dataclass(frozen=True)
class Principal:
    """Who is acting: a detached copy of the user, safe to keep beyond a DB session (no id:
    the command line, registry.actions.SYSTEM)."""

    id: int | None
    email: str
    name: str
    role: str
    organisation_id: int | None
    session_version: int
    locale: str | None = None  # the interface language the person chose, if any

    @property
    def is_curator(self) -> bool:
        return self.role in ("curator", "admin")

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(
            user.id,
            user.email,
            user.name,
            user.role,
            user.organisation_id,
            user.session_version,
            user.locale,
        )


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _text(value: str) -> str:
    """`value` when every character may be stored; AccountError otherwise."""
    problem = text_problem(value)
    if problem is not None:
        raise AccountError(problem)
    return value


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            msg("the password must have at least %(count)s characters", count=MIN_PASSWORD)
        )
    return _hasher.hash(password)


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def organisation_named(session: Session, name: str, country: str | None = None) -> Organisation:
    """The organisation with that name, created when missing."""
    name = _text(name).strip()
    if not name:
        raise AccountError(msg("the organisation needs a name"))
    found = session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        found = Organisation(name=name, country=country)
        session.add(found)
        session.flush()
    return found


def create_user(
    session: Session,
    email: str,
    *,
    role: str,
    password: str | None = None,
    organisation: str | None = None,
    name: str = "",
) -> User:
    """Add an account; without a password nobody can sign in until one is set."""
    email = normalise_email(_text(email))
    if "@" not in email or len(email) > 254 or " " in email:
        raise AccountError(msg("%(email)s is not an email address", email=repr(email)))
    if role not in ROLES:
        raise AccountError(
            msg(
                "unknown role %(role)s; expected one of %(expected)s",
                role=repr(role),
                expected=", ".join(ROLES),
            )
        )
    if find_user(session, email) is not None:
        raise AccountError(msg("an account for %(email)s already exists", email=email))
    org_id = organisation_named(session, organisation).id if organisation else None
    user = User(
        email=email,
        name=name,
        role=role,
        organisation_id=org_id,
        password_hash=hash_password(password) if password is not None else "",
    )
    session.add(user)
    session.flush()
    return user


def _key(kind: str, *parts: str) -> str:
    """A fixed-length key for `login_failure` (a forwarded address can be any text)."""
    return f"{kind}:" + hashlib.sha256("\n".join(parts).encode("utf-8", "replace")).hexdigest()


def _failures(session: Session, key: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    return session.scalar(
        select(func.count()).where(LoginFailure.key == key, LoginFailure.created_at >= since)
    )


def authenticate(engine: Engine, email: str, password: str, address: str) -> Principal | None:
    """The user when the credentials are right; None otherwise (the failure is counted).

    Raises Throttled, before checking the password, when this address has failed too often
    lately for this account, or for any accounts — whether or not the account exists. The slow
    password check runs outside any transaction, so sign-ins never hold the database's write
    lock while hashing. An e-mail address that cannot be stored (a NUL) fails like a wrong
    password.
    """
    email = normalise_email(email)
    if text_problem(email) or len(email) > 254:  # no account has such an address
        _verify("", password)
        return None
    pair_key, address_key = _key("pair", address, email), _key("address", address)
    with read_session(engine) as session:
        if (
            _failures(session, pair_key) >= MAX_FAILURES_PER_PAIR
            or _failures(session, address_key) >= MAX_FAILURES_PER_ADDRESS
        ):
            raise Throttled(int(THROTTLE_WINDOW.total_seconds() // 60))
        user = find_user(session, email)
        found = Principal.of(user) if user is not None and user.active else None
        password_hash = user.password_hash if found is not None else ""
    if found is not None and _verify(password_hash, password):
        with write_session(engine) as session:
            session.execute(delete(LoginFailure).where(LoginFailure.key == pair_key))
        return found
    if found is None:
        _verify("", password)  # as slow as a real check: timing does not tell accounts apart
    with write_session(engine) as session:
        old = utcnow() - THROTTLE_WINDOW
        session.execute(delete(LoginFailure).where(LoginFailure.created_at < old))
        session.add_all([LoginFailure(key=pair_key), LoginFailure(key=address_key)])
    return None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Set a new password, end every other session of this user and revoke every API token
    (whoever knew the old password may have made one)."""
    if not _verify(user.password_hash, current):
        raise AccountError(msg("the current password is not correct"))
    user.password_hash = hash_password(new)
    end_sessions(session, user)
    revoke_tokens(session, user.id)


def end_sessions(session: Session, user: User) -> None:
    """Every browser session of the user ends: cookies carrying the old session version stop
    working in every worker."""
    user.session_version += 1
    session.add(user)
    session.flush()


def sign_out_everywhere(session: Session, user: User) -> None:
    """End every browser session and revoke every API token of the user."""
    end_sessions(session, user)
    revoke_tokens(session, user.id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, label: str = "") -> str:
    """A new API token for `user`: returned once, stored only as a hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    label = _text(label)[:100]
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label))
    session.flush()
    return token


def token_holder(session: Session, token: str) -> tuple[User, int] | None:
    """(the active user holding this unrevoked token, the token's id), or None. A read: the
    time of use is recorded later, in batches (`record_token_uses`)."""
    row = session.execute(
        select(User, ApiToken.id)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == _token_hash(token.strip()),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def record_token_uses(session: Session, uses: dict[int, datetime]) -> None:
    """Set each token's last use to the time given, unless a later one is recorded already."""
    for token_id, when in uses.items():
        session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < when),
            )
            .values(last_used_at=when)
        )


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)
        )
    )


def revoke_token(session: Session, user_id: int, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise AccountError(msg("no such token"))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.flush()


def revoke_tokens(session: Session, user_id: int) -> int:
    """Revoke every live token of the user; how many were live."""
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    session.flush()
    return revoked


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the interface language the person chose."""
    user.locale = locale
    session.add(user)
    session.flush()
