"""Guards that cover routes added later too: every write route refuses the anonymous, and a
canary draft (plus a canary pending edit) never shows on any public page or API answer."""

from __future__ import annotations

import re

from flask import url_for

from .conftest import csrf_from

CANARY = "zqxcanaryword"
CONTROL = "zqxnothingxx"  # same length: pages differ only by the echoed word
UNSAFE = {"POST", "PATCH", "PUT", "DELETE"}


def test_every_write_route_refuses_the_anonymous(app, client, users, make_owned):
    from .test_api_write import count_revisions

    new_id = make_owned(users["submitter"], "submitted")
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    before = count_revisions(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in (
            "account.sign_in",
            "alerts.unsubscribe",
            "admin.password_link",
            "admin.forgot_password",
        ):
            continue  # signed-out by design: a signed unsubscribe link (a forged one is 404),
            # a password link, a reset request
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: new_id for name in rule.arguments})
        for method in sorted((rule.methods or set()) & UNSAFE):
            checked += 1
            if url.startswith("/api/"):
                response = client.open(url, method=method, json={"reason": "x"})
                assert response.status_code == 401, (method, url)
            else:
                response = client.open(url, method=method, data={"csrf_token": token})
                assert response.status_code == 302, (method, url)
                assert "/sign-in" in response.headers["Location"], (method, url)
    assert checked >= 12
    assert count_revisions(app) == before


def test_canary_drafts_and_pending_edits_never_reach_the_public(
    app, client, users, make_owned, sign_in
):
    from registry import actions
    from registry.db import write_session

    owner = users["submitter"]
    ids = [
        make_owned(owner, status, title=f"{CANARY} {status}", summary=f"About {CANARY}.",
                   description=f"{CANARY} text", tags=[CANARY])
        for status in ("draft", "submitted", "rejected", "withdrawn", "deleted")
    ]  # fmt: skip
    live = make_owned(owner, "published", title="An ordinary published record")
    with write_session(app.extensions["registry"].engine) as s:
        actions.edit(s, owner, live, {"title": f"{CANARY} edit", "tags": [CANARY]},
                     expected_version=None)  # fmt: skip
        actions.submit(s, owner, live)
    urls = [f"/initiatives/{n}" for n in [*ids, live]]
    urls += [f"/api/v1/initiatives/{n}" for n in [*ids, live]]
    urls += [f"/api/v1/initiatives/{n}/revisions" for n in [*ids, live]]
    searches = []
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and not rule.arguments:
            urls.append(rule.rule)
            searches += [f"{rule.rule}?q={{word}}", f"{rule.rule}?tag={{word}}"]
    other_organisation = sign_in(users["other"].email)
    for who in (client, other_organisation):
        for url in urls:
            assert CANARY not in who.get(url, follow_redirects=True).get_data(as_text=True), url
        for url in searches:  # a canary query answers exactly like a query matching nothing
            canary = page(who, url.format(word=CANARY)).replace(CANARY, "*")
            assert canary == page(who, url.format(word=CONTROL)).replace(CONTROL, "*"), url


def page(client, url: str) -> str:
    """The answer's text without what carries the clock: CSRF tokens and generation times (an
    empty feed is "updated" now, which may tick between two requests)."""
    text = client.get(url, follow_redirects=True).get_data(as_text=True)
    text = re.sub(r'name="csrf_token" value="[^"]+"', "", text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?", "<time>", text)
