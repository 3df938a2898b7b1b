"""A real SMTP server for the tests (aiosmtpd), on a free port of the loopback interface.

`smtp_server` starts one per test and gives its `Mailbox`: every message it accepted, parsed,
and the URL to put in REGISTRY_SMTP_URL. Set `mailbox.refuse` to make it answer every message
with a permanent failure (550), as a mail server refusing a recipient would.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: bool = False

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return "550 mailbox unavailable"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch) -> Iterator[Mailbox]:
    """A running SMTP server; REGISTRY_SMTP_URL and REGISTRY_MAIL_FROM point at it."""
    mailbox = Mailbox("127.0.0.1", free_port())
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    controller.start()
    monkeypatch.setenv("REGISTRY_SMTP_URL", mailbox.url)
    monkeypatch.setenv("REGISTRY_MAIL_FROM", "registry@registry.example")
    try:
        yield mailbox
    finally:
        controller.stop()
