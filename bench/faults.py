"""Faults under load: what breaks, what the clients see, and that nothing acknowledged is lost.

    python -m bench.faults --scenario kill|index-readonly|index-deleted|pg-restart|two-servers|
                           slow-clients|all [--size 500] [--workers 4]

- kill: gunicorn workers SIGKILLed one after another in the middle of writes; the master
  starts new ones. Every acknowledged write must be in the database and in search afterwards.
- index-readonly: the index folder made immutable (`chattr +i`, which binds root too) under
  load for a while: searches answer 200 from the last index (page notice) or 503, never 500;
  writes reach the database; once writable, the time until search shows every write.
- index-deleted: the index folder removed under load: searches answer 503 while a worker
  replays the change log into a new index, then everything is searchable again.
- pg-restart: `pg_ctlcluster --skip-systemctl-redirect <version> main restart` under load:
  503 with Retry-After during the outage is fine, a 500 is not; the app recovers by itself.
- two-servers: two gunicorn servers with their own index folders on one PostgreSQL database:
  delay from an acknowledged write on one to its visibility in search on the other.
- slow-clients: `registry serve` (the production command) with 50 connections sending their
  headers a line every 2 s and 10 reading the largest export at ~2 KB/s, while a visitor loads
  `/` every 0.25 s: its p95 must stay under 1 s (against a baseline taken just before), no
  request fail and the server not restart. `--serve gunicorn` runs the same against gunicorn
  with 2 sync workers, for comparison. Not part of `all` (it seeds 20,000 records).

Each scenario prints its figures and PASS or FAIL; exit 1 when any failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from . import harness
from .load import Recorder, write_once

SCENARIOS = ("kill", "index-readonly", "index-deleted", "pg-restart", "two-servers")
EXTRA_SCENARIOS = ("slow-clients",)


class Background:
    """Readers and writers hammering a server until stopped; statuses per second."""

    def __init__(self, server: harness.Server, instance: harness.Instance, readers=6, writers=4):
        self.server, self.instance = server, instance
        self.rec = Recorder()
        self.marks = harness.Marks()
        self.timeline: list[tuple[float, str, int]] = []  # (time, kind, status or -1)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._reader, args=(n,)) for n in range(readers)
        ] + [threading.Thread(target=self._writer, args=(n,)) for n in range(writers)]
        self.started = time.monotonic()

    def __enter__(self) -> Background:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()

    def _note(self, kind: str, response: httpx.Response | None) -> None:
        status = -1 if response is None else response.status_code
        with self.rec.lock:
            self.timeline.append((time.monotonic(), kind, status))

    def _reader(self, n: int) -> None:
        rng = random.Random(n)
        words = ("patients", "citizens", "police", "santé", "budget", "school", "energy")
        with harness.client(self.server) as http:
            while not self._stop.is_set():
                word = rng.choice(words)
                if rng.random() < 0.5:
                    r = self.rec.timed("api_search", lambda w=word: http.get(
                        "/api/v1/initiatives", params={"q": w}))  # fmt: skip
                    self._note("api_search", r)
                else:
                    r = self.rec.timed("search_page", lambda w=word: http.get(
                        "/initiatives", params={"q": w}))  # fmt: skip
                    self._note("search_page", r)
                time.sleep(0.02)

    def _writer(self, n: int) -> None:
        rng = random.Random(100 + n)
        ids = self.instance.published_ids
        with harness.client(self.server, self.instance.token) as http:
            while not self._stop.is_set():
                write_once(http, rng, ids, self.marks, self.rec)
                time.sleep(0.05)

    def statuses(self, kinds=("api_search", "search_page")) -> Counter:
        counts: Counter = Counter()
        for kind, per_status in self.rec.statuses.items():
            if kind in kinds:
                counts.update(per_status)
        return counts

    def window(self, start: float, end: float, kinds=("api_search", "search_page")) -> Counter:
        return Counter(s for t, k, s in self.timeline if start <= t <= end and k in kinds)


def _fmt(counter: Counter) -> str:
    return " ".join(f"{s}:{n}" for s, n in sorted(counter.items())) or "none"


def _write_statuses(rec: Recorder) -> Counter:
    counts: Counter = Counter()
    for kind in ("patch", "create", "submit", "publish"):
        counts.update(rec.statuses.get(kind, Counter()))
    return counts


def _verdict_line(verdict: dict) -> str:
    return (
        f"acknowledged writes {verdict['acknowledged']}, missing in the database "
        f"{verdict['missing_in_db']}, current words searched {verdict['searched']} / not found "
        f"{verdict['missing_in_search']}; registry index check exit "
        f"{verdict['index_check_exit']} ({verdict['index_check']})"
    )


def _intact(verdict: dict) -> bool:
    return (
        verdict["missing_in_db"] == 0
        and verdict["missing_in_search"] == 0
        and verdict["index_check_exit"] == 0
    )


def _wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.2) -> float | None:
    """Seconds until `predicate()` holds, or None after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(step)
    return None


