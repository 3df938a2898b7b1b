"""Search benchmark: `python -m bench.search [--size 10000] [--corpus realistic|pseudo]`.

`--corpus realistic` (the default; bench/realistic.py): real English and French words at their
real frequencies, case-study-sized Markdown descriptions. `--corpus pseudo` (bench/corpus.py):
the earlier pseudo-word corpus with short texts, kept as a second case. The corpus's shape is
printed first.

For each size: bulk-loads the corpus into the real tables of a fresh SQLite database (with
`--db postgres`, a new database on the PostgreSQL server of bench/harness.py; one executemany
per table: a fast path, no revisions) and into the real Whoosh index
(`registry.search.bulk_index`), then reports load times, index size, search latency (median
and p95 through the Flask test client; with `--serve` also through HTTP on `registry serve`,
with that process's memory) per query type, the same queries against a plain SQLite FTS5
table of the same corpus as a baseline (words OR-ed for the ranked queries, as the registry
ranks them), the delay from a committed edit to its visibility, and the time of hostile
queries (the slowest p95 of tests/test_search_hostile.py's kind of input; target: under a
second).
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import insert

from registry import actions, create_app, schema_migrations, search, vocab
from registry.app import freeze_startup_objects
from registry.db import write_session
from registry.extensions import registry_of, search_index
from registry.models import ChangeLog, Initiative, InitiativeTag, InitiativeTerm
from registry.search import follower

from .corpus import PHRASE, Corpus
from .harness import create_postgres_database, drop_postgres_database
from .realistic import RealisticCorpus, print_shape

CORPORA = {"realistic": RealisticCorpus, "pseudo": Corpus}


class Cached:
    """A corpus whose records are made once (the realistic ones take ~5 ms each)."""

    def __init__(self, corpus):
        self.corpus = corpus
        self.name = getattr(corpus, "name", type(corpus).__name__)
        self.made: dict[int, dict] = {}

    def record(self, n: int) -> dict:
        if n not in self.made:
            self.made[n] = self.corpus.record(n)
        return self.made[n]

    def word_at_rank(self, lang: str, rank: int) -> str:
        return self.corpus.word_at_rank(lang, rank)


def rss_mb() -> float:
    """This process's resident memory now (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


CHUNK = 2000


@cache
def _model_defaults() -> dict:
    """Every column's value in a record made with nothing given (made once: building a model
    instance per row cost 0.6 ms, a minute of a 100,000-record load)."""
    made = Initiative()
    return {column.key: getattr(made, column.key, None) for column in Initiative.__table__.columns}


def with_defaults(row: dict) -> dict:
    """`row` completed with the model's defaults for every column it does not name (the model
    gains fields; a NOT NULL column without a server default needs its value here)."""
    defaults = _model_defaults()
    values = {}
    for column in Initiative.__table__.columns:
        value = row[column.key] if column.key in row else defaults[column.key]
        if value is None and (column.server_default is not None or column.primary_key):
            continue
        values[column.key] = value
    return values


