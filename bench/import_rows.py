"""The import's validation and writing alone: `actions.import_rows` timed in this process.

    python -m bench.import_rows [--rows 2000] [--workdir FOLDER] [--profile N]

Writes `--rows` realistic records (bench/realistic.py) as one JSON file, as bench.bulk_import
does, runs `registry init` on a fresh instance, then imports the file through
`actions.import_rows` over a streamed `FileRows` with `--publish`'s options, without indexing
(bench.bulk_import times the whole command, indexing included). Reports CPU
(`time.process_time`), wall, milliseconds of CPU a record and this process's peak resident
memory (which includes generating the records, unless the file is already in `--workdir`);
`--profile N` adds cProfile's N costliest functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--workdir", type=Path, default=None, help="kept when given")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="registry-import-rows-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        file = workdir / f"initiatives-{args.rows}.json"
        if not file.exists():  # the same records as bench.bulk_import's
            from .realistic import RealisticCorpus

            corpus = RealisticCorpus()
            records = [{**corpus.record(n), "external_id": f"bench-{n:06d}"}
                       for n in range(args.rows)]  # fmt: skip
            file.write_text(json.dumps({"initiatives": records}, ensure_ascii=False), "utf-8")
        instance = workdir / "instance"
        shutil.rmtree(instance, ignore_errors=True)
        os.environ.update(REGISTRY_INSTANCE_DIR=str(instance), REGISTRY_SECRET_KEY="bench")
        subprocess.run([sys.executable, "-m", "registry", "init"], check=True,
                       capture_output=True)  # fmt: skip
        _run(file, args.rows, args.profile)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _run(file: Path, count: int, profile: int) -> None:
    from registry import actions
    from registry.app import create_app
    from registry.db import write_session
    from registry.extensions import registry_of
    from registry.transfer.importing import FileRows

    app = create_app()
    with app.app_context():
        engine = registry_of().engine
        options = actions.ImportOptions(publish=True, source=file.name)
        profiler = cProfile.Profile() if profile else None
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        with write_session(engine) as session:
            summary = actions.import_rows(session, actions.SYSTEM, FileRows(file), options)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"import_rows of {count:,} realistic records ({file.stat().st_size / 1e6:.1f} MB JSON, "
          f"--publish, no indexing), load average {load} before: {summary}; {cpu:.2f} s CPU, "
          f"{wall:.2f} s wall, {1000 * cpu / count:.2f} ms CPU a record; peak resident memory "
          f"{peak:.0f} MB")  # fmt: skip
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)


if __name__ == "__main__":
    main()
