"""Outgoing e-mail: an outbox in the database, delivered through SMTP by a command.

A message is a row of `outbox_message`, added by `queue()` inside the action that causes it (an
invitation, a password reset, a digest), so it exists exactly when that change commits. Nothing
is sent inside a web request: `registry mail send` (registry.cli) claims waiting messages, sends
them through the SMTP server named by `REGISTRY_SMTP_URL` and records each outcome through the
action layer (`actions.claim_mail`, `actions.record_delivery`). A failed attempt is retried
later, with a growing pause, and given up after MAX_ATTEMPTS; the reason is kept for admins
(`/admin/outbox`). With no SMTP server configured, messages simply wait.

Settings (environment):
- `REGISTRY_SMTP_URL`: `smtp://host:port` (plain), `smtp+starttls://user:pass@host:587`
  (STARTTLS, required), `smtps://user:pass@host:465` (TLS from the start). User name and
  password are percent-decoded. Unset: nothing is delivered.
- `REGISTRY_MAIL_FROM`: the sender address, required with an SMTP server.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import unquote, urlsplit

from sqlalchemy import func, or_, select
from sqlmodel import Session

from .config import ConfigError
from .models import OutboxMessage, utcnow

MAX_ATTEMPTS = 5
FIRST_PAUSE = timedelta(minutes=5)  # before the second attempt; doubled after each failure
CLAIM_EXPIRES = timedelta(minutes=10)  # a sender that claimed a message and vanished
TIMEOUT = 30  # seconds for each SMTP operation
MAX_SUBJECT = 300
MAX_BODY = 200_000
SCHEMES = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # plain | starttls | tls
    username: str | None
    password: str | None
    sender: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """The configured SMTP server, or None when `REGISTRY_SMTP_URL` is unset."""
        env = os.environ if env is None else env
        url = (env.get("REGISTRY_SMTP_URL") or "").strip()
        if not url:
            return None
        return cls.from_url(url, (env.get("REGISTRY_MAIL_FROM") or "").strip())

    @classmethod
    def from_url(cls, url: str, sender: str) -> SmtpSettings:
        parts = urlsplit(url)
        security = SCHEMES.get(parts.scheme)
        if security is None or not parts.hostname:
            raise ConfigError(
                "REGISTRY_SMTP_URL must be smtp://host:port, smtp+starttls://user:pass@host:port "
                f"or smtps://user:pass@host:port, not {parts.scheme or url!r}://…"
            )
        try:
            port = parts.port or {"tls": 465, "starttls": 587}.get(security, 25)
        except ValueError as exc:
            raise ConfigError(f"REGISTRY_SMTP_URL has a bad port: {exc}") from None
        if "@" not in sender:
            raise ConfigError("REGISTRY_MAIL_FROM must be the sender's e-mail address")
        return cls(
            parts.hostname,
            port,
            security,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
            sender,
        )

    def describe(self) -> str:
        """Where mail goes, without the password (for admins and the command line)."""
        who = f"{self.username}@" if self.username else ""
        return f"{self.security} {who}{self.host}:{self.port}, from {self.sender}"


def queue(
    session: Session,
    *,
    kind: str,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str] | None = None,
) -> OutboxMessage:
    """Add a message to the outbox, in the caller's transaction.

    Call it from inside an action, after its permission check (the table is guarded): the
    message then exists if and only if what caused it commits.
    """
    message = OutboxMessage(
        kind=kind[:40],
        to_address=to.strip()[:254],
        subject=" ".join(subject.split())[:MAX_SUBJECT],
        body=body[:MAX_BODY],
        headers=dict(headers or {}),
    )
    session.add(message)
    return message


def due(session: Session, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of the messages a sender may claim now: waiting and due, or claimed long ago by a
    sender that never reported back."""
    now = now or utcnow()
    query = (
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == "waiting") & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == "sending")
                & (OutboxMessage.last_attempt_at <= now - CLAIM_EXPIRES),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claimable(message: OutboxMessage, now: datetime) -> bool:
    """Whether a sender may claim the message now (checked again on the locked row)."""
    if message.status == "waiting":
        return _aware(message.next_attempt_at) <= now
    if message.status == "sending" and message.last_attempt_at is not None:
        return _aware(message.last_attempt_at) <= now - CLAIM_EXPIRES
    return False


def pause_after(attempts: int) -> timedelta:
    """How long to wait before trying again after `attempts` failed attempts."""
    return FIRST_PAUSE * (2 ** max(0, attempts - 1))


def _aware(moment: datetime) -> datetime:
    """SQLite gives timestamps back without their zone; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def compose(message: OutboxMessage, sender: str) -> EmailMessage:
    """The e-mail for an outbox row, as it goes out."""
    email = EmailMessage()
    email["From"] = Address(addr_spec=sender) if "<" not in sender else sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(_aware(message.created_at))
    email["Message-ID"] = message.message_id or make_msgid(domain=sender.rpartition("@")[2])
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body)
    return email


class Delivery:
    """One connection to the SMTP server for a batch of messages."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.username:
            smtp.login(s.username, s.password or "")
        return smtp

    def send(self, message: OutboxMessage) -> None:
        """Send one message; raises OSError or smtplib.SMTPException when it did not go."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(compose(message, self.settings.sender))
        except smtplib.SMTPServerDisconnected:
            self._smtp = None
            raise

    def close(self) -> None:
        if self._smtp is not None:
            with suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None


@contextmanager
def delivery(settings: SmtpSettings) -> Iterator[Delivery]:
    sender = Delivery(settings)
    try:
        yield sender
    finally:
        sender.close()


def error_text(exc: BaseException) -> str:
    """A failed attempt's reason, one line, as admins see it."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:1000]


def outbox(session: Session, limit: int = 200) -> list[OutboxMessage]:
    """The newest messages first, for the admins' page."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    return list(session.scalars(query))


def counts(session: Session) -> dict[str, int]:
    """How many messages are in each status."""
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: n for status, n in rows}
