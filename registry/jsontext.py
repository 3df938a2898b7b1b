"""JSON documents read with limits on nesting and number size, for API bodies and imports.

The standard library's parser recurses once per level (100,000 `[` raise RecursionError, which
is not a ValueError), turns any run of digits into an int (5,000 digits raise ValueError past
Python's conversion limit, and convert slowly below it) and accepts NaN and Infinity, which
JSON does not have. Each of these is refused here with a message for the sender.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .messages import Message, msg

MAX_DEPTH = 32  # an initiative is 3 levels deep; an import's wrapper adds 2
MAX_NUMBER_CHARS = 30  # a year or an id needs 4 to 10


class JsonRejected(ValueError):
    """The document is not JSON, or breaks a limit; `message` says which, for the sender."""

    def __init__(self, message: Message | str):
        super().__init__(str(message))
        self.message = message


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRejected(
            msg("a number has more than %(count)s characters", count=MAX_NUMBER_CHARS)
        )
    return int(text)


def _float(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if math.isinf(value):
        raise JsonRejected(
            msg("a number has more than %(count)s characters", count=MAX_NUMBER_CHARS)
        )
    return value


def _constant(name: str) -> Any:
    raise JsonRejected(msg("%(name)s is not a JSON value", name=name))


def _depth(document: Any) -> int:
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return deepest


def loads(data: str | bytes) -> Any:
    """The document in `data` (UTF-8, an optional BOM); JsonRejected when it is not JSON, nests
    deeper than MAX_DEPTH or holds a number longer than MAX_NUMBER_CHARS."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        document = json.loads(
            text, parse_int=_integer, parse_float=_float, parse_constant=_constant
        )
    except UnicodeDecodeError:
        raise JsonRejected(msg("not valid JSON (the text is not UTF-8)")) from None
    except RecursionError:
        document = None
        too_deep = True
    except json.JSONDecodeError as exc:
        raise JsonRejected(
            msg("not valid JSON (%(reason)s, line %(line)s)", reason=exc.msg, line=exc.lineno)
        ) from None
    else:
        too_deep = _depth(document) > MAX_DEPTH
    if too_deep:
        raise JsonRejected(msg("JSON nested more than %(count)s levels deep", count=MAX_DEPTH))
    return document
