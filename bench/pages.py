"""Start-up and page figures on the seeds: `registry init && registry seed` through the real
command line (median of several fresh instances), then the median of 20 renders of the main
pages with the Flask test client.

Run: python -m bench.pages [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_init_and_seed(runs: int) -> list[float]:
    """Seconds for `registry init` then `registry seed` on a fresh instance, per run."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "REGISTRY_INSTANCE_DIR": folder}
            env.pop("REGISTRY_DATABASE_URL", None)
            start = time.perf_counter()
            for command in ("init", "seed"):
                subprocess.run(
                    [sys.executable, "-m", "registry", command], env=env, check=True,
                    capture_output=True,
                )  # fmt: skip
            times.append(time.perf_counter() - start)
    return times


def time_pages(paths: list[str], requests: int = 20) -> dict[str, list[float]]:
    """Milliseconds per render of each path on a seeded temporary instance."""
    from registry import create_app, seeds
    from registry.app import freeze_startup_objects
    from registry.schema_migrations import upgrade

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"instance_dir": Path(folder), "secret_key": "bench"})
        engine = app.extensions["registry"].engine
        upgrade(engine)
        seeds.seed(engine)  # the first search catches the index up
        freeze_startup_objects()  # as a serving process does (registry/wsgi.py)
        client = app.test_client()
        results = {}
        for path in paths:
            assert client.get(path).status_code == 200, path  # warm up caches and searcher
            samples = []
            for _ in range(requests):
                start = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            results[path] = samples
        engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh instances to time")
    args = parser.parse_args()
    seconds = time_init_and_seed(args.runs)
    print(
        f"registry init && registry seed: median {statistics.median(seconds):.2f} s "
        f"(min {min(seconds):.2f}, max {max(seconds):.2f}, n={args.runs})"
    )
    pages = time_pages(["/", "/initiatives", "/initiatives?stage=deliver&country=FR"])
    for path, samples in pages.items():
        ordered = sorted(samples)
        print(
            f"GET {path}: median {statistics.median(samples):.1f} ms, "
            f"p95 {ordered[int(0.95 * len(ordered)) - 1]:.1f} ms (n={len(samples)})"
        )


if __name__ == "__main__":
    main()
