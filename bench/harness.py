"""What the load and fault scripts share: a registry instance in a temporary folder (SQLite
file or a private PostgreSQL database), seeded with the synthetic corpus, a curator with an
API token, gunicorn servers on loopback, and the checks that every acknowledged write is in
the database and in search.

Everything goes through the real command line (`registry init`, `users create`, `tokens
create`, `index rebuild`, `index check`) and real HTTP; the corpus is written through the
service layer, as an import would.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from registry import actions
from registry.db import make_engine, read_session, write_session
from registry.models import Initiative, Revision
from registry.transfer.importing import Row

from .corpus import Corpus

POSTGRES_URL = os.environ.get(
    "REGISTRY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
CURATOR = "curator@bench.example"


# --- instances ---------------------------------------------------------------------------------


@dataclass
class Instance:
    """A prepared registry: folder, database URL, the curator's token."""

    folder: Path
    database_url: str
    engine_name: str
    token: str = ""
    published_ids: list[int] = field(default_factory=list)

    @property
    def index_dir(self) -> Path:
        return self.folder / "index"

    def env(self, index_dir: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        env.update(
            REGISTRY_INSTANCE_DIR=str(self.folder),
            REGISTRY_DATABASE_URL=self.database_url,
            REGISTRY_INDEX_DIR=str(index_dir or self.index_dir),
            REGISTRY_SECRET_KEY="bench-secret",
        )
        return env

    def registry(
        self, *args: str, index_dir: Path | None = None, stdin: str | None = None, check=True
    ) -> subprocess.CompletedProcess:
        """Run `registry ARGS` on this instance; output captured as text."""
        return subprocess.run(
            [sys.executable, "-m", "registry", *args],
            env=self.env(index_dir), input=stdin, capture_output=True, text=True, check=check,
        )  # fmt: skip

    def index_check(self, index_dir: Path | None = None) -> tuple[int, str]:
        """Exit code and output of `registry index check` (0: index and database agree)."""
        done = self.registry("index", "check", index_dir=index_dir, check=False)
        return done.returncode, (done.stdout + done.stderr).strip()


def _postgres_admin():
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def create_postgres_database(name: str) -> str:
    """A new, empty database `name` on the benchmark's PostgreSQL server (dropped first, if a
    run left it): its URL."""
    admin = _postgres_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(False)


def drop_postgres_database(name: str) -> None:
    admin = _postgres_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def prepared(engine_name: str, size: int, *, keep: bool = False) -> Iterator[Instance]:
    """A seeded instance on `engine_name` ("sqlite" or "postgres"), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"registry-bench-{engine_name}-"))
    database = None
    if engine_name == "postgres":
        database = f"registry_bench_{uuid.uuid4().hex[:10]}"
        url = create_postgres_database(database)
    else:
        url = f"sqlite:///{folder / 'registry.sqlite3'}"
    instance = Instance(folder, url, engine_name)
    try:
        _seed(instance, size)
        yield instance
    finally:
        if not keep:
            subprocess.run(["chattr", "-R", "-i", str(folder)], capture_output=True)
            subprocess.run(["rm", "-rf", str(folder)], check=False)
            if database:
                drop_postgres_database(database)


def _seed(instance: Instance, size: int) -> None:
    started = time.perf_counter()
    instance.registry("init")
    engine = make_engine(instance.database_url)
    corpus = Corpus()
    ids = []
    options = actions.ImportOptions(publish=True, source="bench corpus")
    for first in range(0, size, 250):
        rows = [Row(f"record {n}", corpus.record(n)) for n in range(first, min(size, first + 250))]
        with write_session(engine) as session:
            ids += actions.import_rows(session, actions.SYSTEM, rows, options).created
    engine.dispose()
    instance.published_ids = ids
    instance.registry("index", "rebuild")
    instance.registry(
        "users", "create", CURATOR, "--role", "curator", "--organisation", "Bench curators"
    )
    instance.token = instance.registry("tokens", "create", CURATOR).stdout.strip()
    print(
        f"[{instance.engine_name}] seeded {size} published initiatives and built the index "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One gunicorn master and its workers serving `instance` on loopback."""

    instance: Instance
    workers: int = 4
    index_dir: Path | None = None
    threads: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        self.log_path = self.instance.folder / f"gunicorn-{self.port}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                "--threads", str(self.threads), "--bind", f"127.0.0.1:{self.port}",
                "--timeout", "120", "--graceful-timeout", "20", "--backlog", "512",
                "registry.wsgi:app",
            ],
            env=self.instance.env(self.index_dir), stdout=log, stderr=log,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                if httpx.get(self.url + "/api/v1/vocabularies", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc."""
        assert self.process is not None
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def stop(self) -> None:
        """SIGTERM (graceful), SIGKILL after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def errors_logged(self) -> list[str]:
        """The exception line of every unhandled error in the server's log."""
        if self.log_path is None or not self.log_path.exists():
            return []
        found, inside = [], False
        for line in self.log_path.read_text(errors="replace").splitlines():
            if "unhandled error" in line or "Error handling request" in line:
                inside = True
            elif inside and line and not line[0].isspace() and not line.startswith("Traceback"):
                found.append(line.strip())
                inside = False
        return found


@contextmanager
def serving(instance: Instance, **options) -> Iterator[Server]:
    server = Server(instance, **options).start()
    try:
        yield server
    finally:
        server.stop()


# --- clients and measurements -------------------------------------------------------------------


def client(server: Server | str, token: str | None = None) -> httpx.Client:
    base = server if isinstance(server, str) else server.url
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base, headers=headers, timeout=60, follow_redirects=False)


