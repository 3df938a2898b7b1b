"""Accounts: the CLI, sign-in and sign-out, sessions, throttling across workers, tokens, CSRF."""

from __future__ import annotations

import re

from click.testing import CliRunner

from registry import accounts
from registry.cli import main
from registry.db import read_session

from .conftest import PASSWORD, _app, csrf_from


def run(args, stdin=None):
    return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)


def test_cli_creates_a_curator_and_a_submitter_of_another_organisation(cli_env):
    curator = run(
        ["users", "create", "cur@example.org", "--role", "curator", "--password-stdin"],
        stdin=PASSWORD + "\n",
    )
    assert curator.exit_code == 0, curator.output
    submitter = run(
        [
            "users",
            "create",
            "Sub@Wien.example",
            "--role",
            "submitter",
            "--organisation",
            "Stadt Wien",
            "--password-stdin",
        ],
        stdin=PASSWORD + "\n",
    )
    assert submitter.exit_code == 0
    token = run(["tokens", "create", "sub@wien.example"])
    assert token.exit_code == 0 and re.fullmatch(r"crt_[\w-]{40,}\n", token.stdout)


def test_cli_errors_are_one_line_and_exit_non_zero(cli_env):
    run(["users", "create", "a@example.org", "--role", "submitter"])
    for args in (
        ["users", "create", "a@example.org", "--role", "submitter"],
        ["users", "create", "not-an-email", "--role", "submitter"],
        ["tokens", "create", "nobody@example.org"],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code != 0
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    short = CliRunner().invoke(
        main,
        ["users", "create", "b@example.org", "--role", "admin", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0 and "at least" in short.output
    bad_role = CliRunner().invoke(main, ["users", "create", "c@example.org", "--role", "king"])
    assert bad_role.exit_code != 0


def test_sign_in_messages_do_not_reveal_which_accounts_exist(client, users):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    wrong_password = client.post(
        "/sign-in",
        data={
            "email": users["submitter"].email,
            "password": "wrong password!",
            "csrf_token": token,
        },
    )
    no_account = client.post(
        "/sign-in",
        data={"email": "ghost@example.org", "password": "wrong password!", "csrf_token": token},
    )
    assert wrong_password.status_code == no_account.status_code == 401
    message = "The email address or the password is not correct."
    assert message in wrong_password.get_data(as_text=True)
    assert message in no_account.get_data(as_text=True)


def test_sign_in_needs_the_csrf_token(client, users):
    response = client.post(
        "/sign-in", data={"email": users["submitter"].email, "password": PASSWORD}
    )
    assert response.status_code == 400


def test_sign_in_clears_the_session(client, users):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post(
        "/sign-in",
        data={"email": users["submitter"].email, "password": PASSWORD, "csrf_token": token},
    )
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sign_out_ends_the_session_on_the_server(sign_in, users, app):
    browser = sign_in(users["submitter"].email)
    assert browser.get("/my/initiatives").status_code == 200
    with browser.session_transaction() as session:
        stolen = dict(session)
    token = csrf_from(browser.get("/account").get_data(as_text=True))
    assert browser.post("/sign-out", data={"csrf_token": token}).status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(stolen)
    assert replay.get("/my/initiatives").status_code == 302  # back to sign-in


def test_failed_sign_ins_are_throttled_across_workers(instance, users, app):
    """Two app instances on one database stand for two gunicorn workers."""
    url = f"sqlite:///{instance / 'registry.sqlite3'}"
    second_worker = _app(instance, url)
    email = users["submitter"].email
    for n in range(accounts.MAX_FAILURES_PER_PAIR):
        worker = (app if n % 2 else second_worker).test_client()
        token = csrf_from(worker.get("/sign-in").get_data(as_text=True))
        wrong = worker.post(
            "/sign-in", data={"email": email, "password": f"guess {n}", "csrf_token": token}
        )
        assert wrong.status_code == 401
    worker = app.test_client()
    token = csrf_from(worker.get("/sign-in").get_data(as_text=True))
    blocked = worker.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.get_data(as_text=True)
    second_worker.extensions["registry"].engine.dispose()


def test_failed_sign_ins_are_throttled_per_address(app, users, monkeypatch):
    monkeypatch.setattr(accounts, "MAX_FAILURES_PER_ADDRESS", 4)  # each failure costs a hash
    client = app.test_client()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    for n in range(accounts.MAX_FAILURES_PER_ADDRESS):
        client.post(
            "/sign-in",
            data={"email": f"user{n}@example.org", "password": "x" * 12, "csrf_token": token},
        )
    blocked = client.post(
        "/sign-in", data={"email": users["other"].email, "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429


def test_change_password_signs_out_other_sessions(sign_in, users):
    first, second = sign_in(users["submitter"].email), sign_in(users["submitter"].email)
    token = csrf_from(first.get("/account").get_data(as_text=True))
    wrong = first.post(
        "/account/password", data={"pw-current": "nope", "pw-new": "x" * 12, "csrf_token": token}
    )
    assert wrong.status_code == 422
    changed = first.post(
        "/account/password",
        data={"pw-current": PASSWORD, "pw-new": "a much newer password", "csrf_token": token},
    )
    assert changed.status_code == 302
    assert first.get("/account").status_code == 200
    assert second.get("/account").status_code == 302
    sign_in(users["submitter"].email, "a much newer password")


def test_tokens_from_the_account_page(sign_in, users, app):
    browser = sign_in(users["curator"].email)
    token = csrf_from(browser.get("/account").get_data(as_text=True))
    page = browser.post("/account/tokens", data={"tk-label": "scripts", "csrf_token": token})
    shown = re.search(r'class="new-token">(crt_[^<]+)<', page.get_data(as_text=True)).group(1)
    assert (
        app.test_client()
        .get("/api/v1/initiatives/1", headers={"Authorization": f"Bearer {shown}"})
        .status_code
        == 404
    )
    again = browser.get("/account").get_data(as_text=True)
    assert shown not in again and "scripts" in again
    app.extensions["token_uses"].flush()
    with read_session(app.extensions["registry"].engine) as s:
        stored = accounts.tokens_of(s, users["curator"].id)[0]
        assert stored.token_hash != shown and stored.last_used_at is not None
        stored_id = stored.id
    revoke = browser.post(f"/account/tokens/{stored_id}/revoke", data={"csrf_token": token})
    assert revoke.status_code == 302
    assert (
        app.test_client()
        .post("/api/v1/initiatives", json={}, headers={"Authorization": f"Bearer {shown}"})
        .status_code
        == 401
    )


def test_nav_follows_sign_in_state(client, sign_in, users):
    anonymous = client.get("/").get_data(as_text=True)
    assert "/sign-in" in anonymous and "/my/initiatives" not in anonymous
    submitter = sign_in(users["submitter"].email).get("/").get_data(as_text=True)
    assert "/my/initiatives" in submitter and "/review" not in submitter
    curator = sign_in(users["curator"].email).get("/").get_data(as_text=True)
    assert "/review" in curator and "Sign out" in curator


def test_checking_a_bearer_token_writes_nothing_and_its_use_is_recorded_in_a_batch(
    app, users, api_token
):
    """A token check is a read (no BEGIN IMMEDIATE on SQLite: readers with tokens never queue
    behind writers); the time of use reaches the database when the batch is written."""
    from sqlalchemy import event

    headers = api_token(users["curator"].email)
    engine = app.extensions["registry"].engine
    seen: list[str] = []

    def statement(_conn, _cursor, text, *_args) -> None:
        seen.append(text.split()[0].upper())

    def begin(conn) -> None:
        seen.append(conn.info.get("begin", "BEGIN"))

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begin)
    try:
        for _ in range(3):
            assert app.test_client().get("/api/v1/initiatives", headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begin)
    assert "SELECT" in seen and not {"IMMEDIATE", "INSERT", "UPDATE", "DELETE"} & set(seen), seen
    uses = app.extensions["token_uses"]
    uses.wait()
    with read_session(engine) as s:
        assert accounts.tokens_of(s, users["curator"].id)[0].last_used_at is None
    uses.flush()
    with read_session(engine) as s:
        assert accounts.tokens_of(s, users["curator"].id)[0].last_used_at is not None


def test_token_uses_are_written_by_a_background_thread_once_the_interval_passed(
    app, users, api_token
):
    from registry.token_uses import TokenUses

    engine = app.extensions["registry"].engine
    api_token(users["curator"].email)
    with read_session(engine) as s:
        token_id = accounts.tokens_of(s, users["curator"].id)[0].id
    patient = TokenUses(engine, interval=3600)
    patient.note(token_id)
    patient.wait()
    eager = TokenUses(engine, interval=0)
    eager.note(token_id)
    eager.wait()
    with read_session(engine) as s:
        assert accounts.tokens_of(s, users["curator"].id)[0].last_used_at is not None
    assert patient._noted  # still waiting for its interval, in memory only
