"""What indexing one realistic record costs, split by step, in CPU time.

    python -m bench.index_cost [--rows 500] [--profile 25]

Loads `--rows` realistic records (bench/realistic.py; its shape printed) into a fresh SQLite
database, then indexes them in this one process as a rebuild does (`indexing.rebuild`'s steps,
one writer, no child processes) and reports milliseconds of CPU (`time.process_time`) per
record for each step: loading the rows, making each index document (`schema.document`), the
"did you mean" words (`schema.spelling_words`), Whoosh's `add_document` (analysis and
postings), and the commit (merging segments, writing the files). The same texts are loaded
into an FTS5 table for scale. `--profile N` also prints cProfile's N costliest functions of a
second pass over the same rows.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from registry import create_app, initiatives, schema_migrations
from registry.db import read_session
from registry.extensions import registry_of
from registry.models import Initiative
from registry.search.schema import document, make_schema, spelling_words

from .bulk_import import _loadavg, fts_load
from .realistic import RealisticCorpus, print_shape
from .search import Cached, bulk_load_db


def _index(engine, folder: Path, timings: dict[str, float]) -> int:
    """Index every published row of `engine` into a new index in `folder`; add each step's
    CPU seconds to `timings`."""
    from whoosh import index as whoosh_index

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ix = whoosh_index.create_in(folder, make_schema())
    writer = ix.writer(limitmb=256)
    count = 0
    clock = time.process_time
    with read_session(engine) as session:
        last_id = 0
        while True:
            started = clock()
            rows = list(
                session.scalars(
                    initiatives.public_query()
                    .where(Initiative.id > last_id)
                    .order_by(Initiative.id)
                    .limit(500)
                )
            )
            timings["load rows"] += clock() - started
            if not rows:
                break
            for row in rows:
                started = clock()
                doc = document(row)
                made = clock()
                spelling_words(row)
                words = clock()
                writer.add_document(**doc)
                added = clock()
                timings["document"] += made - started
                timings["spelling words"] += words - made
                timings["add_document"] += added - words
            count += len(rows)
            last_id = rows[-1].id
            session.expunge_all()
    started = clock()
    writer.commit(optimize=True)
    timings["commit"] += clock() - started
    ix.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--workdir", type=Path, default=None, help="kept when given")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="registry-index-cost-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        corpus = Cached(RealisticCorpus())
        print_shape(corpus.corpus, args.rows)
        instance = workdir / "instance"
        shutil.rmtree(instance, ignore_errors=True)
        app = create_app({"instance_dir": instance, "secret_key": "bench", "TESTING": True})
        engine = registry_of(app).engine
        schema_migrations.upgrade(engine)
        bulk_load_db(engine, corpus, args.rows)
        before = _loadavg()
        timings = dict.fromkeys(
            ("load rows", "document", "spelling words", "add_document", "commit"), 0.0
        )
        wall = time.perf_counter()
        count = _index(engine, workdir / "index", timings)
        wall = time.perf_counter() - wall
        after = _loadavg()
        total = sum(timings.values())
        print(f"\n== indexing {count:,} realistic records in one process ==")
        print(f"load average before {before}, after {after}")
        print("| step | ms CPU per record | share |")
        print("|---|---|---|")
        for name, seconds in timings.items():
            print(f"| {name} | {seconds / count * 1000:.2f} | {seconds / total:.0%} |")
        print(f"| **total** | **{total / count * 1000:.2f}** | |")
        print(f"wall {wall:.1f} s ({count / wall:.0f} records/s); CPU {total:.1f} s")
        records = [corpus.record(n) for n in range(args.rows)]
        _fts_wall, fts_cpu = fts_load(workdir / "fts.sqlite3", records)
        print(f"FTS5 load of the same texts: {fts_cpu / count * 1000:.2f} ms CPU per record")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            _index(engine, workdir / "index-profiled", dict.fromkeys(timings, 0.0))
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