class Marks:
    """Unique letter-only words (the analyzers keep them whole): 'zq' + base-26 counter."""

    def __init__(self, prefix: str = "zq"):
        self._lock = threading.Lock()
        self._n = 0
        self.prefix = prefix

    def next(self) -> str:
        with self._lock:
            self._n += 1
            n = self._n
        letters = ""
        while True:
            n, r = divmod(n, 26)
            letters = chr(97 + r) + letters
            if n == 0:
                break
        return f"{self.prefix}{letters:a>5}"


@dataclass
class Ack:
    """A write the server acknowledged: the initiative, its version then, the word it holds."""

    initiative_id: int
    version: int
    mark: str
    published: bool


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summarise(samples: dict[str, list[float]]) -> list[tuple[str, int, float, float, float]]:
    """(kind, count, p50 ms, p95 ms, max ms) per kind, most frequent first."""
    rows = []
    for kind, values in sorted(samples.items(), key=lambda kv: -len(kv[1])):
        rows.append(
            (kind, len(values), statistics.median(values), percentile(values, 95), max(values))
        )
    return rows


def verify_acks(instance: Instance, server: Server | None, acks: list[Ack]) -> dict[str, object]:
    """Every acknowledged write in the database (its revision, holding its word) and, for the
    published ones, the record's current word found by search on `server`; then `registry
    index check` on the server's index."""
    engine = make_engine(instance.database_url)
    missing_db, missing_search = [], []
    latest: dict[int, Ack] = {}
    with read_session(engine) as session:
        for ack in acks:
            revision = session.scalar(
                select(Revision).where(
                    Revision.initiative_id == ack.initiative_id, Revision.number == ack.version
                )
            )
            snapshot = revision.snapshot if revision is not None else {}
            if ack.mark not in f"{snapshot.get('title', '')} {snapshot.get('summary', '')}":
                missing_db.append(ack)
            if ack.published and (
                ack.initiative_id not in latest or latest[ack.initiative_id].version < ack.version
            ):
                latest[ack.initiative_id] = ack
        current = {
            row.id: (row.version, row.status, f"{row.title} {row.summary}")
            for row in session.scalars(select(Initiative).where(Initiative.id.in_(list(latest))))
        }
    engine.dispose()
    behind = [a for a in latest.values() if current[a.initiative_id][0] < a.version]
    searched = 0
    if server is not None:
        with client(server) as http:
            for initiative_id, ack in latest.items():
                _version, status, texts = current[initiative_id]
                word = next((w for w in texts.split() if w.startswith(ack.mark[:2])), None)
                if status != "published" or word is None:
                    continue
                searched += 1
                found = _search_ids(http, word)
                if initiative_id not in found:
                    missing_search.append(ack)
    code, output = instance.index_check(server.index_dir if server else None)
    return {
        "acknowledged": len(acks),
        "missing_in_db": len(missing_db) + len(behind),
        "searched": searched,
        "missing_in_search": len(missing_search),
        "index_check_exit": code,
        # The whole report when it found drift (which records, and how), else its last line.
        "index_check": output if code else (output.splitlines() or [""])[-1],
    }


def _search_ids(http: httpx.Client, word: str, attempts: int = 20) -> set[int]:
    """Ids found for `word`, retrying while search answers 503 (an index catching up)."""
    for _ in range(attempts):
        response = http.get("/api/v1/initiatives", params={"q": word, "per_page": 100})
        if response.status_code == 200:
            return {r["id"] for r in response.json()["results"]}
        time.sleep(0.5)
    return set()
