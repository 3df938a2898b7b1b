"""What building API answers through their shapes costs: `python -m bench.shapes [--n 10000]
[--reps 20]`.

Bulk-loads the synthetic corpus (bench.corpus, every multi-valued field filled) into a fresh
SQLite database and search index, then for the largest answers of the API reports the median of
`--reps` requests through the Flask test client (the baseline: everything the request does,
shaping included) beside the median time `registry.shapes.dump` takes on that same answer
(checking it against its shape and reducing it to the declared fields). The shaping share is
the second over the first.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
from pathlib import Path

from registry import create_app, schema_migrations, search, shapes
from registry.app import freeze_startup_objects
from registry.extensions import registry_of, search_index

from .corpus import Corpus
from .search import bulk_load_db
from .stats import add_terms

# path → the shape its answer goes out through (registry/api/).
ANSWERS = {
    "/api/v1/initiatives?per_page=100": shapes.SearchResponse,
    "/api/v1/initiatives?q=health&per_page=100": shapes.SearchResponse,
    "/api/v1/initiatives/1": shapes.Initiative,
    "/api/v1/countries": list[shapes.CountrySummary],
    "/api/v1/countries/FR?per_page=1000": shapes.CountryProfile,
    "/api/v1/compare": shapes.CompareResponse,
    "/api/v1/vocabularies": shapes.Vocabularies,
}


def median_ms(fn, reps: int) -> float:
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def run(size: int, reps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"instance_dir": Path(folder), "secret_key": "bench", "TESTING": True})
        engine = registry_of(app).engine
        schema_migrations.upgrade(engine)
        bulk_load_db(engine, Corpus(), size)
        add_terms(engine, size)
        search.bulk_index(search_index(app), engine, procs=2)
        freeze_startup_objects()  # as a serving process does (registry/wsgi.py)
        client = app.test_client()
        print(f"\n{size:,} initiatives on sqlite; medians of {reps}")
        print("| path | answer (kB) | request (ms) | shaping (ms) | share |\n|---|---|---|---|---|")
        for path, shape in ANSWERS.items():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            body = json.loads(response.data)
            request = median_ms(lambda p=path: client.get(p), reps)
            shaping = median_ms(lambda s=shape, b=body: shapes.dump(s, b), reps)
            print(f"| {path} | {len(response.data) / 1000:.0f} | {request:.1f} | "
                  f"{shaping:.2f} | {shaping / request:.0%} |")  # fmt: skip
        search_index(app).close()
        engine.dispose()
        gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="initiatives (repeatable)")
    parser.add_argument("--reps", type=int, default=20, help="timed requests per path")
    args = parser.parse_args()
    for size in args.n or [10_000]:
        run(size, args.reps)


if __name__ == "__main__":
    main()
