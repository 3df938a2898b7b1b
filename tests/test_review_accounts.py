"""Accounts on the web (issue 19): an admin invites someone by e-mail (through the outbox and a
real SMTP server), the link sets a password once and expires; a forgotten password is reset the
same way, with the same answer whether the address has an account, throttled; admins change
roles and deactivate; `registry users set-password` sets a password from the command line."""

from __future__ import annotations

import re

from click.testing import CliRunner

from registry import mail, outbox
from registry.cli import main

from .conftest import PASSWORD, csrf_from, engine_of

NEW_PASSWORD = "a brand new passphrase"


def _post(client, page: str, url: str, data: dict):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _link_in(smtp_server) -> str:
    body = smtp_server.messages[-1].get_content()
    return re.search(r"http://localhost(/password/\S+)", body).group(1)


def _can_sign_in(app, email: str, password: str) -> bool:
    client = app.test_client()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token}
    )
    return response.status_code == 302


def test_an_invited_curator_sets_a_password_once_and_signs_in(app, users, sign_in, smtp_server):
    admin = sign_in(users["admin"].email)
    response = _post(admin, "/admin/users", "/admin/users/invite", {
        "inv-email": "new.curator@registry.example", "inv-role": "curator",
        "inv-organisation": "Registry curators",
    })  # fmt: skip
    assert response.status_code == 302
    assert "new.curator@registry.example" in admin.get("/admin/users").get_data(as_text=True)
    outbox.deliver_due(engine_of(app), mail.SmtpSettings.from_env())
    [invitation] = smtp_server.messages
    assert invitation["To"] == "new.curator@registry.example"
    assert "as a curator (Registry curators)" in invitation.get_content()
    link = _link_in(smtp_server)

    visitor = app.test_client()
    page = visitor.get(link).get_data(as_text=True)
    assert "Choose your password" in page and "new.curator" not in page
    token = csrf_from(page)
    different = {"new": NEW_PASSWORD, "again": "something else entirely", "csrf_token": token}
    assert visitor.post(link, data=different).status_code == 422
    same = {"new": NEW_PASSWORD, "again": NEW_PASSWORD, "csrf_token": token}
    assert visitor.post(link, data=same).status_code == 302
    assert _can_sign_in(app, "new.curator@registry.example", NEW_PASSWORD)
    # Single use: the same link is dead now.
    assert visitor.get(link).status_code == 410
    assert visitor.post(link, data=same).status_code == 410


def test_a_tampered_link_is_refused(client):
    assert client.get("/password/eyJ1IjoxfQ.forged.signature").status_code == 410


def test_a_reset_answers_the_same_whether_the_address_exists(app, users, smtp_server):
    client = app.test_client()
    known = _post(client, "/forgot-password", "/forgot-password",
                  {"email": "sub@lyon.example"}).get_data(as_text=True)  # fmt: skip
    unknown = _post(client, "/forgot-password", "/forgot-password",
                    {"email": "nobody@nowhere.example"}).get_data(as_text=True)  # fmt: skip

    def strip(html: str) -> str:
        return re.sub(r'name="csrf_token" value="[^"]*"', "", html)

    assert strip(known) == strip(unknown) and "If an account has this address" in known
    outbox.deliver_due(engine_of(app), mail.SmtpSettings.from_env())
    assert [m["To"] for m in smtp_server.messages] == ["sub@lyon.example"]
    link = _link_in(smtp_server)
    token = csrf_from(client.get(link).get_data(as_text=True))
    data = {"new": NEW_PASSWORD, "again": NEW_PASSWORD, "csrf_token": token}
    assert client.post(link, data=data).status_code == 302
    assert _can_sign_in(app, "sub@lyon.example", NEW_PASSWORD)
    assert not _can_sign_in(app, "sub@lyon.example", PASSWORD)


def test_reset_requests_are_throttled(app, users):
    client = app.test_client()
    answers = [
        _post(
            client, "/forgot-password", "/forgot-password", {"email": f"nobody{n}@nowhere.example"}
        ).status_code
        for n in range(7)
    ]
    assert answers[:5] == [200] * 5 and answers[5:] == [429, 429]


def test_admins_change_roles_and_deactivate_and_others_may_not(app, users, sign_in):
    admin = sign_in(users["admin"].email)
    submitter_id = users["submitter"].id
    _post(admin, "/admin/users", f"/admin/users/{submitter_id}/role", {"role": "curator"})
    assert _can_sign_in(app, "sub@lyon.example", PASSWORD)
    assert "/review" in sign_in("sub@lyon.example").get("/").get_data(as_text=True)
    _post(admin, "/admin/users", f"/admin/users/{submitter_id}/active", {"active": "0"})
    assert not _can_sign_in(app, "sub@lyon.example", PASSWORD)
    assert "Deactivated" in admin.get("/admin/users").get_data(as_text=True)
    curator = sign_in(users["curator"].email)
    assert curator.get("/admin/users").status_code == 403
    assert app.test_client().get("/admin/users").status_code in (302, 401)


def test_users_set_password_on_the_command_line(app, users, cli_env):
    runner = CliRunner()
    result = runner.invoke(
        main, ["users", "set-password", "sub@wien.example", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _can_sign_in(app, "sub@wien.example", NEW_PASSWORD)
    short = runner.invoke(
        main, ["users", "set-password", "sub@wien.example", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
