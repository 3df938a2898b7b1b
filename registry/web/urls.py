"""Addresses built from the current request: a safe place to go back to, and the current page
with its filters changed."""

from __future__ import annotations

from dataclasses import fields, replace
from urllib.parse import urlencode, urlsplit

from flask import request

from ..filters import Filters


def local_path(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`: no open redirect, even through
    the browser's repairs of odd URLs (backslashes, control characters, "//host")."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or any(ch == "\\" or ord(ch) < 33 or ord(ch) == 127 for ch in target)
    ):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


FILTER_NAMES = frozenset(f.name for f in fields(Filters))


def url_with(filters: Filters, **changes) -> str:
    """The current page's URL with its filters changed (None removes a parameter); the page's
    own parameters that are not filters (the comparison's cohorts, the illustrative switch)
    are kept as they are."""
    changed = replace(filters, **changes)
    own = [(k, v) for k, v in request.args.items(multi=True) if k not in FILTER_NAMES]
    query = urlencode([*changed.to_args(), *own])
    return f"{request.path}?{query}" if query else request.path
