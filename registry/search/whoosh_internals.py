"""The one place that reads Whoosh's private attributes: posting lists a block at a time.

Whoosh's public matchers step through postings one document at a time in Python, far too
slow to list every record that contains a common word. Its block matcher (`W3LeafMatcher` in
`whoosh.codec.whoosh3`) already decodes a whole block into arrays; this module reads those.
Written against whoosh-reloaded 2.7.5, the exact version `pyproject.toml` pins.
`tests/test_search_whoosh_internals.py` fails, naming this module, when an upgrade changes
what it relies on: `_ids`, `_weights`, `_values`, `_maxid`, `_read_ids()`, `_read_weights()`,
`_read_values()`, `_next_block()` and the `child` of the wrapper that hides deleted documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import accumulate
from pickle import loads

import numpy as np
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE

WRITTEN_FOR = "2.7.5"
RELIED_ON = (
    "_ids", "_weights", "_values", "_maxid", "_read_ids", "_read_weights", "_read_values",
    "_next_block", "is_active",
)  # fmt: skip


class InternalsChanged(RuntimeError):
    """The installed Whoosh no longer has what this module reads."""


def _block_matcher(leaf, field: str, text):
    matcher = leaf.postings(field, text)
    matcher = getattr(matcher, "child", matcher)  # the deletion filter wraps the block matcher
    missing = [name for name in RELIED_ON if not hasattr(matcher, name)]
    if missing:
        raise InternalsChanged(
            f"registry/search/whoosh_internals.py was written for whoosh-reloaded {WRITTEN_FOR}; "
            f"the installed Whoosh's {type(matcher).__name__} lacks {', '.join(missing)}"
        )
    return matcher


def blocks(leaf, field: str, text) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(document numbers, term frequencies) of one term in one segment, block by block.

    Deleted documents are included: callers apply the live-document mask."""
    if (field, text) not in leaf:
        return
    matcher = _block_matcher(leaf, field, text)
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        yield (
            np.asarray(matcher._ids, dtype=np.int64),
            np.asarray(matcher._weights, dtype=np.float32),
        )
        matcher._next_block()


def _decoded(value: bytes) -> list[int]:
    """`Positions.decode_positions` in C: the value is a count, then the pickled gaps."""
    return list(accumulate(loads((value if value.endswith(b".") else value + b".")[_INT_SIZE:])))


def positions(leaf, field: str, text, docs: np.ndarray) -> list[list[int] | None]:
    """The positions of one term in each of `docs` (ascending document numbers of one
    segment), in their order: None where the document does not hold the term. A
    block whose last document comes before the next wanted one is passed over unread (Whoosh's
    own `skip_to` steps through every posting in Python)."""
    found: list[list[int] | None] = [None] * len(docs)
    if not len(docs) or (field, text) not in leaf:
        return found
    if not isinstance(leaf.schema[field].format, Positions):
        raise InternalsChanged(f"{field!r} is not indexed with Whoosh's Positions format")
    matcher = _block_matcher(leaf, field, text)
    k = 0
    while matcher.is_active() and k < len(docs):
        if matcher._maxid >= docs[k]:
            if matcher._ids is None:
                matcher._read_ids()
            ids = np.asarray(matcher._ids, dtype=np.int64)
            end = int(np.searchsorted(docs, matcher._maxid, side="right"))
            at = np.minimum(np.searchsorted(ids, docs[k:end]), len(ids) - 1)
            held = np.flatnonzero(ids[at] == docs[k:end])
            if len(held):
                if matcher._values is None:
                    matcher._read_values()
                values = matcher._values
                for j, i in zip(held.tolist(), at[held].tolist(), strict=True):
                    found[k + j] = _decoded(values[i])
            k = end
        matcher._next_block()
    return found
