"""Engines and sessions for SQLite (embedded default) and PostgreSQL (scale-out).

On SQLite a write transaction starts with BEGIN IMMEDIATE, so its reads happen under the write
lock (see reliability-notes.md); WAL lets readers go on meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, create_engine

from .config import ConfigError


def make_engine(url: str) -> Engine:
    """Create an engine for `url`, configured for safe concurrent use."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"REGISTRY_DATABASE_URL is not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 15, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise ConfigError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.info.get("begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction holds the write lock from its first statement.

    Commits on success, rolls back on any exception. SQLite: BEGIN IMMEDIATE.
    PostgreSQL: plain transaction; the change log serialises writers with an advisory lock.
    """
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.info["begin"] = "IMMEDIATE"
        try:
            with Session(bind=conn) as session, conn.begin():
                yield session
                session.flush()
        finally:
            conn.info.pop("begin", None)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads; never commits."""
    with Session(engine) as session:
        yield session
        session.rollback()