def bulk_load_db(engine, corpus: Corpus, count: int) -> None:
    """Insert `count` published records, their terms, tags and change-log entries."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for first in range(0, count, CHUNK):
            rows, terms, tags, changes = [], [], [], []
            for n in range(first, min(count, first + CHUNK)):
                r = corpus.record(n)
                when = start + timedelta(minutes=n)
                ident = n + 1
                rows.append(
                    {
                        "id": ident, "slug": f"bench-{ident}", "title": r["title"],
                        "summary": r["summary"], "description": r["description"],
                        "language": r["language"], "country": r["country"], "region": "",
                        "locality": r["locality"], "sector": r["sector"],
                        "maturity": r["maturity"], "start_year": r["start_year"],
                        "mainstreamed_year": r["mainstreamed_year"], "end_year": None,
                        "evidence_level": r["evidence_level"], "outcomes": r["outcomes"],
                        "lead_organisation": r["lead_organisation"], "partners": r["partners"],
                        "sources": r.get("sources", []), "status": "published", "version": 1,
                        "public_version": 1,
                        "illustrative": True, "rejection_reason": "", "created_at": when,
                        "updated_at": when, "published_at": when,
                    }
                )  # fmt: skip
                terms += [
                    {"initiative_id": ident, "field": name, "code": code}
                    for name in vocab.MULTI_FIELDS
                    for code in r.get(name) or ()
                ]
                tags += [{"initiative_id": ident, "tag": t} for t in r["tags"]]
                changes.append({"initiative_id": ident, "action": "create", "created_at": when})
            conn.execute(insert(Initiative.__table__), [with_defaults(row) for row in rows])
            conn.execute(insert(InitiativeTerm.__table__), terms)
            if tags:
                conn.execute(insert(InitiativeTag.__table__), tags)
            conn.execute(insert(ChangeLog.__table__), changes)


def build_fts(path: Path, corpus: Corpus, count: int) -> sqlite3.Connection:
    """The baseline: the same texts in an FTS5 table, controlled fields in a plain table."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE VIRTUAL TABLE docs USING fts5(title, summary, description, outcomes, tags,
            tokenize = 'porter unicode61 remove_diacritics 2');
        CREATE TABLE meta(id INTEGER PRIMARY KEY, country TEXT, sector TEXT, maturity TEXT,
            start_year INT, published INT);
        CREATE INDEX meta_country ON meta(country);
        """
    )
    for first in range(0, count, CHUNK):
        batch = [corpus.record(n) for n in range(first, min(count, first + CHUNK))]
        ids = range(first + 1, first + 1 + len(batch))
        conn.executemany(
            "INSERT INTO docs(rowid, title, summary, description, outcomes, tags) "
            "VALUES (?,?,?,?,?,?)",
            [(i, r["title"], r["summary"], r["description"], r["outcomes"], " ".join(r["tags"]))
             for i, r in zip(ids, batch, strict=True)],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO meta VALUES (?,?,?,?,?,?)",
            [(i, r["country"], r["sector"], r["maturity"], r["start_year"], i)
             for i, r in zip(ids, batch, strict=True)],
        )  # fmt: skip
    conn.commit()
    return conn


def fts_query(conn: sqlite3.Connection, match: str | None, where: str = "", offset: int = 0):
    """Count, one page and three facet counts: the same work as one search request."""
    if match:
        conn.execute("DROP TABLE IF EXISTS temp.hits")
        conn.execute("CREATE TEMP TABLE hits(id INTEGER PRIMARY KEY, score REAL)")
        conn.execute(
            "INSERT INTO temp.hits SELECT rowid, bm25(docs) FROM docs WHERE docs MATCH ?",
            (match,),
        )
        source = f"temp.hits JOIN meta USING(id) {('WHERE ' + where) if where else ''}"
        order = "score"
    else:
        source = f"meta {('WHERE ' + where) if where else ''}"
        order = "published DESC"
    conn.execute(f"SELECT count(*) FROM {source}").fetchone()
    conn.execute(f"SELECT id FROM {source} ORDER BY {order} LIMIT 20 OFFSET {offset}").fetchall()
    for facet in ("country", "sector", "maturity"):
        conn.execute(f"SELECT {facet}, count(*) FROM {source} GROUP BY {facet}").fetchall()


LONG_QUESTION = "how can volunteers help elderly patients reach the hospital by transport"
FTS_STOPWORDS = {"how", "can", "the", "by"}


def _any(words: str) -> str:
    """The FTS5 query matching any of `words`, as the registry ranks a plain query."""
    return " OR ".join(f'"{w}"' for w in words.split() if w not in FTS_STOPWORDS)


# Wall time by default; `--clock cpu` times this process's CPU only, which a machine shared
# with other jobs inflates less (for comparisons on a busy machine).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


def timed(fn: Callable[[], object], reps: int) -> tuple[float, float]:
    for _ in range(3):
        fn()
    samples = []
    for _ in range(reps):
        started = clock()
        fn()
        samples.append((clock() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def timed_both(fn: Callable[[], object], reps: int) -> dict[str, float]:
    """Median and p95 (ms) of wall time and of this process's CPU time, from the same runs."""
    for _ in range(3):
        fn()
    wall, cpu = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    out = {}
    for name, samples in (("wall", sorted(wall)), ("cpu", sorted(cpu))):
        out[f"{name}_median"] = round(statistics.median(samples), 1)
        out[f"{name}_p95"] = round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 1)
    return out


