"""Load: many concurrent clients on a gunicorn-served registry, 95% reads, 5% writes.

    python -m bench.load [--db sqlite|postgres|both] [--clients 50] [--seconds 60]
                         [--workers 4] [--size 1000]

Each client (a thread with its own HTTP connection) loops: 95% searches and page views
(API search with realistic words, filters and pages; the HTML search page; initiative pages;
the home page; API records), 5% writes through the API as a curator (PATCH of a published
record with If-Match, or create → submit → publish), each write carrying a unique word.

Pass, checked here: no 5xx and no transport error; every acknowledged write is in the
database (its revision holds its word) and the record's current word is found by search;
`registry index check` exits 0. Prints throughput and p50/p95 per request kind; exit 1 on
failure. A 409 (two clients editing one record) is counted, not a failure.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter, defaultdict

import httpx

from registry import vocab

from . import harness
from .corpus import COUNTRIES, DOMAIN_EN, DOMAIN_FR, PHRASE, RARE, Corpus

WRITE_SHARE = 0.05
READS = (  # (kind, weight)
    ("api_search", 30),
    ("search_page", 25),
    ("initiative_page", 20),
    ("api_record", 10),
    ("browse_page", 10),
    ("home", 5),
)


class Recorder:
    """Latencies and statuses per request kind, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.transport_errors: Counter = Counter()
        self.without_retry_after = 0  # 503 answers that do not say when to come back
        self.acks: list[harness.Ack] = []

    def timed(self, kind: str, send) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = send()
        except httpx.TransportError as exc:
            with self.lock:
                self.transport_errors[f"{kind}: {type(exc).__name__}"] += 1
            return None
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.latency[kind].append(elapsed)
            self.statuses[kind][response.status_code] += 1
            if response.status_code == 503 and "Retry-After" not in response.headers:
                self.without_retry_after += 1
        return response

    def ack(self, ack: harness.Ack) -> None:
        with self.lock:
            self.acks.append(ack)

    def count(self, predicate) -> int:
        return sum(n for c in self.statuses.values() for s, n in c.items() if predicate(s))


