"""Schemathesis against the endpoints that exist today, kept small so the suite stays fast.

Add operations to `OPERATIONS` as they land (after the merge: every path of the document) and
raise `MAX_EXAMPLES` for a longer run. Hypothesis drives each operation directly because
schemathesis' pytest plugin does not run under this pytest version.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

OPERATIONS = [
    ("/api/v1/vocabularies", "GET"),
    ("/api/v1/initiatives/{id}", "GET"),
    ("/api/v1/openapi.json", "GET"),
]
MAX_EXAMPLES = 15


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_documented_endpoints_behave_as_documented(app, make_initiative, path, method):
    make_initiative(title="Fuzzed record", sources=[{"title": "R", "url": "https://e.org"}])
    make_initiative(status="draft", title="Hidden draft")
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def check(case):
        case.call_and_validate()

    check()