# --- scenarios ---------------------------------------------------------------------------------


def scenario_kill(args) -> bool:
    with (
        harness.prepared("sqlite", args.size) as instance,
        harness.serving(instance, workers=args.workers) as server,
    ):
        kills = 0
        with Background(server, instance, readers=4, writers=6) as load:
            time.sleep(3)
            for _ in range(args.kills):
                pids = server.worker_pids()
                if pids:
                    os.kill(random.choice(pids), signal.SIGKILL)
                    kills += 1
                time.sleep(1.5)
            time.sleep(3)  # the master has started new workers; the load goes on
        workers_after = len(server.worker_pids())
        catch_up = _wait_until(lambda: _search_ok(server), 60)
        verdict = harness.verify_acks(instance, server, load.rec.acks)
        errors_5xx = load.rec.count(lambda s: s >= 500)
        transport = sum(load.rec.transport_errors.values())
    print(f"\n== kill: {kills} workers SIGKILLed 1.5 s apart during writes (SQLite) ==")
    print(f"workers alive afterwards: {workers_after} of {args.workers}")
    print(f"writes: {_fmt(_write_statuses(load.rec))}; searches: {_fmt(load.statuses())}")
    print(f"requests cut by a kill (connection reset, not acknowledged): {transport}")
    print(f"5xx: {errors_5xx}; first good search after the load: {catch_up:.2f} s")
    print(_verdict_line(verdict))
    passed = _intact(verdict) and errors_5xx == 0 and workers_after == args.workers
    print("PASS" if passed else "FAIL")
    return passed


def _search_ok(server: harness.Server) -> bool:
    try:
        return httpx.get(server.url + "/api/v1/initiatives?q=patients", timeout=10).is_success
    except httpx.TransportError:
        return False


def _immutable(folder: Path, on: bool) -> None:
    flag = "+i" if on else "-i"
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-R", flag, str(folder)], check=True)
    else:
        subprocess.run(["chmod", "-R", "a-w" if on else "u+w", str(folder)], check=True)


def scenario_index_readonly(args) -> bool:
    with (
        harness.prepared("sqlite", args.size) as instance,
        harness.serving(instance, workers=args.workers) as server,
    ):
        with Background(server, instance) as load:
            time.sleep(3)
            frozen_at = time.monotonic()
            _immutable(instance.index_dir, True)
            time.sleep(args.fault_seconds)
            during = load.window(frozen_at, time.monotonic())
            writes_during = len(load.rec.acks)
            page = httpx.get(server.url + "/initiatives?q=patients", timeout=30)
            notice = "may miss the latest changes" in page.text
            _immutable(instance.index_dir, False)
            thawed = time.monotonic()
            time.sleep(2)
        acks = list(load.rec.acks)
        last = acks[-1] if acks else None
        delay = _wait_until(lambda: _found_current(instance, server, last), 60) if last else 0.0
        caught_up = time.monotonic() - thawed
        verdict = harness.verify_acks(instance, server, acks)
        errors_5xx = load.rec.count(lambda s: s >= 500 and s != 503)
    print(
        f"\n== index-readonly: index folder immutable for {args.fault_seconds:.0f} s under load =="
    )
    print(f"searches while read-only: {_fmt(during)}; page shows the stale notice: {notice}")
    print(f"writes acknowledged meanwhile (all load): {writes_during}; all writes: "
          f"{_fmt(_write_statuses(load.rec))}")  # fmt: skip
    print(f"after the folder is writable again, the last write is searchable within "
          f"{caught_up:.1f} s (waited {delay or 0:.2f} s after the load stopped)")  # fmt: skip
    print(f"5xx other than 503: {errors_5xx}")
    print(_verdict_line(verdict))
    passed = _intact(verdict) and errors_5xx == 0 and notice
    print("PASS" if passed else "FAIL")
    return passed


