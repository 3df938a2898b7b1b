"""Engines and sessions for SQLite (embedded default) and PostgreSQL (scale-out).

On SQLite a write transaction starts with BEGIN IMMEDIATE, so its reads happen under the write
lock (see reliability-notes.md); WAL lets readers go on meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from .config import ConfigError

# Tables only the action layer writes (docs/architecture.md, "The action layer").
GUARDED_TABLES = frozenset(
    {"initiative", "initiative_term", "initiative_tag", "initiative_key", "revision",
     "change_log", "user_account", "organisation", "media", "media_file",
     "outbox_message", "collection", "collection_item", "saved_search", "user_list",
     "user_list_item", "initiative_link", "initiative_translation"})  # fmt: skip
# The action whose permission check passed in this context, if any. Set and reset by
# registry.actions.guard only (tests/test_action_layer.py checks that nothing else touches it).
WRITE_PERMIT: ContextVar[str | None] = ContextVar("registry_write_permit", default=None)


class UnguardedWrite(RuntimeError):
    """A guarded table was about to be written outside an authorised action."""


def make_engine(url: str) -> Engine:
    """Create an engine for `url`, configured for safe concurrent use."""
    _guard_writes()
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


def _guard_writes() -> None:
    """Refuse, loudly, a flush or ORM statement that writes a guarded table outside an action."""
    if event.contains(OrmSession, "before_flush", _check_flush):
        return
    event.listen(OrmSession, "before_flush", _check_flush)
    event.listen(OrmSession, "do_orm_execute", _check_statement)


def _refuse(table: str) -> None:
    if WRITE_PERMIT.get() is None and table in GUARDED_TABLES:
        raise UnguardedWrite(f"{table} written outside registry.actions")


def _check_flush(session: OrmSession, _context, _instances) -> None:
    changed = [*session.new, *session.deleted]
    changed += [o for o in session.dirty if session.is_modified(o)]
    for obj in changed:
        _refuse(getattr(obj, "__tablename__", ""))


def _check_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        mapper = state.bind_mapper
        # A Core statement on a Table (the import's batched inserts) has no mapper.
        table = mapper.local_table if mapper is not None else state.statement.table
        _refuse(getattr(table, "name", ""))


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
