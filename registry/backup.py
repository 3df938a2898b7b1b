"""Backups of the registry's database while the site runs, and restores into an instance.

SQLite: the online backup API copies a consistent snapshot while writers carry on (WAL).
PostgreSQL: `pg_dump` in its custom format (one consistent snapshot, taken without locking
writers out) and `pg_restore`. The search index is not backed up: it is derived from the
database, and a restore rebuilds it. Knows nothing of Flask.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from .db import is_sqlite

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, for the operator."""


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to `target` (replaced whole, never half-written)."""
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    draft = target.with_name(f".{target.name}.partial")
    try:
        if is_sqlite(engine):
            _sqlite_backup(_sqlite_path(engine), draft)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={draft}", *_pg_args(engine)], engine)  # fmt: skip
        os.replace(draft, target)
    finally:
        draft.unlink(missing_ok=True)


def restore(engine: Engine, source: Path, *, force: bool = False) -> None:
    """Load the backup `source` into the (stopped) instance's database.

    Refuses a database that already holds tables unless `force`, then replaces their content.
    The caller rebuilds the search index afterwards.
    """
    kind = kind_of(source)
    wanted = "sqlite" if is_sqlite(engine) else "postgresql"
    if kind != wanted:
        raise BackupError(
            f"{source} is a {kind} backup but REGISTRY_DATABASE_URL names a {wanted} database; "
            "move data between engines with `registry export --format json` and `registry import`"
        )
    if not force and inspect(engine).get_table_names():
        raise BackupError(
            "the database already holds data; restore into a new instance, "
            "or pass --force to replace it"
        )
    engine.dispose()
    if kind == "sqlite":
        _sqlite_restore(source, _sqlite_path(engine))
    else:
        clean = ["--clean", "--if-exists"] if force else []
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", *clean, *_pg_args(engine), str(source)], engine)  # fmt: skip


def kind_of(path: Path) -> str:
    """ "sqlite" or "postgresql", from the file's first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a registry backup (neither SQLite nor pg_dump's format)")


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sqlite_backup(source: Path, draft: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=15)
    dst = sqlite3.connect(draft)
    try:
        src.backup(dst)  # all pages in one step: one consistent snapshot
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("the copy failed SQLite's integrity check")
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from None
    finally:
        dst.close()
        src.close()


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=15)
    try:
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            raise BackupError(f"{source} is an SQLite file but not a registry backup")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite restore failed: {exc}") from None
    finally:
        dst.close()
        src.close()


def _pg_args(engine: Engine) -> list[str]:
    url = engine.url
    args = [f"--dbname={url.database}"]
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    return args


def _run(command: list[str], engine: Engine) -> None:
    """Run a PostgreSQL client tool; the password goes through the environment, not argv."""
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client; its "
            "major version must be at least the server's)"
        )
    env = {**os.environ}
    if engine.url.password:
        env["PGPASSWORD"] = engine.url.password
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{command[0]} failed: {reason}")
