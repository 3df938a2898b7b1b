"""Bulk import through the user's path, beside SQLite FTS5 loading the same texts.

    python -m bench.bulk_import [--rows 10000] [--db sqlite|postgres] [--workdir FOLDER]

Writes `--rows` realistic records (bench/realistic.py; its shape printed) to one JSON file, runs
`registry init` then `registry import FILE --publish` as a user would, on a SQLite file (with
`--db postgres`, a new database on the PostgreSQL server of bench/harness.py): a separate
process doing the streaming, validation, batched writes, bulk indexing in
`registry.cli.INDEX_PROCS` processes and generation swap. Then checks `registry index check`
and loads the same texts into an FTS5 table in this process.
Reports wall and CPU seconds (the import's CPU is its process and the indexing processes it
started), records per second, the machine's load average before and after, and the largest
resident memory of a registry process it ran.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from registry.cli import INDEX_PROCS

from .harness import create_postgres_database, drop_postgres_database
from .realistic import RealisticCorpus, print_shape


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _registry(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """Run `registry ARGS`: (wall s, CPU s of it and its children, output)."""
    cpu, wall = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "registry", *args], env=env, capture_output=True, text=True
    )
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    if done.returncode != 0 and args[:2] != ("index", "check"):
        raise SystemExit(f"registry {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return wall, cpu, (done.stdout + done.stderr).strip()


def fts_load(path: Path, records: list[dict]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE VIRTUAL TABLE docs USING fts5(title, summary, description, outcomes, tags,
            tokenize = 'porter unicode61 remove_diacritics 2');
        CREATE TABLE meta(id INTEGER PRIMARY KEY, country TEXT, sector TEXT, maturity TEXT,
            start_year INT);
        """
    )
    conn.executemany(
        "INSERT INTO docs(rowid, title, summary, description, outcomes, tags) VALUES (?,?,?,?,?,?)",
        [(i, r["title"], r["summary"], r["description"], r["outcomes"], " ".join(r["tags"]))
         for i, r in enumerate(records, start=1)],
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO meta VALUES (?,?,?,?,?)",
        [(i, r["country"], r["sector"], r["maturity"], r["start_year"])
         for i, r in enumerate(records, start=1)],
    )  # fmt: skip
    conn.commit()
    conn.close()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=None, help="kept when given")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    database = f"registry_import_bench_{args.rows}"
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="registry-import-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        corpus = RealisticCorpus()
        print_shape(corpus, args.rows)
        records = [{**corpus.record(n), "external_id": f"bench-{n:06d}"} for n in range(args.rows)]
        file = workdir / "initiatives.json"
        file.write_text(json.dumps({"initiatives": records}, ensure_ascii=False), "utf-8")
        instance = workdir / "instance"
        shutil.rmtree(instance, ignore_errors=True)
        env = {
            **os.environ,
            "REGISTRY_INSTANCE_DIR": str(instance),
            "REGISTRY_SECRET_KEY": "bench",
        }
        if args.db == "postgres":
            env["REGISTRY_DATABASE_URL"] = create_postgres_database(database)
        _registry(env, "init")
        before = _loadavg()
        wall, cpu, output = _registry(env, "import", str(file), "--publish")
        middle = _loadavg()
        fts_wall, fts_cpu = fts_load(workdir / "fts.sqlite3", records)
        after = _loadavg()
        _check_wall, _check_cpu, check = _registry(env, "index", "check")
        size_mb = file.stat().st_size / 1e6
        print(f"\n== registry import of {args.rows:,} realistic records ({size_mb:.1f} MB JSON), "
              f"--publish, {INDEX_PROCS} indexing processes, {args.db} ==")  # fmt: skip
        print(f"load average before {before}, after the import {middle}, after FTS5 {after}")
        print("\n".join(line for line in output.splitlines() if "\r" not in line))
        print(
            f"registry import: {wall:.1f} s wall, {cpu:.1f} s CPU "
            f"({args.rows / wall:.0f} records/s wall, {args.rows / cpu:.0f} per CPU second)"
        )
        print(f"FTS5 load of the same texts: {fts_wall:.1f} s wall, {fts_cpu:.1f} s CPU "
              f"({args.rows / fts_wall:.0f} records/s wall, {args.rows / fts_cpu:.0f} per CPU "
              f"second)")  # fmt: skip
        print(f"registry index check: {check.splitlines()[-1]}")
        # ru_maxrss of the children: the largest one's peak (the import, or an indexing process)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"largest resident memory of a registry process: {peak:.0f} MB")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
            if args.db == "postgres":
                drop_postgres_database(database)


if __name__ == "__main__":
    main()
