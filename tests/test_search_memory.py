"""A serving process reads the index through memory maps: opening it copies no segment file
into the process's memory (registry/search/store.py, `MappedStorage`), and generations written
as compound files by earlier versions are still read."""

from __future__ import annotations

import random
import tracemalloc

from whoosh.writing import SegmentWriter

from registry import search
from registry.db import write_session
from registry.extensions import registry_of, search_index
from registry.search import catch_up
from registry.search.store import SearchIndex

WORDS = ("tenants", "neighbours", "repair", "police", "volunteers", "health", "visits",
         "street", "night", "market", "garden", "school", "parents", "carers")  # fmt: skip


def _fill(app, make_initiative, count: int) -> None:
    rng = random.Random(4)
    for _ in range(count):
        words = [rng.choice(WORDS) + str(rng.randrange(400)) for _ in range(400)]
        make_initiative(description=" ".join(words))
    with write_session(registry_of(app).engine) as session:
        catch_up(search_index(app), session)


def _segment_bytes(index: SearchIndex) -> int:
    folder = index.generation_dir(index.current_generation())
    return sum(p.stat().st_size for p in folder.iterdir() if p.name.startswith("MAIN_"))


def test_opening_the_index_copies_no_segment_file_into_memory(app, make_initiative):
    _fill(app, make_initiative, 120)
    index = SearchIndex(search_index(app).folder)  # a fresh process's handle
    size = _segment_bytes(index)
    assert size > 1_000_000
    tracemalloc.start()
    try:
        with index.reading() as (searcher, _columns):
            assert searcher.doc_count() == 120
            _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        index.close()
    # Whoosh's own mapped reading copied every segment file whole (its postings included).
    assert peak < size / 4, (peak, size)


def test_a_generation_of_compound_files_is_still_searched(
    app, client, make_initiative, monkeypatch
):
    make_initiative(title="Compound nightingale")
    # As earlier versions wrote segments: one compound file each.
    monkeypatch.setattr(SegmentWriter, "__init__", _compound(SegmentWriter.__init__))
    search.rebuild(search_index(app), registry_of(app).engine)
    folder = search_index(app).generation_dir(search_index(app).current_generation())
    assert any(p.suffix == ".seg" for p in folder.iterdir())
    monkeypatch.undo()
    found = client.get("/api/v1/initiatives", query_string={"q": "nightingale"}).get_json()
    assert found["total"] == 1


def _compound(init):
    def with_compound(self, ix, *args, **kwargs):
        init(self, ix, *args, **{**kwargs, "compound": True})

    return with_compound
