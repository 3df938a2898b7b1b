"""Every form and API body at ten times its limits gets a 4xx before any costly work: the
answer comes after a handful of database statements, never after comparing the oversized
value with stored records (issue 20: a 995,000-character title once held a worker ~28 s in the
"possible duplicates" check)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from .conftest import csrf_from, valid_record

# Statements a refused request may run: the session's user, the sign-in throttle, the version.
FEW_STATEMENTS = 12


@contextmanager
def statements(app):
    """Counts the SQL statements the app runs meanwhile."""
    engine = app.extensions["registry"].engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


TEN_TIMES = {
    "title": "t" * 2_000,  # at most 200
    "summary": "s" * 6_000,  # at most 600
    "region": "r" * 2_000,
    "lead_organisation": "o" * 3_000,
    "tags": ", ".join(f"tag{n}" for n in range(300)),  # at most 30
}


@pytest.fixture
def many_records(make_initiative):
    """Stored records of the country the oversized title names, for a duplicates check to
    compare it with if it ran."""
    for n in range(30):
        make_initiative(title=f"Citizen patrols number {n}", country="FR")


@pytest.mark.parametrize("field", sorted(TEN_TIMES))
def test_the_new_initiative_form_refuses_ten_times_the_limit_before_looking_for_duplicates(
    app, users, sign_in, many_records, field
):
    client = sign_in(users["submitter"].email)
    token = csrf_from(client.get("/my/initiatives/new").get_data(as_text=True))
    form = {**valid_record(), "stages": "deliver", "csrf_token": token, field: TEN_TIMES[field]}
    with statements(app) as seen:
        response = client.post("/my/initiatives/new", data=form)
    assert response.status_code == 422
    assert "Is this the same as" not in response.get_data(as_text=True)
    assert len(seen) <= FEW_STATEMENTS, seen


def test_a_body_ten_times_the_request_limit_is_refused_unread(app, users, api_token):
    headers = api_token(users["submitter"].email)
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b'{"title": "' + b"x" * (10 * limit) + b'"}'
    with statements(app) as seen:
        response = app.test_client().post(
            "/api/v1/initiatives", data=body, headers=headers, content_type="application/json"
        )
    assert response.status_code == 413
    assert len(seen) <= FEW_STATEMENTS


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/initiatives", valid_record(title="t" * 2_000)),
        ("post", "/api/v1/initiatives", valid_record(tags=[f"t{n}" for n in range(300)])),
        ("post", "/api/v1/initiatives", valid_record(description="d" * 500_000)),
        ("patch", "/api/v1/initiatives/{id}", {"summary": "s" * 6_000}),
        ("post", "/api/v1/initiatives/{id}/reject", {"reason": "r" * 20_000}),
        ("post", "/api/v1/initiatives/{id}/restore", {"revision": 10**30}),
    ],
)
def test_api_bodies_ten_times_their_limits_are_refused(
    app, users, api_token, make_owned, method, path, body
):
    headers = api_token(users["curator"].email)
    record = make_owned(users["submitter"], status="submitted")
    with statements(app) as seen:
        response = getattr(app.test_client(), method)(
            path.format(id=record), json=body, headers=headers
        )
    assert 400 <= response.status_code < 500, response.get_json()
    assert len(seen) <= FEW_STATEMENTS, seen


def test_a_sign_in_with_ten_times_the_longest_address_is_refused(app, users):
    client = app.test_client()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    with statements(app) as seen:
        response = client.post(
            "/sign-in",
            data={"email": "a" * 2_540 + "@x.example", "password": "p" * 10_000,
                  "csrf_token": token},
        )  # fmt: skip
    assert 400 <= response.status_code < 500 or "not correct" in response.get_data(as_text=True)
    assert len(seen) <= FEW_STATEMENTS, seen
