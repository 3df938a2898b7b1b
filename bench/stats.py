"""Statistics pages benchmark: `python -m bench.stats [--n 10000 --n 100000]
[--database-url postgresql://…/test] [--reps 20]` (or `make bench-stats`).

For each size: bulk-loads the synthetic corpus (bench.corpus) into a fresh database with every
multi-valued field filled (motives, obstacles, success factors, contributions as well as
stages and participants), then reports the first request and the median and p95 of `--reps`
renders through the Flask test client of /compare, the busiest country's page, /countries,
/api/v1/compare and /compare filtered by country and stage. No text query: it needs the
search index (bench.search times that), while these pages read SQL only.

With --database-url the corpus goes into a private database created on that PostgreSQL
server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from registry import create_app, schema_migrations, vocab
from registry.app import freeze_startup_objects
from registry.extensions import registry_of
from registry.models import Initiative, InitiativeTerm

from .corpus import Corpus
from .search import CHUNK, bulk_load_db

EXTRA_FIELDS = ("contributions", "motives", "obstacles", "success_factors")


def add_terms(engine, count: int, seed: int = 2026) -> None:
    """One to three codes of each field bench.corpus leaves empty, skewed like real answers."""
    with engine.begin() as conn:
        for first in range(0, count, CHUNK):
            rows = []
            for ident in range(first + 1, min(count, first + CHUNK) + 1):
                rng = random.Random(seed * 7919 + ident)
                for name in EXTRA_FIELDS:
                    codes = vocab.MULTI_FIELDS[name].codes
                    weights = [1.0 / (k + 1) for k in range(len(codes))]
                    picked = set(rng.choices(codes, weights=weights, k=rng.randint(1, 3)))
                    rows += [{"initiative_id": ident, "field": name, "code": c} for c in picked]
            conn.execute(insert(InitiativeTerm.__table__), rows)


@contextmanager
def database(url: str | None, folder: Path) -> Iterator[str]:
    """A fresh database URL: SQLite in `folder`, or a private PostgreSQL database."""
    if url is None:
        yield f"sqlite:///{folder / 'registry.sqlite3'}"
        return
    server = make_url(url).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"registry_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def time_path(client, path: str, reps: int) -> dict[str, float]:
    start = time.perf_counter()
    response = client.get(path)
    first = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (path, response.status_code)
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    ordered = sorted(samples)
    return {"first": first, "median": statistics.median(samples),
            "p95": ordered[max(0, int(0.95 * len(ordered)) - 1)]}  # fmt: skip


def run(size: int, url: str | None, reps: int) -> None:
    with tempfile.TemporaryDirectory() as folder, database(url, Path(folder)) as db_url:
        app = create_app({"instance_dir": Path(folder), "database_url": db_url,
                          "secret_key": "bench"})  # fmt: skip
        engine = registry_of(app).engine
        schema_migrations.upgrade(engine)
        start = time.perf_counter()
        bulk_load_db(engine, Corpus(), size)
        add_terms(engine, size)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        load = time.perf_counter() - start
        with engine.connect() as conn:
            busiest = conn.execute(
                select(Initiative.country).group_by(Initiative.country)
                .order_by(func.count().desc()).limit(1)
            ).scalar_one()  # fmt: skip
            terms = conn.execute(select(func.count()).select_from(InitiativeTerm)).scalar_one()
        print(f"\n{size:,} initiatives on {engine.dialect.name} ({terms:,} term rows), "
              f"loaded in {load:.1f} s; busiest country {busiest}")  # fmt: skip
        print(f"| path | first (ms) | median of {reps} (ms) | p95 (ms) |\n|---|---|---|---|")
        freeze_startup_objects()  # as a serving process does (registry/wsgi.py)
        client = app.test_client()
        for path in ("/compare", f"/countries/{busiest}", "/countries", "/api/v1/compare",
                     f"/api/v1/countries/{busiest}", "/compare?country=FR&stage=deliver",
                     "/compare.csv"):  # fmt: skip
            t = time_path(client, path, reps)
            print(f"| {path} | {t['first']:.1f} | {t['median']:.1f} | {t['p95']:.1f} |")
        engine.dispose()
        gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="initiatives (repeatable)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to use")
    parser.add_argument("--reps", type=int, default=20, help="timed requests per path")
    args = parser.parse_args()
    for size in args.n or [10_000, 100_000]:
        run(size, args.database_url, args.reps)


if __name__ == "__main__":
    main()
