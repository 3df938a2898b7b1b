"""registry/search/whoosh_internals.py reads Whoosh's private attributes: these tests fail,
naming that module, when the installed Whoosh is not the one it was written for."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from whoosh import fields, index

from registry.search import whoosh_internals

ADAPTER = "registry/search/whoosh_internals.py"


@pytest.fixture
def small_index(tmp_path):
    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True), text=fields.TEXT))
    with ix.writer() as writer:
        for n, text in enumerate(["apple apple pear", "pear", "apple", "plum"]):
            writer.add_document(id=str(n), text=text)
    yield ix
    ix.close()


def test_whoosh_is_the_exact_version_the_adapter_was_written_for():
    installed = metadata.version("whoosh-reloaded")
    pyproject = tomllib.loads(Path(__file__).parents[1].joinpath("pyproject.toml").read_text())
    pinned = [d for d in pyproject["project"]["dependencies"] if d.startswith("whoosh-reloaded")]
    assert pinned == [f"whoosh-reloaded=={whoosh_internals.WRITTEN_FOR}"], (
        f"{ADAPTER} was written for whoosh-reloaded {whoosh_internals.WRITTEN_FOR}: pin it "
        f"exactly in pyproject.toml, or check the adapter against the new version"
    )
    assert installed == whoosh_internals.WRITTEN_FOR, (
        f"whoosh-reloaded {installed} is installed, but {ADAPTER} reads the internals of "
        f"{whoosh_internals.WRITTEN_FOR}: check what it relies on before changing the pin"
    )


def test_the_block_matcher_still_has_what_the_adapter_reads(small_index):
    with small_index.searcher() as searcher:
        leaf = searcher.reader().leaf_readers()[0][0]
        matcher = leaf.postings("text", "apple")
        matcher = getattr(matcher, "child", matcher)
        missing = [n for n in whoosh_internals.RELIED_ON if not hasattr(matcher, n)]
        assert not missing, f"{ADAPTER}: Whoosh's {type(matcher).__name__} lacks {missing}"


def test_blocks_give_every_document_and_frequency_of_a_term(small_index):
    with small_index.writer() as writer:
        writer.delete_by_term("id", "2")  # deleted documents stay in the postings
    with small_index.searcher() as searcher:
        leaves = searcher.reader().leaf_readers()
        docs, freqs = [], []
        for leaf, offset in leaves:
            for ids, weights in whoosh_internals.blocks(leaf, "text", "apple"):
                docs.extend((ids + offset).tolist())
                freqs.extend(weights.tolist())
        assert list(zip(docs, freqs, strict=True)) == [(0, 2.0), (2, 1.0)]
        assert list(whoosh_internals.blocks(leaves[0][0], "text", "absent")) == []


def test_positions_give_each_documents_positions_of_a_term(small_index):
    with small_index.writer() as writer:
        writer.delete_by_term("id", "2")
    with small_index.searcher() as searcher:
        leaf = searcher.reader().leaf_readers()[0][0]
        docs = np.array([0, 1, 2, 3])
        found = whoosh_internals.positions(leaf, "text", "apple", docs)
        assert found == [[0, 1], None, [0], None]  # the deleted document 2 included
        matcher = leaf.postings("text", "pear")
        expected = []
        while matcher.is_active():
            expected.append((matcher.id(), matcher.value_as("positions")))
            matcher.next()
        found = whoosh_internals.positions(leaf, "text", "pear", np.array([0, 1]))
        assert list(zip([0, 1], found, strict=True)) == expected == [(0, [2]), (1, [0])]
        assert whoosh_internals.positions(leaf, "text", "absent", docs) == [None] * 4


def test_a_changed_matcher_is_refused_with_the_adapters_name(small_index, monkeypatch):
    class Changed:  # what an upgrade might bring: a matcher without the block internals
        def is_active(self):
            return True

    with small_index.searcher() as searcher:
        leaf = searcher.reader().leaf_readers()[0][0]
        monkeypatch.setattr(type(leaf), "postings", lambda self, field, text: Changed())
        with pytest.raises(whoosh_internals.InternalsChanged, match=re.escape(ADAPTER)):
            list(whoosh_internals.blocks(leaf, "text", "apple"))


def test_no_other_module_reads_whoosh_internals():
    """Private Whoosh attributes are read in the adapter only."""
    package = Path(__file__).parents[1] / "registry"
    private = re.compile(
        r"\._(ids|weights|values|maxid|read_ids|read_weights|read_values|next_block|perdoc)\b"
    )
    offenders = [
        str(path.relative_to(package.parent))
        for path in package.rglob("*.py")
        if path.name != "whoosh_internals.py" and private.search(path.read_text())
    ]
    assert offenders == []
