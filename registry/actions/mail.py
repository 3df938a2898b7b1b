"""The outbox's own actions: a sender claims a message, then records how its delivery went;
an admin sends a message back to the queue or queues a test message. Messages caused by other
changes (invitations, password resets, digests) are queued by those actions, with
`registry.mail.queue`, after their own checks.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid

from sqlmodel import Session

from .. import mail
from ..accounts import Principal
from ..messages import msg
from ..models import OutboxMessage, utcnow
from .authority import may_manage_accounts
from .errors import Forbidden
from .guard import action, permit


def _admin(principal: Principal | None, name: str) -> None:
    if not may_manage_accounts(principal):
        raise Forbidden(name, msg("only administrators manage the outbox"))
    permit(name)


@action("claim_mail")
def claim_mail(
    session: Session,
    principal: Principal,
    message_id: int,
    domain: str = "localhost",
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Claim a due message for one delivery attempt (counted now); None when another sender
    has it or it is not due any more."""
    _admin(principal, "claim_mail")
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    now = now or utcnow()
    if message is None or not mail.claimable(message, now):
        return None
    message.status = "sending"
    message.attempts += 1
    message.last_attempt_at = now
    if not message.message_id:
        message.message_id = make_msgid(domain=domain)  # kept across retries
    return message


@action("record_delivery")
def record_delivery(
    session: Session,
    principal: Principal,
    message_id: int,
    error: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """The outcome of the attempt: sent, or waiting for the next try (failed after the last)."""
    _admin(principal, "record_delivery")
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        return None
    now = now or utcnow()
    if error is None:
        message.status, message.sent_at, message.last_error = "sent", now, ""
    else:
        message.last_error = error[:1000]
        if message.attempts >= mail.MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.status = "waiting"
            message.next_attempt_at = now + mail.pause_after(message.attempts)
    return message


@action("retry_mail")
def retry_mail(session: Session, principal: Principal, message_id: int) -> bool:
    """An admin puts a failed message back in the queue, due now, with fresh attempts."""
    _admin(principal, "retry_mail")
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.status != "failed":
        return False
    message.status, message.attempts, message.next_attempt_at = "waiting", 0, utcnow()
    return True


@action("queue_test_mail")
def queue_test_mail(session: Session, principal: Principal, to: str) -> OutboxMessage:
    """A short message to check the SMTP settings (`registry mail test ADDRESS`)."""
    _admin(principal, "queue_test_mail")
    return mail.queue(
        session,
        kind="test",
        to=to,
        subject=str(msg("Test message from the Coproduction Registry")),
        body=str(msg("This message checks that the registry can send e-mail.")) + "\n",
    )
