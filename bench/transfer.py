"""Time a bulk import and the exports of 10,000 initiatives on a fresh SQLite registry.

    python -m bench.transfer [--rows 10000] [--keep FOLDER]

Generates a deterministic CSV (same seed, same bytes), imports it with `--publish` semantics,
re-imports it (nothing changes), then exports CSV and JSON over HTTP.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from registry import actions, create_app, schema_migrations, vocab
from registry.db import write_session
from registry.transfer import importing

COLUMNS = ("external_id", "title", "summary", "description", "language", "country", "sector",
           "stages", "maturity", "start_year", "participants", "motives", "partners", "tags",
           "sources")  # fmt: skip
COUNTRIES = ("FR", "CA", "US", "FI", "NO", "GB", "DE", "BE", "NL", "ES", "IT", "DK", "SE")
WORDS = ("citizens", "patients", "parents", "police", "schools", "santé", "quartier", "aînés",
         "volunteers", "budget", "design", "évaluation", "transport", "housing")  # fmt: skip


def _pick(rng: random.Random, codes: tuple[str, ...], most: int) -> str:
    return "; ".join(rng.sample(codes, rng.randint(1, most)))


def write_csv(path: Path, rows: int, seed: int = 2026) -> None:
    """A deterministic file of `rows` valid initiatives."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for n in range(rows):
            words = " ".join(rng.choice(WORDS) for _ in range(12))
            writer.writerow([
                f"bench-{n:06d}",
                f"Initiative {n}: {words[:60]}",
                f"Summary of initiative {n}: {words}.",
                f"## Context\n\n{words}\n\n- {words}\n- {words}",
                rng.choice(("en", "fr")),
                rng.choice(COUNTRIES),
                rng.choice(vocab.SECTOR.codes),
                _pick(rng, vocab.STAGE.codes, 3),
                rng.choice(vocab.MATURITY.codes),
                rng.randint(1990, 2024),
                _pick(rng, vocab.PARTICIPANTS.codes, 3),
                _pick(rng, vocab.MOTIVES.codes, 2),
                f"Partner {rng.randint(1, 500)}; Ville de {rng.choice(WORDS)}",
                f"{rng.choice(WORDS)}; {rng.choice(WORDS)}",
                f"Report {n} <https://example.org/reports/{n}.pdf>",
            ])  # fmt: skip


def _timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<34} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="use this folder and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-transfer-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "bench.csv"
    _timed(f"generate {args.rows} rows", lambda: write_csv(source, args.rows))
    db = folder / "registry.sqlite3"
    db.unlink(missing_ok=True)
    app = create_app({"instance_dir": folder, "database_url": f"sqlite:///{db}",
                      "secret_key": "bench"})  # fmt: skip
    engine = app.extensions["registry"].engine
    schema_migrations.upgrade(engine)
    rows = _timed("read + parse CSV", lambda: importing.read_file(source))
    _timed("validate only", lambda: importing.check(rows))

    def run_import(publish: bool):
        with write_session(engine) as session:
            options = actions.ImportOptions(publish=publish)
            return actions.import_rows(session, actions.SYSTEM, rows, options)

    summary = _timed("import (validate + write, publish)", lambda: run_import(True))
    print(f"  {summary}")
    again = _timed("re-import (nothing changes)", lambda: run_import(True))
    print(f"  {again}")
    client = app.test_client()
    for fmt in ("csv", "json"):
        response = _timed(f"export {fmt} over HTTP", lambda f=fmt: client.get(
            f"/export/initiatives.{f}").data)  # fmt: skip
        print(f"  {len(response) / 1_048_576:.1f} MB")
    _timed("Atom feed (50 newest)", lambda: client.get("/feed.atom").data)
    engine.dispose()
    print(f"files in {folder}")


if __name__ == "__main__":
    main()