def _found_current(instance: harness.Instance, server: harness.Server, ack: harness.Ack) -> bool:
    """Whether search on `server` finds the record of `ack` by its current word."""
    from registry.db import make_engine, read_session
    from registry.models import Initiative

    engine = make_engine(instance.database_url)
    with read_session(engine) as s:
        row = s.get(Initiative, ack.initiative_id)
        words = [w for w in f"{row.title} {row.summary}".split() if w.startswith("zq")]
        published = row.status == "published"
    engine.dispose()
    if not published or not words:
        return True
    with harness.client(server) as http:
        response = http.get("/api/v1/initiatives", params={"q": words[0].strip(":.")})
    return response.status_code == 200 and ack.initiative_id in {
        r["id"] for r in response.json()["results"]
    }


def scenario_index_deleted(args) -> bool:
    with (
        harness.prepared("sqlite", args.size) as instance,
        harness.serving(instance, workers=args.workers) as server,
    ):
        with Background(server, instance) as load:
            time.sleep(3)
            deleted_at = time.monotonic()
            # Renamed away first (atomic, like a deletion for the server), then removed:
            # rmtree alone races with a worker writing into the folder.
            trash = instance.folder / "index-deleted"
            instance.index_dir.rename(trash)
            shutil.rmtree(trash)
            back = _wait_until(lambda: _search_ok(server), 120, step=0.1)
            time.sleep(3)
            during = load.window(deleted_at, deleted_at + (back or 120))
        verdict = harness.verify_acks(instance, server, load.rec.acks)
        errors_5xx = load.rec.count(lambda s: s >= 500 and s != 503)
        rebuilt = instance.index_dir.exists()
        logged = server.errors_logged()
    print(f"\n== index-deleted: index folder removed under load ({args.size} initiatives) ==")
    print(f"searches until it answered again: {_fmt(during)}")
    print(f"search answered 200 again after {back:.1f} s (the change log replayed into a new index)"
          if back is not None else "search did not come back within 120 s")  # fmt: skip
    print(f"index folder exists again: {rebuilt}; writes: {_fmt(_write_statuses(load.rec))}")
    print(f"5xx other than 503: {errors_5xx}")
    for line in sorted(set(logged)):
        print(f"  server log: {line}")
    print(_verdict_line(verdict))
    passed = _intact(verdict) and errors_5xx == 0 and back is not None
    print("PASS" if passed else "FAIL")
    return passed


def _pg_version() -> str:
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    for line in listed.stdout.splitlines():
        version, cluster, *_ = line.split()
        if cluster == "main":
            return version
    raise RuntimeError("no PostgreSQL cluster named main")


def scenario_pg_restart(args) -> bool:
    with (
        harness.prepared("postgres", args.size) as instance,
        harness.serving(instance, workers=args.workers) as server,
    ):
        with Background(server, instance) as load:
            time.sleep(3)
            began = time.monotonic()
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "restart"],
                check=True, capture_output=True,
            )  # fmt: skip
            restarted = time.monotonic() - began
            back = _wait_until(lambda: _search_ok(server), 60, step=0.1)
            time.sleep(5)
            bad = [(t, s) for t, k, s in load.timeline if t >= began and s >= 500]
            window = load.window(began, time.monotonic(), kinds=("api_search", "search_page"))
        all_statuses: Counter = Counter()
        for per_kind in load.rec.statuses.values():
            all_statuses.update(per_kind)
        unavailable = load.rec.count(lambda s: s == 503)
        without_retry = load.rec.without_retry_after
        verdict = harness.verify_acks(instance, server, load.rec.acks)
        errors_500 = sum(n for s, n in all_statuses.items() if s >= 500 and s != 503)
        logged = server.errors_logged()
        outage = (max(t for t, _ in bad) - min(t for t, _ in bad)) if bad else 0.0
    print("\n== pg-restart: PostgreSQL restarted under load ==")
    recovered = f"{back:.2f} s after it returned" if back is not None else "never (60 s)"
    print(f"pg_ctlcluster restart took {restarted:.1f} s; search answered 200 again {recovered}")
    print(f"searches from the restart on: {_fmt(window)}; 503s: {unavailable}, "
          f"of which without Retry-After: {without_retry}")  # fmt: skip
    print(f"every response: {_fmt(all_statuses)}; 5xx seen over {outage:.1f} s")
    print(f"writes: {_fmt(_write_statuses(load.rec))}; transport errors: "
          f"{sum(load.rec.transport_errors.values())}")  # fmt: skip
    print(f"5xx other than 503: {errors_500}; the app was not restarted")
    for line in sorted(set(logged)):
        print(f"  server log: {line}")
    print(_verdict_line(verdict))
    passed = _intact(verdict) and errors_500 == 0 and back is not None and without_retry == 0
    print("PASS" if passed else "FAIL")
    return passed


