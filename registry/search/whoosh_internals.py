"""The one place that reads Whoosh's private attributes: posting lists a block at a time.

Whoosh's public matchers step through postings one document at a time in Python, far too
slow to list every record that contains a common word. Its block matcher (`W3LeafMatcher` in
`whoosh.codec.whoosh3`) already decodes a whole block into arrays; this module reads those.
Written against whoosh-reloaded 2.7.5, the exact version `pyproject.toml` pins.
`tests/test_search_whoosh_internals.py` fails, naming this module, when an upgrade changes
what it relies on: `_ids`, `_weights`, `_read_ids()`, `_read_weights()`, `_next_block()`
and the `child` of the wrapper that hides deleted documents.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

WRITTEN_FOR = "2.7.5"
RELIED_ON = ("_ids", "_weights", "_read_ids", "_read_weights", "_next_block", "is_active")


class InternalsChanged(RuntimeError):
    """The installed Whoosh no longer has what this module reads."""


def blocks(leaf, field: str, text) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(document numbers, term frequencies) of one term in one segment, block by block.

    Deleted documents are included: callers apply the live-document mask."""
    if (field, text) not in leaf:
        return
    matcher = leaf.postings(field, text)
    matcher = getattr(matcher, "child", matcher)  # the deletion filter wraps the block matcher
    missing = [name for name in RELIED_ON if not hasattr(matcher, name)]
    if missing:
        raise InternalsChanged(
            f"registry/search/whoosh_internals.py was written for whoosh-reloaded {WRITTEN_FOR}; "
            f"the installed Whoosh's {type(matcher).__name__} lacks {', '.join(missing)}"
        )
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
