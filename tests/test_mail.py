"""The mail outbox (issue 18): messages are rows written inside actions, delivered by
`registry mail send` to a real SMTP server (aiosmtpd, tests/smtp_server.py), retried and given
up with their reasons recorded, and shown to admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import select

from registry import actions, mail, outbox
from registry.cli import main
from registry.config import ConfigError
from registry.db import UnguardedWrite, read_session, write_session
from registry.models import OutboxMessage, utcnow

from .conftest import csrf_from


def engine_of(app):
    return app.extensions["registry"].engine


def messages(app) -> list[OutboxMessage]:
    with read_session(engine_of(app)) as s:
        found = list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))
        s.expunge_all()
    return found


def queue_test(app, to: str = "someone@example.org") -> None:
    with write_session(engine_of(app)) as s:
        actions.queue_test_mail(s, actions.SYSTEM, to)


def test_a_message_cannot_be_queued_outside_an_action(app):
    with pytest.raises(UnguardedWrite), write_session(engine_of(app)) as s:
        mail.queue(s, kind="test", to="a@example.org", subject="s", body="b")
    assert messages(app) == []


def test_only_admins_queue_test_messages(app, users):
    with pytest.raises(actions.Forbidden), write_session(engine_of(app)) as s:
        actions.queue_test_mail(s, users["curator"], "a@example.org")
    assert messages(app) == []


def test_mail_send_delivers_waiting_messages_to_the_smtp_server(app, cli_env, smtp_server):
    runner = CliRunner()
    result = runner.invoke(main, ["mail", "test", "reader@example.org"])
    assert result.exit_code == 0, result.output
    assert smtp_server.messages == []  # queued, not sent: nothing goes out before the command
    result = runner.invoke(main, ["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    [received] = smtp_server.messages
    assert received["To"] == "reader@example.org"
    assert received["From"] == "registry@registry.example"
    assert received["Subject"] == "Test message from the Coproduction Registry"
    assert "can send e-mail" in received.get_content()
    [row] = messages(app)
    assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)
    assert received["Message-ID"] == row.message_id
    # Sent once: a second run has nothing to do.
    assert "0 sent" in runner.invoke(main, ["mail", "send"]).output
    assert len(smtp_server.messages) == 1


def test_a_refused_message_is_retried_later_then_given_up(app, smtp_server):
    settings = mail.SmtpSettings.from_env()
    queue_test(app)
    smtp_server.refuse = True
    now = utcnow()
    report = outbox.deliver_due(engine_of(app), settings, now=now)
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    [row] = messages(app)
    assert row.status == "waiting" and row.attempts == 1
    assert "550" in row.last_error
    # Not due again until the pause is over.
    assert outbox.deliver_due(engine_of(app), settings, now=now).retried == 0
    for _ in range(mail.MAX_ATTEMPTS - 1):
        now += timedelta(days=2)
        outbox.deliver_due(engine_of(app), settings, now=now)
    [row] = messages(app)
    assert (row.status, row.attempts) == ("failed", mail.MAX_ATTEMPTS)
    now += timedelta(days=30)
    assert outbox.deliver_due(engine_of(app), settings, now=now).retried == 0
    # An admin sends it back to the queue; the server now accepts it.
    with write_session(engine_of(app)) as s:
        assert actions.retry_mail(s, actions.SYSTEM, row.id)
    smtp_server.refuse = False
    assert outbox.deliver_due(engine_of(app), settings).sent == 1
    assert len(smtp_server.messages) == 1


def test_an_unreachable_server_is_recorded_and_the_message_waits(app, monkeypatch):
    from .smtp_server import free_port

    queue_test(app)
    settings = mail.SmtpSettings.from_url(f"smtp://127.0.0.1:{free_port()}", "r@registry.example")
    report = outbox.deliver_due(engine_of(app), settings)
    assert report.retried == 1 and report.errors
    [row] = messages(app)
    assert row.status == "waiting" and row.attempts == 1 and row.last_error


def test_without_an_smtp_server_messages_wait_and_the_command_says_so(app, cli_env, monkeypatch):
    monkeypatch.delenv("REGISTRY_SMTP_URL", raising=False)
    queue_test(app)
    result = CliRunner().invoke(main, ["mail", "send"])
    assert result.exit_code == 1
    assert "REGISTRY_SMTP_URL is not set: 1 messages wait" in result.output
    assert messages(app)[0].status == "waiting"


def test_smtp_settings_come_from_the_url():
    s = mail.SmtpSettings.from_url("smtps://me%40host:p%3Ass@mail.example:2465", "r@x.example")
    assert (s.security, s.host, s.port, s.username, s.password) == (
        "tls", "mail.example", 2465, "me@host", "p:ss"
    )  # fmt: skip
    assert "p:ss" not in s.describe()
    assert mail.SmtpSettings.from_url("smtp+starttls://mail.example", "r@x.example").port == 587
    with pytest.raises(ConfigError):
        mail.SmtpSettings.from_url("http://mail.example", "r@x.example")
    with pytest.raises(ConfigError):
        mail.SmtpSettings.from_url("smtp://mail.example", "")
    assert mail.SmtpSettings.from_env({}) is None


def test_the_outbox_page_is_for_admins_only(app, users, sign_in, client):
    queue_test(app, "listed@example.org")
    assert client.get("/admin/outbox").status_code == 302
    assert sign_in(users["curator"].email).get("/admin/outbox").status_code == 403
    admin = sign_in(users["admin"].email)
    page = admin.get("/admin/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "listed@example.org" in html and "Test message" in html


def test_an_admin_sends_a_failed_message_back_to_the_queue(app, users, sign_in):
    queue_test(app)
    settings = mail.SmtpSettings.from_url("smtp://127.0.0.1:9", "r@registry.example")
    now = utcnow()
    for _ in range(mail.MAX_ATTEMPTS):
        outbox.deliver_due(engine_of(app), settings, now=now)
        now += timedelta(days=2)
    [row] = messages(app)
    assert row.status == "failed"
    admin = sign_in(users["admin"].email)
    token = csrf_from(admin.get("/admin/outbox").get_data(as_text=True))
    response = admin.post(f"/admin/outbox/{row.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert messages(app)[0].status == "waiting"