def scenario_two_servers(args) -> bool:
    with harness.prepared("postgres", args.size) as instance:
        second_index = instance.folder / "index-b"
        instance.registry("index", "rebuild", index_dir=second_index)
        with (
            harness.serving(instance, workers=2) as a,
            harness.serving(instance, workers=2, index_dir=second_index) as b,
            harness.client(a, instance.token) as writer,
            harness.client(b) as reader,
        ):
            marks = harness.Marks("zw")
            delays, failed = [], 0
            rng = random.Random(7)
            for _ in range(args.rounds):
                initiative_id = rng.choice(instance.published_ids)
                version = writer.get(f"/api/v1/initiatives/{initiative_id}").json()["version"]
                mark = marks.next()
                done = writer.patch(
                    f"/api/v1/initiatives/{initiative_id}",
                    json={"summary": f"Edited on server A: {mark} with citizens."},
                    headers={"If-Match": str(version)},
                )
                acked = time.monotonic()
                if done.status_code != 200:
                    failed += 1
                    continue

                def visible(word=mark, wanted=initiative_id) -> bool:
                    r = reader.get("/api/v1/initiatives", params={"q": word})
                    return r.status_code == 200 and wanted in {x["id"] for x in r.json()["results"]}

                waited = _wait_until(visible, 10, step=0.02)
                if waited is None:
                    failed += 1
                else:
                    delays.append(time.monotonic() - acked)
                time.sleep(rng.uniform(0.1, 0.5))
            # Each server's index follows the change log when it serves a search.
            assert _search_ok(a) and _search_ok(b)
            codes = (instance.index_check(), instance.index_check(second_index))
    print("\n== two-servers: two gunicorn servers (own index folders) on one PostgreSQL ==")
    if delays:
        print(f"write on A → found by search on B: median {statistics.median(delays) * 1000:.0f}"
              f" ms, max {max(delays) * 1000:.0f} ms over {len(delays)} writes")  # fmt: skip
    print(f"writes not seen on B within 10 s (or refused): {failed}")
    print(f"registry index check: A exit {codes[0][0]}, B exit {codes[1][0]}")
    passed = failed == 0 and codes[0][0] == 0 and codes[1][0] == 0 and max(delays) < 5
    print("PASS" if passed else "FAIL")
    return passed


