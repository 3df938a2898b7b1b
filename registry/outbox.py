"""Delivering the outbox: claim each due message, send it through SMTP, record the outcome.

Called by `registry mail send` (and by any long-running process that wants to deliver, such as
a follower), never by a web request. Each claim and each outcome is its own short write
transaction; the SMTP conversation happens between them, holding no database lock, so writers
never wait on a slow mail server. A sender that dies after its claim leaves the message
`sending`; another sender takes it back after `mail.CLAIM_EXPIRES`.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from . import actions, mail
from .db import read_session, write_session


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} given up"


def deliver_due(
    engine: Engine, settings: mail.SmtpSettings, limit: int = 500, now: datetime | None = None
) -> Report:
    """Send the messages due `now` (the present by default), at most `limit` of them."""
    report = Report()
    with read_session(engine) as session:
        ids = mail.due(session, now, limit=limit)
    domain = settings.sender.rpartition("@")[2] or "localhost"
    with mail.delivery(settings) as smtp:
        for message_id in ids:
            with write_session(engine) as session:
                message = actions.claim_mail(session, actions.SYSTEM, message_id, domain, now=now)
                if message is None:
                    continue
                session.expunge(message)
            try:
                smtp.send(message)
            except (OSError, smtplib.SMTPException) as exc:
                error = mail.error_text(exc)
            else:
                error = None
            with write_session(engine) as session:
                done = actions.record_delivery(session, actions.SYSTEM, message_id, error, now=now)
                status = done.status if done is not None else "sent"
            if error is None:
                report.sent += 1
            else:
                report.errors.append(f"message {message_id} to {message.to_address}: {error}")
                if status == "failed":
                    report.failed += 1
                else:
                    report.retried += 1
    return report