class Queries:
    """Realistic search parameters: corpus words by frequency rank, phrases, filters, pages."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus

    def params(self, rng: random.Random) -> dict:
        roll = rng.random()
        params: dict = {}
        if roll < 0.35:
            params["q"] = rng.choice(DOMAIN_EN + DOMAIN_FR)
        elif roll < 0.5:
            params["q"] = self.corpus.word_at_rank(rng.choice(("en", "fr")), rng.randint(0, 400))
        elif roll < 0.6:
            params["q"] = f"{rng.choice(DOMAIN_EN)} {rng.choice(DOMAIN_EN)}"
        elif roll < 0.65:
            params["q"] = f'"{PHRASE}"'
        elif roll < 0.68:
            params["q"] = rng.choice(RARE)
        elif roll < 0.7:
            params["q"] = rng.choice(DOMAIN_EN)[:-1] + "x"  # a typo: suggestion path
        if rng.random() < 0.4:
            params["country"] = rng.choice(COUNTRIES[:12])
        if rng.random() < 0.25:
            params["sector"] = rng.choice(vocab.SECTOR.codes)
        if rng.random() < 0.2:
            params["stage"] = rng.choice(vocab.STAGE.codes)
        if rng.random() < 0.2:
            params["maturity"] = rng.choice(vocab.MATURITY.codes)
        if rng.random() < 0.1:
            params["sort"] = rng.choice(("newest", "year", "title"))
        if rng.random() < 0.3:
            params["page"] = rng.randint(2, 5)
        return params


def _read(kind: str, http: httpx.Client, rng, queries: Queries, ids: list[int], rec: Recorder):
    if kind == "api_search":
        rec.timed(kind, lambda: http.get("/api/v1/initiatives", params=queries.params(rng)))
    elif kind == "search_page":
        rec.timed(kind, lambda: http.get("/initiatives", params=queries.params(rng)))
    elif kind == "browse_page":
        params = {"country": rng.choice(COUNTRIES[:8]), "page": rng.randint(1, 3)}
        rec.timed(kind, lambda: http.get("/initiatives", params=params))
    elif kind == "initiative_page":
        rec.timed(kind, lambda: http.get(f"/initiatives/{rng.choice(ids)}", follow_redirects=True))
    elif kind == "api_record":
        rec.timed(kind, lambda: http.get(f"/api/v1/initiatives/{rng.choice(ids)}"))
    else:
        rec.timed(kind, lambda: http.get("/"))


def write_once(
    http: httpx.Client, rng: random.Random, ids: list[int], marks: harness.Marks, rec: Recorder
) -> None:
    """One write as a curator: a PATCH of a published record (60%) or create → publish."""
    if rng.random() < 0.6:
        initiative_id = rng.choice(ids)
        got = rec.timed("api_record_auth", lambda: http.get(f"/api/v1/initiatives/{initiative_id}"))
        if got is None or got.status_code != 200:
            return
        version = got.json()["version"]
        mark = marks.next()
        summary = f"Load edit {mark}: volunteers and staff review the service together."
        response = rec.timed(
            "patch",
            lambda: http.patch(
                f"/api/v1/initiatives/{initiative_id}",
                json={"summary": summary},
                headers={"If-Match": str(version)},
            ),
        )
        if response is not None and response.status_code == 200:
            body = response.json()
            rec.ack(
                harness.Ack(initiative_id, body["version"], mark, body["status"] == "published")
            )
        return
    mark = marks.next()
    record = {
        "title": f"Load test {mark} initiative",
        "summary": f"Created under load with the word {mark}.",
        "country": rng.choice(COUNTRIES[:10]),
        "sector": rng.choice(vocab.SECTOR.codes),
        "stages": [rng.choice(vocab.STAGE.codes)],
        "maturity": rng.choice(vocab.MATURITY.codes),
    }
    created = rec.timed("create", lambda: http.post("/api/v1/initiatives", json=record))
    if created is None or created.status_code != 201:
        return
    body = created.json()
    path = f"/api/v1/initiatives/{body['id']}"
    rec.ack(harness.Ack(body["id"], body["version"], mark, False))
    for step in ("submit", "publish"):
        done = rec.timed(step, lambda s=step: http.post(f"{path}/{s}"))
        if done is None or done.status_code != 200:
            return
        body = done.json()
        rec.ack(harness.Ack(body["id"], body["version"], mark, body["status"] == "published"))


def run_load(
    server: harness.Server, token: str, ids: list[int], clients: int, seconds: float, seed=1
) -> Recorder:
    rec = Recorder()
    queries = Queries(Corpus())
    marks = harness.Marks()
    kinds, weights = zip(*READS, strict=True)
    stop = time.monotonic() + seconds

    def client_loop(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        with harness.client(server) as http, harness.client(server, token) as writer:
            while time.monotonic() < stop:
                if rng.random() < WRITE_SHARE:
                    write_once(writer, rng, ids, marks, rec)
                else:
                    kind = rng.choices(kinds, weights)[0]
                    _read(kind, http, rng, queries, ids, rec)

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rec.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    return rec


def report(engine_name: str, rec: Recorder, verdict: dict, args) -> bool:
    total = sum(len(v) for v in rec.latency.values())
    elapsed = rec.elapsed  # type: ignore[attr-defined]
    server_errors = rec.count(lambda s: s >= 500)
    transport = sum(rec.transport_errors.values())
    print(
        f"\n== {engine_name}: {args.clients} clients, {args.seconds:.0f} s, "
        f"{args.workers} gunicorn workers, {args.size} initiatives =="
    )
    print(f"requests: {total} in {elapsed:.1f} s = {total / elapsed:.1f} req/s")
    print(f"{'kind':<18}{'n':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  statuses")
    for kind, n, p50, p95, top in harness.summarise(rec.latency):
        statuses = " ".join(f"{s}:{c}" for s, c in sorted(rec.statuses[kind].items()))
        print(f"{kind:<18}{n:>7}{n / elapsed:>8.1f}{p50:>9.1f}{p95:>9.1f}{top:>9.1f}  {statuses}")
    print(f"5xx responses: {server_errors}; transport errors: {transport}")
    for what, n in rec.transport_errors.items():
        print(f"  {what}: {n}")
    print(
        f"acknowledged writes: {verdict['acknowledged']}; missing in the database: "
        f"{verdict['missing_in_db']}; current words searched: {verdict['searched']}, "
        f"not found: {verdict['missing_in_search']}"
    )
    print(f"registry index check: exit {verdict['index_check_exit']} ({verdict['index_check']})")
    passed = (
        server_errors == 0
        and transport == 0
        and verdict["missing_in_db"] == 0
        and verdict["missing_in_search"] == 0
        and verdict["index_check_exit"] == 0
    )
    print("PASS" if passed else "FAIL")
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--size", type=int, default=1000, help="published initiatives to seed")
    args = parser.parse_args()
    engines = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    results = []
    for engine_name in engines:
        with harness.prepared(engine_name, args.size) as instance:
            with harness.serving(instance, workers=args.workers) as server:
                rec = run_load(
                    server, instance.token, instance.published_ids, args.clients, args.seconds
                )
                verdict = harness.verify_acks(instance, server, rec.acks)
                logged = server.errors_logged()
            results.append(report(engine_name, rec, verdict, args))
            if logged:
                print(f"server log: {len(logged)} unhandled errors, e.g. {logged[0]}")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