def serving(instance: Path, queries: dict, reps: int, database_url: str | None) -> dict:
    """Every query type through HTTP on a `registry serve` process of `instance` (median and p95
    ms over `reps` requests after 3 warm-up ones), and that process's resident memory."""
    import os
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "REGISTRY_INSTANCE_DIR": str(instance), "REGISTRY_SECRET_KEY": "bench"}
    if database_url:
        env["REGISTRY_DATABASE_URL"] = database_url
    server = subprocess.Popen(
        [sys.executable, "-m", "registry", "serve", "--port", str(port), "--threads", "4"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{url}/api/v1/initiatives", timeout=60)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        started = _rss(server.pid)
        http = {}
        with httpx.Client(base_url=url, timeout=60) as client:
            for name, (params, _fts) in queries.items():
                get = lambda p=params: client.get("/api/v1/initiatives", params=p)  # noqa: E731
                get().raise_for_status()
                median, p95 = timed(get, reps)
                http[name] = {"median_ms": round(median, 1), "p95_ms": round(p95, 1)}
        return {"rss_start_mb": started, "rss_after_mb": _rss(server.pid), "http": http}
    finally:
        server.terminate()
        server.wait(30)


def _rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(
    size: int,
    workdir: Path,
    reps: int,
    procs: int,
    corpus_name: str = "realistic",
    serve: bool = False,
    db: str = "sqlite",
    keep: bool = False,
) -> dict:
    corpus = Cached(CORPORA[corpus_name]())
    instance = workdir / f"instance-{size}-{corpus_name}"
    shutil.rmtree(instance, ignore_errors=True)
    database_url = create_postgres_database(f"registry_bench_{size}") if db == "postgres" else None
    overrides = {"instance_dir": instance, "secret_key": "bench", "TESTING": True}
    if database_url:
        overrides["database_url"] = database_url
    app = create_app(overrides)
    engine = registry_of(app).engine
    schema_migrations.upgrade(engine)
    report: dict = {
        "size": size,
        "corpus": corpus.name,
        "database": engine.dialect.name,
        "load_before": _loadavg(),
    }
    report["shape"] = print_shape(corpus, size)

    started = time.perf_counter()
    bulk_load_db(engine, corpus, size)
    report["db_load_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    search.bulk_index(search_index(app), engine, procs=procs)
    report["index_load_s"] = round(time.perf_counter() - started, 1)
    report["index_mb"] = round(folder_size(search_index(app).folder) / 1e6, 1)

    started = time.perf_counter()
    fts = build_fts(workdir / f"fts-{size}.sqlite3", corpus, size)
    report["fts_load_s"] = round(time.perf_counter() - started, 1)

    freeze_startup_objects()  # as a serving process does (registry/wsgi.py)
    common, mid1, mid2 = (corpus.word_at_rank("en", r) for r in (0, 40, 60))
    queries = {
        "rare word": ({"q": "dialysis"}, ("dialysis", "")),
        "common word": ({"q": common}, (common, "")),
        "French word": ({"q": "bénévoles"}, ("bénévoles", "")),
        "OR": ({"q": f"{mid1} OR {mid2}"}, (f'"{mid1}" OR "{mid2}"', "")),
        "prefix": ({"q": "volunt*"}, ("volunt*", "")),
        "two words": ({"q": f"{mid1} {mid2}"}, (_any(f"{mid1} {mid2}"), "")),
        "phrase": ({"q": f'"{PHRASE}"'}, (f'"{PHRASE}"', "")),
        "with facets": ({"q": mid1}, (mid1, "")),
        "with filters": (
            {"q": mid1, "country": "FR", "maturity": "pilot"},
            (mid1, "country = 'FR' AND maturity = 'pilot'"),
        ),
        "browse (no query)": ({}, (None, "")),
        "page 10, broad": ({"q": common, "page": 10}, (common, "", 180)),
        # Glossary expansion and partial matching switched on: a phrase with a translation, a
        # long question whose words are matched in part.
        "glossary phrase": ({"q": "participatory budget"}, (_any("participatory budget"), "")),
        "long question": ({"q": LONG_QUESTION}, (_any(LONG_QUESTION), "")),
    }
    client = app.test_client()
    rows = {}
    for name, (params, fts_args) in queries.items():
        response = client.get("/api/v1/initiatives", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        total = response.get_json()["total"]
        ours = timed_both(lambda p=params: client.get("/api/v1/initiatives", query_string=p), reps)
        theirs = timed_both(lambda a=fts_args: fts_query(fts, *a), reps)
        rows[name] = {
            "hits": total, "median_ms": ours["wall_median"], "p95_ms": ours["wall_p95"],
            "cpu_p95_ms": ours["cpu_p95"],
            "fts5_median_ms": theirs["wall_median"], "fts5_p95_ms": theirs["wall_p95"],
            "fts5_cpu_p95_ms": theirs["cpu_p95"],
            "ratio_p95": round(ours["wall_p95"] / theirs["wall_p95"], 1)
            if theirs["wall_p95"] else None,
            "ratio_cpu_p95": round(ours["cpu_p95"] / theirs["cpu_p95"], 1)
            if theirs["cpu_p95"] else None,
        }  # fmt: skip
    page_median, page_p95 = timed(lambda: client.get("/initiatives"), reps)
    rows["browse page (HTML)"] = {"median_ms": round(page_median, 1), "p95_ms": round(page_p95, 1)}
    report["queries"] = rows
    report["rss_mb"] = rss_mb()  # this process: app, index, corpus, word lists, FTS5
    if serve:
        report["serving"] = serving(instance, queries, reps, database_url)
    report["hostile"] = hostile_queries(client, max(5, reps // 3))

    # Edits reach the index through the follower (as under `registry serve`), no request.
    running = follower.start(search_index(app), engine)
    delays = []
    for k in range(5):
        word = f"zebrafinch{k}"
        with write_session(engine) as session:
            actions.edit(session, actions.SYSTEM, 1 + k, {"title": f"{word} garden"},
                         expected_version=None)  # fmt: skip
        committed = time.perf_counter()
        assert follower.wait_until_current(search_index(app), engine, timeout=30)
        delays.append((time.perf_counter() - committed) * 1000)
    running.stop()
    found = client.get("/api/v1/initiatives", query_string={"q": "zebrafinch4"}).get_json()
    assert found["total"] == 1, found
    report["edit_visible_ms"] = {"median": round(statistics.median(delays), 1),
                                 "max": round(max(delays), 1)}  # fmt: skip
    report["load_after"] = _loadavg()
    fts.close()
    search_index(app).close()
    engine.dispose()
    if database_url and not keep:
        drop_postgres_database(f"registry_bench_{size}")
    gc.unfreeze()  # the next size starts afresh
    return report


# Inputs that once took seconds or failed (search-notes.md): giant tokens, deep nesting, many
# terms, wildcards. Each must answer (200 or its 400) well within a second.
HOSTILE = {
    "10,000-character token": "x" * 10_000,
    "499-character token": "a" * 499,
    "400 parentheses": "(" * 400,
    "300 quotes": '"' * 301,
    "1,000 ORs": "patient OR " * 1000,
    "32 common words": " ".join(["patients", "care", "police", "parents"] * 8),
    "wildcards": "*tion pat*ent a* ?atient *",
    "accents": "e" + "\u0301" * 300,
    "operators only": 'AND OR NOT ( ) " -',
}


def hostile_queries(client, reps: int) -> dict:
    """p95 (ms) of each hostile query through the API."""
    out = {}
    for name, q in HOSTILE.items():
        status = client.get("/api/v1/initiatives", query_string={"q": q}).status_code
        assert status in (200, 400), (name, status)
        _median, p95 = timed(lambda q=q: client.get("/api/v1/initiatives", query_string={"q": q}),
                             reps)  # fmt: skip
        out[name] = {"status": status, "p95_ms": round(p95, 1)}
    return out


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def print_report(report: dict) -> None:
    print(
        f"\n== {report['size']:,} initiatives, {report['corpus']} corpus, {report['database']} =="
    )
    print(f"load average before {report['load_before']}, after {report['load_after']}; "
          f"latency clock: {'CPU' if clock is time.process_time else 'wall'}; "
          f"resident memory of this process {report['rss_mb']} MB")  # fmt: skip
    print(
        f"bulk load: database {report['db_load_s']} s, index {report['index_load_s']} s "
        f"(FTS5 baseline {report['fts_load_s']} s); index size {report['index_mb']} MB"
    )
    print(f"{'query':22} {'hits':>7} {'median':>7} {'p95':>7} {'cpu p95':>7} {'fts5 med':>8} "
          f"{'fts5 p95':>8} {'fts5 cpu':>8} {'ratio':>6} {'cpu ratio':>9}")  # fmt: skip
    for name, row in report["queries"].items():
        print(
            f"{name:22} {row.get('hits', ''):>7} {row['median_ms']:>7} {row['p95_ms']:>7} "
            f"{row.get('cpu_p95_ms', ''):>7} {row.get('fts5_median_ms', ''):>8} "
            f"{row.get('fts5_p95_ms', ''):>8} {row.get('fts5_cpu_p95_ms', ''):>8} "
            f"{row.get('ratio_p95', ''):>6} {row.get('ratio_cpu_p95', ''):>9}"
        )
    if "serving" in report:
        serving = report["serving"]
        print(f"through HTTP on `registry serve` (4 threads): resident memory "
              f"{serving['rss_start_mb']} MB at start, {serving['rss_after_mb']} MB after every "
              f"query type")  # fmt: skip
        print(f"{'query':22} {'median':>7} {'p95':>7} {'fts5 p95':>8} {'ratio':>6}")
        for name, row in serving["http"].items():
            fts = report["queries"][name]["fts5_p95_ms"]
            print(f"{name:22} {row['median_ms']:>7} {row['p95_ms']:>7} {fts:>8} "
                  f"{round(row['p95_ms'] / fts, 1) if fts else '':>6}")  # fmt: skip
    edit = report["edit_visible_ms"]
    print(f"edit visible in search after commit: median {edit['median']} ms, max {edit['max']} ms")
    hostile = report["hostile"]
    slowest = max(hostile, key=lambda name: hostile[name]["p95_ms"])
    print("hostile queries, p95 ms: " + ", ".join(
        f"{name} {row['p95_ms']} ({row['status']})" for name, row in hostile.items()
    ) + f"; slowest: {slowest}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, action="append", help="records (repeatable)")
    parser.add_argument("--reps", type=int, default=30, help="timed repetitions per query")
    parser.add_argument("--procs", type=int, default=2, help="indexing processes")
    parser.add_argument("--workdir", type=Path, default=None, help="kept when given")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--clock", choices=CLOCKS, default="wall", help="what a latency measures")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="also time every query through HTTP on `registry serve` and report its memory",
    )
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="postgres: the registry's tables in a new database registry_bench_SIZE on the "
        "server REGISTRY_BENCH_POSTGRES_URL names (FTS5 stays SQLite)",
    )
    parser.add_argument("--corpus", choices=CORPORA, action="append",
                        help="realistic (default) or pseudo (repeatable)")  # fmt: skip
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="registry-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    reports = []
    try:
        for corpus_name in args.corpus or ["realistic"]:
            for size in args.size or [10_000]:
                keep = args.workdir is not None
                report = run(
                    size, workdir, args.reps, args.procs, corpus_name, args.serve, args.db, keep
                )
                reports.append(report)
                print_report(reports[-1])
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2))


if __name__ == "__main__":
    main()
