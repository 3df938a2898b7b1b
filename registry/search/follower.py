"""The index follower: one thread per serving process that applies the change log to the index.

`registry serve` (and `registry.wsgi`) start one with `start(index, engine)`. It polls the
change log's newest sequence number every INTERVAL seconds (one indexed `max()`), and when the
index is behind takes the folder's write lock and applies what is new, at most BUDGET seconds
at a time, so an edit is searchable within about a second of its commit with no request
needed. Search requests then only read the last committed index and say when it is behind
(`querying.follow`); a process without a follower (the test client, `flask run`, scripts)
catches up inside its searches as before.

Processes share the index folder: several followers (one per worker process) take turns under
the folder's lock, and a change applied by one is seen by all.

A watchdog thread restarts the follower thread if it ever ends with an error, and logs why.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.engine import Engine

from .. import initiatives
from ..db import read_session
from .indexing import catch_up
from .store import SearchIndex

INTERVAL = 0.2  # seconds between two looks at the change log
BUDGET = 1.0  # seconds of indexing per catch-up, so that a long backlog is committed in steps
WATCH = 1.0  # seconds between two checks that the follower thread is alive
RESTART_AFTER = (1.0, 2.0, 5.0, 10.0, 30.0)  # back-off between restarts of a failing follower

log = logging.getLogger(__name__)


class Follower:
    """The follower thread and its watchdog, for one index handle."""

    def __init__(self, index: SearchIndex, engine: Engine, interval: float = INTERVAL):
        self.index = index
        self.engine = engine
        self.interval = interval
        self.restarts = 0
        self.applied = 0  # changes applied since start
        self.last_error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watchdog: threading.Thread | None = None

    # --- life -----------------------------------------------------------------------------

    def start(self) -> Follower:
        self._stop.clear()
        self._thread = self._spawn()
        self._watchdog = threading.Thread(
            target=self._watch, name="search-follower-watchdog", daemon=True
        )
        self._watchdog.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for thread in (self._watchdog, self._thread):
            if thread is not None:
                thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _spawn(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name="search-follower", daemon=True)
        thread.start()
        return thread

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self.step()
                self._stop.wait(self.interval)
        except Exception as exc:  # the thread ends, logged; the watchdog restarts it
            self.last_error = exc
            log.exception("the search index follower stopped: %s", exc)

    def _watch(self) -> None:
        failures = 0
        while not self._stop.wait(WATCH):
            if self._thread is not None and not self._thread.is_alive():
                pause = RESTART_AFTER[min(failures, len(RESTART_AFTER) - 1)]
                if self._stop.wait(pause):
                    return
                failures += 1
                self.restarts += 1
                log.warning(
                    "restarting the search index follower (restart %s; it stopped with: %r)",
                    self.restarts, self.last_error,
                )  # fmt: skip
                self._thread = self._spawn()
            elif self.last_error is None:
                failures = 0

    # --- work -----------------------------------------------------------------------------

    def step(self) -> int | None:
        """One look at the change log, and a catch-up when the index is behind it."""
        with read_session(self.engine) as session:
            latest = initiatives.latest_change(session)
            name = self.index.current_generation()
            if name is not None and self.index.applied_seq(name) >= latest:
                return 0
            applied = catch_up(self.index, session, timeout=0.5, budget=BUDGET)
        if applied:
            self.applied += applied
        self.last_error = None
        return applied


def start(index: SearchIndex, engine: Engine, interval: float = INTERVAL) -> Follower:
    """Start the process's follower for `index` (once: a second call returns the first)."""
    if index.follower is None:
        index.follower = Follower(index, engine, interval).start()
        log.info("search index follower started for %s", index.folder)
    return index.follower


def wait_until_current(index: SearchIndex, engine: Engine, timeout: float) -> bool:
    """Whether the index reached the change log's newest entry within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with read_session(engine) as session:
            latest = initiatives.latest_change(session)
        name = index.current_generation()
        if name is not None and index.applied_seq(name) >= latest:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
