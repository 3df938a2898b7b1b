"""Relevance benchmark: `python -m bench.relevance [--per-query] [--json FILE]`.

Loads the seed records into a fresh instance (SQLite file, Whoosh index in a temporary
folder), runs every judged query of `bench/relevance/queries.json` through the search API as a
visitor would (`GET /api/v1/initiatives?q=…`, first ten results), and the same queries against
a plain SQLite FTS5 table of the same records (the query's words OR-ed, ranked by bm25) as a
baseline. Prints nDCG@10 and recall@10 overall, per query group (English, French,
cross-language) and per query length.

nDCG@10 uses gains 2^grade - 1 and the ideal ordering of every judged record; recall@10 counts
records graded 1 or more, out of at most ten (a query with twelve relevant records can reach 1).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from registry import create_app, markdown, schema_migrations, seeds
from registry.db import read_session
from registry.extensions import registry_of
from registry.models import Initiative

QUERIES = Path(__file__).parent / "relevance" / "queries.json"
DEPTH = 10
GROUPS = ("all", "en", "fr", "cross", "short", "long")


@dataclass(frozen=True)
class Judged:
    id: str
    group: str
    query: str
    grades: dict[str, int]

    @property
    def length(self) -> str:
        """Short: one or two words; long: five or more."""
        words = len(self.query.split())
        return "short" if words <= 2 else "long" if words >= 5 else "medium"


def load_queries(path: Path = QUERIES) -> list[Judged]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Judged(q["id"], q["group"], q["query"], q["judgements"]) for q in data["queries"]]


def ndcg(ranked: list[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    def dcg(gains: Iterable[int]) -> float:
        return sum((2**g - 1) / math.log2(n + 2) for n, g in enumerate(gains))

    ideal = dcg(sorted(grades.values(), reverse=True)[:depth])
    return dcg(grades.get(slug, 0) for slug in ranked[:depth]) / ideal if ideal else 0.0


def recall(ranked: list[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    relevant = {slug for slug, g in grades.items() if g >= 1}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:depth])) / min(depth, len(relevant))


def scores(run: Callable[[str], list[str]], queries: list[Judged]) -> dict[str, dict]:
    """Per-query nDCG@10 and recall@10 of `run` (a query to ranked slugs)."""
    out = {}
    for q in queries:
        ranked = run(q.query)
        out[q.id] = {"ndcg": ndcg(ranked, q.grades), "recall": recall(ranked, q.grades),
                     "top": ranked[:DEPTH]}  # fmt: skip
    return out


def summary(per_query: dict[str, dict], queries: list[Judged]) -> dict[str, dict]:
    """Mean nDCG@10 and recall@10 per group ("all", the query groups, the query lengths)."""
    members = {name: [] for name in GROUPS}
    for q in queries:
        for name in ("all", q.group, q.length):
            if name in members:
                members[name].append(per_query[q.id])
    return {
        name: {
            "queries": len(rows),
            "ndcg": sum(r["ndcg"] for r in rows) / len(rows) if rows else 0.0,
            "recall": sum(r["recall"] for r in rows) / len(rows) if rows else 0.0,
        }
        for name, rows in members.items()
    }


# --- the registry, through its API --------------------------------------------------------


class Registry:
    """The seeds in a fresh instance; `search(q)`: the first ten slugs the API answers."""

    def __init__(self, workdir: Path):
        self.app = create_app(
            {"instance_dir": workdir / "instance", "secret_key": "bench", "TESTING": True}
        )
        self.engine = registry_of(self.app).engine
        schema_migrations.upgrade(self.engine)
        seeds.seed(self.engine)
        with read_session(self.engine) as session:
            self.slugs = dict(session.execute(select(Initiative.id, Initiative.slug)).all())
            self.records = list(session.scalars(select(Initiative)))
            for record in self.records:
                session.expunge(record)
        self.client = self.app.test_client()

    def search(self, q: str) -> list[str]:
        response = self.client.get("/api/v1/initiatives", query_string={"q": q, "per_page": 10})
        assert response.status_code == 200, response.get_data(as_text=True)
        return [self.slugs[r["id"]] for r in response.get_json()["results"]]

    def close(self) -> None:
        self.app.extensions["search"].close()
        self.engine.dispose()


# --- the baseline: SQLite FTS5, words OR-ed, bm25 ----------------------------------------


class Fts5:
    """The same records in an FTS5 table (Porter stemming, accents removed)."""

    def __init__(self, records: list[Initiative]):
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(slug UNINDEXED, title, summary, description,"
            " outcomes, tags, organisations, locality,"
            " tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        self.conn.executemany(
            "INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)",
            [
                (r.slug, r.title, r.summary, markdown.plain(r.description), r.outcomes,
                 " ; ".join(r.tags), " ; ".join([r.lead_organisation, *r.partners]),
                 " ; ".join((r.locality, r.region)))
                for r in records
            ],
        )  # fmt: skip

    def search(self, q: str) -> list[str]:
        words = re.findall(r"\w+", q.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.conn.execute(
            "SELECT slug FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
            (match, DEPTH),
        )
        return [slug for (slug,) in rows]


def evaluate(workdir: Path, queries: list[Judged] | None = None) -> dict:
    """Both systems' per-query figures and summaries over the judged collection."""
    queries = queries or load_queries()
    registry = Registry(workdir)
    try:
        fts = Fts5(registry.records)
        systems = {"registry": registry.search, "fts5": fts.search}
        report = {}
        for name, run in systems.items():
            per_query = scores(run, queries)
            report[name] = {"per_query": per_query, "summary": summary(per_query, queries)}
    finally:
        registry.close()
    return report


def print_report(report: dict, queries: list[Judged], per_query: bool) -> None:
    reg, fts = report["registry"]["summary"], report["fts5"]["summary"]
    print(f"{'group':8} {'queries':>7} {'nDCG@10':>8} {'recall@10':>9} "
          f"{'FTS5 nDCG':>9} {'FTS5 recall':>11}")  # fmt: skip
    for name in GROUPS:
        r, f = reg[name], fts[name]
        print(f"{name:8} {r['queries']:>7} {r['ndcg']:>8.3f} {r['recall']:>9.3f} "
              f"{f['ndcg']:>9.3f} {f['recall']:>11.3f}")  # fmt: skip
    if per_query:
        print(f"\n{'query':10} {'nDCG':>5} {'rec':>5} {'FTS5':>5} {'rec':>5}  text")
        for q in queries:
            r, f = report["registry"]["per_query"][q.id], report["fts5"]["per_query"][q.id]
            print(f"{q.id:10} {r['ndcg']:>5.2f} {r['recall']:>5.2f} {f['ndcg']:>5.2f} "
                  f"{f['recall']:>5.2f}  {q.query}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-query", action="store_true", help="print every query's figures")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    queries = load_queries()
    workdir = Path(tempfile.mkdtemp(prefix="registry-relevance-"))
    try:
        report = evaluate(workdir, queries)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_report(report, queries, args.per_query)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
