"""When each API token was last used, recorded in batches so that checking a token stays a read.

A request authenticated by a token only notes the time in this process's memory; at most once
per `interval` a background thread writes the noted times in one short transaction. A process
that dies loses at most the last interval's times: they are informative (the account page shows
them), never a security decision.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from . import accounts
from .db import write_session
from .models import utcnow

log = logging.getLogger(__name__)


class TokenUses:
    def __init__(self, engine: Engine, interval: float = 60.0):
        self.engine, self.interval = engine, interval
        self._noted: dict[int, datetime] = {}
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._writer: threading.Thread | None = None

    def note(self, token_id: int) -> None:
        """Remember that `token_id` was used now; start a write when the interval has passed."""
        with self._lock:
            self._noted[token_id] = utcnow()
            due = time.monotonic() - self._last_flush >= self.interval
            if not due or (self._writer is not None and self._writer.is_alive()):
                return
            self._last_flush = time.monotonic()
            self._writer = threading.Thread(target=self.flush, name="token-uses", daemon=True)
            self._writer.start()

    def flush(self) -> None:
        """Write every noted time now (the background thread, or a test)."""
        with self._lock:
            noted, self._noted = self._noted, {}
        if not noted:
            return
        try:
            with write_session(self.engine) as session:
                accounts.record_token_uses(session, noted)
        except SQLAlchemyError as exc:  # the database is away: keep the times for next time
            log.warning("could not record API token uses: %s", exc)
            with self._lock:
                for token_id, when in noted.items():
                    self._noted.setdefault(token_id, when)

    def wait(self) -> None:
        """Wait for a write in progress (tests, and a clean shutdown)."""
        writer = self._writer
        if writer is not None:
            writer.join()
