"""Sign-in throttling a stranger cannot turn against the owner, client addresses behind a
configured trusted proxy, tokens ended with the sessions, and no caching of private answers
(issue 20, findings 7 and 8)."""

from __future__ import annotations

import re

import pytest

from registry import accounts, create_app
from registry.db import read_session

from .conftest import PASSWORD, csrf_from

OWNER_ADDRESS = "198.51.100.7"
PROXY_ADDRESS = "10.0.0.2"


def _attempt(app, email: str, password: str, remote: str, forwarded: str | None = None):
    """One sign-in through the real form, from `remote` (the socket's address)."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": remote}
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    token = csrf_from(
        client.get("/sign-in", environ_base=environ, headers=headers).get_data(as_text=True)
    )
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token},
        environ_base=environ, headers=headers,
    )  # fmt: skip


def test_wrong_passwords_from_rotating_addresses_do_not_lock_the_owner_out(app, users):
    email = users["submitter"].email
    for n in range(accounts.MAX_FAILURES_PER_PAIR * 2):
        wrong = _attempt(app, email, f"guess {n}", f"203.0.113.{n}")
        assert wrong.status_code == 401
    assert _attempt(app, email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_one_address_guessing_one_account_is_throttled(app, users):
    email = users["submitter"].email
    for n in range(accounts.MAX_FAILURES_PER_PAIR):
        assert _attempt(app, email, f"guess {n}", "203.0.113.9").status_code == 401
    blocked = _attempt(app, email, PASSWORD, "203.0.113.9")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert _attempt(app, email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(app, users):
    """A stranger cannot pose as the owner's address to lock that pair out."""
    email = users["submitter"].email
    for n in range(accounts.MAX_FAILURES_PER_PAIR + 1):
        _attempt(app, email, f"guess {n}", "203.0.113.9", forwarded=OWNER_ADDRESS)
    assert _attempt(app, email, PASSWORD, OWNER_ADDRESS).status_code == 302


@pytest.fixture
def proxied_app(instance):
    """The app behind one trusted reverse proxy: every request arrives from PROXY_ADDRESS."""
    proxied = create_app(
        {
            "instance_dir": instance,
            "database_url": f"sqlite:///{instance / 'registry.sqlite3'}",
            "index_dir": instance / "index",
            "secret_key": "test-secret",
            "trusted_proxies": 1,
            "TESTING": True,
        }
    )
    yield proxied
    proxied.extensions["registry"].engine.dispose()


def test_behind_a_trusted_proxy_each_visitor_keeps_its_own_address(proxied_app, users):
    email = users["submitter"].email
    for n in range(accounts.MAX_FAILURES_PER_PAIR + 1):
        _attempt(proxied_app, email, f"guess {n}", PROXY_ADDRESS, forwarded="203.0.113.9")
    stranger = _attempt(proxied_app, email, PASSWORD, PROXY_ADDRESS, forwarded="203.0.113.9")
    assert stranger.status_code == 429
    owner = _attempt(proxied_app, email, PASSWORD, PROXY_ADDRESS, forwarded=OWNER_ADDRESS)
    assert owner.status_code == 302


def test_behind_a_trusted_proxy_the_address_limit_counts_the_visitor_not_the_proxy(
    proxied_app, users, monkeypatch
):
    monkeypatch.setattr(accounts, "MAX_FAILURES_PER_ADDRESS", 4)  # each failure costs a hash
    for n in range(accounts.MAX_FAILURES_PER_ADDRESS):
        _attempt(proxied_app, f"user{n}@example.org", "x" * 12, PROXY_ADDRESS, "203.0.113.9")
    blocked = _attempt(proxied_app, users["other"].email, PASSWORD, PROXY_ADDRESS, "203.0.113.9")
    assert blocked.status_code == 429
    owner = _attempt(proxied_app, users["other"].email, PASSWORD, PROXY_ADDRESS, OWNER_ADDRESS)
    assert owner.status_code == 302


# --- tokens end with the sessions ------------------------------------------------------------


def _token_works(app, token: str) -> bool:
    response = app.test_client().get(
        "/api/v1/initiatives", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code == 200


def _new_token(browser) -> str:
    token = csrf_from(browser.get("/account").get_data(as_text=True))
    page = browser.post("/account/tokens", data={"tk-label": "scripts", "csrf_token": token})
    return re.search(r'class="new-token">(crt_[^<]+)<', page.get_data(as_text=True)).group(1)


def test_changing_the_password_revokes_every_api_token(app, sign_in, users):
    browser = sign_in(users["submitter"].email)
    token = _new_token(browser)
    assert _token_works(app, token)
    csrf = csrf_from(browser.get("/account").get_data(as_text=True))
    changed = browser.post(
        "/account/password",
        data={"pw-current": PASSWORD, "pw-new": "a much newer password", "csrf_token": csrf},
    )
    assert changed.status_code == 302
    assert not _token_works(app, token)
    page = browser.get("/account").get_data(as_text=True)
    assert "revoked" in page and "scripts" in page


def test_sign_out_everywhere_ends_every_session_and_revokes_every_token(app, sign_in, users):
    browser, elsewhere = sign_in(users["submitter"].email), sign_in(users["submitter"].email)
    token = _new_token(browser)
    page = browser.get("/account").get_data(as_text=True)
    assert "/account/sign-out-everywhere" in page
    done = browser.post("/account/sign-out-everywhere", data={"csrf_token": csrf_from(page)})
    assert done.status_code == 302
    assert not _token_works(app, token)
    assert elsewhere.get("/account").status_code == 302  # to the sign-in page
    assert browser.get("/account").status_code == 302
    with read_session(app.extensions["registry"].engine) as s:
        assert all(t.revoked_at for t in accounts.tokens_of(s, users["submitter"].id))


# --- caching -----------------------------------------------------------------------------------


def _no_store(response) -> bool:
    value = response.headers.get("Cache-Control", "")
    return "private" in value and "no-store" in value


def test_signed_in_pages_and_private_api_answers_are_never_cached(
    app, sign_in, users, api_token, make_owned
):
    browser = sign_in(users["submitter"].email)
    draft = make_owned(users["submitter"])
    for path in ("/", "/account", "/my/initiatives", f"/initiatives/{draft}", "/initiatives"):
        response = browser.get(path)
        assert _no_store(response), (path, response.headers.get("Cache-Control"))
    headers = api_token(users["submitter"].email)
    client = app.test_client()
    for path in (f"/api/v1/initiatives/{draft}", "/api/v1/initiatives",
                 f"/api/v1/initiatives/{draft}/revisions"):  # fmt: skip
        response = client.get(path, headers=headers)
        assert response.status_code == 200 and _no_store(response), path
    assert not _no_store(client.get("/"))  # public pages stay cacheable