class RegistryServe:
    """`registry serve` (waitress), the documented production command, on loopback."""

    def __init__(self, instance: harness.Instance):
        self.instance, self.port = instance, harness.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = instance.folder / f"serve-{self.port}.log"

    def __enter__(self) -> RegistryServe:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "registry", "serve", "--port", str(self.port)],
                env=self.instance.env(), stdout=log, stderr=log,
            )  # fmt: skip
        ready = _wait_until(lambda: _answers(self.url), 60)
        if ready is None:
            raise RuntimeError(f"registry serve did not answer; see {self.log_path}")
        return self

    def __exit__(self, *_exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "/api/v1/vocabularies", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _slow_header_sender(port: int, stop: threading.Event, opened: list) -> None:
    """A request whose headers never end: one more header line every 2 s."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        opened.append(1)
        n = 0
        while not stop.wait(2):
            sock.sendall(b"X-Slow-%d: 1\r\n" % n)
            n += 1
        sock.close()
    except OSError:
        pass


def _slow_reader(port: int, path: str, stop: threading.Event, read: list) -> None:
    """Asks for `path` and reads it at about 2 KB/s through a small receive buffer."""
    try:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(10)
        sock.connect(("127.0.0.1", port))
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        total = 0
        while not stop.wait(0.5):
            chunk = sock.recv(1024)
            if not chunk:
                break
            total += len(chunk)
        read.append(total)
        sock.close()
    except OSError:
        read.append(-1)


def _largest_export(url: str) -> tuple[str, int]:
    sizes = {}
    for path in ("/export/initiatives.csv", "/export/initiatives.json"):
        with httpx.stream("GET", url + path, timeout=300) as response:
            sizes[path] = sum(len(chunk) for chunk in response.iter_bytes())
    path = max(sizes, key=sizes.get)
    return path, sizes[path]


def _visitor(url: str, seconds: float) -> tuple[list[float], Counter]:
    timings, outcomes = [], Counter()
    end = time.monotonic() + seconds
    with httpx.Client(timeout=30) as http:
        while time.monotonic() < end:
            started = time.monotonic()
            try:
                outcomes[str(http.get(url + "/").status_code)] += 1
            except httpx.TransportError as exc:
                outcomes[type(exc).__name__] += 1
            timings.append(time.monotonic() - started)
            time.sleep(0.25)
    return timings, outcomes


def scenario_slow_clients(args) -> bool:
    with harness.prepared("sqlite", args.slow_size) as instance:
        server_cm = (
            RegistryServe(instance) if args.serve == "registry"
            else harness.serving(instance, workers=2)
        )  # fmt: skip
        with server_cm as server:
            pid = server.process.pid
            path, size = _largest_export(server.url)
            baseline, _ = _visitor(server.url, 10)
            stop, opened, read = threading.Event(), [], []
            port = int(server.url.rsplit(":", 1)[1])
            threads = [
                threading.Thread(target=_slow_header_sender, args=(port, stop, opened))
                for _ in range(50)
            ] + [
                threading.Thread(target=_slow_reader, args=(port, path, stop, read))
                for _ in range(10)
            ]
            for t in threads:
                t.start()
            time.sleep(2)
            timings, outcomes = _visitor(server.url, args.slow_seconds)
            load = os.getloadavg()
            stop.set()
            for t in threads:
                t.join()
            alive = server.process.poll() is None and server.process.pid == pid
            log = server.log_path.read_text(errors="replace") if server.log_path else ""
    p95, base95 = harness.percentile(timings, 95), harness.percentile(baseline, 95)
    killed = log.count("WORKER TIMEOUT") + log.count("was sent SIGKILL")
    print(f"\n== slow-clients: {args.serve} serving {args.slow_size} records (SQLite) ==")
    print(f"largest export {path}: {size / 1_048_576:.1f} MB")
    print(f"50 slow header senders ({len(opened)} connected), 10 slow readers "
          f"(read {', '.join(str(r // 1024) for r in read)} KiB)")  # fmt: skip
    print(
        f"visitor GET /: baseline p95 {base95 * 1000:.0f} ms; under slow clients "
        f"p50 {statistics.median(timings) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms over {len(timings)} requests; {_fmt(outcomes)}"
    )
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; server alive: {alive}; "
          f"workers killed: {killed}")  # fmt: skip
    passed = p95 < 1.0 and set(outcomes) == {"200"} and alive and killed == 0
    print("PASS" if passed else "FAIL")
    return passed


RUN = {
    "kill": scenario_kill,
    "index-readonly": scenario_index_readonly,
    "index-deleted": scenario_index_deleted,
    "pg-restart": scenario_pg_restart,
    "two-servers": scenario_two_servers,
    "slow-clients": scenario_slow_clients,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenario", choices=(*SCENARIOS, *EXTRA_SCENARIOS, "all"), default=["all"], nargs="+",
        help="one or more scenarios, or all",
    )  # fmt: skip
    parser.add_argument("--size", type=int, default=500, help="published initiatives to seed")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kills", type=int, default=5, help="workers killed (kill)")
    parser.add_argument("--fault-seconds", type=float, default=8, help="read-only for this long")
    parser.add_argument("--rounds", type=int, default=30, help="writes timed (two-servers)")
    parser.add_argument("--slow-size", type=int, default=20_000, help="records (slow-clients)")
    parser.add_argument("--slow-seconds", type=float, default=60, help="slow-clients duration")
    parser.add_argument("--serve", choices=("registry", "gunicorn"), default="registry",
                        help="server under test (slow-clients)")  # fmt: skip
    args = parser.parse_args()
    chosen = SCENARIOS if "all" in args.scenario else tuple(args.scenario)
    results = {name: RUN[name](args) for name in chosen}
    print("\n" + ", ".join(f"{n}: {'PASS' if ok else 'FAIL'}" for n, ok in results.items()))
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
