"""Schemathesis over every operation of /api/v1/openapi.json, bounded so the whole file runs in
well under a minute: no 5xx, and every response conforms to the document (status code, content
type, headers, body schema). Write operations carry a curator's bearer token and aim at records
that exist (a published one, a draft, one in review) as well as at a missing one, so the
workflow's real branches run, not only 401 and 404.

Hypothesis drives each operation directly because schemathesis' pytest plugin does not run
under this pytest version. Raise MAX_EXAMPLES for a longer run; a failing case is printed with
the request schemathesis built.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from werkzeug.exceptions import HTTPException

from registry.openapi import document

MAX_EXAMPLES = {"GET": 30, "other": 20}
# What "behaves as documented" means here. Not `positive_data_acceptance`: the document cannot
# state every rule (ISO country codes in any case, years up to next year, rules across fields),
# and for those a 400/422 naming the field is the documented answer.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
MISSING_ID = 987_654


def operations() -> list[tuple[str, str]]:
    paths = document("http://localhost")["paths"]
    return [(path, method.upper()) for path, item in paths.items() for method in item]


def served(app, path: str, method: str) -> bool:
    """Whether the app has a route for the operation (sample values for the path's {…})."""
    sample = path.replace("{id}", "1").replace("{code}", "fr")
    try:
        app.url_map.bind("localhost").match(sample, method=method)
    except HTTPException:
        return False
    return True


def fuzz_settings(method: str):
    return settings(
        max_examples=MAX_EXAMPLES["GET" if method == "GET" else "other"],
        deadline=None,
        derandomize=True,  # the same cases on every run: CI failures reproduce locally
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )


@pytest.fixture
def records(app, users, make_owned, make_initiative) -> list[int]:
    submitter = users["submitter"]
    return [
        make_initiative(title="Fuzzed record", sources=[{"title": "R", "url": "https://e.org"}]),
        make_owned(submitter, title="Fuzzed draft", tags=["fuzz"]),
        make_owned(submitter, status="submitted", title="Fuzzed submission"),
        make_owned(submitter, status="published", title="Fuzzed published"),
        MISSING_ID,
    ]


@pytest.mark.parametrize(("path", "method"), operations(), ids=lambda v: v)
def test_every_documented_operation_behaves_as_documented(
    app, users, api_token, records, path, method
):
    assert served(app, path, method), f"{method} {path} is documented but not served"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    secured = bool(operation.definition.raw.get("security"))
    headers = api_token("cur@registry.example") if secured else {}
    if "{id}" in path:
        cases = st.sampled_from(records).flatmap(
            lambda i: operation.as_strategy(path_parameters={"id": i}, headers=headers)
        )
    else:
        cases = operation.as_strategy(headers=headers)
    statuses: set[int] = set()

    @given(case=cases)
    @fuzz_settings(method)
    def check(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses.add(response.status_code)

    check()
    assert statuses, "no request was made"
    assert max(statuses) < 500
    assert min(statuses) < 300, "no example got past validation and permissions"


def test_every_operation_of_the_document_is_fuzzed():
    """The list comes from the document itself: a new operation is fuzzed without edits here."""
    found = {(p, m) for p, m in operations()}
    assert ("/api/v1/initiatives", "POST") in found and len(found) >= 12
