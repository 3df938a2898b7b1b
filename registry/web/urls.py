"""Addresses built from the current request: a safe place to go back to, and the current page
with its filters changed."""

from __future__ import annotations

from dataclasses import replace
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


def url_with(filters: Filters, **changes) -> str:
    """The current page's URL with its filters changed (None removes a parameter)."""
    changed = replace(filters, **changes)
    query = urlencode(changed.to_args())
    return f"{request.path}?{query}" if query else request.path
