"""Walking the app's URL map: every rule with its parameters filled from sample values, so that
tests cover each route, including the ones added later, without listing them by hand."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence

from flask import Flask
from werkzeug.routing import Rule

_PARAMETER = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


# Sample values of the route parameters that need nothing of a test's own records: an id that
# may or may not exist, a token or signed link that is not valid, a citation format.
COMMON_SAMPLES: dict[tuple[str, str], list[str]] = {
    ("int", "token_id"): ["1"],
    ("int", "message_id"): ["1"],  # the outbox
    ("int", "collection_id"): ["1"],
    ("int", "version"): ["1", "2"],  # a published version
    ("int", "chunk"): ["1", "2"],  # sitemap chunks
    ("string", "token"): ["x" * 30, "not-a-valid-link"],  # feeds, unsubscribe, password links
    ("int", "search_id"): ["1"],  # saved searches
    ("int", "list_id"): ["1"],  # personal lists
    ("string", "fmt"): ["bib"],  # a shared list's citations
    ("int", "user_id"): ["1"],  # accounts on the web
    ("string", "language"): ["fr", "en", "de"],  # a record's translations (issue 16)
    ("int", "link_id"): ["1"],  # a record's links (issue 16)
}


class UnfillableRoute(Exception):
    """A route has a parameter the walker has no sample value for."""


def parameters(rule: Rule) -> list[tuple[str, str]]:
    """(converter, name) of each parameter of the rule; the default converter is `string`."""
    return [
        (m.group("converter") or "string", m.group("name")) for m in _PARAMETER.finditer(rule.rule)
    ]


def is_static(rule: Rule) -> bool:
    return rule.endpoint == "static" or rule.endpoint.endswith(".static")


def routes(app: Flask) -> list[Rule]:
    """Every rule except static files, in a stable order."""
    return sorted((r for r in app.url_map.iter_rules() if not is_static(r)), key=lambda r: r.rule)


def urls(rule: Rule, samples: Mapping[tuple[str, str], Sequence[str]]) -> Iterator[str]:
    """The rule's path for every combination of sample values.

    `samples` maps (converter, name) to the values to try; a parameter missing from it raises
    UnfillableRoute, so that a new kind of route is noticed instead of silently skipped.
    """
    params = parameters(rule)
    missing = [f"<{c}:{n}>" for c, n in params if (c, n) not in samples]
    if missing:
        raise UnfillableRoute(
            f"{rule.rule} (endpoint {rule.endpoint}) has {', '.join(missing)}: "
            "add sample values for it in the test that walks the URL map"
        )
    choices = [samples[p] for p in params]
    for combination in itertools.product(*choices):
        path = rule.rule
        for (converter, name), value in zip(params, combination, strict=True):
            path = re.sub(rf"<(?:{converter}(?:\([^)]*\))?:)?{name}>", str(value), path, count=1)
        yield path


def method_of(rule: Rule) -> str:
    """GET where the rule answers it, else its first other method (POST, PATCH, …)."""
    methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
    return "GET" if "GET" in methods else sorted(methods)[0]
